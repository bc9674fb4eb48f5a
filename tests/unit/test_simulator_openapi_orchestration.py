"""The simulator's event orchestration endpoints checked against PagerDuty's own OpenAPI description
(the `check` fixture of tests/unit/conftest.py)."""

import pytest

from tests.unit.conftest import SPEC_AVAILABLE

pytestmark = pytest.mark.skipif(not SPEC_AVAILABLE, reason='PagerDuty OpenAPI description not beside the repository')

SERVICE_RULES = {'orchestration_path': {
    'sets': [
        {'id': 'start', 'rules': [
            {'label': 'Critical', 'conditions': [{'expression': "event.severity matches 'critical'"}],
             'actions': {'route_to': 'next', 'priority': 'P0IN2KQ', 'annotate': 'Runbook',
                         'variables': [{'name': 'host', 'path': 'event.source', 'type': 'regex', 'value': '(.*)'}],
                         'extractions': [{'target': 'event.summary', 'template': '{{variables.host}} down'}],
                         'incident_custom_field_updates': [{'id': 'PEXCK89', 'value': 'x'}],
                         'pagerduty_automation_actions': [{'action_id': '01CS', 'trigger_types': ['alert_triggered']}]}}]},
        {'id': 'next', 'rules': [
            {'label': 'Quiet', 'disabled': True, 'conditions': [], 'actions': {'suppress': True, 'suspend': 60}}]},
    ],
    'catch_all': {'actions': {'severity': 'info'}},
}}


def service(sim, name):
    """A service made through the seed control: its own conformance is test_simulator_openapi.py's."""
    return {'id': sim.seed(services=[{'name': name, 'escalation_policy': 'Default'}])['services'][0]}


def test_orchestration_lifecycle(check):
    created = check('POST', '/event_orchestrations', {'orchestration': {
        'name': 'Checked', 'description': 'd', 'team': {'id': 'PTEAM01'}}})
    assert created.status_code == 201
    orchestration = created.json()['orchestration']
    assert len(orchestration['integrations'][0]['parameters']['routing_key']) == 32
    assert check('GET', '/event_orchestrations', limit=10, sort_by='name:desc').json()['orchestrations']
    assert check('GET', '/event_orchestrations/' + orchestration['id']).status_code == 200
    check('PUT', '/event_orchestrations/' + orchestration['id'], {'orchestration': {'name': 'Renamed'}})
    assert check('DELETE', '/event_orchestrations/' + orchestration['id']).status_code == 204
    assert check('GET', '/event_orchestrations/' + orchestration['id']).status_code == 404


def test_orchestration_integrations(check):
    orchestration = check('POST', '/event_orchestrations', {'orchestration': {'name': 'Keys'}}).json()['orchestration']
    base = '/event_orchestrations/%s/integrations' % orchestration['id']
    added = check('POST', base, {'integration': {'label': 'Second key'}}).json()['integration']
    assert len(check('GET', base).json()['integrations']) == 2
    check('GET', '%s/%s' % (base, added['id']))
    check('PUT', '%s/%s' % (base, added['id']), {'integration': {'label': 'Renamed key'}})
    assert check('DELETE', '%s/%s' % (base, added['id'])).status_code == 204


def test_router_global_and_unrouted_paths(check, sim):
    target = service(sim, 'Routed')
    orchestration = check('POST', '/event_orchestrations', {'orchestration': {'name': 'Paths'}}).json()['orchestration']
    base = '/event_orchestrations/' + orchestration['id']
    router = check('GET', base + '/router').json()['orchestration_path']
    assert router['catch_all'] == {'actions': {'route_to': 'unrouted'}}
    written = check('PUT', base + '/router', {'orchestration_path': {'sets': [{'id': 'start', 'rules': [
        {'label': 'Dynamic', 'actions': {'dynamic_route_to': {
            'source': 'event.custom_details.service', 'regex': '(.*)', 'lookup_by': 'service_name'}}},
        {'label': 'Web', 'conditions': [{'expression': "event.summary matches part 'web'"}],
         'actions': {'route_to': target['id']}}]}], 'catch_all': {'actions': {'route_to': 'unrouted'}}}})
    assert written.status_code == 200 and written.json()['warnings'] == []
    assert check('GET', base).json()['orchestration']['routes'] == 1
    for kind, actions in (('global', {'drop_event': True}), ('unrouted', {'severity': 'warning'})):
        check('GET', '%s/%s' % (base, kind))
        assert check('PUT', '%s/%s' % (base, kind), {'orchestration_path': {'sets': [{'id': 'start', 'rules': [
            {'label': 'One', 'conditions': [{'expression': 'event.source exists'}], 'actions': actions}]}]}}).status_code == 200


