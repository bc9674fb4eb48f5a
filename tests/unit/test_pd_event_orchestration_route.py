"""pd_event_orchestration_route runs in-process against the simulator; claims about requests, writes and the
router come from the simulator's request log and its API, never from the module's own output."""

import pytest

from tests.conftest import warning_texts

from ansible_collections.oncall.pagerduty.plugins.modules import pd_event_orchestration_route

WEB = ["event.custom_details.team matches 'web'"]


@pytest.fixture
def world(sim):
    """An orchestration 'Monitoring' whose router has a route 'Databases'; services Web, Databases and Search."""
    ids = dict(zip(('Web', 'Databases', 'Search'), sim.seed(services=[
        {'name': name, 'escalation_policy': 'Default'} for name in ('Web', 'Databases', 'Search')])['services']))
    orchestration = sim.api('POST', '/event_orchestrations', {'orchestration': {'name': 'Monitoring'}}).json()['orchestration']
    ids['orchestration'] = orchestration['id']
    write_router(sim, ids, [{'label': 'Databases', 'conditions': [{'expression': "event.component matches 'postgres'"}],
                             'actions': {'route_to': ids['Databases']}}])
    sim.clear_requests()
    return ids


def router(sim, ids):
    return sim.api('GET', '/event_orchestrations/%s/router' % ids['orchestration']).json()['orchestration_path']


def write_router(sim, ids, rules):
    answer = sim.api('PUT', '/event_orchestrations/%s/router' % ids['orchestration'],
                     {'orchestration_path': {'sets': [{'id': 'start', 'rules': rules}]}})
    assert answer.status_code == 200, answer.text
    return answer.json()['orchestration_path']


def routes(sim, ids):
    """(label, service ID) of every rule, in order."""
    return [(r.get('label'), r['actions'].get('route_to')) for r in router(sim, ids)['sets'][0]['rules']]


def test_check_mode_writes_nothing(sim, run_module, world):
    result = run_module(pd_event_orchestration_route, check_mode=True, diff=True, orchestration='Monitoring',
                        service='Web', conditions=WEB)
    assert result['changed'] and result['route']['index'] == 1 and result['route']['id'] is None
    assert result['diff'] == {'before': {}, 'after': {'label': 'Web', 'service': 'Web',
                                                      'conditions': [{'expression': WEB[0]}], 'index': 1}}
    assert sim.writes() == [] and routes(sim, world) == [('Databases', world['Databases'])]


def test_add_keeps_the_others_then_a_second_run_is_ok_in_three_requests(sim, run_module, world):
    before = router(sim, world)['sets'][0]['rules']
    result = run_module(pd_event_orchestration_route, orchestration='Monitoring', service='Web', conditions=WEB)
    assert result['changed'] and result['router_writes'] == 1 and not result.get('failed'), result
    rules = router(sim, world)['sets'][0]['rules']
    assert rules[0] == before[0]  # the other route exactly as it was, ID and all
    assert [(r['label'], r['actions']['route_to'], r['conditions']) for r in rules[1:]] == [
        ('Web', world['Web'], [{'expression': WEB[0]}])]
    assert result['route']['id'] == rules[1]['id']
    sim.clear_requests()
    again = run_module(pd_event_orchestration_route, orchestration='Monitoring', service='Web', conditions=WEB)
    assert not again['changed'] and again['router_writes'] == 0
    router_path = '/event_orchestrations/%s/router' % world['orchestration']
    assert [r['path'] for r in sim.requests()] == ['/event_orchestrations', router_path, '/services']


def test_conditions_as_strings_or_as_the_api_takes_them_are_the_same(sim, run_module, world):
    run_module(pd_event_orchestration_route, orchestration='Monitoring', service='Web', conditions=WEB)
    same = run_module(pd_event_orchestration_route, orchestration=world['orchestration'], service=world['Web'],
                      conditions=[{'expression': WEB[0]}])
    assert not same['changed']


