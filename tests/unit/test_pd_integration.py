"""pd_integration in-process against the simulator: every kind of integration, keys, the
no-op cost, recreate, and the errors, all read from the simulator's request log and state."""

import pytest

from ansible_collections.oncall.pagerduty.plugins.modules import pd_integration

EMAIL = dict(
    type='email', name='Email alerts', integration_email='cart@acme.pagerduty.com',
    email_incident_creation='use_rules', email_filter_mode='or-rules-email',
    email_filters=[dict(subject_mode='match', subject_regex=r'\bDOWN\b')],
    email_parsers=[dict(action='trigger',
                        match_predicate=dict(type='any', children=[dict(type='contains', part='subject', matcher='DOWN')]),
                        value_extractors=[dict(type='regex', part='subject', value_name='incident_key', regex=r'host (\S+)')])],
    email_parsing_fallback='discard',
)


@pytest.fixture
def cart(sim):
    return sim.seed(services=[{'name': 'Shopping Cart', 'escalation_policy': 'Default'}])['services'][0]


def integrations(sim):
    return [i for s in sim.state()['services'] for i in s['integrations']]


@pytest.mark.parametrize('options, expected_type', [
    (dict(type='events_api_v2', name='Events'), 'events_api_v2_inbound_integration'),
    (dict(type='events_api_v1', name='Legacy events'), 'generic_events_api_inbound_integration'),
    (dict(type='nagios_inbound_integration', name='Nagios'), 'nagios_inbound_integration'),
    (dict(vendor='datadog', name='Datadog'), 'events_api_v2_inbound_integration'),
    (dict(vendor='PMXRPDJ', name='Postman'), 'generic_events_api_inbound_integration'),
])
def test_create_then_second_run_is_ok_in_one_request(sim, run_module, cart, options, expected_type):
    check = run_module(pd_integration, check_mode=True, service='Shopping Cart', **options)
    assert check['changed'] and check['integration']['id'] is None and sim.writes() == []
    created = run_module(pd_integration, diff=True, service='Shopping Cart', **options)
    assert created['changed'] and not created['key_changed']
    integration = created['integration']
    assert integration['type'] == expected_type and len(integration['integration_key']) == 32
    assert 'integration_key' not in created['diff']['after']
    sim.clear_requests()
    again = run_module(pd_integration, service='Shopping Cart', **options)
    assert not again['changed'] and again['integration']['integration_key'] == integration['integration_key']
    assert len(sim.requests()) == 1


def test_vendor_by_name_on_no_op_needs_no_vendor_lookup(sim, run_module, cart):
    run_module(pd_integration, service=cart, vendor='Amazon CloudWatch')
    sim.clear_requests()
    assert not run_module(pd_integration, service=cart, vendor='amazon cloudwatch')['changed']
    assert [r['path'] for r in sim.requests()] == ['/services/%s' % cart]


def test_name_is_derived_from_tool_and_service(sim, run_module, cart):
    datadog = run_module(pd_integration, service='Shopping Cart', vendor='Datadog')
    assert datadog['integration']['name'] == 'Datadog-Shopping-Cart'
    events = run_module(pd_integration, service='Shopping Cart', type='events_api_v2')
    assert events['integration']['name'] == 'Events-API-v2-Shopping-Cart'
    sim.clear_requests()
    assert not run_module(pd_integration, service='Shopping Cart', vendor='PAM4FGS')['changed']
    assert len(sim.requests()) == 1
    assert sorted(i['name'] for i in integrations(sim)) == ['Datadog-Shopping-Cart', 'Events-API-v2-Shopping-Cart']


def test_email_integration_with_filters_and_parsers(sim, run_module, cart):
    created = run_module(pd_integration, service=cart, **EMAIL)
    assert created['changed']
    assert created['integration']['integration_email'] == 'cart@acme.pagerduty.com'
    assert 'integration_key' not in created['integration']
    sim.clear_requests()
    assert not run_module(pd_integration, service=cart, **EMAIL)['changed']
    assert len(sim.requests()) == 1


def test_email_settings_update_in_place(sim, run_module, cart):
    run_module(pd_integration, service=cart, **EMAIL)
    integration_id = integrations(sim)[0]['id']
    new_filters = [dict(subject_mode='match', subject_regex='CRITICAL'), dict(body_mode='no-match', body_regex='test')]
    result = run_module(pd_integration, diff=True, service=cart, name='Email alerts', email_filters=new_filters,
                        email_filter_mode='and-rules-email')
    assert result['changed'] and sorted(result['diff']['after']) == ['email_filter_mode', 'email_filters']
    assert result['diff']['before']['email_filter_mode'] == 'or-rules-email'
    stored = integrations(sim)[0]
    assert stored['id'] == integration_id and stored['email_filters'][1]['body_regex'] == 'test'
    parsers = [dict(EMAIL['email_parsers'][0], action='resolve')]
    assert run_module(pd_integration, service=cart, name='Email alerts', email_parsers=parsers)['changed']
    assert integrations(sim)[0]['email_parsers'][0]['action'] == 'resolve'


