"""pd_service and pd_service_info run in-process against the simulator; every claim about
requests and writes is read from the simulator's request log and state."""

import pytest

from tests.conftest import warning_texts

from ansible_collections.oncall.pagerduty.plugins.modules import pd_service, pd_service_info

FULL = dict(
    name='Shopping Cart', description='Checkout API', escalation_policy='Platform On-Call',
    auto_resolve_timeout=14400, acknowledgement_timeout=600,
    incident_urgency_rule=dict(type='use_support_hours', during_support_hours='high', outside_support_hours='low'),
    support_hours=dict(time_zone='Europe/Paris', start_time='09:00', end_time='18:00', days_of_week=[5, 1, 2, 3, 4]),
    scheduled_actions=[dict(at='support_hours_start')],
    alert_grouping_parameters=dict(type='content_based', config=dict(aggregate='all', fields=['source'], time_window=300)),
    auto_pause_notifications_parameters=dict(enabled=True, timeout=300),
    alert_creation='create_alerts_and_incidents',
)


def services(sim):
    return sim.state()['services']


def test_check_mode_create_writes_nothing(sim, run_module):
    result = run_module(pd_service, check_mode=True, diff=True, **FULL)
    assert result['changed']
    assert result['service']['id'] is None and result['service']['name'] == 'Shopping Cart'
    assert result['diff']['before'] == {} and result['diff']['after']['description'] == 'Checkout API'
    assert sim.writes() == [] and services(sim) == []


def test_create_every_setting_then_second_run_is_ok_in_one_request(sim, run_module):
    created = run_module(pd_service, diff=True, **FULL)
    assert created['changed']
    service = created['service']
    assert service['escalation_policy']['id'] == 'PPLATEP'
    assert service['support_hours']['days_of_week'] == [1, 2, 3, 4, 5]
    assert service['support_hours']['start_time'] == '09:00:00'
    assert service['incident_urgency_rule']['outside_support_hours'] == {'type': 'constant', 'urgency': 'low'}
    assert service['alert_grouping_parameters']['config']['fields'] == ['source']
    assert [r['method'] for r in sim.writes()] == ['POST']
    sim.clear_requests()
    again = run_module(pd_service, diff=True, **FULL)
    assert not again['changed'] and 'diff' not in again
    assert len(sim.requests()) == 1  # the policy by name is the service's own: no lookup


def test_no_op_with_policy_by_id_costs_one_request(sim, run_module):
    run_module(pd_service, name='web', escalation_policy='PDEFEP1')
    sim.clear_requests()
    assert not run_module(pd_service, name='web', escalation_policy='PDEFEP1')['changed']
    assert len(sim.requests()) == 1


@pytest.mark.reads_follow_writes('counts its requests exactly')
def test_changing_the_policy_by_name_looks_it_up_and_shows_names_in_the_diff(sim, run_module):
    run_module(pd_service, name='web', escalation_policy='Default')
    sim.clear_requests()
    result = run_module(pd_service, diff=True, name='web', escalation_policy='Payments On-Call')
    assert result['changed'] and result['service']['escalation_policy']['id'] == 'PPAYEP1'
    assert result['diff'] == {'before': {'escalation_policy': 'Default'}, 'after': {'escalation_policy': 'Payments On-Call'}}
    assert [r['method'] for r in sim.requests()] == ['GET', 'GET', 'PUT', 'GET']  # the last one: reads show it


@pytest.mark.parametrize('option, value, before, after', [
    ('description', 'new words', None, 'new words'),
    ('auto_resolve_timeout', 0, 14400, 0),
    ('acknowledgement_timeout', 900, 600, 900),
    ('incident_urgency_rule', dict(type='constant', urgency='severity_based'), None,
     {'type': 'constant', 'urgency': 'severity_based'}),
    ('alert_grouping_parameters', dict(type='time', config=dict(timeout=5)), None, {'type': 'time', 'config': {'timeout': 5}}),
    ('auto_pause_notifications_parameters', dict(enabled=True, timeout=600), None, {'enabled': True, 'timeout': 600}),
])
def test_each_setting_updates_with_a_diff_of_that_setting_only(sim, run_module, option, value, before, after):
    run_module(pd_service, name='web', escalation_policy='Default', auto_resolve_timeout=14400, acknowledgement_timeout=600)
    result = run_module(pd_service, diff=True, name='web', **{option: value})
    assert result['changed']
    assert list(result['diff']['after']) == [option] and result['diff']['after'][option] == after
    if before is not None:
        assert result['diff']['before'][option] == before
    assert not run_module(pd_service, name='web', **{option: value})['changed']


