"""A run killed between two of its writes (a cancelled AWX job, an OOM kill, a container stop) leaves what the
next run finishes: one integration of the name, with a new key, and nothing else left behind.

Each multi-step write runs in a real ansible-playbook whose whole process tree is killed once the simulator
has received its n-th write: the simulator holds that write (a `delay` fault on writes), and a request whose
client is gone is never handled, so exactly n - 1 writes were made. Then the task runs again."""

import os
import signal
import subprocess
import sys
import time

import pytest

from tests.conftest import COLLECTIONS_PATH

PLAY = '''
- name: Stopped and run again
  hosts: localhost
  connection: local
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
    oncall_pagerduty_in_process: %(in_process)s
  module_defaults:
    group/oncall.pagerduty.pagerduty:
      api_url: "%(url)s"
      api_token: "%(token)s"
  tasks:
    - name: The task
%(task)s
'''

# name: (task, writes it makes, how the world is before it)
CASES = {
    'rotate_key': ('''
      oncall.pagerduty.pd_integration:
        service: Cart
        name: Events
        type: events_api_v2
        rotate_key: true''', 3),
    'recreate_as_another_kind': ('''
      oncall.pagerduty.pd_integration:
        service: Cart
        name: Events
        vendor: Datadog
        recreate: true''', 3),
    'move_by_recreating': ('''
      oncall.pagerduty.pd_integration_move:
        integration: Events
        from_service: Cart
        to_service: Checkout
        strategy: recreate''', 3),
    'move_an_email_integration_by_recreating': ('''
      oncall.pagerduty.pd_integration_move:
        integration: Inbox
        from_service: Cart
        to_service: Checkout
        strategy: recreate''', 4),
}
# Where each case's integration ends, and its name.
EXPECTED = {'rotate_key': ('Cart', 'Events'), 'recreate_as_another_kind': ('Cart', 'Events'),
            'move_by_recreating': ('Checkout', 'Events'), 'move_an_email_integration_by_recreating': ('Checkout', 'Inbox')}

EMAIL = dict(type='generic_email_inbound_integration', integration_email='inbox@acme.pagerduty.com', name='Inbox',
             email_incident_creation='on_new_email')


def seed(sim):
    created = sim.seed(
        services=[{'name': 'Cart', 'escalation_policy': 'Default'}, {'name': 'Checkout', 'escalation_policy': 'Default'}],
        integrations=[{'service': 'Cart', 'type': 'events_api_v2_inbound_integration', 'name': 'Events'},
                      dict(EMAIL, service='Cart')])
    sim.clear_requests()
    return {i['name']: i for i in (where(sim, integration_id)[1] for integration_id in created['integrations'])}


def where(sim, integration_id):
    for service in sim.state()['services']:
        for integration in service['integrations']:
            if integration['id'] == integration_id:
                return service['name'], integration
    return None


def all_integrations(sim):
    return sorted((s['name'], i['name'], i.get('integration_email') or '') for s in sim.state()['services']
                  for i in s['integrations'])


