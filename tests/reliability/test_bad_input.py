"""Wrong input to the service, integration and Datadog modules (other families have
test_bad_input_<family>.py): each case must fail with a message that names the option and the
problem, with no traceback, and with nothing written (the simulator's request log shows no write
that succeeded)."""

import json

import pytest

from ansible_collections.oncall.pagerduty.plugins.modules import (
    pd_datadog_service,
    pd_integration,
    pd_integration_move,
    pd_service,
    pd_service_info,
    pd_vendor_info,
)
from tests.reliability.bad_input import case_id, check_bad_input
from tests.simulator import DEFAULT_READONLY_TOKEN

SERVICE = dict(name='web', escalation_policy='Default')
EMAIL = dict(service='Cart', type='email', name='Mail', integration_email='mail@acme.pagerduty.com')
EXTRACTOR = [dict(type='entire', part='body', value_name='incident_key')]
KEY = 'f' * 32

CASES = [
    # -- credentials, endpoint and transport (every module shares them) ----------------------------
    (pd_vendor_info, dict(name='Datadog', api_token=None), 'api_token: no PagerDuty API token was given'),
    (pd_service, dict(SERVICE, api_token='not-a-token'), 'the API token was rejected'),
    (pd_service, dict(SERVICE, api_token=DEFAULT_READONLY_TOKEN), 'it may be a read-only API key'),
    (pd_vendor_info, dict(name='Datadog', region='mars'), 'value of region must be one of: eu, us, got: mars'),
    (pd_vendor_info, dict(name='Datadog', api_url='ftp://example'), "api_url: 'ftp://example' is not an http(s) URL"),
    (pd_vendor_info, dict(name='Datadog', api_url='http://127.0.0.1:9'), 'connection to http://127.0.0.1:9 failed'),
    (pd_vendor_info, dict(name='Datadog', timeout=0), 'timeout: must be between 1 and 3600, got 0'),
    (pd_vendor_info, dict(name='Datadog', retries=-1), 'retries: must be between 0 and 100, got -1'),
    (pd_vendor_info, dict(name='Datadog', retry_timeout=-5), 'retry_timeout: must be between 0 and 86400, got -5'),
    (pd_vendor_info, dict(name='Datadog', timeout='soon'), "argument 'timeout' is of type"),
    # -- pd_vendor_info and pd_service_info -------------------------------------------------------
    (pd_vendor_info, dict(name='Datadog', id='PAM4FGS'), 'parameters are mutually exclusive: name|query|id'),
    (pd_vendor_info, dict(name='  '), 'name: must not be blank'),
    (pd_service_info, dict(id='PXXXXXX', team_ids=['PTEAM01']), 'parameters are mutually exclusive: id|team_ids'),
    (pd_service_info, dict(query=''), 'query: must not be blank'),
    # -- pd_service -------------------------------------------------------------------------------
    (pd_service, dict(), 'one of the following is required: name, id'),
    (pd_service, dict(name='web'), "escalation_policy: required to create the service 'web'"),
    (pd_service, dict(name='web', escalation_policy='Nobody On-Call'), "escalation_policy: no escalation policy is named or identified by 'Nobody On-Call'"),
    (pd_service, dict(id='PNOSUCH', name='x'), "id: no service has the ID 'PNOSUCH'"),
    (pd_service, dict(SERVICE, name=''), 'name: must not be blank'),
    (pd_service, dict(SERVICE, name='web\n'), 'name: must not contain non-printable characters'),
    (pd_service, dict(SERVICE, name=' web'), 'name: must not start or end with a space'),
    (pd_service, dict(SERVICE, status='maintenance'), 'value of status must be one of: active, disabled, got: maintenance'),
    (pd_service, dict(SERVICE, alert_creation='create_incidents'), 'alert_creation: create_incidents is no longer available'),
    (pd_service, dict(SERVICE, auto_resolve_timeout=-1), 'auto_resolve_timeout: must be 0 (disabled) or a positive number of seconds'),
    (pd_service, dict(SERVICE, acknowledgement_timeout=-5), 'acknowledgement_timeout: must be 0 (disabled)'),
    (pd_service, dict(SERVICE, incident_urgency_rule=dict(type='constant')), 'incident_urgency_rule: type constant needs urgency'),
    (pd_service, dict(SERVICE, incident_urgency_rule=dict(type='constant', urgency='urgent')),
     'value of urgency must be one of: high, low, severity_based, got: urgent found in incident_urgency_rule'),
    (pd_service, dict(SERVICE, incident_urgency_rule=dict(type='use_support_hours', urgency='high', during_support_hours='high',
                                                          outside_support_hours='low')),
     'incident_urgency_rule: urgency cannot be set with type use_support_hours'),
    (pd_service, dict(SERVICE, incident_urgency_rule=dict(type='use_support_hours', during_support_hours='high')),
     'incident_urgency_rule: type use_support_hours needs both during_support_hours and outside_support_hours'),
    (pd_service, dict(SERVICE, incident_urgency_rule=dict(type='constant', urgency='high', outside_support_hours='low')),
     'incident_urgency_rule: during_support_hours and outside_support_hours need type use_support_hours'),
    (pd_service, dict(SERVICE, incident_urgency_rule=dict(type='use_support_hours', during_support_hours='high',
                                                          outside_support_hours='low')),
     'support_hours: required when incident_urgency_rule type is use_support_hours'),
    (pd_service, dict(SERVICE, scheduled_actions=[dict(at='support_hours_start')], incident_urgency_rule=dict(type='constant', urgency='high')),
     'scheduled_actions: need incident_urgency_rule type use_support_hours'),
    (pd_service, dict(SERVICE, support_hours=dict(time_zone='UTC', start_time='9am', end_time='17:00', days_of_week=[1])),
     "support_hours.start_time: '9am' is not a time of day"),
    (pd_service, dict(SERVICE, support_hours=dict(time_zone='UTC', start_time='09:00', end_time='17:00', days_of_week=[0, 8])),
     'support_hours.days_of_week: must list days from 1 (Monday) to 7 (Sunday), got [0, 8]'),
    (pd_service, dict(SERVICE, support_hours=dict(time_zone=' ', start_time='09:00', end_time='17:00', days_of_week=[1])),
     'support_hours.time_zone: must not be blank'),
    (pd_service, dict(SERVICE, alert_grouping_parameters=dict(type='time', config=dict(time_window=300))),
     'alert_grouping_parameters.config: time_window not allowed with type time (allowed: timeout)'),
    (pd_service, dict(SERVICE, alert_grouping_parameters=dict(type='time', config=dict(timeout=2000))),
     'alert_grouping_parameters.config.timeout: must be 0 to 1440 minutes, got 2000'),
    (pd_service, dict(SERVICE, alert_grouping_parameters=dict(type='intelligent', config=dict(time_window=5))),
     'alert_grouping_parameters.config.time_window: must be 0 or 300 to 3600 seconds, got 5'),
    (pd_service, dict(SERVICE, alert_grouping_parameters=dict(type='intelligent', config=dict(time_window=86400))),
     'must be 0 or 300 to 3600 seconds, got 86400'),
    (pd_service, dict(SERVICE, alert_grouping_parameters=dict(type='content_based', config=dict(aggregate='all'))),
     'alert_grouping_parameters.config: type content_based needs aggregate and fields'),
    (pd_service, dict(SERVICE, alert_grouping_parameters=dict(type='none', config=dict(timeout=5))),
     'alert_grouping_parameters.config: timeout not allowed with type none'),
    (pd_service, dict(SERVICE, auto_pause_notifications_parameters=dict(enabled=True, timeout=100)),
     'value of timeout must be one of: 0, 120, 180, 300, 600, 900, got: 100 found in auto_pause_notifications_parameters'),
    (pd_service, dict(SERVICE, auto_pause_notifications_parameters=dict(enabled=False, timeout=300)),
     'auto_pause_notifications_parameters: timeout applies only when enabled is true'),
    # -- pd_integration ---------------------------------------------------------------------------
    (pd_integration, dict(service='Nowhere', type='events_api_v2'), "service: no service is named or identified by 'Nowhere'"),
    (pd_integration, dict(service='Cart', id='PNOSUCH', name='x'), "has no integration with the ID 'PNOSUCH'"),
    (pd_integration, dict(service='Cart', vendor='Events API v2'), "vendor: 'Events API v2' is an integration type, not a vendor"),
    (pd_integration, dict(service='Cart', vendor='Live Call Routing'), "'Live Call Routing' (PLCR001), 'Live Call Routing' (PLCR002)"),
    (pd_integration, dict(service='Cart', vendor='No Such Tool'), "vendor: no vendor is named or identified by 'No Such Tool'"),
    (pd_integration, dict(service='Cart', vendor='Datadog', type='events_api_v2'), 'parameters are mutually exclusive: type|vendor'),
    (pd_integration, dict(service='Cart', type='webhook'), 'value of type must be one of'),
    (pd_integration, dict(service='Cart', name='x'), "type or vendor: one is required to create integration 'x'"),
    (pd_integration, dict(service='Cart', type='events_api_v2', name=' '), 'name: must not be blank'),
    (pd_integration, dict(service='Cart', type='email', name='x'), 'integration_email: required to create an email integration'),
    (pd_integration, dict(service='Cart', type='events_api_v2', integration_email='a@acme.pagerduty.com'),
     'integration_email: only for email integrations'),
    (pd_integration, dict(EMAIL, integration_email='alerts@example.com'), 'Integration email must be an address ending in @acme.pagerduty.com'),
    (pd_integration, dict(EMAIL, email_filters=[dict(subject_mode='match')]), 'email_filters[0].subject_regex: required when subject_mode is match'),
    (pd_integration, dict(EMAIL, email_filters=[dict(body_mode='match', body_regex='(unclosed')]),
     "email_filters[0].body_regex: '(unclosed' is not a valid regular expression"),
    (pd_integration, dict(EMAIL, email_parsers=[dict(action='trigger', match_predicate=dict(type='any', children=[]),
                                                     value_extractors=EXTRACTOR)]),
     'email_parsers[0].match_predicate: type any needs children'),
    (pd_integration, dict(EMAIL, email_parsers=[dict(action='trigger', match_predicate=dict(type='regex', part='body', matcher='[bad'),
                                                     value_extractors=EXTRACTOR)]),
     "email_parsers[0].match_predicate.matcher: '[bad' is not a valid regular expression"),
    (pd_integration, dict(EMAIL, email_parsers=[dict(action='trigger', match_predicate=dict(type='contains', part='body', matcher='x'),
                                                     value_extractors=[dict(type='entire', part='body', value_name='host')])]),
     'email_parsers[0].value_extractors: exactly one value extractor must have value_name incident_key'),
    (pd_integration, dict(service='Cart', name='Events', vendor='Datadog'), 'the kind of an integration cannot be changed in place'),
    # -- pd_integration_move ----------------------------------------------------------------------
    (pd_integration_move, dict(integration='Events', to_service='Checkout'), "from_service: required when integration is given by name ('Events')"),
    (pd_integration_move, dict(integration='Nope', from_service='Cart', to_service='Checkout'), "integration: service 'Cart' has no integration named 'Nope'"),
    (pd_integration_move, dict(integration='Events', from_service='Cart', to_service='Nowhere'), "to_service: no service is named or identified by 'Nowhere'"),
    (pd_integration_move, dict(integration='PNOSUCH', to_service='Checkout'), "integration: no service has an integration with the ID 'PNOSUCH'"),
    (pd_integration_move, dict(integration='Events', from_service='Cart', to_service='Checkout', strategy='teleport'),
     'value of strategy must be one of: in_place, recreate, got: teleport'),
    (pd_integration_move, dict(integration='Events', from_service='Cart', to_service='Disabled', on_settings_mismatch='fail'),
     'to_service: its settings differ from the source service'),
    # -- pd_datadog_service -----------------------------------------------------------------------
    (pd_datadog_service, dict(service_name='cart'), 'state is present but all of the following are missing: service_key'),
    (pd_datadog_service, dict(service_name=' ', service_key=KEY), 'service_name: must not be blank'),
    (pd_datadog_service, dict(service_name='cart', service_key=KEY, api_key=None), 'api_key: no Datadog api key was given'),
    (pd_datadog_service, dict(service_name='cart', service_key=KEY, app_key=None), 'app_key: no Datadog app key was given'),
    (pd_datadog_service, dict(service_name='cart', service_key=KEY, api_key='wrong'), 'check api_key and app_key'),
    (pd_datadog_service, dict(service_name='cart', service_key=KEY, api_url=None, site='not a site'), "site: 'not a site' is not a Datadog site"),
    (pd_datadog_service, dict(service_name='cart', service_key=KEY, update_key='sometimes'), 'value of update_key must be one of: always, on_create'),
]


