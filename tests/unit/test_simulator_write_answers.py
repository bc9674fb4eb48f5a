"""The answer of every write the simulator serves shows the object as written, at once, while reads lag writes
(read_after_write_lag_seconds): PagerDuty answers a write with the object it stored, whatever its reads show yet.

Each case makes what it writes to before the lag is turned on (readable at once), then the test writes with the
lag on: the answer shows the values sent, and a read of the same object does not yet (so the lag was on).
"""

import datetime

import pytest

LAG = 30
FROM = {'From': 'ada@example.com'}
CREATES = []
UPDATES = []


def create(case):
    """A create case: case(sim) -> {path, body, expect: {keys: value}, read: GET path template} (and headers,
    status); the read template may name the answer, as {answer[team][id]}."""
    CREATES.append(pytest.param(case, id=case.__name__))
    return case


def update(case):
    """An update case: case(sim) -> {path, body, pick: keys, old, new} (and method, read, status)."""
    UPDATES.append(pytest.param(case, id=case.__name__))
    return case


def picked(document, keys):
    """document[keys[0]][keys[1]]..., or None where one is missing."""
    for key in keys:
        try:
            document = document[key]
        except (KeyError, IndexError, TypeError):
            return None
    return document


def made(sim, method, path, body, key, headers=None):
    """The object a setup write made (before the lag is on), as its answer shows it."""
    answer = sim.api(method, path, body, headers=headers)
    assert answer.status_code in (200, 201), answer.text
    return answer.json()[key]


def seeded_service(sim, name):
    return sim.seed(services=[{'name': name, 'escalation_policy': 'Default'}])['services'][0]


def service_body(name, **fields):
    return {'service': dict({'name': name, 'escalation_policy': {'id': 'PDEFEP1', 'type': 'escalation_policy_reference'}},
                            **fields)}


def time_grouping(minutes):
    return {'type': 'time', 'config': {'timeout': minutes}}


def window_body(description, service_id):
    start = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)
    return {'maintenance_window': {'description': description, 'start_time': start.isoformat(),
                                   'end_time': (start + datetime.timedelta(hours=1)).isoformat(),
                                   'services': [{'id': service_id, 'type': 'service_reference'}]}}


def grouping_body(name, service_ids):
    return {'alert_grouping_setting': {'name': name, 'type': 'content_based',
                                       'config': {'aggregate': 'all', 'fields': ['summary']},
                                       'services': [{'id': i} for i in service_ids]}}


def option(value):
    return {'data': {'data_type': 'string', 'value': value}}


def fixed_field(sim):
    return made(sim, 'POST', '/services/custom_fields', {'field': {
        'name': 'tier', 'display_name': 'Tier', 'data_type': 'string', 'field_type': 'single_value_fixed',
        'field_options': [option('tier-1'), option('tier-2')]}}, 'field')


def orchestration(sim):
    return made(sim, 'POST', '/event_orchestrations', {'orchestration': {'name': 'Routing'}}, 'orchestration')


def catch_all(actions):
    return {'orchestration_path': {'sets': [{'id': 'start', 'rules': []}], 'catch_all': {'actions': actions}}}


def relationship(supporting, dependent):
    return {'relationships': [{'supporting_service': {'id': supporting, 'type': 'service'},
                               'dependent_service': {'id': dependent, 'type': 'service'}}]}


# -- creates ---------------------------------------------------------------------------------------

@create
def service(sim):
    return {'path': '/services', 'body': service_body('Checkout'), 'expect': {('service', 'name'): 'Checkout'},
            'read': '/services/{answer[service][id]}'}


@create
def service_with_alert_grouping(sim):
    return {'path': '/services', 'body': service_body('Grouped', alert_grouping_parameters=time_grouping(5)),
            'expect': {('service', 'alert_grouping_parameters'): time_grouping(5)}, 'read': '/services/{answer[service][id]}'}


@create
def integration(sim):
    service_id = seeded_service(sim, 'Integrated')
    return {'path': '/services/%s/integrations' % service_id,
            'body': {'integration': {'type': 'events_api_v2_inbound_integration', 'name': 'Alerts'}},
            'expect': {('integration', 'name'): 'Alerts'},
            'read': '/services/%s/integrations/{answer[integration][id]}' % service_id}


@create
def team(sim):
    return {'path': '/teams', 'body': {'team': {'name': 'Storage', 'description': 'Disks'}},
            'expect': {('team', 'name'): 'Storage', ('team', 'description'): 'Disks'}, 'read': '/teams/{answer[team][id]}'}


