"""pd_service_custom_field runs in-process against the simulator; claims about requests and writes come from
the simulator's request log, and the fields and values from the simulated account's own state."""

import pytest

from ansible_collections.oncall.pagerduty.plugins.modules import pd_service_custom_field
from tests.conftest import warning_texts

TIER = dict(name='tier', display_name='Tier', description='How critical the service is', data_type='string',
            field_type='single_value_fixed', field_options=['tier-1', 'tier-2', 'tier-3'])


@pytest.fixture
def account(simulator_server, sim):
    sim.seed(services=[{'name': 'Checkout', 'escalation_policy': 'Default'}])
    sim.clear_requests()
    return simulator_server.sim.pagerduty


def fields(account):
    """(name, display name, enabled, option values) of every field the account holds."""
    return sorted((f['name'], f['display_name'], f['enabled'], [o['data']['value'] for o in f['field_options']])
                  for f in account.custom_fields.values())


def set_values(sim, service, values):
    service_id = sim.api('GET', '/services', name=service).json()['services'][0]['id']
    response = sim.api('PUT', '/services/%s/custom_fields/values' % service_id,
                       {'custom_fields': [{'name': k, 'value': v} for k, v in values.items()]})
    assert response.status_code == 201, response.text
    return service_id


def values(sim, service_id):
    answer = sim.api('GET', '/services/%s/custom_fields/values' % service_id).json()
    return {f['name']: f['value'] for f in answer['custom_fields']}


def test_check_mode_predicts_the_field_and_writes_nothing(sim, run_module, account):
    result = run_module(pd_service_custom_field, check_mode=True, diff=True, **TIER)
    assert result['changed'] and result['custom_field']['id'] is None
    assert result['diff'] == {'before': {}, 'after': {
        'name': 'tier', 'display_name': 'Tier', 'description': 'How critical the service is', 'data_type': 'string',
        'field_type': 'single_value_fixed', 'field_options': ['tier-1', 'tier-2', 'tier-3'], 'enabled': True}}
    assert sim.writes() == [] and account.custom_fields == {}


def test_create_then_a_second_run_is_ok_in_one_request(sim, run_module, account):
    created = run_module(pd_service_custom_field, diff=True, **TIER)
    assert created['changed'] and created['custom_field']['field_options'] == ['tier-1', 'tier-2', 'tier-3']
    assert fields(account) == [('tier', 'Tier', True, ['tier-1', 'tier-2', 'tier-3'])]
    [post] = sim.writes()
    assert post['path'] == '/services/custom_fields'
    assert post['body']['field']['field_options'][0] == {'data': {'data_type': 'string', 'value': 'tier-1'}}
    sim.clear_requests()
    again = run_module(pd_service_custom_field, diff=True, **dict(TIER, field_options=['tier-3', 'tier-1', 'tier-2']))
    assert not again['changed'] and 'diff' not in again
    assert len(sim.requests()) == 1
    assert not run_module(pd_service_custom_field, check_mode=True, **TIER)['changed'] and sim.writes() == []


def test_an_update_sends_only_what_changed_and_keeps_the_ids_of_kept_options(sim, run_module, account):
    run_module(pd_service_custom_field, **TIER)
    service_id = set_values(sim, 'Checkout', {'tier': 'tier-2'})
    option_ids = {o['data']['value']: o['id'] for o in next(iter(account.custom_fields.values()))['field_options']}
    sim.clear_requests()
    result = run_module(pd_service_custom_field, diff=True, name='tier', display_name='Service tier',
                        field_options=['tier-1', 'tier-2', 'tier-4'])
    assert result['changed']
    assert result['diff'] == {'before': {'display_name': 'Tier', 'field_options': ['tier-1', 'tier-2', 'tier-3']},
                              'after': {'display_name': 'Service tier', 'field_options': ['tier-1', 'tier-2', 'tier-4']}}
    assert any("removing 'tier-3' clears it" in w for w in warning_texts(result))
    [put] = sim.writes()
    assert put['body'] == {'field': {'display_name': 'Service tier', 'field_options': [
        {'data': {'data_type': 'string', 'value': 'tier-1'}, 'id': option_ids['tier-1']},
        {'data': {'data_type': 'string', 'value': 'tier-2'}, 'id': option_ids['tier-2']},
        {'data': {'data_type': 'string', 'value': 'tier-4'}}]}}
    assert values(sim, service_id) == {'tier': 'tier-2'}  # kept option, kept value