def start(sim, tmp_path, task, in_process):
    playbook = tmp_path / 'play.yml'
    playbook.write_text(PLAY % dict(in_process=str(in_process).lower(), url=sim.url, token=sim.token, task=task))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS_PATH, ANSIBLE_LOCALHOST_WARNING='0',
               ANSIBLE_FORCE_COLOR='0')
    command = [os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), str(playbook)]
    return subprocess.Popen(command, env=env, cwd=str(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True)


def killed_at_write(sim, tmp_path, task, in_process, number):
    """Run `task` and kill its process tree when the simulator holds its write `number` (1 for the first)."""
    sim.fault(method='WRITE', action='delay', seconds=60, after=number - 1, times=1)
    process = start(sim, tmp_path, task, in_process)
    deadline = time.monotonic() + 60
    while len(sim.writes()) < number:
        assert process.poll() is None, process.stdout.read()
        assert time.monotonic() < deadline, 'write %d never came' % number
        time.sleep(0.05)
    kill_tree(process.pid)
    process.wait()
    process.stdout.close()
    sim._call('DELETE', 'faults')
    # The held write was dropped, never handled: exactly number - 1 writes were made.
    time.sleep(0.2)
    return [w for w in sim.writes() if w.get('status') is not None]


def kill_tree(pid):
    """SIGKILL `pid` and every process below it: a started module may run in a session of its own, out of reach
    of a kill of the process group."""
    tree = {pid}
    while True:
        children = set()
        for entry in os.listdir('/proc'):
            if entry.isdigit():
                try:
                    with open('/proc/%s/stat' % entry) as handle:
                        parent = int(handle.read().rsplit(')', 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    continue
                if parent in tree:
                    children.add(int(entry))
        if children <= tree:
            break
        tree |= children
    for member in tree:
        try:
            os.kill(member, signal.SIGKILL)
        except ProcessLookupError:
            pass


def kill_points(first, last, in_process, step=1):
    """The writes after which a run is killed: each of them in process; on the module path only the middle one, as
    what the next run finds does not depend on the path - the module path shows that the kill reaches a module
    running in a process of its own."""
    points = list(range(first, last + 1, step))
    return points if in_process else [points[len(points) // 2]]


def run(sim, tmp_path, task, in_process):
    process = start(sim, tmp_path, task, in_process)
    output = process.communicate(timeout=300)[0]
    return process.returncode, output


@pytest.mark.parametrize('in_process', [True, False], ids=['in_process', 'module'])
@pytest.mark.parametrize('case', list(CASES))
def test_a_run_killed_between_writes_is_finished_by_the_next(sim, tmp_path, case, in_process):
    task, writes = CASES[case]
    for number in kill_points(2, writes, in_process):  # killed after 1, ..., writes - 1 of its writes
        sim.reset()
        before = seed(sim)
        made = killed_at_write(sim, tmp_path, task, in_process, number)
        assert len(made) == number - 1, (case, number, [(w['method'], w['path'], w['status'], w.get('fault'), w['body']) for w in sim.writes()])
        code, output = run(sim, tmp_path, task, in_process)
        assert code == 0 and 'changed=1' in output, (case, number, output[-3000:])
        service, name = EXPECTED[case]
        left = [i for i in all_integrations(sim) if i[1] != ('Inbox' if name == 'Events' else 'Events')]
        wanted_email = EMAIL['integration_email'] if name == 'Inbox' else ''
        assert left == [(service, name, wanted_email)], (case, number, all_integrations(sim))
        found = [i for s in sim.state()['services'] for i in s['integrations'] if i['name'] == name][0]
        assert found['id'] != before[name]['id'], (case, number)
        if name == 'Events':
            assert found['integration_key'] != before[name]['integration_key'], (case, number)
        if case != 'rotate_key':  # a rotation rotates on every run; the others are done
            code, output = run(sim, tmp_path, task, in_process)
            assert code == 0 and 'changed=0' in output, (case, number, output[-3000:])


CATALOGUE = '''
      oncall.pagerduty.pd_service_catalog:
        parallel_writes: %d
        services:
          - name: Cart
            escalation_policy: Default
            integrations:
              - {name: Events, vendor: Datadog, recreate: true}
          - name: Payments
            escalation_policy: Default
            integrations:
              - {name: Events, type: events_api_v2}
              - {name: Alerts, vendor: Datadog}'''
# Its plan, one write at a time: the recreate (create the replacement, delete the old one, rename), then a
# service and its two integrations.
CATALOGUE_WRITES = 6


@pytest.mark.parametrize('in_process', [True, False], ids=['in_process', 'module'])
@pytest.mark.parametrize('parallel_writes', [1, 4])
def test_a_catalogue_killed_between_writes_is_finished_by_the_next_run(sim, tmp_path, parallel_writes, in_process):
    task = CATALOGUE % parallel_writes
    # Four writers interleave differently on each run: two kill points are enough to catch them half-way.
    for number in kill_points(2, CATALOGUE_WRITES, in_process, 1 if parallel_writes == 1 else 2):
        sim.reset()
        before = seed(sim)
        made = killed_at_write(sim, tmp_path, task, in_process, number)
        # One writer makes its writes in order; four may have made more than number - 1 before the kill.
        assert len(made) == number - 1 if parallel_writes == 1 else len(made) >= number - 1, (number, made)
        code, output = run(sim, tmp_path, task, in_process)
        assert code == 0 and 'changed=1' in output, (number, output[-3000:])
        assert all_integrations(sim) == [('Cart', 'Events', ''), ('Cart', 'Inbox', EMAIL['integration_email']),
                                         ('Payments', 'Alerts', ''), ('Payments', 'Events', '')], (number, all_integrations(sim))
        assert [s['name'] for s in sim.state()['services']].count('Payments') == 1
        events = [i for s in sim.state()['services'] if s['name'] == 'Cart' for i in s['integrations'] if i['name'] == 'Events']
        assert events[0]['id'] != before['Events']['id'] and events[0]['vendor']['id'] == 'PAM4FGS', (number, events)
        code, output = run(sim, tmp_path, task, in_process)
        assert code == 0 and 'changed=0' in output, (number, output[-3000:])
