"""Wrong input to pd_maintenance_window and pd_event: each case fails with a message that names the option and
the problem, with no traceback, and with nothing written (no write in the request log succeeded)."""

import datetime

import pytest

from ansible_collections.oncall.pagerduty.plugins.modules import pd_event, pd_maintenance_window
from tests.reliability.bad_input import case_id, check_bad_input

SENDER = 'ada@example.com'
# Stand-ins for values known once the world exists: the simulator's URL and the routing key of Cart's integration.
SIM_URL = '<the simulator>'
CART_KEY = '<the key of Cart>'
WINDOW = dict(services=['Cart'], description='Maintenance', duration_minutes=30, from_email=SENDER)
TRIGGER = dict(events_url=SIM_URL, routing_key=CART_KEY, summary='Disk full', source='db1', severity='critical')
EVENT = dict(events_url=SIM_URL, routing_key=CART_KEY)


def later(minutes):
    return (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=minutes)).strftime('%Y-%m-%dT%H:%M:%SZ')


CASES = [
    # -- pd_maintenance_window --------------------------------------------------------------------
    (pd_maintenance_window, dict(description='x', duration_minutes=5), 'missing required arguments: services'),
    (pd_maintenance_window, dict(WINDOW, services=[]), 'services: list at least one service, by name or ID'),
    (pd_maintenance_window, dict(WINDOW, services=['Cart', ' ']), 'services[1]: must not be blank'),
    (pd_maintenance_window, dict(WINDOW, services=['Cart', 'Cart']), "services: 'Cart' is listed twice"),
    (pd_maintenance_window, dict(WINDOW, services=['Cart', 'Nowhere']), "services[1]: no service is named or identified by 'Nowhere'"),
    (pd_maintenance_window, dict(WINDOW, description=' '), 'description: must not be blank'),
    (pd_maintenance_window, dict(WINDOW, duration_minutes=None),
     'state is present but any of the following are missing: end, duration_minutes'),
    (pd_maintenance_window, dict(WINDOW, end='2030-01-01T00:00:00Z'), 'parameters are mutually exclusive: end|duration_minutes'),
    (pd_maintenance_window, dict(WINDOW, start='2030-05-01 22:00'), "start: '2030-05-01 22:00' has no time zone; add Z (UTC)"),
    (pd_maintenance_window, dict(WINDOW, start='tomorrow'), "start: 'tomorrow' is not an ISO 8601 date and time"),
    (pd_maintenance_window, dict(WINDOW, duration_minutes=None, start='2030-02-01T10:00:00Z', end='2030-02-30T10:00:00Z'),
     "end: '2030-02-30T10:00:00Z' is not an ISO 8601 date and time"),
    (pd_maintenance_window, dict(WINDOW, duration_minutes=None, start='2030-02-01T10:00:00+02:00', end='2030-02-01T08:00:00Z'),
     'end: 2030-02-01T08:00:00Z is not after start 2030-02-01T10:00:00+02:00'),
    (pd_maintenance_window, dict(WINDOW, duration_minutes=0), 'duration_minutes: must be between 1 and 5256000 (ten years), got 0'),
    (pd_maintenance_window, dict(WINDOW, duration_minutes='soon'), "argument 'duration_minutes' is of type"),
    (pd_maintenance_window, dict(WINDOW, from_email='ada'), "from_email: 'ada' is not an email address"),
    (pd_maintenance_window, dict(WINDOW, from_email=None), 'from_email: PagerDuty requires the email of a user of the account'),
    (pd_maintenance_window, dict(WINDOW, from_email='nobody@example.com'),
     "from_email: no user has the email 'nobody@example.com' (PagerDuty records a window as made by a user of the account)"),
    (pd_maintenance_window, dict(WINDOW, teams=['Payments']), 'teams: a maintenance window belongs to the teams of its services'),
    (pd_maintenance_window, dict(WINDOW, state='ended'), 'value of state must be one of: absent, present, got: ended'),
    (pd_maintenance_window, dict(WINDOW, description='Deploy', duration_minutes=None, start=later(60), end=later(90)),
     'start: the maintenance window'),
    # -- pd_event -----------------------------------------------------------------------------------
    (pd_event, dict(events_url=SIM_URL, summary='x', source='y', severity='info'),
     'routing_key: required; give the integration_key of an Events API v2 integration'),
    (pd_event, dict(TRIGGER, routing_key='R0123-short'), 'routing_key: a routing key is the 32 letters and digits'),
    (pd_event, dict(TRIGGER, routing_key='0123456789abcdef0123456789abcdef'),
     'routing_key: PagerDuty knows no integration or event orchestration with this key'),
    (pd_event, dict(TRIGGER, severity=None), 'event_action is trigger but all of the following are missing: severity'),
    (pd_event, dict(TRIGGER, severity='fatal'), 'value of severity must be one of: critical, error, info, warning, got: fatal'),
    (pd_event, dict(TRIGGER, summary=' '), 'summary: must not be blank'),
    (pd_event, dict(TRIGGER, summary='x' * 1025), 'summary: PagerDuty takes at most 1024 characters, got 1025'),
    (pd_event, dict(TRIGGER, dedup_key='k' * 256), 'dedup_key: PagerDuty takes at most 255 characters, got 256'),
    (pd_event, dict(EVENT, event_action='resolve'), 'event_action is resolve but all of the following are missing: dedup_key'),
    (pd_event, dict(EVENT, event_action='resolve', dedup_key='k', summary='x'), 'summary: resolve events do not carry it'),
    (pd_event, dict(EVENT, event_action='change', summary='Deployed', severity='info'), 'severity: change events do not carry it'),
    (pd_event, dict(EVENT, event_action='change', summary='Deployed', dedup_key='k'), 'dedup_key: change events do not carry it'),
    (pd_event, dict(EVENT, event_action='teleport'), 'value of event_action must be one of: acknowledge, change, resolve, trigger'),
    (pd_event, dict(TRIGGER, timestamp='yesterday'), "timestamp: 'yesterday' is not an ISO 8601 date and time"),
    (pd_event, dict(TRIGGER, timestamp='2025-05-01T10:00:00'), "timestamp: '2025-05-01T10:00:00' has no time zone"),
    (pd_event, dict(TRIGGER, images=[dict(src='http://graphs.example.com/a.png')]),
     'images[0].src: PagerDuty shows only images served over HTTPS'),
    (pd_event, dict(TRIGGER, links=[dict(text='no target')]), 'missing required arguments: href found in links'),
    (pd_event, dict(TRIGGER, custom_details={'blob': 'x' * (600 * 1024)}), 'custom_details: the event is 600 KB'),
    (pd_event, dict(EVENT, event_action='resolve', dedup_key='k', wait_for_incident=True),
     'wait_for_incident: only a trigger opens an incident to wait for'),
    (pd_event, dict(TRIGGER, wait_for_incident=True, api_token=None),
     'api_token: wait_for_incident reads the incident through the REST API'),
    (pd_event, dict(TRIGGER, service='Cart'), 'service: only used with wait_for_incident'),
    (pd_event, dict(TRIGGER, wait_for_incident=True, service='Cart', api_token='not-a-token'), 'the API token was rejected'),
    (pd_event, dict(TRIGGER, wait_for_incident=True, wait_timeout=0), 'wait_timeout: must be at least 1 second, got 0'),
    (pd_event, dict(TRIGGER, wait_for_incident=True, service='Nowhere'), "service: no service is named or identified by 'Nowhere'"),
    (pd_event, dict(TRIGGER, events_url='ftp://events.example.com'), "events_url: 'ftp://events.example.com' is not an http(s) URL"),
    (pd_event, dict(TRIGGER, events_url='http://127.0.0.1:9'), 'connection to http://127.0.0.1:9 failed'),
]


