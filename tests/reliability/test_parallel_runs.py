"""Real ansible-playbook runs in parallel against the simulator: under a rate limit, many forks
finish with no failure, no duplicate and no retry storm; two runs that create the same service
and integration at the same moment end with one of each, both succeeding."""

import math
import os
import sys
import threading
import time

import pytest

from tests.conftest import REPO_ROOT

sys.path.insert(0, os.path.join(REPO_ROOT, 'tests', 'tools'))
from playbook_runs import ansible_playbook  # noqa: E402

HOSTS = 12
LIMIT = 20
WINDOW = 2  # seconds: 600 a minute, PagerDuty's 960 scaled down so that the run must wait

FLEET_PLAYBOOK = '''
- name: Each host provisions its own service and two integrations
  hosts: fleet
  gather_facts: false
  module_defaults:
    group/oncall.pagerduty.pagerduty:
      retry_timeout: 300
  tasks:
    - name: The service
      oncall.pagerduty.pd_service:
        name: "fleet {{ inventory_hostname }}"
        escalation_policy: PDEFEP1
    - name: Its Events API v2 integration
      oncall.pagerduty.pd_integration:
        service: "fleet {{ inventory_hostname }}"
        name: Events
        type: events_api_v2
    - name: Its Datadog integration
      oncall.pagerduty.pd_integration:
        service: "fleet {{ inventory_hostname }}"
        vendor: PAM4FGS
'''

SAME_OBJECTS_PLAYBOOK = '''
- name: Create one service and one integration
  hosts: localhost
  gather_facts: false
  tasks:
    - name: The service
      oncall.pagerduty.pd_service:
        name: Concurrent
        escalation_policy: Default
    - name: Its integration
      oncall.pagerduty.pd_integration:
        service: Concurrent
        name: Events
        type: events_api_v2
'''


@pytest.fixture
def playbook_env(sim, tmp_path):
    env = sim.playbook_env()
    inventory = tmp_path / 'inventory.ini'
    inventory.write_text('[fleet]\n' + ''.join(
        'host%02d ansible_connection=local ansible_python_interpreter=%s\n' % (n, sys.executable) for n in range(1, HOSTS + 1))
        + '[all:vars]\nansible_python_interpreter=%s\n' % sys.executable)
    return env, str(inventory), tmp_path


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_a_parallel_fleet_under_the_rate_limit(sim, playbook_env, report):
    env, inventory, tmp_path = playbook_env
    playbook = write(tmp_path, 'fleet.yml', FLEET_PLAYBOOK)
    sim.rate_limit(LIMIT, window_seconds=WINDOW)
    add_row = report('Rate limit: %d hosts in parallel, %d requests per %d s' % (HOSTS, LIMIT, WINDOW),
                     ['run', 'failed tasks', 'requests', '429s', 'seconds', 'lower bound s', 'ratio', 'requests / rate s',
                      'ratio to it'])
    for run in ('create', 'no-op re-run'):
        sim.clear_requests()
        started = time.monotonic()
        code, output, totals = ansible_playbook(['-i', inventory, '-f', str(HOSTS), playbook], env=env)
        elapsed = time.monotonic() - started
        served = [r for r in sim.requests() if r['status'] != 429]
        limited = len(sim.requests()) - len(served)
        # Requests past the first window have to wait for later windows: the fastest possible run.
        lower_bound = (math.ceil(len(served) / LIMIT) - 1) * WINDOW
        rate_bound = len(served) * WINDOW / LIMIT
        add_row((run, totals['failed'], len(served), limited, round(elapsed, 1), lower_bound,
                 '%.2fx' % (elapsed / lower_bound) if lower_bound else '-', round(rate_bound, 1),
                 '%.2fx' % (elapsed / rate_bound)))
        assert code == 0 and totals['failed'] == 0, output[-3000:]
        # No retry storm: a rate-limited request waits for the reset instead of hammering.
        assert limited <= len(served), (limited, len(served))
    state = sim.state()['services']
    assert sorted(s['name'] for s in state) == ['fleet host%02d' % n for n in range(1, HOSTS + 1)]
    assert all(sorted(i['name'] for i in s['integrations']) == sorted(['Events', 'Datadog-fleet-%s' % s['name'][6:]])
               for s in state)
    assert totals['changed'] == 0  # the second run