def test_change_of_conditions_keeps_the_place_and_the_id(sim, run_module, world):
    run_module(pd_event_orchestration_route, orchestration='Monitoring', service='Web', conditions=WEB, position='first')
    rule_id = router(sim, world)['sets'][0]['rules'][0]['id']
    result = run_module(pd_event_orchestration_route, diff=True, orchestration='Monitoring', service='Web',
                        conditions=["event.custom_details.team matches 'frontend'"])
    assert result['changed'] and result['diff'] == {
        'before': {'conditions': [{'expression': WEB[0]}]},
        'after': {'conditions': [{'expression': "event.custom_details.team matches 'frontend'"}]}}
    rules = router(sim, world)['sets'][0]['rules']
    assert rules[0]['label'] == 'Web' and rules[0]['id'] == rule_id


@pytest.mark.parametrize('position, order', [
    ('first', ['Web', 'Databases', 'Search']),
    ('last', ['Databases', 'Search', 'Web']),
    ({'before': 'Search'}, ['Databases', 'Web', 'Search']),
])
def test_position(sim, run_module, world, position, order):
    run_module(pd_event_orchestration_route, orchestration='Monitoring', service='Search', conditions=["event.x == 1"])
    result = run_module(pd_event_orchestration_route, diff=True, orchestration='Monitoring', service='Web',
                        conditions=WEB, position=position)
    assert [label for label, dummy in routes(sim, world)] == order
    assert result['route']['index'] == order.index('Web')
    assert not run_module(pd_event_orchestration_route, orchestration='Monitoring', service='Web', conditions=WEB,
                          position=position)['changed']


def test_an_existing_route_moves_only_when_position_says_so(sim, run_module, world):
    run_module(pd_event_orchestration_route, orchestration='Monitoring', service='Web', conditions=WEB, position='first')
    run_module(pd_event_orchestration_route, orchestration='Monitoring', service='Search', conditions=["event.x == 1"])
    # Without position the route stays first; before: Search holds there too.
    for position in (None, {'before': 'Search'}):
        assert not run_module(pd_event_orchestration_route, orchestration='Monitoring', service='Web', conditions=WEB,
                              position=position)['changed']
    moved = run_module(pd_event_orchestration_route, diff=True, orchestration='Monitoring', service='Web', position='last')
    assert moved['changed'] and moved['diff'] == {'before': {'index': 0}, 'after': {'index': 2}}
    assert [label for label, dummy in routes(sim, world)] == ['Databases', 'Search', 'Web']


def test_remove_only_this_route(sim, run_module, world):
    run_module(pd_event_orchestration_route, orchestration='Monitoring', service='Web', conditions=WEB)
    result = run_module(pd_event_orchestration_route, diff=True, orchestration='Monitoring', label='Web', state='absent')
    assert result['changed'] and result['route'] == {} and result['diff']['before']['label'] == 'Web'
    assert routes(sim, world) == [('Databases', world['Databases'])]
    sim.clear_requests()
    assert not run_module(pd_event_orchestration_route, orchestration='Monitoring', service='Web', state='absent')['changed']
    assert sim.writes() == []


def test_a_route_whose_service_was_deleted_is_removed_by_its_name(sim, run_module, world):
    run_module(pd_event_orchestration_route, orchestration='Monitoring', service='Search', conditions=["event.x == 1"])
    sim.api('DELETE', '/services/%s' % world['Search'])
    result = run_module(pd_event_orchestration_route, orchestration='Monitoring', service='Search', state='absent')
    assert result['changed'] and routes(sim, world) == [('Databases', world['Databases'])]


def test_one_route_per_service(sim, run_module, world):
    result = run_module(pd_event_orchestration_route, orchestration='Monitoring', service='Databases', label='Other',
                        conditions=WEB)
    assert result['failed'] and result['msg'].startswith(
        "service: the router of 'Monitoring' already routes to the service 'Databases', with the route labelled 'Databases'")
    assert sim.writes() == []


