"""pd_integration in-process against the simulator: every kind of integration, keys and their
life (create, recreate, rotation), renames, check mode on a new stack, the no-op cost, and the
errors, all read from the simulator's request log and state."""

import pytest

from ansible_collections.oncall.pagerduty.plugins.module_utils._integration import CHECK_MODE_KEY
from ansible_collections.oncall.pagerduty.plugins.modules import pd_integration, pd_service
from tests.conftest import warning_texts

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
    (dict(type='nagios', name='Nagios'), 'nagios_inbound_integration'),
    (dict(vendor='datadog', name='Datadog'), 'events_api_v2_inbound_integration'),
    (dict(vendor='PMXRPDJ', name='Postman'), 'generic_events_api_inbound_integration'),
])
def test_create_then_second_run_is_ok_in_one_request(sim, run_module, cart, options, expected_type):
    check = run_module(pd_integration, check_mode=True, diff=True, service='Shopping Cart', **options)
    assert check['changed'] and check['integration']['id'] is None and sim.writes() == []
    assert check['integration']['type'] == expected_type and check['integration']['integration_key'] == CHECK_MODE_KEY
    created = run_module(pd_integration, diff=True, service='Shopping Cart', **options)
    assert created['changed'] and created['key_changed']  # a new integration is a new key
    integration = created['integration']
    assert integration['type'] == expected_type and len(integration['integration_key']) == 32
    assert integration['type_alias'] == expected_type.replace('_inbound_integration', '').replace(
        'generic_events_api', 'events_api_v1')
    assert 'integration_key' not in created['diff']['after']
    assert created['diff'] == check['diff']  # the check run predicted the real run's diff
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
    assert created['changed'] and not created['key_changed']  # an address, not a key
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
    # Created first under a name that says what it replaces (never neither), then the old one goes, then the name.
    assert [r['method'] for r in sim.writes()] == ['POST', 'DELETE', 'PUT']
    assert sim.writes()[0]['body']['integration']['name'] == 'Alerts (replacing %s)' % first['id']
    assert [(i['name'], i['vendor']['id']) for i in integrations(sim)] == [('Alerts', 'PAM4FGS')]
    assert not run_module(pd_integration, service=cart, vendor='Datadog', name='Alerts', recreate=True)['changed']


def test_recreate_into_email_deletes_first(sim, run_module, cart):
    run_module(pd_integration, service=cart, type='events_api_v2', name='Email alerts')
    sim.clear_requests()
    result = run_module(pd_integration, service=cart, recreate=True, **EMAIL)
    assert result['changed'] and not result['key_changed']  # an address now: no key to hand on
    assert [r['method'] for r in sim.writes()] == ['DELETE', 'POST']
    assert integrations(sim)[0]['type'] == 'generic_email_inbound_integration'


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


# -- check mode on a stack that does not exist yet ----------------------------------------------

def test_check_mode_predicts_an_integration_on_a_service_an_earlier_task_creates(sim, run_module):
    result = run_module(pd_integration, check_mode=True, service='New Service', vendor='Datadog')
    assert result['changed'] and not result.get('failed')
    integration = result['integration']
    assert integration['name'] == 'Datadog-New-Service' and integration['vendor']['id'] == 'PAM4FGS'
    assert integration['integration_key'] == CHECK_MODE_KEY and integration['predicted']
    assert any("service: no service is named 'New Service' yet" in w for w in warning_texts(result))
    assert sim.writes() == []


def test_real_run_on_a_missing_service_fails_and_suggests(sim, run_module, cart):
    result = run_module(pd_integration, service='Shoping Cart', vendor='Datadog')
    assert result['failed'] and result['msg'].startswith("service: no service is named or identified by 'Shoping Cart'")
    assert "did you mean 'Shopping Cart'" in result['msg'] and 'status' not in result
    assert sim.writes() == []


# -- the key's life ------------------------------------------------------------------------------