def test_alert_grouping_can_be_turned_off(sim, run_module):
    run_module(pd_service, name='web', escalation_policy='Default', alert_grouping_parameters=dict(type='time', config=dict(timeout=5)))
    result = run_module(pd_service, diff=True, name='web', alert_grouping_parameters=dict(type='none'))
    assert result['changed'] and result['diff'] == {'before': {'alert_grouping_parameters': {'type': 'time'}},
                                                    'after': {'alert_grouping_parameters': {'type': None}}}
    assert services(sim)[0]['alert_grouping_parameters']['type'] is None
    assert not run_module(pd_service, name='web', alert_grouping_parameters=dict(type='none'))['changed']


def test_disabled_timeout_is_sent_as_0_and_shown_as_0(sim, run_module):
    result = run_module(pd_service, name='web', escalation_policy='Default', auto_resolve_timeout=0)
    assert result['service']['auto_resolve_timeout'] == 0
    assert services(sim)[0]['auto_resolve_timeout'] is None  # PagerDuty stores null


def test_disable_and_re_enable(sim, run_module):
    run_module(pd_service, name='web', escalation_policy='Default')
    disabled = run_module(pd_service, diff=True, name='web', status='disabled')
    assert disabled['changed'] and disabled['diff'] == {'before': {'status': 'active'}, 'after': {'status': 'disabled'}}
    assert services(sim)[0]['status'] == 'disabled'
    assert not run_module(pd_service, name='web', status='disabled')['changed']
    assert run_module(pd_service, name='web', status='active')['changed']
    assert services(sim)[0]['status'] == 'active'


def test_creating_a_disabled_service_is_create_then_update(sim, run_module):
    result = run_module(pd_service, name='web', escalation_policy='Default', status='disabled')
    assert result['changed'] and result['service']['status'] == 'disabled'
    assert [r['method'] for r in sim.writes()] == ['POST', 'PUT']
    assert sim.writes()[0]['body']['service'].get('status') is None


def test_rename_by_id(sim, run_module):
    service_id = run_module(pd_service, name='old name', escalation_policy='Default')['service']['id']
    result = run_module(pd_service, diff=True, id=service_id, name='new name')
    assert result['changed'] and result['diff'] == {'before': {'name': 'old name'}, 'after': {'name': 'new name'}}
    assert [s['name'] for s in services(sim)] == ['new name']


def test_existing_service_is_adopted_by_name(sim, run_module):
    sim.seed(services=[{'name': 'web', 'escalation_policy': 'Default', 'description': 'made by hand'}])
    result = run_module(pd_service, name='web', escalation_policy='Default', description='made by hand')
    assert not result['changed'] and sim.writes() == []


def test_create_that_failed_with_a_server_error_is_verified_then_sent_again(sim, run_module):
    sim.fault(method='POST', path='^/services$', action='status', status=503)
    result = run_module(pd_service, name='web', escalation_policy='Default')
    assert result['changed']
    assert [r['status'] for r in sim.writes()] == [503, 201]
    assert len(services(sim)) == 1


def test_name_taken_between_lookup_and_create_is_adopted(sim, run_module):
    # Another run creates the service after this one looked and before it creates.
    sim.fault(method='POST', path='^/services$', action='status', status=400,
              body={'error': {'code': 2001, 'message': 'Invalid Input Provided', 'errors': ['Name has already been taken']}})
    sim.seed(services=[{'name': 'web', 'escalation_policy': 'Default'}])
    sim.clear_requests()
    # The seeded service is visible to the re-read that follows the conflict.
    result = run_module(pd_service, id=None, name='web', escalation_policy='Default', description='mine')
    assert not result.get('failed') and result['service']['description'] == 'mine'
    assert len(services(sim)) == 1