@pytest.fixture
def world(sim, monkeypatch):
    """Services Cart (team Platform, with an Events API v2 integration and an ongoing window 'Deploy') and Checkout;
    no credentials, sender or Events API URL in the environment."""
    for variable in ('PAGERDUTY_API_TOKEN', 'PAGERDUTY_TOKEN', 'PAGERDUTY_API_URL', 'PAGERDUTY_REGION',
                     'PAGERDUTY_FROM_EMAIL', 'PAGERDUTY_EVENTS_URL', 'PAGERDUTY_ROUTING_KEY'):
        monkeypatch.delenv(variable, raising=False)
    created = sim.seed(services=[{'name': 'Cart', 'escalation_policy': 'Platform On-Call'},
                                 {'name': 'Checkout', 'escalation_policy': 'Default'}],
                       integrations=[{'service': 'Cart', 'type': 'events_api_v2_inbound_integration', 'name': 'Events'}])
    response = sim.api('POST', '/maintenance_windows', {'maintenance_window': {
        'type': 'maintenance_window', 'description': 'Deploy', 'start_time': later(0), 'end_time': later(30),
        'services': [{'id': created['services'][0], 'type': 'service_reference'}]}},
        headers={'From': SENDER})
    response.raise_for_status()
    before = sim.state()
    sim.clear_requests()
    return before


@pytest.mark.parametrize('module, options, message', CASES, ids=[case_id(c) for c in CASES])
def test_bad_input(sim, world, run_module, report, module, options, message):
    cart_key = [i['integration_key'] for s in world['services'] if s['name'] == 'Cart' for i in s['integrations']][0]
    stand_ins = {SIM_URL: sim.url, CART_KEY: cart_key}
    options = {name: stand_ins.get(value, value) if isinstance(value, str) else value for name, value in options.items()}
    check_bad_input(sim, world, run_module, report, module, options, message)
