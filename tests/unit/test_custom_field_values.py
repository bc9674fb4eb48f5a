"""The custom field value functions pd_service and pd_service_info call, tested directly with a client against
the simulator: values are checked against their field before any request that writes, compared only for the
fields given, and written in one request."""

import pytest

from ansible_collections.oncall.pagerduty.plugins.module_utils._client import PagerDutyClient, PagerDutyError
from ansible_collections.oncall.pagerduty.plugins.module_utils._custom_field import (
    desired_custom_field_values,
    read_custom_field_values,
    write_custom_field_values,
)

FIELDS = [
    dict(name='owner_team', display_name='Owner team', data_type='string', field_type='single_value'),
    dict(name='tier', display_name='Tier', data_type='string', field_type='single_value_fixed',
         field_options=[{'data': {'data_type': 'string', 'value': v}} for v in ('tier-1', 'tier-2')]),
    dict(name='regions', display_name='Regions', data_type='string', field_type='multi_value_fixed',
         field_options=[{'data': {'data_type': 'string', 'value': v}} for v in ('eu-west-1', 'us-east-1')]),
    dict(name='replicas', display_name='Replicas', data_type='integer', field_type='single_value'),
    dict(name='error_budget', display_name='Error budget', data_type='float', field_type='single_value'),
    dict(name='pci', display_name='PCI scope', data_type='boolean', field_type='single_value'),
    dict(name='runbook', display_name='Runbook', data_type='url', field_type='single_value'),
    dict(name='launched', display_name='Launched', data_type='datetime', field_type='single_value'),
    dict(name='legacy', display_name='Legacy', data_type='string', field_type='single_value', enabled=False),
]


@pytest.fixture
def service_id(sim):
    for field in FIELDS:
        assert sim.api('POST', '/services/custom_fields', {'field': field}).status_code == 201
    service = sim.seed(services=[{'name': 'Checkout', 'escalation_policy': 'Default'}])['services'][0]
    sim.clear_requests()
    return service


@pytest.fixture
def client(sim):
    return PagerDutyClient(sim.token, api_url=sim.url, retries=2, retry_timeout=10)


@pytest.mark.reads_follow_writes('reads the account right after the task, before a lagging read would show it')
def test_values_are_checked_and_only_the_differences_are_returned_in_one_request(sim, client, service_id):
    current = read_custom_field_values(client, service_id)
    assert current == {'owner_team': None, 'tier': None, 'regions': None, 'replicas': None, 'error_budget': None,
                       'pci': None, 'runbook': None, 'launched': None}
    sim.clear_requests()
    wanted = {'owner_team': 'Payments', 'tier': 'tier-1', 'regions': ['us-east-1', 'eu-west-1'], 'replicas': '3',
              'error_budget': 0.5, 'pci': 'yes', 'runbook': 'https://wiki.example.com/checkout',
              'launched': '2025-05-01T09:00:00+02:00'}
    changes = desired_custom_field_values(client, wanted, 'custom_fields', current)
    assert changes == dict(wanted, replicas=3, pci=True)  # converted where nothing is lost
    assert len(sim.requests()) == 1 and sim.writes() == []
    after = write_custom_field_values(client, service_id, changes)
    assert [(r['method'], r['path']) for r in sim.writes()] == [('PUT', '/services/%s/custom_fields/values' % service_id)]
    assert after['replicas'] == 3 and after['regions'] == ['us-east-1', 'eu-west-1']
    sim.clear_requests()
    # The same values (a list in another order, the same instant in UTC): nothing to send.
    same = dict(wanted, regions=['eu-west-1', 'us-east-1'], launched='2025-05-01T07:00:00Z')
    current = read_custom_field_values(client, service_id)
    sim.clear_requests()
    assert desired_custom_field_values(client, same, 'custom_fields', current) == {}
    assert len(sim.requests()) == 1  # '3' and 'yes' are converted with the definitions to compare
    sim.clear_requests()
    held = dict(same, replicas=3, pci=True)
    assert desired_custom_field_values(client, held, 'custom_fields', current) == {}
    assert sim.requests() == []  # the service holds every value as given: nothing to check or send


@pytest.mark.reads_follow_writes('reads the account right after the task, before a lagging read would show it')
def test_only_the_fields_given_are_compared_and_null_clears_a_value(sim, client, service_id):
    write_custom_field_values(client, service_id, {'owner_team': 'Payments', 'tier': 'tier-2'})
    current = read_custom_field_values(client, service_id)
    assert desired_custom_field_values(client, {'tier': 'tier-2'}, 'custom_fields', current) == {}
    assert desired_custom_field_values(client, {'owner_team': None}, 'custom_fields', current) == {'owner_team': None}
    write_custom_field_values(client, service_id, {'owner_team': None})
    assert read_custom_field_values(client, service_id)['owner_team'] is None
    assert read_custom_field_values(client, service_id)['tier'] == 'tier-2'