@pytest.fixture
def world(sim, monkeypatch):
    """Services Cart (with an Events API v2 integration), Checkout and a disabled one; no credentials in the environment."""
    for variable in ('PAGERDUTY_API_TOKEN', 'PAGERDUTY_TOKEN', 'PAGERDUTY_API_URL', 'PAGERDUTY_REGION', 'DD_API_KEY', 'DD_APP_KEY',
                     'DD_SITE', 'DD_API_URL'):
        monkeypatch.delenv(variable, raising=False)
    sim.seed(services=[{'name': 'Cart', 'escalation_policy': 'Default'}, {'name': 'Checkout', 'escalation_policy': 'Default'},
                       {'name': 'Disabled', 'escalation_policy': 'Default', 'status': 'disabled'}],
             integrations=[{'service': 'Cart', 'type': 'events_api_v2_inbound_integration', 'name': 'Events'}])
    before = sim.state()
    sim.clear_requests()
    return before


@pytest.mark.parametrize('module, options, message', CASES, ids=[case_id(c) for c in CASES])
def test_bad_input(sim, world, run_module, report, module, options, message):
    check_bad_input(sim, world, run_module, report, module, options, message)


def test_there_are_at_least_forty_cases():
    assert len(CASES) >= 40


def test_untrusted_certificate_fails_clearly_and_ca_path_fixes_it(tls_simulator_server, run_module):
    server, ca_file = tls_simulator_server, tls_simulator_server.ca_file
    refused = run_module(pd_vendor_info, api_url=server.url, name='Datadog')
    assert refused['failed'] and 'TLS verification of %s failed' % server.url in refused['msg']
    assert 'ca_path' in refused['msg'] and 'Traceback' not in json.dumps(refused)
    trusted = run_module(pd_vendor_info, api_url=server.url, ca_path=ca_file, name='Datadog')
    assert [v['name'] for v in trusted['vendors']] == ['Datadog']
    unverified = run_module(pd_vendor_info, api_url=server.url, validate_certs=False, name='Datadog')
    assert [v['name'] for v in unverified['vendors']] == ['Datadog']