def test_service_path_and_active_switch(check, sim):
    target = service(sim, 'Orchestrated')
    base = '/event_orchestrations/services/' + target['id']
    assert check('GET', base).json()['orchestration_path']['sets'] == [{'id': 'start', 'rules': []}]
    assert check('PUT', base, SERVICE_RULES).status_code == 200
    assert check('GET', base + '/active').json() == {'active': False}
    assert check('PUT', base + '/active', {'active': True}).json() == {'active': True}


def test_error_responses(check, sim):
    target = service(sim, 'Refusing')
    refused = check('PUT', '/event_orchestrations/services/' + target['id'], {'orchestration_path': {'sets': [
        {'id': 'start', 'rules': [{'label': 'x', 'conditions': [{'expression': "event.x != 'y'"}], 'actions': {}}]}]}})
    assert refused.status_code == 400 and 'Invalid PCL' in refused.json()['error']['errors'][0]
    assert check('GET', '/event_orchestrations/services/PNOSUCH').status_code == 404
    assert check('POST', '/event_orchestrations', {'orchestration': {'name': ' '}}).status_code == 400


def test_what_pagerduty_fills_in_and_plan_warnings(check, sim):
    target = service(sim, 'Filled')
    base = '/event_orchestrations/services/' + target['id']
    written = check('PUT', base, {'orchestration_path': {'sets': [{'id': 'start', 'rules': [
        {'label': 'Automate', 'conditions': [{'expression': "event.source matches regex 'db[0-9]+'"}], 'actions': {
            'pagerduty_automation_actions': [{'action_id': '01CS'}], 'automation_actions': [{'name': 'n', 'url': 'https://x.test'}]}}]}]}})
    actions = written.json()['orchestration_path']['sets'][0]['rules'][0]['actions']
    assert actions['pagerduty_automation_actions'] == [{'action_id': '01CS', 'trigger_types': ['alert_triggered']}]
    assert actions['automation_actions'] == [{'name': 'n', 'url': 'https://x.test', 'trigger_types': ['alert_triggered'],
                                              'auto_send': False}]
    orchestration = check('POST', '/event_orchestrations', {'orchestration': {'name': 'Unrouted'}}).json()['orchestration']
    unrouted = check('PUT', '/event_orchestrations/%s/unrouted' % orchestration['id'], {'orchestration_path': {
        'sets': [{'id': 'start', 'rules': []}], 'catch_all': {'actions': {'severity': 'info'}}}})
    assert unrouted.json()['orchestration_path']['catch_all'] == {'actions': {'severity': 'info', 'suppress': True}}
    sim.settings(event_intelligence=False)
    gated = check('PUT', base, {'orchestration_path': {'sets': [{'id': 'start', 'rules': [
        {'label': 'Storm', 'conditions': [{'expression': 'trigger_count over 1 minute > 3'},
                                          {'expression': 'now in Mon,Tue 09:00:00 to 17:00:00 Etc/UTC'}], 'actions': {}}]}]}})
    assert [(w['feature'], w['warning_type']) for w in gated.json()['warnings']] == [
        ('recurring_condition', 'forbidden_feature'), ('threshold_condition', 'forbidden_feature')]


@pytest.mark.parametrize('rule, error', [
    ({'label': 'x', 'conditions': [{'expression': "event.summary matches part '%d'" % n} for n in range(26)], 'actions': {}},
     'conditions should have at most 25 item(s)'),
    ({'label': 'x', 'actions': {'automation_actions': [{'name': 'n', 'url': 'https://x.test', 'trigger_types': ['alert_suspended']}]}},
     'auto_send must be true for trigger types of alert_suppressed and alert_suspended'),
    ({'label': 'x', 'conditions': [{'expression': 'event.summary'}], 'actions': {}}, 'does not evaluate to true or false'),
    ({'label': 'x', 'conditions': [{'expression': "event.summary matches regex '(?=x)'"}], 'actions': {}},
     'invalid RE2 regular expression'),
])
def test_rules_pagerduty_refuses(check, sim, rule, error):
    target = service(sim, 'Refused')
    refused = check('PUT', '/event_orchestrations/services/' + target['id'],
                    {'orchestration_path': {'sets': [{'id': 'start', 'rules': [rule]}]}})
    assert refused.status_code == 400 and error in ' '.join(refused.json()['error']['errors'])