def test_integration_deleted_in_the_web_ui_is_recreated_with_a_new_key(sim, run_module, cart):
    first = run_module(pd_integration, service=cart, vendor='Datadog')
    sim.api('DELETE', '/services/%s/integrations/%s' % (cart, first['integration']['id']))
    again = run_module(pd_integration, service=cart, vendor='Datadog')
    assert again['changed'] and again['key_changed']
    assert again['integration']['integration_key'] != first['integration']['integration_key']
    assert not run_module(pd_integration, service=cart, vendor='Datadog')['key_changed']


def test_rotate_key_makes_a_twin_then_deletes_the_original(sim, run_module, cart):
    first = run_module(pd_integration, service=cart, vendor='Datadog')['integration']
    sim.clear_requests()
    check = run_module(pd_integration, check_mode=True, diff=True, service=cart, vendor='Datadog', rotate_key=True)
    assert check['changed'] and check['key_changed'] and sim.writes() == []
    rotated = run_module(pd_integration, diff=True, service=cart, vendor='Datadog', rotate_key=True)
    assert rotated['changed'] and rotated['key_changed'] and rotated['replaced'] == 'rotate'
    assert rotated['integration']['integration_key'] != first['integration_key']
    assert rotated['integration']['name'] == first['name'] and rotated['integration']['vendor']['id'] == 'PAM4FGS'
    assert [r['method'] for r in sim.writes()] == ['POST', 'DELETE', 'PUT']  # the new key works before the old one goes
    assert [i['id'] for i in integrations(sim)] == [rotated['integration']['id']]
    assert rotated['diff'] == check['diff']
    assert run_module(pd_integration, service=cart, vendor='Datadog', rotate_key=True)['changed']  # every run


def test_max_key_age_days_rotates_only_an_old_key(sim, run_module, cart):
    sim.seed(integrations=[{'service': cart, 'vendor': {'id': 'PAM4FGS', 'type': 'vendor_reference'},
                            'name': 'Datadog-Shopping-Cart', 'created_at': '2020-01-01T00:00:00Z'}])
    old_key = integrations(sim)[0]['integration_key']
    rotated = run_module(pd_integration, service=cart, vendor='Datadog', max_key_age_days=90)
    assert rotated['changed'] and rotated['key_changed']
    assert integrations(sim)[0]['integration_key'] not in (old_key, None)
    sim.clear_requests()
    again = run_module(pd_integration, service=cart, vendor='Datadog', max_key_age_days=90)
    assert not again['changed'] and not again['key_changed'] and sim.writes() == []


def test_an_email_integration_has_no_key_to_rotate(sim, run_module, cart):
    run_module(pd_integration, service=cart, **EMAIL)
    result = run_module(pd_integration, service=cart, name='Email alerts', rotate_key=True)
    assert result['failed'] and result['msg'].startswith('rotate_key: integration ')
    assert 'no key to rotate' in result['msg']
    refused = run_module(pd_integration, service=cart, rotate_key=True, **EMAIL)
    assert refused['failed'] and 'no key to rotate' in refused['msg']


def test_return_key_false_leaves_the_key_out(sim, run_module, cart):
    result = run_module(pd_integration, service=cart, vendor='Datadog', return_key=False)
    assert result['changed'] and 'integration_key' not in result['integration']
    assert integrations(sim)[0]['integration_key']


# -- renames and derived names -------------------------------------------------------------------

def test_new_name_renames_then_a_second_run_is_ok(sim, run_module, cart):
    run_module(pd_integration, service=cart, type='events_api_v2', name='Events')
    renamed = run_module(pd_integration, diff=True, service=cart, type='events_api_v2', name='Events', new_name='Deploys')
    assert renamed['changed'] and renamed['diff'] == {'before': {'name': 'Events'}, 'after': {'name': 'Deploys'}}
    assert not run_module(pd_integration, service=cart, type='events_api_v2', name='Events', new_name='Deploys')['changed']
    assert [i['name'] for i in integrations(sim)] == ['Deploys']
    missing = run_module(pd_integration, service=cart, type='events_api_v2', name='Nope', new_name='Other')
    assert missing['failed'] and "no integration named 'Nope' to rename to 'Other'" in missing['msg']


