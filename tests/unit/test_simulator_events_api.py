"""The simulator's Events API (/v2/enqueue, /v2/change/enqueue) checked against PagerDuty's Events API v2
description, and the REST reads of what events made (an incident, its alerts, a service's change events)
against the REST description (the `check` fixture of tests/unit/conftest.py).

Where the Events API description is broken, the check follows what the API answers and says so in
`events_api_description`.
"""

import datetime
import os

import pytest

from tests.simulator.api import parse_time, timestamp
from tests.tools.simulator import SIM_USER_EMAIL
from api_descriptions import EVENTS_SPEC_PATH, events_api_description
from tests.unit.conftest import SPEC_AVAILABLE, conforming, openapi_of


pytestmark = pytest.mark.skipif(not (SPEC_AVAILABLE and os.path.exists(EVENTS_SPEC_PATH)),
                                reason="PagerDuty's OpenAPI descriptions not beside the repository")

TRIGGER = {'event_action': 'trigger', 'dedup_key': 'db1/disk',
           'payload': {'summary': 'Disk full on db1', 'source': 'db1', 'severity': 'critical', 'component': 'disk',
                       'group': 'db', 'class': 'disk', 'custom_details': {'free': '1%'},
                       'timestamp': '2025-05-01T10:00:00.000+0000'},
           'links': [{'href': 'https://runbooks.example.com/disk', 'text': 'Runbook'}],
           'images': [{'src': 'https://graphs.example.com/disk.png', 'alt': 'disk'}],
           'client': 'Monitoring', 'client_url': 'https://monitoring.example.com'}


@pytest.fixture(scope='module')
def events_openapi(simulator_server):
    return openapi_of(events_api_description(simulator_server.url))


@pytest.fixture
def send(events_openapi, sim):
    """send(path, body) -> the response to an event, after validating it against the Events API description."""

    def call(path, body):
        return conforming(events_openapi, sim.http.post(sim.url + '/v2' + path, json=body, timeout=30))

    return call


@pytest.fixture
def service(sim):
    """A service with an Events API v2 integration: (service id, routing key)."""
    created = sim.seed(services=[{'name': 'Checkout', 'escalation_policy': 'Platform On-Call',
                                  'incident_urgency_rule': {'type': 'constant', 'urgency': 'severity_based'}}],
                       integrations=[{'service': 'Checkout', 'type': 'events_api_v2_inbound_integration'}])
    key = sim.state()['services'][0]['integrations'][0]['integration_key']
    return created['services'][0], key


def test_alert_events_and_the_incident_they_make(send, check, service):
    service_id, key = service
    accepted = send('/enqueue', dict(TRIGGER, routing_key=key))
    assert accepted.status_code == 202 and accepted.json() == {'status': 'success', 'message': 'Event processed',
                                                               'dedup_key': 'db1/disk'}
    generated = send('/enqueue', dict(TRIGGER, routing_key=key, dedup_key=None))
    assert len(generated.json()['dedup_key']) == 32
    listed = check('GET', '/incidents', date_range='all', **{'service_ids[]': service_id}).json()['incidents']
    [incident] = [i for i in listed if i['incident_key'] == 'db1/disk']
    assert len(listed) == 2 and incident['urgency'] == 'high'  # critical, on a severity-based service
    assert check('GET', '/incidents/' + incident['id']).json()['incident']['title'] == 'Disk full on db1'
    by_number = check('GET', '/incidents/%d' % incident['incident_number']).json()['incident']
    assert by_number['id'] == incident['id']
    [alert] = check('GET', '/incidents/%s/alerts' % incident['id'], alert_key='db1/disk').json()['alerts']
    assert alert['body']['contexts'][1] == {'type': 'image', 'src': 'https://graphs.example.com/disk.png', 'alt': 'disk'}
    assert check('GET', '/incidents/%s/alerts/%s' % (incident['id'], alert['id'])).json()['alert']['alert_key'] == 'db1/disk'
    assert send('/enqueue', {'routing_key': key, 'event_action': 'acknowledge', 'dedup_key': 'db1/disk'}).status_code == 202
    assert check('GET', '/incidents/' + incident['id']).json()['incident']['status'] == 'acknowledged'
    assert send('/enqueue', {'routing_key': key, 'event_action': 'resolve', 'dedup_key': 'db1/disk'}).status_code == 202
    resolved = check('GET', '/incidents/' + incident['id']).json()['incident']
    assert resolved['status'] == 'resolved' and resolved['alert_counts'] == {'triggered': 0, 'resolved': 1, 'all': 1}
    assert check('GET', '/incidents/%s/alerts' % incident['id'], **{'statuses[]': 'triggered'}).json()['alerts'] == []
    assert check('GET', '/incidents/PNOSUCH').status_code == 404