@create
def escalation_policy(sim):
    rules = [{'escalation_delay_in_minutes': 15, 'targets': [{'id': 'PUSR002', 'type': 'user_reference'}]}]
    return {'path': '/escalation_policies', 'body': {'escalation_policy': {'name': 'Storage On-Call', 'escalation_rules': rules}},
            'expect': {('escalation_policy', 'name'): 'Storage On-Call',
                       ('escalation_policy', 'escalation_rules', 0, 'targets', 0, 'id'): 'PUSR002'},
            'read': '/escalation_policies/{answer[escalation_policy][id]}'}


@create
def maintenance_window(sim):
    service_id = seeded_service(sim, 'Maintained')
    return {'path': '/maintenance_windows', 'body': window_body('Upgrade', service_id), 'headers': FROM,
            'expect': {('maintenance_window', 'description'): 'Upgrade',
                       ('maintenance_window', 'services', 0, 'id'): service_id},
            'read': '/maintenance_windows/{answer[maintenance_window][id]}'}


@create
def alert_grouping_setting(sim):
    service_id = seeded_service(sim, 'Grouped by content')
    return {'path': '/alert_grouping_settings', 'body': grouping_body('By summary', [service_id]),
            'expect': {('alert_grouping_setting', 'name'): 'By summary',
                       ('alert_grouping_setting', 'services', 0, 'id'): service_id},
            'read': '/alert_grouping_settings/{answer[alert_grouping_setting][id]}'}


@create
def event_orchestration(sim):
    return {'path': '/event_orchestrations', 'body': {'orchestration': {'name': 'Edge', 'description': 'd'}},
            'expect': {('orchestration', 'name'): 'Edge', ('orchestration', 'description'): 'd',
                       ('orchestration', 'integrations', 0, 'label'): 'Edge Default Integration'},
            'read': '/event_orchestrations/{answer[orchestration][id]}'}


@create
def orchestration_integration(sim):
    base = '/event_orchestrations/%s/integrations' % orchestration(sim)['id']
    return {'path': base, 'body': {'integration': {'label': 'Second key'}}, 'expect': {('integration', 'label'): 'Second key'},
            'read': base + '/{answer[integration][id]}'}


@create
def business_service(sim):
    return {'path': '/business_services', 'body': {'business_service': {'name': 'Shop', 'point_of_contact': 'ops'}},
            'status': 200, 'expect': {('business_service', 'name'): 'Shop', ('business_service', 'point_of_contact'): 'ops'},
            'read': '/business_services/{answer[business_service][id]}'}


@create
def service_dependency(sim):
    supporting, dependent = seeded_service(sim, 'Database'), seeded_service(sim, 'Shop front')
    return {'path': '/service_dependencies/associate', 'body': relationship(supporting, dependent), 'status': 200,
            'expect': {('relationships', 0, 'supporting_service', 'id'): supporting,
                       ('relationships', 0, 'dependent_service', 'id'): dependent},
            'read': '/service_dependencies/technical_services/' + dependent}


@create
def custom_field(sim):
    return {'path': '/services/custom_fields', 'body': {'field': {
        'name': 'region', 'display_name': 'Region', 'data_type': 'string', 'field_type': 'single_value_fixed',
        'field_options': [option('eu')]}},
        'expect': {('field', 'name'): 'region', ('field', 'display_name'): 'Region',
                   ('field', 'field_options', 0, 'data', 'value'): 'eu'},
        'read': '/services/custom_fields/{answer[field][id]}'}


@create
def field_option(sim):
    base = '/services/custom_fields/%s/field_options' % fixed_field(sim)['id']
    return {'path': base, 'body': {'field_option': option('tier-3')}, 'expect': {('field_option', 'data', 'value'): 'tier-3'},
            'read': base + '/{answer[field_option][id]}'}


@pytest.mark.parametrize('case', CREATES)
def test_a_create_answers_the_object_created(sim, case):
    write = case(sim)
    sim.settings(read_after_write_lag_seconds=LAG)
    answer = sim.api('POST', write['path'], write['body'], headers=write.get('headers'))
    assert answer.status_code == write.get('status', 201), answer.text
    assert {keys: picked(answer.json(), keys) for keys in write['expect']} == write['expect']
    read = sim.api('GET', write['read'].format(answer=answer.json()))
    # The lag is on: a read does not show the new object yet.
    assert read.status_code == 404 or all(picked(read.json(), keys) != value for keys, value in write['expect'].items())


