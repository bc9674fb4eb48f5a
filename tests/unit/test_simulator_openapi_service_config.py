"""The service configuration families of the simulator (Alert Grouping Settings, service custom fields, and the
reference a service shows for grouping held by a setting) checked against PagerDuty's OpenAPI description, on the
`check` fixture (tests/unit/conftest.py), and the behaviours that tests/simulator/README.md lists for them."""

import pytest

from tests.unit.conftest import SPEC_AVAILABLE, real_api_description
from tests.unit.test_simulator_openapi import service_body

pytestmark = pytest.mark.skipif(not SPEC_AVAILABLE, reason='PagerDuty OpenAPI description not beside the repository')

CONTENT = {'aggregate': 'all', 'fields': ['summary']}


@pytest.fixture(scope='module')
def openapi(simulator_server):
    """The description as the shared fixture builds it, with the corrections below (each is where the real API
    differs from what the description says)."""
    pytest.importorskip('openapi_core')
    from openapi_core import Config, OpenAPI

    spec = real_api_description(simulator_server.url)
    schemas = spec['components']['schemas']
    # A field value is the value itself ("value": "production", or a list), as the description's own examples
    # and every client show; the schema wraps it in one more object.
    plain = {'anyOf': [{'type': kind, 'nullable': True} for kind in ('boolean', 'number', 'string')]
             + [{'type': 'array', 'items': {'type': 'string'}, 'nullable': True}]}
    schemas['ServiceCustomFieldsFieldValueReadModel']['properties']['value'] = plain
    # aggregate is 'all' or 'any'; the enum lists one string "all, any" (pagerduty-api-facts.md, quirk 7).
    for branch in schemas['AlertGroupingSetting']['properties']['config']['anyOf']:
        if '$ref' in branch:
            branch = schemas[branch['$ref'].rsplit('/', 1)[1]]
        if 'aggregate' in branch['properties']:
            branch['properties']['aggregate']['enum'] = ['all', 'any']
    return OpenAPI.from_dict(spec, config=Config(spec_validator_cls=None))


@pytest.fixture
def services(sim):
    """Three services' IDs, with every setting the core's conformance test gives a service but alert grouping.

    Only services that a setting holds are checked here: the core's test covers the others.
    """
    bodies = []
    for name in ('Checkout', 'Cart', 'Search'):
        body = dict(service_body(name)['service'], escalation_policy='Default')
        del body['alert_grouping_parameters']
        bodies.append(body)
    return sim.seed(services=bodies)['services']


def setting(name, kind, config, service_ids):
    return {'alert_grouping_setting': {'name': name, 'type': kind, 'config': config,
                                       'services': [{'id': i} for i in service_ids]}}


# -- Alert Grouping Settings -----------------------------------------------------------------------

def test_alert_grouping_setting_lifecycle_conforms(check, services):
    created = check('POST', '/alert_grouping_settings', setting('Global', 'content_based', CONTENT, services[:2]))
    assert created.status_code == 201
    ags = created.json()['alert_grouping_setting']
    assert ags['config'] == {'aggregate': 'all', 'fields': ['summary'], 'time_window': 300, 'recommended_time_window': 300}
    assert check('GET', '/alert_grouping_settings/' + ags['id']).json()['alert_grouping_setting']['name'] == 'Global'
    updated = check('PUT', '/alert_grouping_settings/' + ags['id'],
                    {'alert_grouping_setting': {'description': 'Checkout and cart', 'config': dict(CONTENT, time_window=86400)}})
    assert updated.json()['alert_grouping_setting']['config']['time_window'] == 86400
    assert len(updated.json()['alert_grouping_setting']['services']) == 2  # left out of the PUT: kept
    check('POST', '/alert_grouping_settings', setting('Search', 'intelligent', {'time_window': 0}, services[2:]))
    assert check('DELETE', '/alert_grouping_settings/' + ags['id']).status_code == 204
    assert check('GET', '/alert_grouping_settings/' + ags['id']).status_code == 404