def test_change_events_and_their_service_listing(send, check, service):
    service_id, key = service
    accepted = send('/change/enqueue', {'routing_key': key, 'payload': {
        'summary': 'Deployed 2.4.1', 'source': 'ci', 'timestamp': '2025-05-01T10:00:00Z', 'custom_details': {'v': '2.4.1'}},
        'links': [{'href': 'https://ci.example.com/1', 'text': 'Build 1'}]})
    assert accepted.status_code == 202 and accepted.json()['status'] == 'success'
    [change] = check('GET', '/services/%s/change_events' % service_id).json()['change_events']
    assert change['summary'] == 'Deployed 2.4.1' and change['services'][0]['id'] == service_id
    window = dict(since='2025-05-01T09:00:00Z', until='2025-05-01T11:00:00Z')
    assert len(check('GET', '/services/%s/change_events' % service_id, **window).json()['change_events']) == 1
    assert check('GET', '/services/%s/change_events' % service_id, since='2025-05-01T11:00:00+02:00').status_code == 400


@pytest.mark.parametrize('body, errors', [
    ({'event_action': 'trigger', 'payload': {'summary': 's', 'source': 'h', 'severity': 'critical'}},
     ["'routing_key' is missing or blank"]),
    ({'routing_key': 'short-key!', 'event_action': 'trigger', 'payload': {'summary': 's', 'source': 'h', 'severity': 'info'}},
     ["Length of 'routing_key' is incorrect (should be 32 characters)",
      "'routing_key' cannot contain non-alphanumeric characters."]),
    ({'routing_key': 'a' * 32, 'event_action': 'trigger', 'payload': {'summary': 's', 'source': 'h', 'severity': 'info'}},
     ['Invalid routing key']),
    ({'routing_key': 'KEY', 'event_action': 'trigger', 'payload': {'summary': 'x' * 1025, 'source': 'h', 'severity': 'bad'}},
     ["'payload.summary' is too long (maximum is 1024 characters)",
      "'payload.severity' is invalid (must be one of critical, error, warning, info)"]),
    ({'routing_key': 'KEY', 'event_action': 'resolve'}, ["'dedup_key' is missing or blank"]),
    ({'routing_key': 'KEY', 'event_action': 'snooze', 'dedup_key': 'k'},
     ["'event_action' is invalid (must be one of trigger, acknowledge, resolve)"]),
])
def test_what_the_events_api_refuses(send, service, body, errors):
    if body.get('routing_key') == 'KEY':
        body = dict(body, routing_key=service[1])
    refused = send('/enqueue', body)
    assert refused.status_code == 400
    assert refused.json() == {'status': 'invalid event', 'message': 'Event object is invalid', 'errors': errors}


def test_what_the_change_events_api_refuses(send, service):
    refused = send('/change/enqueue', {'routing_key': service[1], 'payload': {'source': 'ci'},
                                       'links': [{'text': 'no href'}]})
    assert refused.status_code == 400
    assert refused.json()['errors'] == ["'payload.summary' is missing or blank", "'links[0].href' is missing or blank"]


def test_an_oversized_event_is_refused(send, service):
    body = dict(TRIGGER, routing_key=service[1])
    body['payload'] = dict(body['payload'], custom_details={'blob': 'x' * (512 * 1024)})
    refused = send('/enqueue', body)
    assert refused.status_code == 400 and refused.json()['errors'] == ['The event is larger than 512 KB']


def test_severity_based_urgency_follows_the_severity(send, check, service):
    service_id, key = service
    send('/enqueue', dict(TRIGGER, routing_key=key, dedup_key='warn', payload=dict(TRIGGER['payload'], severity='warning')))
    [incident] = check('GET', '/incidents', **{'service_ids[]': service_id}).json()['incidents']
    assert incident['urgency'] == 'low'


# -- the orchestration hooks (tests/simulator/orchestration.py): replaced here by stand-ins ---------

ORCHESTRATION_KEY = 'R' + 'o' * 31


@pytest.fixture
def orchestrated(simulator_server, service, monkeypatch):
    """An orchestration whose key routes events with source 'db1' to the service, and leaves others unrouted."""
    account = simulator_server.sim.pagerduty
    service_id = service[0]
    monkeypatch.setattr(account, 'orchestration_of_routing_key',
                        lambda key: {'id': 'PORCH01'} if key == ORCHESTRATION_KEY else None)
    monkeypatch.setattr(account, 'route_orchestration_event',
                        lambda orchestration, event: service_id if event['payload'].get('source') == 'db1' else None)
    return account


