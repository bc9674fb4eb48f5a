"""Wrong input to pd_alert_grouping_setting and pd_service_custom_field: each case must fail with a message that
names the option and the problem, with no traceback, and with nothing written (no write that succeeded in the
simulator's request log, and the settings and fields as they were)."""

import pytest

from ansible_collections.oncall.pagerduty.plugins.modules import pd_alert_grouping_setting, pd_service_custom_field
from tests.reliability.bad_input import case_id, check_bad_input

CONTENT = dict(aggregate='all', fields=['summary'])
NEW = dict(name='New grouping', type='content_based', config=CONTENT, services=['Payments'])
FIELD = dict(name='owner_team', display_name='Owner team', data_type='string', field_type='single_value')

CASES = [
    # -- pd_alert_grouping_setting: identity -------------------------------------------------------
    (pd_alert_grouping_setting, dict(type='time'), 'one of the following is required: name, id'),
    (pd_alert_grouping_setting, dict(NEW, name=' '), 'name: must not be blank'),
    (pd_alert_grouping_setting, dict(id='PNOSUCH', type='time'), "id: no alert grouping setting has the ID 'PNOSUCH'"),
    (pd_alert_grouping_setting, dict(name='Nowhere', new_name='Somewhere'),
     "name: no alert grouping setting is named 'Nowhere' to rename to 'Somewhere'"),
    (pd_alert_grouping_setting, dict(id='PABCDEF', new_name='x'), 'parameters are mutually exclusive: id|new_name'),
    # -- type and config, per type -------------------------------------------------------------------
    (pd_alert_grouping_setting, dict(NEW, type='rules'), 'value of type must be one of: content_based, content_based_intelligent'),
    (pd_alert_grouping_setting, dict(NEW, type='time', config=dict(timeout=5)),
     'config.timeout: must be 0 (group until the incident is resolved) or 60 to 86400 seconds, got 5; a setting takes '
     'seconds where alert_grouping_parameters took minutes, so 5 minutes is 300'),
    (pd_alert_grouping_setting, dict(NEW, type='time', config=dict(timeout=90000)), 'config.timeout: must be 0'),
    (pd_alert_grouping_setting, dict(NEW, config=dict(CONTENT, time_window=100)),
     'config.time_window: must be 0 (the window PagerDuty recommends) or 300 to 3600 seconds (or 86400 with type content_based), got 100'),
    (pd_alert_grouping_setting, dict(NEW, type='intelligent', config=dict(time_window=86400)),
     'config.time_window: must be 0 (the window PagerDuty recommends) or 300 to 3600 seconds, got 86400'),
    (pd_alert_grouping_setting, dict(NEW, type='time', config=dict(timeout=300, aggregate='all')),
     'config: aggregate not allowed with type time (allowed: timeout)'),
    (pd_alert_grouping_setting, dict(NEW, type='intelligent', config=dict(iag_fields=['a', 'b', 'c', 'd', 'e', 'f'])),
     'config.iag_fields: PagerDuty compares at most 5 fields, got 6'),
    (pd_alert_grouping_setting, dict(NEW, config=dict(aggregate='all', fields=[])), 'config.fields: list at least one alert field'),
    (pd_alert_grouping_setting, dict(NEW, config=dict(aggregate='all')), 'config: type content_based needs config.fields'),
    (pd_alert_grouping_setting, dict(NEW, config=dict(aggregate='most', fields=['summary'])),
     'value of aggregate must be one of: all, any, got: most found in config'),
    (pd_alert_grouping_setting, dict(name='Global', config=dict(timeout=60)),
     'config: timeout not allowed with type content_based'),
    (pd_alert_grouping_setting, dict(NEW, type=None), "type: required to create the alert grouping setting 'New grouping'"),
    # -- services --------------------------------------------------------------------------------
    (pd_alert_grouping_setting, dict(NEW, services=None), "services: required to create the alert grouping setting 'New grouping'"),
    (pd_alert_grouping_setting, dict(NEW, services=[]), 'services: a setting holds at least one service; to remove the setting'),
    (pd_alert_grouping_setting, dict(NEW, services=['Payments', 'Payments']), "services: 'Payments' is listed twice"),
    (pd_alert_grouping_setting, dict(NEW, services=['']), 'services[0]: must not be blank'),
    (pd_alert_grouping_setting, dict(NEW, services=['Paymnets']), "services[0]: no service is named or identified by 'Paymnets'"),
    (pd_alert_grouping_setting, dict(NEW, type='time', config=dict(timeout=60), services=['Payments', 'Cart']),
     'services: a setting of type time holds one service at most'),
    (pd_alert_grouping_setting, dict(NEW, services=['Payments', 'Cart']),
     "services: 'Cart' is in the alert grouping setting 'Global' (P"),
    (pd_alert_grouping_setting, dict(NEW, services_mode='merge'), 'value of services_mode must be one of: append, exclusive'),
    (pd_alert_grouping_setting, dict(name='Global', type='time', config=dict(timeout=60)),
     'services: a setting of type time holds one service at most, and this one would hold 2 (Cart, Checkout)'),
    # -- pd_service_custom_field -----------------------------------------------------------------
    (pd_service_custom_field, dict(FIELD, name='Owner Team'),
     "name: 'Owner Team' may hold only lowercase letters, digits and underscores, at most 50 characters (for example 'owner_team')"),
    (pd_service_custom_field, dict(FIELD, name='x' * 51), 'name: '),
    (pd_service_custom_field, dict(FIELD, display_name=' '), 'display_name: must not be blank'),
    (pd_service_custom_field, dict(FIELD, display_name='D' * 51), 'display_name: PagerDuty allows at most 50 characters, got 51'),
    (pd_service_custom_field, dict(FIELD, description='d' * 1001), 'description: at most 1000 characters, got 1001'),
    (pd_service_custom_field, dict(FIELD, data_type='text'), 'value of data_type must be one of: boolean, datetime, float'),
    (pd_service_custom_field, dict(FIELD, field_type='multi_value', data_type='integer'),
     'data_type: field_type multi_value takes data_type string only, got integer'),
    (pd_service_custom_field, dict(FIELD, field_options=['a']),
     'field_options: only fields of field_type single_value_fixed or multi_value_fixed have options, and this one is single_value'),
    (pd_service_custom_field, dict(FIELD, field_type='single_value_fixed'),
     'field_options: a field of field_type single_value_fixed takes its values from its options; list them'),
    (pd_service_custom_field, dict(FIELD, field_type='single_value_fixed', field_options=['a', 'a']), "field_options: 'a' is listed twice"),
    (pd_service_custom_field, dict(FIELD, field_type='single_value_fixed', field_options=['o' * 201]),
     'field_options[0]: at most 200 characters, got 201'),
    (pd_service_custom_field, dict(FIELD, display_name=None), "display_name: required to create the custom field 'owner_team'"),
    (pd_service_custom_field, dict(FIELD, data_type=None), "data_type: required to create the custom field 'owner_team'"),
    (pd_service_custom_field, dict(FIELD, display_name='Tier'),
     "display_name: 'Tier' is the display name of the field 'tier' already"),
    (pd_service_custom_field, dict(name='tier', data_type='integer'),
     "data_type: the field 'tier' is string, and PagerDuty cannot change a field's data_type once it is created"),
    (pd_service_custom_field, dict(name='tier', field_type='multi_value_fixed'),
     "field_type: the field 'tier' is single_value_fixed, and PagerDuty cannot change a field's field_type"),
]