def test_support_hours_rule_needs_support_hours_unless_the_service_has_them(sim, run_module):
    rule = dict(type='use_support_hours', during_support_hours='high', outside_support_hours='low')
    refused = run_module(pd_service, name='web', escalation_policy='Default', incident_urgency_rule=rule)
    assert refused['failed'] and refused['msg'] == 'support_hours: required when incident_urgency_rule type is use_support_hours'
    assert sim.writes() == []
    run_module(pd_service, **FULL)
    assert not run_module(pd_service, name='Shopping Cart', incident_urgency_rule=rule)['changed']


def test_alert_creation_is_accepted_but_never_compared(sim, run_module):
    run_module(pd_service, name='web', escalation_policy='Default')
    assert not run_module(pd_service, name='web', alert_creation='create_alerts_and_incidents')['changed']


def test_read_only_token_can_run_check_mode(sim, run_module):
    result = run_module(pd_service, check_mode=True, api_token=sim.readonly_token, name='web', escalation_policy='PDEFEP1')
    assert result['changed'] and not result.get('failed')


# -- pd_service_info -----------------------------------------------------------------------------

def test_info_by_name_query_id_and_team(sim, run_module):
    sim.seed(services=[{'name': 'cart', 'escalation_policy': 'Platform On-Call', 'auto_resolve_timeout': None},
                       {'name': 'cart-worker', 'escalation_policy': 'Payments On-Call'},
                       {'name': 'billing', 'escalation_policy': 'Default'}])
    by_name = run_module(pd_service_info, name='cart')['services']
    assert [s['name'] for s in by_name] == ['cart'] and by_name[0]['auto_resolve_timeout'] == 0
    assert [s['name'] for s in run_module(pd_service_info, query='cart')['services']] == ['cart', 'cart-worker']
    assert [s['name'] for s in run_module(pd_service_info, id=by_name[0]['id'])['services']] == ['cart']
    assert run_module(pd_service_info, id='PNOSUCH')['services'] == []
    assert [s['name'] for s in run_module(pd_service_info, team_ids=['PTEAM02'])['services']] == ['cart-worker']
    assert len(run_module(pd_service_info)['services']) == 3


def test_info_with_integrations_in_one_request(sim, run_module):
    sim.seed(services=[{'name': 'cart', 'escalation_policy': 'Default'}],
             integrations=[{'service': 'cart', 'type': 'events_api_v2_inbound_integration', 'name': 'Events'}])
    sim.clear_requests()
    result = run_module(pd_service_info, check_mode=True, name='cart', include_integrations=True, return_keys=True)
    integration = result['services'][0]['integrations'][0]
    assert integration['name'] == 'Events' and len(integration['integration_key']) == 32
    without = run_module(pd_service_info, check_mode=True, name='cart', include_integrations=True)
    assert 'integration_key' not in without['services'][0]['integrations'][0]  # keys only where asked
    assert len(sim.requests()) == 2 and sim.requests()[0]['query']['include[]'] == [
        'auto_pause_notifications_parameters', 'integrations']


# -- renames, check mode of a new stack, and mistakes that fail before any write ------------------

def test_new_name_renames_and_a_second_run_is_ok(sim, run_module):
    run_module(pd_service, name='old name', escalation_policy='Default')
    renamed = run_module(pd_service, diff=True, name='old name', new_name='new name')
    assert renamed['changed'] and renamed['diff'] == {'before': {'name': 'old name'}, 'after': {'name': 'new name'}}
    sim.clear_requests()
    assert not run_module(pd_service, name='old name', new_name='new name')['changed']
    assert sim.writes() == [] and [s['name'] for s in services(sim)] == ['new name']
    missing = run_module(pd_service, name='nowhere', new_name='somewhere')
    assert missing['failed'] and missing['msg'].startswith("name: no service is named 'nowhere' to rename to 'somewhere'")


def test_check_mode_takes_a_policy_an_earlier_task_creates(sim, run_module):
    result = run_module(pd_service, check_mode=True, name='web', escalation_policy='Brand New On-Call')
    assert result['changed'] and result['service']['escalation_policy']['summary'] == 'Brand New On-Call'
    assert any("no escalation policy is named 'Brand New On-Call' yet" in w for w in warning_texts(result))
    real = run_module(pd_service, name='web', escalation_policy='Brand New On-Call')
    assert real['failed'] and real['msg'].startswith("escalation_policy: no escalation policy is named or identified")
    assert sim.writes() == []