def test_rename_by_id(sim, run_module, cart):
    integration_id = run_module(pd_integration, service=cart, type='events_api_v2', name='Events')['integration']['id']
    result = run_module(pd_integration, diff=True, service=cart, id=integration_id, name='Deploys')
    assert result['changed'] and result['diff'] == {'before': {'name': 'Events'}, 'after': {'name': 'Deploys'}}
    assert [i['name'] for i in integrations(sim)] == ['Deploys']


def test_delete_then_delete_again_is_ok(sim, run_module, cart):
    run_module(pd_integration, service=cart, type='events_api_v2', name='Events')
    first = run_module(pd_integration, diff=True, service=cart, name='Events', state='absent')
    assert first['changed'] and 'integration_key' not in first['diff']['before']
    assert integrations(sim) == []
    assert not run_module(pd_integration, service=cart, name='Events', state='absent')['changed']
    assert not run_module(pd_integration, service='No Such Service', name='Events', state='absent')['changed']


def test_check_mode_delete_writes_nothing(sim, run_module, cart):
    run_module(pd_integration, service=cart, type='events_api_v2', name='Events')
    sim.clear_requests()
    assert run_module(pd_integration, check_mode=True, service=cart, name='Events', state='absent')['changed']
    assert sim.writes() == [] and len(integrations(sim)) == 1


def test_changing_the_kind_fails_unless_recreate(sim, run_module, cart):
    first = run_module(pd_integration, service=cart, type='events_api_v2', name='Alerts')['integration']
    refused = run_module(pd_integration, service=cart, vendor='Datadog', name='Alerts')
    assert refused['failed'] and 'the kind of an integration cannot be changed in place' in refused['msg']
    assert 'recreate: true' in refused['msg']
    sim.clear_requests()
    check = run_module(pd_integration, check_mode=True, service=cart, vendor='Datadog', name='Alerts', recreate=True)
    assert check['changed'] and check['key_changed'] and sim.writes() == []
    recreated = run_module(pd_integration, service=cart, vendor='Datadog', name='Alerts', recreate=True)
    assert recreated['changed'] and recreated['key_changed']
    assert recreated['integration']['integration_key'] != first['integration_key']
    assert [r['method'] for r in sim.writes()] == ['POST', 'DELETE']  # created first: never neither
    assert [(i['name'], i['vendor']['id']) for i in integrations(sim)] == [('Alerts', 'PAM4FGS')]
    assert not run_module(pd_integration, service=cart, vendor='Datadog', name='Alerts', recreate=True)['changed']


def test_recreate_into_email_deletes_first(sim, run_module, cart):
    run_module(pd_integration, service=cart, type='events_api_v2', name='Email alerts')
    sim.clear_requests()
    result = run_module(pd_integration, service=cart, recreate=True, **EMAIL)
    assert result['changed'] and result['key_changed']
    assert [r['method'] for r in sim.writes()] == ['DELETE', 'POST']
    assert integrations(sim)[0]['type'] == 'generic_email_inbound_integration'


def test_create_whose_answer_is_lost_is_adopted(sim, run_module, cart):
    sim.fault(method='POST', path='/integrations$', action='commit_then_drop')
    result = run_module(pd_integration, service=cart, type='events_api_v2', name='Events', timeout=5)
    assert result['changed'] and len(result['integration']['integration_key']) == 32
    assert len(integrations(sim)) == 1


def test_ambiguous_names_list_the_ids(sim, run_module, cart):
    sim.seed(integrations=[{'service': cart, 'type': 'events_api_v2_inbound_integration', 'name': 'Twin'},
                           {'service': cart, 'type': 'events_api_v2_inbound_integration', 'name': 'Twin'}])
    ids = [i['id'] for i in integrations(sim)]
    result = run_module(pd_integration, service=cart, name='Twin', type='events_api_v2')
    assert result['failed'] and "service 'Shopping Cart' has 2 integrations named 'Twin'" in result['msg']
    assert all(i in result['msg'] for i in ids)


def test_one_of_two_vendors_sharing_a_name_is_chosen_by_id(sim, run_module, cart):
    assert run_module(pd_integration, service=cart, vendor='PLCR002')['integration']['vendor']['id'] == 'PLCR002'


def test_the_250_integration_limit_is_checked_before_the_request(sim, run_module, cart):
    sim.seed(integrations=[{'service': cart, 'type': 'events_api_v2_inbound_integration', 'name': 'Bulk', 'count': 250}])
    sim.clear_requests()
    result = run_module(pd_integration, service=cart, type='events_api_v2', name='One more')
    assert result['failed'] and "'Shopping Cart' already has 250 integrations" in result['msg']
    assert sim.writes() == []