# -- updates ---------------------------------------------------------------------------------------

@update
def service_description(sim):
    service_id = made(sim, 'POST', '/services', service_body('Described', description='old'), 'service')['id']
    return {'path': '/services/' + service_id, 'body': {'service': {'description': 'new'}},
            'pick': ('service', 'description'), 'old': 'old', 'new': 'new'}


@update
def service_alert_grouping(sim):
    """Grouping sent through /services is kept in an Alert Grouping Setting of the service's own."""
    service_id = made(sim, 'POST', '/services', service_body('Timed', alert_grouping_parameters=time_grouping(5)),
                      'service')['id']
    return {'path': '/services/' + service_id, 'body': {'service': {'alert_grouping_parameters': time_grouping(10)}},
            'pick': ('service', 'alert_grouping_parameters', 'config', 'timeout'), 'old': 5, 'new': 10}


@update
def service_leaving_a_shared_grouping_setting(sim):
    service_ids = [seeded_service(sim, 'Shared one'), seeded_service(sim, 'Shared two')]
    made(sim, 'POST', '/alert_grouping_settings', grouping_body('Shared', service_ids), 'alert_grouping_setting')
    return {'path': '/services/' + service_ids[0], 'body': {'service': {'alert_grouping_parameters': {'type': None}}},
            'pick': ('service', 'alert_grouping_parameters', 'type'), 'old': 'alert_grouping_setting_reference', 'new': None}


@update
def integration_name(sim):
    service_id = seeded_service(sim, 'With an integration')
    path = '/services/%s/integrations/' % service_id
    integration_id = made(sim, 'POST', path[:-1], {'integration': {
        'type': 'events_api_v2_inbound_integration', 'name': 'Old name'}}, 'integration')['id']
    return {'path': path + integration_id, 'body': {'integration': {'name': 'New name'}},
            'pick': ('integration', 'name'), 'old': 'Old name', 'new': 'New name'}


@update
def team_description(sim):
    return {'path': '/teams/PTEAM01', 'body': {'team': {'description': 'Platform and tools'}},
            'pick': ('team', 'description'), 'old': 'Platform engineering', 'new': 'Platform and tools'}


@update
def escalation_policy_name(sim):
    return {'path': '/escalation_policies/PPLATEP', 'body': {'escalation_policy': {'name': 'Platform Escalation'}},
            'pick': ('escalation_policy', 'name'), 'old': 'Platform On-Call', 'new': 'Platform Escalation'}


@update
def escalation_policy_of_a_new_service(sim):
    """The policy's services, in the answer of its update, include one created a moment ago."""
    sim.settings(read_after_write_lag_seconds=LAG)
    service_id = made(sim, 'POST', '/services', service_body('New user of the policy'), 'service')['id']
    return {'path': '/escalation_policies/PDEFEP1', 'body': {'escalation_policy': {'description': 'Used'}},
            'pick': ('escalation_policy', 'services', 0, 'id'), 'old': None, 'new': service_id}


@update
def maintenance_window_description(sim):
    window_id = made(sim, 'POST', '/maintenance_windows', window_body('Old', seeded_service(sim, 'Patched')),
                     'maintenance_window', headers=FROM)['id']
    return {'path': '/maintenance_windows/' + window_id, 'body': {'maintenance_window': {'description': 'New'}},
            'pick': ('maintenance_window', 'description'), 'old': 'Old', 'new': 'New'}


@update
def alert_grouping_setting_name(sim):
    setting_id = made(sim, 'POST', '/alert_grouping_settings', grouping_body('Old', [seeded_service(sim, 'Grouped')]),
                      'alert_grouping_setting')['id']
    return {'path': '/alert_grouping_settings/' + setting_id, 'body': {'alert_grouping_setting': {'name': 'New'}},
            'pick': ('alert_grouping_setting', 'name'), 'old': 'Old', 'new': 'New'}


@update
def event_orchestration_name(sim):
    return {'path': '/event_orchestrations/' + orchestration(sim)['id'], 'body': {'orchestration': {'name': 'Renamed'}},
            'pick': ('orchestration', 'name'), 'old': 'Routing', 'new': 'Renamed'}