def test_lists_use_cursors_and_filter_by_service(check, services):
    for index, service_id in enumerate(services):
        check('POST', '/alert_grouping_settings', setting('s%d' % index, 'time', {'timeout': 60 * (index + 1)}, [service_id]))
    first = check('GET', '/alert_grouping_settings', limit=2).json()
    assert [s['name'] for s in first['alert_grouping_settings']] == ['s0', 's1'] and first['after']
    rest = check('GET', '/alert_grouping_settings', limit=2, after=first['after']).json()
    assert [s['name'] for s in rest['alert_grouping_settings']] == ['s2'] and 'after' not in rest and rest['before']
    held = check('GET', '/alert_grouping_settings', **{'service_ids[]': [services[1]]}).json()
    assert [s['name'] for s in held['alert_grouping_settings']] == ['s1']


def test_a_list_with_nothing_to_list_answers_404_without_an_error_object(check, sim, services):
    # Not in the description (it documents 200 and 401 only), so read without the response check.
    def listing(**query):
        response = sim.api('GET', '/alert_grouping_settings', **query)
        return response.status_code, response.headers.get('Content-Type'), response.json()

    assert listing() == (404, 'application/json', {})  # no setting in the account
    check('POST', '/alert_grouping_settings', setting('s0', 'time', {'timeout': 60}, services[:1]))
    assert listing(**{'service_ids[]': [services[2]]}) == (404, 'application/json', {})  # the filter matches none
    first = check('GET', '/alert_grouping_settings', **{'service_ids[]': services}).json()
    assert [s['name'] for s in first['alert_grouping_settings']] == ['s0'] and 'after' not in first
    deleted = check('POST', '/alert_grouping_settings', setting('s1', 'time', {'timeout': 60}, services[1:2])).json()
    page = check('GET', '/alert_grouping_settings', limit=1).json()
    check('DELETE', '/alert_grouping_settings/' + deleted['alert_grouping_setting']['id'])
    assert listing(limit=1, after=page['after']) == (404, 'application/json', {})  # a page with nothing left on it


def test_a_service_is_in_one_setting_at_most(check, services):
    first = check('POST', '/alert_grouping_settings', setting('One', 'content_based', CONTENT, services[:2])).json()
    refused = check('POST', '/alert_grouping_settings', setting('Two', 'content_based', CONTENT, services[1:]))
    assert refused.status_code == 400
    assert refused.json()['error']['errors'] == ['Service %s is already associated to the alert grouping setting %s (One)'
                                                 % (services[1], first['alert_grouping_setting']['id'])]


@pytest.mark.parametrize('kind, config, count, error', [
    ('time', {'timeout': 300}, 2, 'Setting of type time allows for at most 1 service'),
    ('time', {'timeout': 30}, 1, 'Config timeout must be 0 or between 60 and 86400 seconds'),
    ('intelligent', {'time_window': 86400}, 1, 'Config time_window must be 0 or between 300 and 3600 seconds'),
    ('intelligent', {'iag_fields': ['a', 'b', 'c', 'd', 'e', 'f']}, 1, 'Config iag_fields can have at most 5 fields'),
    ('content_based', {'aggregate': 'all'}, 1, 'Config fields must be a non-empty list of field names'),
    ('time', {'timeout': 300, 'time_window': 300}, 1, 'Config for type time does not accept time_window'),
])
def test_settings_the_api_refuses(check, services, kind, config, count, error):
    refused = check('POST', '/alert_grouping_settings', setting('Bad', kind, config, services[:count]))
    assert refused.status_code == 400 and error in refused.json()['error']['errors']


def test_content_based_holds_at_most_250_services(check, sim):
    ids = sim.seed(services={'count': 251, 'name_prefix': 'bulk-'})['services']
    refused = check('POST', '/alert_grouping_settings', setting('Global', 'content_based', CONTENT, ids))
    assert refused.status_code == 400
    assert refused.json()['error']['errors'] == ['Setting of type content_based allows for at most 250 services']
    assert check('POST', '/alert_grouping_settings', setting('Global', 'content_based', CONTENT, ids[:250])).status_code == 201


def test_content_based_intelligent_takes_many_services(check, services):
    created = check('POST', '/alert_grouping_settings', setting('Global', 'content_based_intelligent', CONTENT, services))
    assert created.status_code == 201 and len(created.json()['alert_grouping_setting']['services']) == 3
    held = check('GET', '/services/' + services[0]).json()['service']['alert_grouping_parameters']
    assert held['type'] == 'alert_grouping_setting_reference'