def test_two_runs_creating_the_same_objects_at_once_end_with_one_of_each(sim, playbook_env, report):
    env, dummy_inventory, tmp_path = playbook_env
    playbook = write(tmp_path, 'same.yml', SAME_OBJECTS_PLAYBOOK)
    # Hold both creates in flight together, so that neither run can see the other's object first.
    sim.fault(method='POST', path='^/services$', times=2, action='delay', seconds=1)
    sim.fault(method='POST', path='/integrations$', times=2, action='delay', seconds=1)
    results = {}

    def run(label):
        results[label] = ansible_playbook([playbook], env=env)  # the implicit localhost runs modules on this Python

    threads = [threading.Thread(target=run, args=(label,)) for label in ('first', 'second')]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    services = [s for s in sim.state()['services'] if s['name'] == 'Concurrent']
    integrations = [i for s in services for i in s['integrations']]
    failed = sum(r[2]['failed'] for r in results.values())
    report('Concurrency: two runs create the same service and integration',
           ['objects', 'made', 'failed tasks'])(('services', len(services), failed))
    report('Concurrency: two runs create the same service and integration',
           ['objects', 'made', 'failed tasks'])(('integrations', len(integrations), failed))
    assert all(code == 0 for code, dummy_output, dummy_totals in results.values()), [r[1][-2000:] for r in results.values()]
    assert failed == 0
    assert len(services) == 1 and len(integrations) == 1
    # Both runs did send their creates: the race happened, and was settled (an integration's create refused once
    # in passing counts once, as it succeeded).
    posts = [(r['path'], r['status']) for r in sim.requests() if r['method'] == 'POST']
    assert [p for p, status in posts].count('/services') == 2
    assert sum(p.endswith('/integrations') and status == 201 for p, status in posts) == 2, posts


SHARED_OBJECTS_PLAYBOOK = '''
- name: A role that every host applies makes the shared objects of the platform
  hosts: fleet
  gather_facts: false
  tasks:
    - name: The business service
      oncall.pagerduty.pd_business_service:
        name: Shared Platform
        description: What every host belongs to
    - name: The global orchestration
      oncall.pagerduty.pd_event_orchestration:
        name: Shared Monitoring
        return_key: false
    - name: The grouping setting
      oncall.pagerduty.pd_alert_grouping_setting:
        name: Shared Grouping
        type: content_based
        config:
          aggregate: all
          fields: [source]
        services: [Shared Web]
'''


def test_a_role_on_five_hosts_makes_each_shared_object_once(sim, simulator_server, playbook_env, report):
    # Five hosts apply the same tasks at once (forks 5) against an API with 100 ms of latency: PagerDuty keeps none
    # of these names unique, so each host's run creates one unless the runs settle on one object.
    env, inventory, tmp_path = playbook_env
    sim.seed(services=[{'name': 'Shared Web', 'escalation_policy': 'Default'}])
    playbook = write(tmp_path, 'shared.yml', SHARED_OBJECTS_PLAYBOOK)
    sim.settings(latency_ms=100)
    code, output, totals = ansible_playbook(['-i', inventory, '-l', 'host01:host02:host03:host04:host05', '-f', '5',
                                             playbook], env=env)
    account = simulator_server.sim.pagerduty
    made = {'business services': [b for b in account.business_services.values() if b['name'] == 'Shared Platform'],
            'event orchestrations': [o for o in account.event_orchestrations.values() if o['name'] == 'Shared Monitoring'],
            'alert grouping settings': [s for s in account.alert_grouping_settings.values()
                                        if s['name'] == 'Shared Grouping']}
    for kind, objects in made.items():
        report('Concurrency: a role on five hosts (forks 5, 100 ms latency)', ['objects', 'made', 'failed tasks'])(
            (kind, len(objects), totals['failed']))
    assert code == 0 and totals['failed'] == 0, output[-3000:]
    assert {kind: len(objects) for kind, objects in made.items()} == dict.fromkeys(made, 1)
    again = ansible_playbook(['-i', inventory, '-l', 'host01:host02:host03:host04:host05', '-f', '5', playbook], env=env)
    assert again[0] == 0 and again[2]['changed'] == 0, again[1][-3000:]