def test_a_removed_option_is_cleared_from_the_services_that_held_it(sim, run_module, account):
    run_module(pd_service_custom_field, **TIER)
    service_id = set_values(sim, 'Checkout', {'tier': 'tier-3'})
    run_module(pd_service_custom_field, name='tier', field_options=['tier-1', 'tier-2'])
    assert values(sim, service_id) == {'tier': None}


@pytest.mark.parametrize('option, value', [('data_type', 'integer'), ('field_type', 'multi_value')])
def test_the_data_or_field_type_of_a_field_cannot_change(sim, run_module, account, option, value):
    free = dict(TIER, field_type='single_value', field_options=None)
    run_module(pd_service_custom_field, **free)
    sim.clear_requests()
    result = run_module(pd_service_custom_field, **dict(free, **{option: value}))
    assert result['failed'] and result['msg'].startswith('%s: the field \'tier\' is ' % option)
    assert 'Delete it (state: absent) and create it again' in result['msg'] and sim.writes() == []


def test_display_names_are_unique_in_the_account(sim, run_module, account):
    run_module(pd_service_custom_field, **TIER)
    sim.clear_requests()
    result = run_module(pd_service_custom_field, name='tier_old', display_name='Tier', data_type='string',
                        field_type='single_value')
    assert result['failed'] and result['msg'] == ("display_name: 'Tier' is the display name of the field 'tier' already, "
                                                  'and display names are unique in an account')
    assert sim.writes() == []


def test_disable_then_enable_keeps_the_values(sim, run_module, account):
    run_module(pd_service_custom_field, **TIER)
    service_id = set_values(sim, 'Checkout', {'tier': 'tier-1'})
    disabled = run_module(pd_service_custom_field, diff=True, name='tier', enabled=False)
    assert disabled['changed'] and disabled['diff']['after'] == {'enabled': False}
    assert values(sim, service_id) == {}  # a disabled field is not listed, and takes no value
    refused = sim.api('PUT', '/services/%s/custom_fields/values' % service_id, {'custom_fields': [{'name': 'tier', 'value': 'tier-2'}]})
    assert refused.status_code == 400
    run_module(pd_service_custom_field, name='tier', enabled=True)
    assert values(sim, service_id) == {'tier': 'tier-1'}


def test_absent_deletes_the_field_and_its_values(sim, run_module, account):
    run_module(pd_service_custom_field, **TIER)
    service_id = set_values(sim, 'Checkout', {'tier': 'tier-1'})
    sim.clear_requests()
    checked = run_module(pd_service_custom_field, check_mode=True, diff=True, name='tier', state='absent')
    assert checked['changed'] and checked['diff']['after'] == {} and sim.writes() == []
    assert checked['diff']['before']['field_options'] == ['tier-1', 'tier-2', 'tier-3']
    assert 'id' not in checked['diff']['before']
    assert run_module(pd_service_custom_field, name='tier', state='absent')['changed']
    assert account.custom_fields == {} and values(sim, service_id) == {}
    assert not run_module(pd_service_custom_field, name='tier', state='absent')['changed']


def test_reads_that_lag_writes_still_give_an_ok_second_run(sim, run_module, account):
    sim.settings(read_after_write_lag_seconds=1)
    assert run_module(pd_service_custom_field, **TIER)['changed']
    assert run_module(pd_service_custom_field, name='tier', display_name='Service tier')['changed']
    sim.clear_requests()
    again = run_module(pd_service_custom_field, **dict(TIER, display_name='Service tier'))
    assert not again['changed'] and sim.writes() == []