def test_derived_name_finds_its_integration_after_the_service_is_renamed(sim, run_module, cart):
    first = run_module(pd_integration, service='Shopping Cart', vendor='Datadog')['integration']
    run_module(pd_service, name='Shopping Cart', new_name='Basket')
    again = run_module(pd_integration, diff=True, service='Basket', vendor='Datadog')
    assert again['changed'] and not again['key_changed']  # renamed, not a second integration
    assert again['integration']['id'] == first['id'] and again['integration']['name'] == 'Datadog-Basket'
    assert [i['name'] for i in integrations(sim)] == ['Datadog-Basket']
    assert not run_module(pd_integration, service='Basket', vendor='Datadog')['changed']


# -- mistakes fail before any write --------------------------------------------------------------

def test_a_filter_regex_without_its_mode_matches(sim, run_module, cart):
    options = dict(EMAIL, email_filters=[dict(subject_regex='DOWN')])
    run_module(pd_integration, service=cart, **options)
    assert integrations(sim)[0]['email_filters'][0]['subject_mode'] == 'match'
    assert not run_module(pd_integration, service=cart, **options)['changed']


@pytest.mark.parametrize('filters, message', [
    ([dict(subject_mode='always', subject_regex='DOWN')], 'email_filters[0].subject_mode: always ignores subject_regex'),
    ([], 'email_filters: must list at least one rule'),
])
def test_filters_that_would_not_filter_fail_locally(sim, run_module, cart, filters, message):
    sim.clear_requests()
    result = run_module(pd_integration, service=cart, **dict(EMAIL, email_filters=filters))
    assert result['failed'] and message in result['msg'] and sim.requests() == []


def test_a_taken_address_names_the_integration_that_holds_it(sim, run_module, cart):
    sim.seed(services=[{'name': 'Other', 'escalation_policy': 'Default'}])
    held = run_module(pd_integration, service='Other', **EMAIL)['integration']
    result = run_module(pd_integration, service=cart, **dict(EMAIL, name='Mine'))
    assert result['failed'] and result['msg'].startswith("integration_email: 'cart@acme.pagerduty.com' is already the "
                                                         "address of integration 'Email alerts' (%s) on service 'Other'"
                                                         % held['id'])


# -- a real, busy account ------------------------------------------------------------------------

def test_transient_refusals_of_a_create_are_retried(sim, run_module, cart):
    sim.settings(integration_create_transient_400s=2)
    result = run_module(pd_integration, service=cart, type='events_api_v2', name='Events')
    assert result['changed'] and len(integrations(sim)) == 1
    assert [r['status'] for r in sim.requests() if r['method'] == 'POST'] == [400, 400, 201]


@pytest.mark.reads_follow_writes('counts its requests exactly')
def test_a_real_refusal_is_not_retried(sim, run_module, cart):
    result = run_module(pd_integration, service=cart, type='email', name='Mail', integration_email='x@example.com')
    assert result['failed'] and 'must be an address ending in @acme.pagerduty.com' in result['msg']
    assert [r['method'] for r in sim.requests()].count('POST') == 1


def test_a_create_returns_once_reads_show_it(sim, run_module, cart):
    sim.settings(read_after_write_lag_seconds=1)
    created = run_module(pd_integration, service=cart, type='events_api_v2', name='Events', retries=10)
    assert created['changed']
    # The next task (with the lag still on) sees it: no second integration.
    again = run_module(pd_integration, service=cart, type='events_api_v2', name='Events')
    assert not again['changed'] and len(integrations(sim)) == 1


def test_a_service_named_like_an_id_is_found_when_ids_it_cannot_parse_get_400(sim, run_module):
    sim.settings(malformed_id_status=400)
    sim.seed(services=[{'name': 'PAYMENTS1', 'escalation_policy': 'Default'}])
    result = run_module(pd_integration, service='PAYMENTS1', type='events_api_v2', name='Events')
    assert result['changed'] and result['integration']['service']['summary'] == 'PAYMENTS1'
    assert [r['status'] for r in sim.requests()][:2] == [400, 200]  # tried as an ID, then by name