def test_a_new_service_sends_every_value_given(client, service_id):
    assert desired_custom_field_values(client, {'tier': 'tier-1'}, 'custom_fields', None) == {'tier': 'tier-1'}
    assert desired_custom_field_values(client, {}, 'custom_fields', None) == {}


@pytest.mark.parametrize('values, message', [
    ({'tierr': 'tier-1'}, "custom_fields.tierr: no service custom field is named 'tierr'; did you mean 'tier' (display name 'Tier')?"),
    ({'Owner team': 'x'}, "custom_fields.Owner team: no service custom field is named 'Owner team'; did you mean 'owner_team'"),
    ({'nothing_like_it': 'x'}, 'create it with oncall.pagerduty.pd_service_custom_field first'),
    ({'legacy': 'x'}, "custom_fields.legacy: the field 'legacy' is disabled"),
    ({'tier': 'tier-9'}, "custom_fields.tier: 'tier-9' is not one of its options (tier-1, tier-2) (the field is string, single_value_fixed)"),
    ({'regions': ['eu-west-1', 'mars-1']}, "custom_fields.regions: 'mars-1' is not one of its options (eu-west-1, us-east-1)"),
    ({'regions': ['eu-west-1', 'eu-west-1']}, "custom_fields.regions: 'eu-west-1' is listed twice"),
    ({'owner_team': ['a', 'b']}, 'custom_fields.owner_team: holds one value (field_type single_value), got a list'),
    ({'replicas': 'three'}, 'custom_fields.replicas: must be a whole number (the field is integer, single_value)'),
    ({'replicas': 2.5}, 'custom_fields.replicas: must be a whole number'),
    ({'error_budget': 'half'}, 'custom_fields.error_budget: must be a number'),
    ({'pci': 'maybe'}, 'custom_fields.pci: must be true or false'),
    ({'runbook': 'wiki/checkout'}, "custom_fields.runbook: 'wiki/checkout' is not an http or https URL"),
    ({'launched': '2025-05-01 09:00'}, "custom_fields.launched: '2025-05-01 09:00' is not an ISO 8601 date and time with a time zone"),
    ({'owner_team': 'x' * 201}, 'custom_fields.owner_team: must be at most 200 characters, got 201'),
])
def test_a_value_the_field_cannot_hold_fails_naming_the_option_before_any_write(sim, client, service_id, values, message):
    with pytest.raises(PagerDutyError) as failure:
        desired_custom_field_values(client, values, 'custom_fields', {})
    assert message in str(failure.value) and failure.value.option.startswith('custom_fields.')
    assert sim.writes() == []


def test_a_date_yaml_read_without_a_time_is_refused_with_a_hint(client, service_id):
    import datetime

    with pytest.raises(PagerDutyError) as failure:
        desired_custom_field_values(client, {'launched': datetime.date(2025, 5, 1)}, 'services[2].custom_fields', {})
    assert str(failure.value).startswith('services[2].custom_fields.launched: must be a date and a time with a time zone, '
                                         'such as 2025-05-01T00:00:00Z (quote it in YAML)')


def test_check_mode_takes_a_field_an_earlier_task_creates_as_given(sim, client, service_id):
    warnings = []
    changes = desired_custom_field_values(client, {'cost_center': 'CC-12'}, 'custom_fields', {}, predict_missing=True,
                                          warn=warnings.append)
    assert changes == {'cost_center': 'CC-12'}
    assert warnings == ["custom_fields.cost_center: no service custom field is named 'cost_center' yet. Check mode assumes "
                        'that an earlier task of this run creates it; a real run fails if it still does not exist then.']


def test_the_simulator_refuses_what_the_functions_refuse(sim, service_id):
    """All or nothing: one wrong value leaves every value as it was (the update model's description)."""
    path = '/services/%s/custom_fields/values' % service_id
    refused = sim.api('PUT', path, {'custom_fields': [{'name': 'owner_team', 'value': 'Payments'},
                                                      {'name': 'tier', 'value': 'tier-9'}]})
    assert refused.status_code == 400 and 'tier-9' in refused.text
    assert sim.api('GET', path).json()['custom_fields'][0]['value'] is None


def test_written_values_are_read_back_until_reads_show_them(sim, run_module, service_id):
    from ansible_collections.oncall.pagerduty.plugins.modules import pd_service

    sim.settings(read_after_write_lag_seconds=1)
    result = run_module(pd_service, name='Checkout', custom_fields={'tier': 'tier-1'})
    assert result['changed'] and result['service']['custom_fields']['tier'] == 'tier-1'
    path = '/services/%s/custom_fields/values' % service_id
    reads = [r for r in sim.requests() if (r['method'], r['path']) == ('GET', path)]
    assert len(reads) >= 3  # the values before the write; then the first read after it still showed the old ones