def test_a_route_without_conditions_is_warned_about_and_so_is_one_behind_it(sim, run_module, world):
    everything = run_module(pd_event_orchestration_route, orchestration='Monitoring', service='Search')
    assert "conditions: not given, so the route 'Search' matches every event" in ' '.join(warning_texts(everything))
    behind = run_module(pd_event_orchestration_route, orchestration='Monitoring', service='Web', conditions=WEB)
    assert "the route 'Search' comes first and matches every event, so the route 'Web' receives none" in \
        ' '.join(warning_texts(behind))


def test_a_route_removed_by_a_concurrent_write_is_merged_again(sim, run_module, world):
    # Router writes take 0.4 s (a slow API): another play read the router before this task wrote it, and its write of
    # that old copy (with its own new route) lands after this task's write. The task watches for as long as its own
    # write took, finds its route gone, and merges it into the router as it is now.
    import threading

    import requests

    copy_read_before = [{'label': 'Databases', 'conditions': [{'expression': "event.component matches 'postgres'"}],
                         'actions': {'route_to': world['Databases']}},
                        {'label': 'Search', 'conditions': [], 'actions': {'route_to': world['Search']}}]
    sim.fault(method='PUT', path='/router$', times=2, action='delay', seconds=0.4)
    other = threading.Timer(0.1, requests.put, ('%s/event_orchestrations/%s/router' % (sim.url, world['orchestration']),), dict(
        json={'orchestration_path': {'sets': [{'id': 'start', 'rules': copy_read_before}]}}, timeout=10,
        headers={'Authorization': 'Token token=%s' % sim.token}))
    other.start()
    result = run_module(pd_event_orchestration_route, orchestration='Monitoring', service='Web', conditions=WEB)
    other.join()
    assert result['changed'] and result['router_writes'] == 2, result
    assert [label for label, dummy in routes(sim, world)] == ['Databases', 'Search', 'Web']
    puts = [r for r in sim.writes() if r['path'].endswith('/router')]
    assert len(puts) == 3  # this task's, the other play's, and this task's merge into the other's


def test_an_orchestration_and_a_service_of_earlier_tasks_are_predicted_in_check_mode(sim, run_module):
    result = run_module(pd_event_orchestration_route, check_mode=True, orchestration='Future', service='New Service',
                        conditions=WEB)
    assert result['changed'] and result['route']['label'] == 'New Service' and result['route']['index'] == 0
    texts = ' '.join(warning_texts(result))
    assert "orchestration: no event orchestration is named 'Future' yet" in texts
    assert "service: no service is named 'New Service' yet" in texts
    assert sim.writes() == []


@pytest.mark.parametrize('options, message', [
    (dict(position='middle'), "position: must be first, last, or before: <the label of another route>, got 'middle'"),
    (dict(position={'before': 'Nowhere'}), "position.before: no route of the router of 'Monitoring' is labelled 'Nowhere'"),
    (dict(conditions=['event.team contains "web"']), "conditions[0]: 'event.team contains \"web\"' is not PCL"),
    (dict(conditions=[{'expr': 'x'}]), 'conditions[0]: a condition has only an expression, not expr'),
    (dict(orchestration='Monitorin'), "orchestration: no event orchestration is named or identified by 'Monitorin'; "
                                      "did you mean 'Monitoring'"),
    (dict(service='Wbe'), "service: no service is named or identified by 'Wbe'"),
    (dict(state='absent', conditions=WEB), 'conditions: not with state=absent'),
])
def test_bad_input_fails_before_any_write(sim, run_module, world, options, message):
    result = run_module(pd_event_orchestration_route, **dict(dict(orchestration='Monitoring', service='Web'), **options))
    assert result['failed'] and result['msg'].startswith(message), result['msg']
    assert sim.writes() == []