@pytest.mark.parametrize('hours, message', [
    (dict(time_zone='Europe/Berln'), "support_hours.time_zone: 'Europe/Berln' is not a time zone of the IANA database; "
                                     "did you mean Europe/Berlin"),
    (dict(time_zone='europe/paris'), 'did you mean Europe/Paris?'),
    (dict(start_time='18:00', end_time='09:00'), 'support_hours.end_time: 09:00 is not after start_time 18:00'),
    (dict(end_time='1080'), "support_hours.end_time: '1080' is not a time of day such as 09:00 or 09:00:00; YAML read an "
                            'unquoted 18:00 as the number 1080, so quote the time: end_time: "18:00"'),
])
def test_support_hours_mistakes_fail_before_any_request(sim, run_module, hours, message):
    support_hours = dict(dict(time_zone='Europe/Paris', start_time='09:00', end_time='18:00', days_of_week=[1]), **hours)
    result = run_module(pd_service, name='web', escalation_policy='Default', support_hours=support_hours)
    assert result['failed'] and message in result['msg'] and sim.requests() == []


def test_a_constant_rule_on_a_service_with_scheduled_actions_is_refused_in_check_mode_too(sim, run_module):
    run_module(pd_service, **FULL)
    sim.clear_requests()
    constant = dict(type='constant', urgency='high')
    for check_mode in (True, False):
        result = run_module(pd_service, check_mode=check_mode, name='Shopping Cart', incident_urgency_rule=constant)
        assert result['failed'] and 'set scheduled_actions: [] in the same task' in result['msg']
    assert sim.writes() == []
    assert run_module(pd_service, name='Shopping Cart', incident_urgency_rule=constant, scheduled_actions=[])['changed']


# -- a real, busy account ------------------------------------------------------------------------

def test_active_means_enabled_whatever_the_incidents_say(sim, run_module):
    run_module(pd_service, name='web', escalation_policy='Default')
    sim.seed(incidents=[{'service': 'web', 'count': 1, 'status': 'triggered'}])
    sim.clear_requests()
    result = run_module(pd_service, name='web', status='active')
    assert not result['changed'] and result['service']['status'] == 'critical' and sim.writes() == []
    assert run_module(pd_service, name='web', status='disabled')['service']['status'] == 'disabled'


def test_values_the_server_replaces_with_its_recommendation_are_not_a_change(sim, run_module):
    options = dict(name='web', escalation_policy='Default',
                   auto_pause_notifications_parameters=dict(enabled=True, timeout=0),
                   alert_grouping_parameters=dict(type='intelligent', config=dict(time_window=0)))
    run_module(pd_service, **options)
    stored = services(sim)[0]
    assert stored['auto_pause_notifications_parameters']['timeout'] == 300  # the recommendation, not 0
    sim.clear_requests()
    assert not run_module(pd_service, **options)['changed'] and sim.writes() == []


def test_a_disabled_service_reads_disabled_before_the_create_returns(sim, run_module):
    sim.settings(read_after_write_lag_seconds=1)
    created = run_module(pd_service, name='web', escalation_policy='Default', status='disabled', retries=10)
    assert created['changed']
    again = run_module(pd_service, name='web', escalation_policy='Default', status='disabled')
    assert not again['changed'] and len(services(sim)) == 1


def test_teams_are_checked_against_the_policys_and_never_sent(sim, run_module):
    created = run_module(pd_service, name='web', escalation_policy='Payments On-Call', teams=['Payments'])
    assert created['changed'] and 'teams' not in sim.writes()[0]['body']['service']
    sim.clear_requests()
    assert not run_module(pd_service, name='web', teams=['PTEAM02'])['changed']  # by ID, the service's own policy
    assert len(sim.requests()) == 1
    wrong = run_module(pd_service, name='web', teams=['Platform'])
    assert wrong['failed'] and wrong['msg'].startswith(
        "teams: a service belongs to the teams of its escalation policy (PagerDuty ignores teams sent with a service), "
        "and 'Payments On-Call' belongs to Payments, not Platform.")
    moved = run_module(pd_service, name='web', escalation_policy='Platform On-Call', teams=['Platform'])
    assert moved['changed'] and sim.state()['services'][0]['teams'][0]['summary'] == 'Platform'
    none = run_module(pd_service, name='other', escalation_policy='Default', teams=['Platform'])
    assert none['failed'] and "'Default' belongs to no team, not Platform" in none['msg'] and len(sim.state()['services']) == 1