def test_a_service_shows_the_grouping_a_setting_holds(check, services):
    shared = check('POST', '/alert_grouping_settings', setting('Global', 'content_based', CONTENT, services[:2])).json()
    held = check('GET', '/services/' + services[0]).json()['service']['alert_grouping_parameters']
    setting_id = shared['alert_grouping_setting']['id']
    assert (held['id'], held['type'], held['summary']) == (setting_id, 'alert_grouping_setting_reference', 'Global')
    assert held['self'].endswith('/alert_grouping_settings/' + setting_id) and 'config' not in held
    check('POST', '/alert_grouping_settings', setting('Search', 'time', {'timeout': 600}, services[2:]))
    listed = check('GET', '/services', name='Search').json()['services'][0]
    assert listed['alert_grouping_parameters'] == {'type': 'time', 'config': {'timeout': 10}}  # minutes on a service


def test_grouping_sent_through_services_leaves_a_shared_setting(check, sim, services):
    """PagerDuty's Alert Grouping Settings FAQ: the service leaves the global setting for one of its own."""
    shared = check('POST', '/alert_grouping_settings', setting('Global', 'content_based', CONTENT, services[:2])).json()
    moved = check('PUT', '/services/' + services[0], {'service': {'alert_grouping_parameters': {
        'type': 'intelligent', 'config': {'time_window': 600}}}})
    assert moved.json()['service']['alert_grouping_parameters'] == {
        'type': 'intelligent', 'config': {'time_window': 600, 'recommended_time_window': 300}}
    listing = check('GET', '/alert_grouping_settings').json()['alert_grouping_settings']
    assert sorted((s['name'], [r['id'] for r in s['services']]) for s in listing) == [
        ('Checkout', [services[0]]), ('Global', [services[1]])]
    sim.api('PUT', '/services/' + services[0], {'service': {'alert_grouping_parameters': {'type': None}}})
    assert [s['name'] for s in check('GET', '/alert_grouping_settings').json()['alert_grouping_settings']] == ['Global']
    assert check('GET', '/alert_grouping_settings/' + shared['alert_grouping_setting']['id']).status_code == 200


def test_settings_lag_writes_when_asked(check, sim, services):
    sim.settings(read_after_write_lag_seconds=30)
    created = check('POST', '/alert_grouping_settings', setting('Lagging', 'time', {'timeout': 60}, services[:1])).json()
    assert check('GET', '/alert_grouping_settings/' + created['alert_grouping_setting']['id']).status_code == 404
    assert sim.api('GET', '/alert_grouping_settings').status_code == 404  # nothing readable yet: an empty list


# -- service custom fields -------------------------------------------------------------------------

TIER = {'field': {'name': 'tier', 'display_name': 'Tier', 'description': 'How critical', 'data_type': 'string',
                  'field_type': 'single_value_fixed', 'enabled': True,
                  'field_options': [{'data': {'data_type': 'string', 'value': v}} for v in ('tier-1', 'tier-2')]}}


def test_custom_field_lifecycle_conforms(check):
    created = check('POST', '/services/custom_fields', TIER)
    assert created.status_code == 201
    field = created.json()['field']
    assert [o['data']['value'] for o in field['field_options']] == ['tier-1', 'tier-2']
    listed = check('GET', '/services/custom_fields').json()['fields']
    assert [f['name'] for f in listed] == ['tier'] and 'field_options' not in listed[0]  # only with include[]
    assert check('GET', '/services/custom_fields', **{'include[]': 'field_options'}).json()['fields'][0]['field_options']
    assert 'field_options' not in check('GET', '/services/custom_fields/' + field['id']).json()['field']
    kept = field['field_options'][0]
    updated = check('PUT', '/services/custom_fields/' + field['id'], {'field': {'display_name': 'Service tier', 'field_options': [
        {'id': kept['id'], 'data': kept['data']}, {'data': {'data_type': 'string', 'value': 'tier-3'}}]}}).json()['field']
    assert [o['data']['value'] for o in updated['field_options']] == ['tier-1', 'tier-3']
    assert updated['field_options'][0]['id'] == kept['id']
    assert check('DELETE', '/services/custom_fields/' + field['id']).status_code == 204
    assert check('GET', '/services/custom_fields/' + field['id']).status_code == 404