def send(sim, routing_key, **payload):
    """An event to the Events API v2, as a monitoring tool sends it."""
    body = {'routing_key': routing_key, 'event_action': 'trigger',
            'payload': dict({'summary': 'test', 'source': 'host-1', 'severity': 'error'}, **payload)}
    answer = sim.http.post(sim.url + '/v2/enqueue', json=body, timeout=10)
    assert answer.status_code == 202, answer.text
    return answer.json()['dedup_key']


def incident_services(sim):
    incidents = sim.api('GET', '/incidents', date_range='all').json()['incidents']
    return [i['service']['id'] for i in incidents]


def test_events_sent_to_the_routing_key_reach_the_routed_service(sim, run_module, world):
    run_module(pd_event_orchestration_route, orchestration='Monitoring', service='Web', conditions=WEB)
    key = sim.api('GET', '/event_orchestrations/%s' % world['orchestration']).json()['orchestration']['integrations'][0][
        'parameters']['routing_key']
    send(sim, key, custom_details={'team': 'web'})
    send(sim, key, component='postgres')
    send(sim, key, custom_details={'team': 'nobody'})  # matches no route: the catch-all leaves it unrouted
    assert sorted(incident_services(sim)) == sorted([world['Web'], world['Databases']])


def test_under_read_lag_the_write_is_confirmed_once_reads_show_it(sim, run_module, world):
    sim.settings(read_after_write_lag_seconds=1)
    result = run_module(pd_event_orchestration_route, orchestration='Monitoring', service='Web', conditions=WEB)
    assert result['changed'] and result['router_writes'] == 1 and not warning_texts(result)
    # Reads show the write now: a second run is ok, and writes nothing.
    sim.clear_requests()
    assert not run_module(pd_event_orchestration_route, orchestration='Monitoring', service='Web', conditions=WEB)['changed']
    assert sim.writes() == [] and [label for label, dummy in routes(sim, world)] == ['Databases', 'Web']


def test_a_write_reads_never_show_within_the_budget_fails_saying_so(sim, run_module, world):
    sim.settings(read_after_write_lag_seconds=30)
    result = run_module(pd_event_orchestration_route, orchestration='Monitoring', service='Web', conditions=WEB,
                        retry_timeout=2)
    assert result['failed'] and result['msg'].startswith(
        "orchestration: PagerDuty took the new router of 'Monitoring', but its reads did not show it within the retry "
        "budget (retry_timeout)")
    assert len([r for r in sim.writes() if r['path'].endswith('/router')]) == 1  # written once, never blindly again


def test_a_route_with_pcl_the_simulator_does_not_evaluate_is_written_and_never_matches(sim, run_module, world):
    """PagerDuty takes matches regex and threshold conditions; the simulator stores them and, not evaluating them,
    routes no event by them (its README says so)."""
    conditions = ["event.source matches regex '^web[0-9]+$'", 'trigger_count over 5 minutes > 10']
    result = run_module(pd_event_orchestration_route, orchestration='Monitoring', service='Web', conditions=conditions)
    assert result['changed'] and not result.get('failed'), result
    assert routes(sim, world)[-1] == ('Web', world['Web'])
    sim.clear_requests()
    assert not run_module(pd_event_orchestration_route, orchestration='Monitoring', service='Web', conditions=conditions)['changed']
    assert sim.writes() == []


@pytest.mark.parametrize('condition, message', [
    ('event.source', 'the expression must be true or false'),
    ("event.source matches regex '(?<!www)web'", 'RE2 has no negative lookbehind'),
    ("event.source contains 'web'", "(here: event.source matches part 'web')"),
])
def test_pcl_pagerduty_refuses_fails_before_any_request(sim, run_module, world, condition, message):
    result = run_module(pd_event_orchestration_route, orchestration='Monitoring', service='Web', conditions=[condition])
    assert result['failed'] and result['msg'].startswith('conditions[0]: ') and message in result['msg'], result['msg']
    assert sim.requests() == []
