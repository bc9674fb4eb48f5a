"""pd_event_orchestration runs in-process against the simulator; every claim about requests and writes
is read from the simulator's request log and its API, never from the module's own output."""

from tests.conftest import warning_texts

from ansible_collections.oncall.pagerduty.plugins.modules import pd_event_orchestration

ORCHESTRATIONS = '/event_orchestrations'


def orchestrations(sim):
    """Every orchestration the simulator holds, with its integrations (read through the API, then forgotten)."""
    listed = sim.api('GET', ORCHESTRATIONS, limit=100).json()['orchestrations']
    return [sim.api('GET', '%s/%s' % (ORCHESTRATIONS, o['id'])).json()['orchestration'] for o in listed]


def create(sim, name='Monitoring', **fields):
    return sim.api('POST', ORCHESTRATIONS, {'orchestration': dict(fields, name=name)}).json()['orchestration']


def route_to(sim, orchestration_id, service_name, catch_all=None):
    service = sim.seed(services=[{'name': service_name, 'escalation_policy': 'Default'}])['services'][0]
    path = {'sets': [{'id': 'start', 'rules': [{'label': service_name, 'actions': {'route_to': service}}]}]}
    if catch_all:
        path = {'sets': [{'id': 'start', 'rules': []}], 'catch_all': {'actions': {'route_to': service}}}
    answer = sim.api('PUT', '%s/%s/router' % (ORCHESTRATIONS, orchestration_id), {'orchestration_path': path})
    assert answer.status_code == 200, answer.text
    return service


def test_check_mode_create_writes_nothing_and_predicts_a_placeholder_key(sim, run_module):
    result = run_module(pd_event_orchestration, check_mode=True, diff=True, name='Monitoring', description='All of it')
    assert result['changed'] and result['orchestration']['id'] is None
    assert result['orchestration']['routing_key'] == 'R0CHECKMODEPLACEHOLDERKEY0000000'
    assert result['diff'] == {'before': {}, 'after': {'name': 'Monitoring', 'description': 'All of it'}}
    assert sim.writes() == [] and orchestrations(sim) == []


def test_create_returns_the_routing_key_then_a_second_run_is_ok_in_two_requests(sim, run_module):
    created = run_module(pd_event_orchestration, diff=True, name='Monitoring', description='All of it', team='Platform')
    assert created['changed'] and not created.get('failed'), created
    held = orchestrations(sim)
    assert len(held) == 1 and held[0]['team']['id'] == 'PTEAM01' and held[0]['description'] == 'All of it'
    key = held[0]['integrations'][0]['parameters']['routing_key']
    assert created['orchestration']['routing_key'] == key and len(key) == 32
    assert key not in str(created['diff'])  # the routing key is a secret: never in a diff
    assert [r['method'] for r in sim.writes()] == ['POST']
    sim.clear_requests()
    again = run_module(pd_event_orchestration, diff=True, name='Monitoring', description='All of it', team='PTEAM01')
    assert not again['changed'] and again['orchestration']['routing_key'] == key
    assert [r['path'] for r in sim.requests()] == [ORCHESTRATIONS, '%s/%s' % (ORCHESTRATIONS, held[0]['id'])]


def test_update_shows_only_the_change(sim, run_module):
    create(sim, description='old')
    sim.clear_requests()
    result = run_module(pd_event_orchestration, diff=True, name='Monitoring', description='new')
    assert result['changed'] and result['diff'] == {'before': {'description': 'old'}, 'after': {'description': 'new'}}
    assert [r['method'] for r in sim.writes()] == ['PUT'] and sim.writes()[0]['body'] == {'orchestration': {'description': 'new'}}
    assert orchestrations(sim)[0]['description'] == 'new'


def test_return_key_false_leaves_the_key_out(sim, run_module):
    create(sim)
    result = run_module(pd_event_orchestration, name='Monitoring', return_key=False)
    key = orchestrations(sim)[0]['integrations'][0]['parameters']['routing_key']
    assert 'routing_key' not in result['orchestration'] and key not in str(result)


def test_several_orchestrations_of_one_name_fail_and_are_listed(sim, run_module):
    first, second = create(sim), create(sim)
    sim.clear_requests()
    result = run_module(pd_event_orchestration, name='Monitoring', description='x')
    assert result['failed'] and result['msg'].startswith("name: 2 event orchestrations are named 'Monitoring'")
    assert first['id'] in result['msg'] and second['id'] in result['msg'] and 'Rename or delete the others' in result['msg']
    assert sim.writes() == []


def test_delete_of_one_that_routes_nowhere(sim, run_module):
    create(sim)
    result = run_module(pd_event_orchestration, diff=True, name='Monitoring', state='absent')
    assert result['changed'] and result['orchestration'] == {} and result['diff']['before']['name'] == 'Monitoring'
    assert orchestrations(sim) == []
    assert not run_module(pd_event_orchestration, name='Monitoring', state='absent')['changed']


def test_delete_of_one_that_routes_somewhere_needs_force_also_in_check_mode(sim, run_module):
    orchestration = create(sim)
    service = route_to(sim, orchestration['id'], 'Checkout')
    sim.clear_requests()
    for check_mode in (True, False):
        refused = run_module(pd_event_orchestration, check_mode=check_mode, name='Monitoring', state='absent')
        assert refused['failed'] and refused['msg'].startswith(
            "force: the event orchestration 'Monitoring' still routes events: 'Checkout' to the service 'Checkout' (%s)"
            % service)
    assert sim.writes() == [] and len(orchestrations(sim)) == 1
    forced = run_module(pd_event_orchestration, name='Monitoring', state='absent', force=True)
    assert forced['changed'] and orchestrations(sim) == []


def test_a_catch_all_to_a_service_is_routing_too(sim, run_module):
    orchestration = create(sim)
    service = route_to(sim, orchestration['id'], 'Everything', catch_all=True)
    refused = run_module(pd_event_orchestration, name='Monitoring', state='absent')
    assert refused['failed'] and "the catch-all to the service 'Everything' (%s)" % service in refused['msg']


def test_create_whose_answer_is_lost_is_adopted_not_duplicated(sim, run_module):
    sim.fault(method='POST', path='^/event_orchestrations$', action='commit_then_drop')
    result = run_module(pd_event_orchestration, name='Monitoring', timeout=5)
    assert result['changed'] and not result.get('failed'), result
    assert [r['method'] for r in sim.writes()] == ['POST'] and len(orchestrations(sim)) == 1
    assert result['orchestration']['routing_key'] == orchestrations(sim)[0]['integrations'][0]['parameters']['routing_key']


def test_created_under_read_lag_returns_once_readable(sim, run_module):
    sim.settings(read_after_write_lag_seconds=1)
    result = run_module(pd_event_orchestration, name='Lagging')
    assert result['changed'] and not warning_texts(result)
    assert [o['name'] for o in orchestrations(sim)] == ['Lagging']


def test_unknown_team_fails_with_close_names(sim, run_module):
    result = run_module(pd_event_orchestration, name='Monitoring', team='Platfrom')
    assert result['failed'] and result['msg'].startswith("team: no team is named or identified by 'Platfrom'")
    assert "'Platform' (PTEAM01)" in result['msg'] and sim.writes() == []


def test_a_route_to_a_deleted_service_is_named_by_its_id(sim, run_module):
    orchestration = create(sim)
    service = route_to(sim, orchestration['id'], 'Gone')
    assert sim.api('DELETE', '/services/%s' % service).status_code == 204
    refused = run_module(pd_event_orchestration, name='Monitoring', state='absent')
    assert refused['failed'] and "'Gone' to the service %s. Deleting" % service in refused['msg']