def test_an_orchestration_key_routes_alerts_to_the_service_its_router_names(send, check, orchestrated, service):
    send('/enqueue', dict(TRIGGER, routing_key=ORCHESTRATION_KEY))
    send('/enqueue', dict(TRIGGER, routing_key=ORCHESTRATION_KEY, dedup_key='other',
                          payload=dict(TRIGGER['payload'], source='elsewhere')))
    assert [e['outcome'] for e in orchestrated.events_received] == ['opened an incident', 'unrouted']
    [incident] = check('GET', '/incidents', **{'service_ids[]': service[0]}).json()['incidents']
    [alert] = check('GET', '/incidents/%s/alerts' % incident['id']).json()['alerts']
    assert 'integration' not in alert  # it came through the orchestration, not an integration
    send('/enqueue', {'routing_key': ORCHESTRATION_KEY, 'event_action': 'resolve', 'dedup_key': 'db1/disk'})
    assert check('GET', '/incidents/' + incident['id']).json()['incident']['status'] == 'resolved'
    # The open alert belonged to the orchestration's key: the same dedup_key through the integration is another alert.
    send('/enqueue', {'routing_key': service[1], 'event_action': 'resolve', 'dedup_key': 'db1/disk'})
    assert orchestrated.events_received[-1]['outcome'] == 'dropped: no open alert'


def test_a_service_orchestration_that_drops_the_event_opens_nothing(send, check, simulator_server, service, monkeypatch):
    account = simulator_server.sim.pagerduty
    seen = []
    monkeypatch.setattr(account, 'apply_service_orchestration', lambda service_id, event: seen.append(service_id))
    assert send('/enqueue', dict(TRIGGER, routing_key=service[1])).status_code == 202
    assert seen == [service[0]] and account.events_received[-1]['outcome'] == 'suppressed by orchestration'
    assert check('GET', '/incidents', **{'service_ids[]': service[0]}).json()['incidents'] == []


# -- alert grouping: a trigger whose alert joins an open incident ----------------------------------

def trigger(send, key, dedup_key, **payload):
    return send('/enqueue', dict(TRIGGER, routing_key=key, dedup_key=dedup_key, payload=dict(TRIGGER['payload'], **payload)))


def open_incidents(check, service_id):
    return check('GET', '/incidents', date_range='all',
                 **{'service_ids[]': service_id, 'statuses[]': ['triggered', 'acknowledged']}).json()['incidents']


def backdate(account, incident, seconds):
    """Make an incident and its alerts `seconds` older, as if time had passed."""
    alerts = [a for a in account.alerts.values() if a['incident']['id'] == incident['id']]
    for item in [account.incidents[incident['id']]] + alerts:
        item['created_at'] = timestamp(parse_time(item['created_at']) - datetime.timedelta(seconds=seconds))


def test_time_grouping_adds_alerts_to_the_open_incident_until_its_timeout(send, check, sim, simulator_server, service):
    service_id, key = service
    account = simulator_server.sim.pagerduty
    assert sim.api('POST', '/alert_grouping_settings', {'alert_grouping_setting': {
        'type': 'time', 'config': {'timeout': 120}, 'services': [{'id': service_id, 'type': 'service_reference'}]}}
    ).status_code == 201
    trigger(send, key, 'first')
    trigger(send, key, 'second', summary='Disk slow on db2')
    [incident] = open_incidents(check, service_id)
    assert incident['incident_key'] == 'first' and incident['title'] == 'Disk full on db1'
    assert incident['alert_counts'] == {'triggered': 2, 'resolved': 0, 'all': 2}
    alerts = check('GET', '/incidents/%s/alerts' % incident['id']).json()['alerts']
    assert [a['alert_key'] for a in alerts] == ['first', 'second']
    assert all(a['incident']['id'] == incident['id'] for a in alerts)
    # GET /incidents?incident_key= finds the incident by the key of the alert that joined it.
    [found] = check('GET', '/incidents', incident_key='second', date_range='all').json()['incidents']
    assert found['id'] == incident['id']
    assert [e['outcome'] for e in account.events_received] == ['opened an incident', 'grouped into an incident']
    # Past the timeout, counted from the incident's creation, the next alert opens a new incident.
    backdate(account, incident, 121)
    trigger(send, key, 'third')
    assert sorted(i['incident_key'] for i in open_incidents(check, service_id)) == ['first', 'third']
    # A resolved incident takes no more alerts.
    send('/enqueue', {'routing_key': key, 'event_action': 'resolve', 'dedup_key': 'third'})
    trigger(send, key, 'fourth')
    assert sorted(i['incident_key'] for i in open_incidents(check, service_id)) == ['first', 'fourth']