def test_field_option_endpoints_conform(check):
    field = check('POST', '/services/custom_fields', TIER).json()['field']
    base = '/services/custom_fields/%s/field_options' % field['id']
    option = check('POST', base, {'field_option': {'data': {'data_type': 'string', 'value': 'tier-9'}}}).json()['field_option']
    assert [o['data']['value'] for o in check('GET', base).json()['field_options']] == ['tier-1', 'tier-2', 'tier-9']
    check('PUT', '%s/%s' % (base, option['id']), {'field_option': {'data': {'data_type': 'string', 'value': 'tier-0'}}})
    assert check('GET', '%s/%s' % (base, option['id'])).json()['field_option']['data']['value'] == 'tier-0'
    assert check('DELETE', '%s/%s' % (base, option['id'])).status_code == 204
    duplicate = check('POST', base, {'field_option': {'data': {'data_type': 'string', 'value': 'tier-1'}}})
    assert duplicate.status_code == 400


def test_values_conform_and_are_all_or_nothing(check, services):
    check('POST', '/services/custom_fields', TIER)
    check('POST', '/services/custom_fields', {'field': {'name': 'regions', 'display_name': 'Regions', 'data_type': 'string',
                                                        'field_type': 'multi_value'}})
    path = '/services/%s/custom_fields/values' % services[0]
    assert [(f['name'], f['value']) for f in check('GET', path).json()['custom_fields']] == [('tier', None), ('regions', None)]
    written = check('PUT', path, {'custom_fields': [{'name': 'tier', 'value': 'tier-2'},
                                                    {'name': 'regions', 'value': ['eu-west-1', 'us-east-1']}]})
    assert written.status_code == 201
    refused = check('PUT', path, {'custom_fields': [{'name': 'tier', 'value': 'tier-1'}, {'name': 'regions', 'value': 'eu'}]})
    assert refused.status_code == 400 and refused.json()['error']['errors'] == ['Custom field regions: must be a list of values']
    assert [(f['name'], f['value']) for f in check('GET', path).json()['custom_fields']] == [
        ('tier', 'tier-2'), ('regions', ['eu-west-1', 'us-east-1'])]
    assert check('GET', '/services/PNOPE00/custom_fields/values').status_code == 404


@pytest.mark.parametrize('field, error', [
    ({'name': 'Tier', 'display_name': 'T', 'data_type': 'string', 'field_type': 'single_value'},
     'Name may only contain lowercase letters, digits and underscores, at most 50 characters'),
    ({'name': 'tier', 'display_name': 'T', 'data_type': 'integer', 'field_type': 'multi_value'},
     'Field type multi_value requires data_type string'),
    ({'name': 'tier', 'display_name': 'T', 'data_type': 'string', 'field_type': 'single_value',
      'field_options': [{'data': {'data_type': 'string', 'value': 'x'}}]},
     'Field options can only be set on fields of field_type single_value_fixed or multi_value_fixed'),
])
def test_fields_the_api_refuses(check, field, error):
    refused = check('POST', '/services/custom_fields', {'field': field})
    assert refused.status_code == 400 and error in refused.json()['error']['errors']


def test_the_data_type_of_a_field_cannot_change_and_names_are_unique(check):
    field = check('POST', '/services/custom_fields', TIER).json()['field']
    changed = check('PUT', '/services/custom_fields/' + field['id'], {'field': {'data_type': 'integer'}})
    assert changed.status_code == 400 and changed.json()['error']['errors'] == ['Data type cannot be changed once the field is created']
    again = check('POST', '/services/custom_fields', TIER)
    assert again.status_code == 400
    assert again.json()['error']['errors'] == ['Name has already been taken', 'Display name has already been taken']


def test_no_early_access_header_is_needed(sim, check):
    """Generally available since 2025-07-10 (API changelog): the simulator asks for no X-EARLY-ACCESS header."""
    response = sim.api('GET', '/services/custom_fields')
    assert response.status_code == 200 and 'X-EARLY-ACCESS' not in response.request.headers
