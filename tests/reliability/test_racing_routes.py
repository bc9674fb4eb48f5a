"""Plays that add their routes to one global orchestration's router at the same moment all end up in it.

PagerDuty's router is one object written whole (PUT /event_orchestrations/{id}/router, with no version
check), so two plays that read it before either writes can each replace the other's route. Here several
plays race - threads running pd_event_orchestration_route in-process, and two real ansible-playbook runs -
with their router writes held in flight together by the simulator, so that every play writes from the same
old copy. Every route, and the route that was there before, must be in the router at the end, once each.
"""

import os
import sys
import threading

import pytest

from tests.conftest import REPO_ROOT

from ansible_collections.oncall.pagerduty.plugins.module_utils._orchestration_route import OrchestrationRouteResource
from ansible_collections.oncall.pagerduty.plugins.plugin_utils._in_process import run_in_process

sys.path.insert(0, os.path.join(REPO_ROOT, 'tests', 'tools'))
from playbook_runs import ansible_playbook  # noqa: E402

TABLE = ('Racing routes: plays adding routes to one router at once',
         ['plays', 'writes held s', 'routes wanted', 'routes in router', 'router writes', 'merged again', 'failed'])

PLAYBOOK = '''
- name: Add this team's route to the shared orchestration
  hosts: localhost
  gather_facts: false
  tasks:
    - name: The route
      oncall.pagerduty.pd_event_orchestration_route:
        orchestration: Racing
        service: "{{ team }}"
        conditions:
          - "event.custom_details.team matches '{{ team }}'"
      register: route

    - name: Say how many router writes it took
      ansible.builtin.debug:
        msg: "router_writes={{ route.router_writes }}"
'''


def set_up(sim, teams):
    """Services for the teams and one more, an orchestration 'Racing' whose router already routes to that one."""
    ids = dict(zip(list(teams) + ['Existing'], sim.seed(services=[
        {'name': name, 'escalation_policy': 'Default'} for name in list(teams) + ['Existing']])['services']))
    orchestration = sim.api('POST', '/event_orchestrations', {'orchestration': {'name': 'Racing'}}).json()['orchestration']
    existing = sim.api('PUT', '/event_orchestrations/%s/router' % orchestration['id'], {'orchestration_path': {'sets': [
        {'id': 'start', 'rules': [{'label': 'Existing', 'conditions': [{'expression': "event.source matches 'legacy'"}],
                                   'actions': {'route_to': ids['Existing']}}]}]}}).json()['orchestration_path']
    return orchestration['id'], ids, existing['sets'][0]['rules'][0]


def router_rules(sim, orchestration_id):
    return sim.api('GET', '/event_orchestrations/%s/router' % orchestration_id).json()['orchestration_path']['sets'][0]['rules']


def check_router(sim, orchestration_id, ids, existing, teams):
    rules = router_rules(sim, orchestration_id)
    labels = [r['label'] for r in rules]
    assert sorted(labels) == sorted(list(teams) + ['Existing']), labels  # every route, once
    assert existing in rules  # the route that was there before, exactly as it was
    assert all(r['actions']['route_to'] == ids[r['label']] for r in rules)
    return len(rules)