# -- custom fields and grouping held by a setting -----------------------------------------------------

@pytest.fixture
def tier_field(sim):
    answer = sim.api('POST', '/services/custom_fields', {'field': {
        'name': 'tier', 'display_name': 'Tier', 'data_type': 'string', 'field_type': 'single_value_fixed',
        'field_options': [{'data': {'data_type': 'string', 'value': v}} for v in ('gold', 'silver')]}})
    assert answer.status_code == 201, answer.text
    answer = sim.api('POST', '/services/custom_fields', {'field': {
        'name': 'owner_email', 'display_name': 'Owner', 'data_type': 'string', 'field_type': 'single_value'}})
    assert answer.status_code == 201, answer.text
    sim.clear_requests()


def values_of_service(sim, service_id):
    return {f['name']: f['value'] for f in sim.api('GET', '/services/%s/custom_fields/values' % service_id).json()['custom_fields']}


def test_custom_fields_are_set_with_the_service_and_compared_only_for_those_given(sim, run_module, tier_field):
    checked = run_module(pd_service, check_mode=True, diff=True, name='web', escalation_policy='Default',
                         custom_fields=dict(tier='gold'))
    created = run_module(pd_service, diff=True, name='web', escalation_policy='Default', custom_fields=dict(tier='gold'))
    assert created['changed'] and created['service']['custom_fields']['tier'] == 'gold'
    assert created['diff']['after']['custom_fields'] == checked['diff']['after']['custom_fields'] == {'tier': 'gold'}
    assert created['diff']['before'] == checked['diff']['before'] == {}  # a new service had nothing before
    service_id = created['service']['id']
    sim.api('PUT', '/services/%s/custom_fields/values' % service_id, {'custom_fields': [{'name': 'owner_email', 'value': 'a@b.c'}]})
    sim.clear_requests()
    again = run_module(pd_service, name='web', custom_fields=dict(tier='gold'))
    assert not again['changed'] and sim.writes() == [] and len(sim.requests()) == 2  # the service, its values
    changed = run_module(pd_service, diff=True, name='web', custom_fields=dict(tier='silver'))
    assert changed['diff'] == {'before': {'custom_fields': {'tier': 'gold'}}, 'after': {'custom_fields': {'tier': 'silver'}}}
    assert values_of_service(sim, service_id) == {'tier': 'silver', 'owner_email': 'a@b.c'}  # the other one kept
    info = run_module(pd_service_info, name='web', include_custom_fields=True)
    assert info['services'][0]['custom_fields'] == {'tier': 'silver', 'owner_email': 'a@b.c'}


def test_custom_field_values_are_checked_before_any_write(sim, run_module, tier_field):
    result = run_module(pd_service, name='web', escalation_policy='Default', custom_fields=dict(tier='bronze'))
    assert result['failed'] and result['msg'].startswith('custom_fields.tier: ') and 'bronze' in result['msg']
    assert sim.writes() == [] and services(sim) == []
    unknown = run_module(pd_service, name='web', escalation_policy='Default', custom_fields=dict(teir='gold'))
    assert unknown['failed'] and "did you mean 'tier'" in unknown['msg'] and sim.writes() == []


def test_grouping_held_by_a_setting_is_left_alone_with_a_warning(sim, run_module):
    run_module(pd_service, name='web', escalation_policy='Default')
    run_module(pd_service, name='api', escalation_policy='Default')
    ids = [s['id'] for s in services(sim)]
    answer = sim.api('POST', '/alert_grouping_settings', {'alert_grouping_setting': {
        'name': 'Shared', 'type': 'content_based', 'config': {'aggregate': 'all', 'fields': ['source']},
        'services': [{'id': i} for i in ids]}})
    assert answer.status_code in (200, 201), answer.text
    sim.clear_requests()
    result = run_module(pd_service, name='web', alert_grouping_parameters=dict(type='time', config=dict(timeout=5)))
    assert not result['changed'] and sim.writes() == []
    assert any("held by the Alert Grouping Setting 'Shared'" in w for w in warning_texts(result))