def settings_and_fields(sim):
    settings = sim.api('GET', '/alert_grouping_settings').json()['alert_grouping_settings']
    fields = sim.api('GET', '/services/custom_fields', **{'include[]': 'field_options'}).json()['fields']
    return settings, fields


@pytest.fixture
def world(sim):
    """Services Cart, Checkout and Payments; a setting 'Global' holding Cart and Checkout; a field 'tier'."""
    ids = sim.seed(services=[{'name': name, 'escalation_policy': 'Default'} for name in ('Cart', 'Checkout', 'Payments')])
    sim.api('POST', '/alert_grouping_settings', {'alert_grouping_setting': {
        'name': 'Global', 'type': 'content_based', 'config': CONTENT,
        'services': [{'id': i} for i in ids['services'][:2]]}}).raise_for_status()
    sim.api('POST', '/services/custom_fields', {'field': {
        'name': 'tier', 'display_name': 'Tier', 'data_type': 'string', 'field_type': 'single_value_fixed',
        'field_options': [{'data': {'data_type': 'string', 'value': 't1'}}]}}).raise_for_status()
    before = sim.state()
    sim.clear_requests()
    return before


@pytest.mark.parametrize('module, options, message', CASES, ids=[case_id(c) for c in CASES])
def test_bad_input(sim, world, run_module, report, module, options, message):
    family_state = settings_and_fields(sim)
    sim.clear_requests()
    check_bad_input(sim, world, run_module, report, module, options, message)
    assert settings_and_fields(sim) == family_state