@pytest.mark.parametrize('plays, held', [(2, 0), (2, 0.5), (5, 0.5)], ids=['2-natural', '2-held', '5-held'])
def test_threads_adding_routes_at_once_all_end_up_in_the_router(sim, report, plays, held):
    teams = ['team-%d' % n for n in range(1, plays + 1)]
    orchestration_id, ids, existing = set_up(sim, teams)
    if held:
        # Every play's first write waits in the simulator until all have sent theirs: all are from the same old copy.
        sim.fault(method='PUT', path='/router$', times=plays, action='delay', seconds=held)
    sim.clear_requests()
    start = threading.Barrier(plays)
    results = {}

    def play(team):
        start.wait()
        results[team] = run_in_process(OrchestrationRouteResource, {
            'api_url': sim.url, 'api_token': sim.token, 'orchestration': 'Racing', 'service': team,
            'conditions': ["event.custom_details.team matches '%s'" % team]}, name='pd_event_orchestration_route')

    threads = [threading.Thread(target=play, args=(team,)) for team in teams]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    failed = [team for team, result in results.items() if result.get('failed')]
    writes = sum(result.get('router_writes', 0) for result in results.values())
    held_in_router = len(router_rules(sim, orchestration_id))
    report(*TABLE)(('%d threads' % plays, held, plays + 1, held_in_router, writes, writes - plays, len(failed)))
    assert len(results) == plays and not failed, [results[t]['msg'] for t in failed]
    assert all(result['changed'] for result in results.values())
    check_router(sim, orchestration_id, ids, existing, teams)
    # The simulator's log agrees with what the plays say they wrote.
    assert len([r for r in sim.writes() if r['path'].endswith('/router')]) == writes
    if held:
        assert writes > plays  # the race did happen, and was settled by merging again


@pytest.mark.parametrize('seconds', [1, 1.5])
def test_two_playbook_runs_adding_routes_at_once_both_end_up_in_the_router(sim, report, tmp_path, seconds):
    # Every router write takes `seconds` (a slow API): a confirmation after a fixed second would miss the other
    # play's write, still in flight, that replaces the router from an older copy.
    teams = ['team-a', 'team-b']
    orchestration_id, ids, existing = set_up(sim, teams)
    playbook = tmp_path / 'route.yml'
    playbook.write_text(PLAYBOOK)
    env = sim.playbook_env()
    sim.fault(method='PUT', path='/router$', times=10, action='delay', seconds=seconds)
    sim.clear_requests()
    runs = {}

    def run(team):
        runs[team] = ansible_playbook([str(playbook), '-e', 'team=%s' % team], env=env)

    threads = [threading.Thread(target=run, args=(team,)) for team in teams]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(180)
    writes = len([r for r in sim.writes() if r['path'].endswith('/router')])
    failed = sum(totals['failed'] for dummy_code, dummy_output, totals in runs.values())
    report(*TABLE)(('2 ansible-playbook runs', seconds, 3, len(router_rules(sim, orchestration_id)), writes, writes - 2,
                    failed))
    assert all(code == 0 for code, dummy_output, dummy_totals in runs.values()), [o[-2000:] for c, o, t in runs.values()]
    check_router(sim, orchestration_id, ids, existing, teams)
    assert writes > 2  # both wrote from the same old copy; one merged again


def test_a_play_reading_while_a_slow_router_write_is_in_flight_loses_no_route(sim, report):
    # Every router write takes 1.5 s. The second play starts 1.1 s after the first: it reads the router while the
    # first play's write is still in flight, so it writes an old copy, which lands after the first play saw its own
    # write. A confirmation a fixed second later would already have passed, and the first route would be lost.
    teams = ['team-early', 'team-late']
    orchestration_id, ids, existing = set_up(sim, teams)
    sim.fault(method='PUT', path='/router$', times=10, action='delay', seconds=1.5)
    sim.clear_requests()
    results = {}

    def play(team):
        results[team] = run_in_process(OrchestrationRouteResource, {
            'api_url': sim.url, 'api_token': sim.token, 'orchestration': 'Racing', 'service': team,
            'conditions': ["event.custom_details.team matches '%s'" % team]}, name='pd_event_orchestration_route')

    early = threading.Thread(target=play, args=('team-early',))
    late = threading.Timer(1.1, play, args=('team-late',))
    early.start()
    late.start()
    early.join(120)
    late.join(120)
    writes = sum(result.get('router_writes', 0) for result in results.values())
    failed = [team for team, result in results.items() if result.get('failed')]
    report(*TABLE)(('2 threads, one 1.1 s late', 1.5, 3, len(router_rules(sim, orchestration_id)), writes, writes - 2,
                    len(failed)))
    assert not failed, [results[t]['msg'] for t in failed]
    check_router(sim, orchestration_id, ids, existing, teams)