def test_time_grouping_with_no_timeout_groups_until_the_incident_is_resolved(send, check, sim, simulator_server, service):
    service_id, key = service
    account = simulator_server.sim.pagerduty
    sim.api('PUT', '/services/' + service_id, {'service': {'alert_grouping_parameters': {'type': 'time', 'config': {'timeout': 0}}}})
    trigger(send, key, 'first')
    [incident] = open_incidents(check, service_id)
    backdate(account, incident, 7 * 86400)
    trigger(send, key, 'a week later')
    assert [i['id'] for i in open_incidents(check, service_id)] == [incident['id']]


@pytest.mark.parametrize('aggregate, second, grouped', [
    ('all', {'source': 'db1', 'component': 'disk'}, True),
    ('all', {'source': 'db1', 'component': 'cpu'}, False),
    ('any', {'source': 'db2', 'component': 'disk'}, True),
    ('any', {'source': 'db2', 'component': 'cpu'}, False),
])
def test_content_based_grouping_matches_the_fields(send, check, sim, simulator_server, service, aggregate, second, grouped):
    service_id, key = service
    sim.api('PUT', '/services/' + service_id, {'service': {'alert_grouping_parameters': {
        'type': 'content_based', 'config': {'aggregate': aggregate, 'fields': ['source', 'component'], 'time_window': 300}}}})
    trigger(send, key, 'first')
    trigger(send, key, 'second', **second)
    assert len(open_incidents(check, service_id)) == (1 if grouped else 2)


def test_content_based_grouping_reads_custom_details_and_keeps_a_rolling_window(send, check, sim, simulator_server, service):
    service_id, key = service
    account = simulator_server.sim.pagerduty
    sim.api('POST', '/alert_grouping_settings', {'alert_grouping_setting': {
        'type': 'content_based', 'config': {'aggregate': 'all', 'fields': ['custom_details.cluster'], 'time_window': 300},
        'services': [{'id': service_id, 'type': 'service_reference'}]}})
    trigger(send, key, 'a', custom_details={'cluster': 'eu-1'})
    trigger(send, key, 'b', custom_details={'cluster': 'us-1'})
    [us, eu] = sorted(open_incidents(check, service_id), key=lambda i: i['incident_key'], reverse=True)
    # The window runs from the incident's newest alert: 290 s after the first alert, a matching one joins...
    backdate(account, eu, 290)
    trigger(send, key, 'c', custom_details={'cluster': 'eu-1'})
    assert account.events_received[-1]['incident_id'] == eu['id']
    # ...and moves the window on, while the other incident's lapses.
    backdate(account, us, 400)
    trigger(send, key, 'd', custom_details={'cluster': 'eu-1'})
    trigger(send, key, 'e', custom_details={'cluster': 'us-1'})
    assert [e['incident_id'] for e in account.events_received[-2:]][0] == eu['id']
    assert account.events_received[-1]['outcome'] == 'opened an incident'


def test_intelligent_grouping_stand_in_groups_the_same_summary(send, check, sim, simulator_server, service):
    service_id, key = service
    sim.api('PUT', '/services/' + service_id, {'service': {'alert_grouping_parameters': {
        'type': 'intelligent', 'config': {'time_window': 300}}}})
    trigger(send, key, 'first')
    trigger(send, key, 'same summary', source='db2')
    trigger(send, key, 'other summary', summary='CPU hot on db1')
    assert sorted(i['incident_key'] for i in open_incidents(check, service_id)) == ['first', 'other summary']


def test_no_grouping_opens_an_incident_per_alert(send, check, service):
    service_id, key = service
    trigger(send, key, 'first')
    trigger(send, key, 'second')
    assert len(open_incidents(check, service_id)) == 2


def test_acknowledge_and_resolve_are_dropped_while_the_service_is_in_maintenance(send, check, sim, simulator_server, service):
    service_id, key = service
    account = simulator_server.sim.pagerduty
    trigger(send, key, 'before')
    end = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=10)).strftime('%Y-%m-%dT%H:%M:%SZ')
    window = sim.http.post(sim.url + '/maintenance_windows', timeout=30, headers={
        'Authorization': 'Token token=%s' % sim.token, 'From': SIM_USER_EMAIL}, json={'maintenance_window': {
            'start_time': '2020-01-01T00:00:00Z', 'end_time': end, 'services': [{'id': service_id, 'type': 'service_reference'}]}})
    assert window.status_code == 201
    for action in ('acknowledge', 'resolve'):
        assert send('/enqueue', {'routing_key': key, 'event_action': action, 'dedup_key': 'before'}).status_code == 202
    assert [e['outcome'] for e in account.events_received[-2:]] == ['dropped: the service is in maintenance'] * 2
    assert [i['status'] for i in open_incidents(check, service_id)] == ['triggered']