@update
def orchestration_integration_label(sim):
    created = orchestration(sim)
    return {'path': '/event_orchestrations/%s/integrations/%s' % (created['id'], created['integrations'][0]['id']),
            'body': {'integration': {'label': 'Renamed key'}}, 'pick': ('integration', 'label'),
            'old': 'Routing Default Integration', 'new': 'Renamed key'}


@update
def orchestration_router(sim):
    service_id = seeded_service(sim, 'Routed to')
    return {'path': '/event_orchestrations/%s/router' % orchestration(sim)['id'], 'body': catch_all({'route_to': service_id}),
            'pick': ('orchestration_path', 'catch_all', 'actions', 'route_to'), 'old': 'unrouted', 'new': service_id}


@update
def orchestration_global_path(sim):
    return {'path': '/event_orchestrations/%s/global' % orchestration(sim)['id'], 'body': catch_all({'severity': 'warning'}),
            'pick': ('orchestration_path', 'catch_all', 'actions', 'severity'), 'old': None, 'new': 'warning'}


@update
def orchestration_unrouted_path(sim):
    return {'path': '/event_orchestrations/%s/unrouted' % orchestration(sim)['id'], 'body': catch_all({'severity': 'info'}),
            'pick': ('orchestration_path', 'catch_all', 'actions', 'severity'), 'old': None, 'new': 'info'}


@update
def service_orchestration(sim):
    return {'path': '/event_orchestrations/services/' + seeded_service(sim, 'Orchestrated'),
            'body': catch_all({'severity': 'critical'}),
            'pick': ('orchestration_path', 'catch_all', 'actions', 'severity'), 'old': None, 'new': 'critical'}


@update
def service_orchestration_active(sim):
    return {'path': '/event_orchestrations/services/%s/active' % seeded_service(sim, 'Switched on'),
            'body': {'active': True}, 'pick': ('active',), 'old': False, 'new': True}


@update
def business_service_description(sim):
    business_id = made(sim, 'POST', '/business_services', {'business_service': {'name': 'Shop', 'description': 'Old'}},
                       'business_service')['id']
    return {'path': '/business_services/' + business_id, 'body': {'business_service': {'description': 'New'}},
            'pick': ('business_service', 'description'), 'old': 'Old', 'new': 'New'}


@update
def custom_field_display_name(sim):
    return {'path': '/services/custom_fields/' + fixed_field(sim)['id'], 'body': {'field': {'display_name': 'Service tier'}},
            'pick': ('field', 'display_name'), 'old': 'Tier', 'new': 'Service tier'}


@update
def field_option_value(sim):
    field = fixed_field(sim)
    return {'path': '/services/custom_fields/%s/field_options/%s' % (field['id'], field['field_options'][1]['id']),
            'body': {'field_option': option('tier-9')}, 'pick': ('field_option', 'data', 'value'),
            'old': 'tier-2', 'new': 'tier-9'}


@update
def custom_field_values(sim):
    fixed_field(sim)
    return {'path': '/services/%s/custom_fields/values' % seeded_service(sim, 'Tiered'),
            'body': {'custom_fields': [{'name': 'tier', 'value': 'tier-2'}]}, 'status': 201,
            'pick': ('custom_fields', 0, 'value'), 'old': None, 'new': 'tier-2'}


@pytest.mark.parametrize('case', UPDATES)
def test_an_update_answers_the_object_as_written(sim, case):
    write = case(sim)
    sim.settings(read_after_write_lag_seconds=LAG)
    answer = sim.api(write.get('method', 'PUT'), write['path'], write['body'])
    assert answer.status_code == write.get('status', 200), answer.text
    assert picked(answer.json(), write['pick']) == write['new']
    # The lag is on: a read still shows the object as it was.
    read = sim.api('GET', write.get('read', write['path']))
    assert read.status_code == 200, read.text
    assert picked(read.json(), write['pick']) == write['old']


def test_a_disassociation_answers_what_it_removed(sim):
    supporting, dependent = seeded_service(sim, 'Cache'), seeded_service(sim, 'Catalogue')
    associated = made(sim, 'POST', '/service_dependencies/associate', relationship(supporting, dependent), 'relationships')
    sim.settings(read_after_write_lag_seconds=LAG)
    answer = sim.api('POST', '/service_dependencies/disassociate', relationship(supporting, dependent))
    assert answer.status_code == 200 and answer.json()['relationships'] == associated
    # The lag is on: reads still show the relationship.
    assert sim.api('GET', '/service_dependencies/technical_services/' + dependent).json()['relationships'] == associated
