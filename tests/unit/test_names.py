"""Every kind treats names alike: a space at either end, a non-printable character, PagerDuty's length limit where
it publishes one, and what a look-up can carry where it does not, all fail before any request, naming the option."""

import pytest

from ansible_collections.oncall.pagerduty.plugins.modules import (
    pd_alert_grouping_setting,
    pd_business_service,
    pd_escalation_policy,
    pd_event_orchestration,
    pd_event_orchestration_route,
    pd_integration,
    pd_service,
    pd_service_custom_field,
    pd_team,
)
from tests.conftest import warning_texts

# Each kind with a name, and the option that names it.
NAMED = [
    (pd_service, dict(escalation_policy='Default'), 'name'),
    (pd_integration, dict(service='web', type='events_api_v2'), 'name'),
    (pd_team, {}, 'name'),
    (pd_escalation_policy, {}, 'name'),
    (pd_business_service, {}, 'name'),
    (pd_event_orchestration, {}, 'name'),
    (pd_alert_grouping_setting, dict(type='time'), 'name'),
    (pd_service_custom_field, dict(data_type='string', field_type='single_value', name='tier'), 'display_name'),
    (pd_event_orchestration_route, dict(orchestration='Monitoring', service='web'), 'label'),
]
IDS = [module.__name__.rsplit('.', 1)[1] for module, dummy, dummy_option in NAMED]


@pytest.mark.parametrize('module, options, option', NAMED, ids=IDS)
@pytest.mark.parametrize('name, message', [
    (' padded', "must not start or end with a space (' padded'); to manage an object whose name has one, give its id"),
    ('padded ', "must not start or end with a space ('padded '); to manage an object whose name has one, give its id"),
    ('line\nbreak', "must not contain non-printable characters ('line\\nbreak')"),
    ('   ', 'must not be blank'),
])
def test_every_kind_refuses_the_same_names_the_same_way(sim, run_module, module, options, option, name, message):
    sim.clear_requests()
    result = run_module(module, **dict(options, **{option: name}))
    assert result['failed'] and result['msg'] == '%s: %s' % (option, message)
    assert sim.requests() == []


def test_a_name_longer_than_a_look_up_can_carry_fails_before_any_request(sim, run_module):
    result = run_module(pd_service, name='x' * 100000, escalation_policy='Default')
    assert result['failed'] and result['msg'].startswith(
        'name: 100000 characters is longer than a look-up by name can carry (PagerDuty publishes no limit for this '
        'name, but the look-up puts it in the URL: 100000 bytes once encoded, at most 2000)')
    assert sim.requests() == []


def test_a_long_name_without_a_published_limit_is_taken(sim, run_module):
    # PagerDuty publishes no limit for a service's name: 300 characters is PagerDuty's to refuse, not ours.
    result = run_module(pd_service, name='s' * 300, escalation_policy='Default')
    assert result['changed'] and not result.get('failed'), result.get('msg')


def test_a_published_limit_is_applied(sim, run_module):
    result = run_module(pd_team, name='t' * 101)
    assert result['failed'] and result['msg'] == 'name: PagerDuty allows at most 100 characters, got 101'
    assert sim.requests() == []


@pytest.mark.parametrize('module, options, make', [
    (pd_service, dict(escalation_policy='Default'),
     lambda sim: sim.seed(services=[{'name': 'Legacy Billing', 'escalation_policy': 'Default'}])),
    (pd_team, {}, lambda sim: sim.api('POST', '/teams', {'team': {'name': 'Legacy Billing'}})),
    (pd_business_service, {}, lambda sim: sim.api('POST', '/business_services', {'business_service': {'name': 'Legacy Billing'}})),
], ids=['service', 'team', 'business service'])
def test_a_name_that_differs_only_in_case_is_created_with_a_warning_naming_the_look_alike(sim, run_module, module,
                                                                                          options, make):
    make(sim)
    result = run_module(module, name='LEGACY BILLING', **options)
    assert result['changed'] and not result.get('failed'), result.get('msg')
    [warning] = [w for w in warning_texts(result) if 'differ' in w]
    assert warning.startswith("name: no ") and "named 'LEGACY BILLING' exactly, so one is created; 'Legacy Billing' (" in warning
