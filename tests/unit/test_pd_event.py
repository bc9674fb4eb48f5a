"""pd_event runs in-process against the simulator's Events API; what reached PagerDuty is read from the
simulator's request log and from the simulated account's alerts, incidents and change events."""

import json

import pytest

from ansible_collections.oncall.pagerduty.plugins.modules import pd_event, pd_integration, pd_maintenance_window
from tests.conftest import warning_texts

TRIGGER = dict(summary='Disk full on db1', source='db1.example.com', severity='critical')


@pytest.fixture
def account(simulator_server, sim):
    """Services Checkout and Frozen (disabled), each with an Events API v2 integration."""
    sim.seed(services=[{'name': 'Checkout', 'escalation_policy': 'Default'},
                       {'name': 'Frozen', 'escalation_policy': 'Default', 'status': 'disabled'}],
             integrations=[{'service': 'Checkout', 'type': 'events_api_v2_inbound_integration', 'name': 'Events'},
                           {'service': 'Frozen', 'type': 'events_api_v2_inbound_integration', 'name': 'Events'}])
    sim.clear_requests()
    return simulator_server.sim.pagerduty


def key_of(sim, service):
    return [i['integration_key'] for s in sim.state()['services'] if s['name'] == service for i in s['integrations']][0]


@pytest.fixture
def send(sim, run_module, account):
    """send(key_of_service, **options) -> the result of pd_event with that service's routing key, to the simulator."""
    def run(key_of_service='Checkout', **options):
        return run_module(pd_event, events_url=sim.url, routing_key=key_of(sim, key_of_service), **options)
    return run


def incidents(account):
    return sorted(account.incidents.values(), key=lambda i: i['incident_number'])


def paths(sim):
    return [(r['method'], r['path']) for r in sim.requests()]


def test_check_mode_sends_nothing(sim, send, account):
    result = send(check_mode=True, diff=True, wait_for_incident=True, **TRIGGER)
    assert result['changed'] and len(result['dedup_key']) == 32
    assert result['diff']['after']['payload'] == TRIGGER and 'routing_key' not in json.dumps(result['diff'])
    assert 'incident' not in result
    assert sim.requests() == [] and account.events_received == []


def test_check_mode_predicts_a_service_that_an_earlier_task_creates(sim, send, account):
    result = send(check_mode=True, wait_for_incident=True, service='Brand New', **TRIGGER)
    assert result['changed'] and any("service: no service is named 'Brand New' yet" in w for w in warning_texts(result))
    assert account.events_received == [] and sim.writes() == []
    real = send(wait_for_incident=True, service='Brand New', **TRIGGER)
    assert real['failed'] and real['msg'].startswith("service: no service is named or identified by 'Brand New'")
    assert account.events_received == []


def test_a_trigger_opens_an_incident_on_the_integrations_service(sim, send, account):
    result = send(dedup_key='db1/disk', component='disk', group='db', custom_details={'free': '1%'},
                  links=[dict(href='https://runbooks.example.com/disk', text='Runbook')], **{'class': 'disk', **TRIGGER})
    assert result['changed'] and result['dedup_key'] == 'db1/disk' and result['message'] == 'Event processed'
    assert paths(sim) == [('POST', '/v2/enqueue')]
    [incident] = incidents(account)
    assert incident['service']['summary'] == 'Checkout' and incident['status'] == 'triggered'
    assert incident['title'] == TRIGGER['summary'] and incident['urgency'] == 'high'
    [alert] = account.alerts.values()
    assert alert['body']['details'] == {'free': '1%'} and alert['body']['cef_details']['class'] == 'disk'
    assert alert['body']['contexts'] == [{'type': 'link', 'href': 'https://runbooks.example.com/disk', 'text': 'Runbook'}]
    assert sim.api('GET', '/services', name='Checkout').json()['services'][0]['status'] == 'critical'


def test_an_integration_created_by_the_task_before_takes_its_first_event(sim, run_module, account):
    # The suite's simulator lags reads as a real account does, and an integration created a moment ago is unknown
    # to the Events API until reads show it: pd_integration returns once they do, so the key it returns works.
    created = run_module(pd_integration, service='Checkout', name='Deploys', type='events_api_v2')
    assert created['changed'] and sim.settings()['read_after_write_lag_seconds'] > 0
    result = run_module(pd_event, events_url=sim.url, routing_key=created['integration']['integration_key'],
                        wait_for_incident=True, **TRIGGER)
    assert not result.get('failed') and result['incident']['service']['summary'] == 'Checkout', result


def test_a_trigger_without_a_dedup_key_gets_one_and_is_still_one_alert_after_a_lost_answer(sim, send, account):
    sim.fault(method='POST', path='^/v2/enqueue$', action='commit_then_drop')
    result = send(timeout=2, **TRIGGER)
    assert result['changed'] and len(result['dedup_key']) == 32, result
    assert [r['path'] for r in sim.writes()] == ['/v2/enqueue', '/v2/enqueue']
    assert len(incidents(account)) == 1 and len(account.alerts) == 1
    assert [e['outcome'] for e in account.events_received] == ['opened an incident', 'joined']


@pytest.mark.reads_follow_writes('counts its requests exactly')
def test_wait_for_incident_returns_it_in_two_requests_and_a_repeat_joins_it(sim, send, account):
    first = send(dedup_key='smoke-test', wait_for_incident=True, **TRIGGER)
    assert first['incident']['incident_key'] == 'smoke-test' and first['incident']['status'] == 'triggered'
    assert 'integration_id' not in first['incident']
    assert paths(sim) == [('POST', '/v2/enqueue'), ('GET', '/incidents')]
    incident_query = sim.requests()[1]['query']
    assert incident_query['incident_key'] == ['smoke-test'] and incident_query['statuses[]'] == ['triggered', 'acknowledged']
    again = send(dedup_key='smoke-test', wait_for_incident=True, **TRIGGER)
    assert again['changed'] and again['incident']['id'] == first['incident']['id']
    assert len(incidents(account)) == 1


@pytest.mark.reads_follow_writes('counts its requests exactly')
def test_wait_for_incident_on_a_named_service(sim, send, account):
    result = send(dedup_key='on-checkout', wait_for_incident=True, service='Checkout', **TRIGGER)
    assert result['incident']['service']['summary'] == 'Checkout'
    assert paths(sim) == [('GET', '/services'), ('POST', '/v2/enqueue'), ('GET', '/incidents')]
    assert sim.requests()[2]['query']['service_ids[]'] == [result['incident']['service']['id']]


def test_an_incident_without_a_key_of_its_own_is_confirmed_by_its_alerts(sim, send, account):
    """The description says incidents with alerts may have no incident_key: the alert's key then decides."""
    send(dedup_key='unkeyed', **TRIGGER)
    incidents(account)[0]['incident_key'] = None
    sim.clear_requests()
    result = send(dedup_key='unkeyed', wait_for_incident=True, **TRIGGER)
    assert result['incident']['id'] == incidents(account)[0]['id']
    assert paths(sim)[-1] == ('GET', '/incidents/%s/alerts' % result['incident']['id'])
    assert sim.requests()[-1]['query']['alert_key'] == ['unkeyed']


def test_acknowledge_then_resolve_with_the_same_dedup_key(sim, send, account):
    send(dedup_key='db1/disk', **TRIGGER)
    acknowledged = send(event_action='acknowledge', dedup_key='db1/disk')
    assert acknowledged['changed'] and incidents(account)[0]['status'] == 'acknowledged'
    resolved = send(event_action='resolve', dedup_key='db1/disk')
    assert resolved['changed'] and resolved['dedup_key'] == 'db1/disk'
    assert incidents(account)[0]['status'] == 'resolved'
    assert sim.api('GET', '/services', name='Checkout').json()['services'][0]['status'] == 'active'
    send(dedup_key='db1/disk', **TRIGGER)  # the alert was resolved: a new trigger opens a new incident
    assert [i['status'] for i in incidents(account)] == ['resolved', 'triggered']


def test_resolving_what_is_not_open_is_sent_and_dropped_by_pagerduty(sim, send, account):
    result = send(event_action='resolve', dedup_key='never-triggered')
    assert result['changed'] and not result.get('failed')
    assert account.events_received[-1]['outcome'] == 'dropped: no open alert' and incidents(account) == []


def test_a_change_event_is_recorded_on_the_service(sim, send, account):
    result = send(event_action='change', summary='Deployed checkout 2.4.1', source='ci', custom_details={'version': '2.4.1'},
                  links=[dict(href='https://ci.example.com/builds/1')])
    assert result['changed'] and 'dedup_key' not in result
    assert paths(sim) == [('POST', '/v2/change/enqueue')]
    service_id = sim.api('GET', '/services', name='Checkout').json()['services'][0]['id']
    [change] = sim.api('GET', '/services/%s/change_events' % service_id).json()['change_events']
    assert change['summary'] == 'Deployed checkout 2.4.1' and change['custom_details'] == {'version': '2.4.1'}
    assert change['links'] == [{'href': 'https://ci.example.com/builds/1'}] and incidents(account) == []


def test_a_change_event_answered_with_a_server_error_is_sent_again(sim, send, account):
    # The Events API says a 5xx answer means the event was not taken: retry it.
    sim.fault(method='POST', path='^/v2/change/enqueue$', status=503)
    result = send(event_action='change', summary='Deployed')
    assert result['changed'] and not result.get('failed')
    assert [r['status'] for r in sim.writes()] == [503, 202]
    assert len(account.change_events) == 1


def test_a_change_event_whose_answer_is_lost_is_not_sent_twice(sim, send, account):
    sim.fault(method='POST', path='^/v2/change/enqueue$', action='commit_then_drop')
    result = send(event_action='change', summary='Deployed', timeout=2)
    assert result['failed'] and 'it was not sent again, because change events are not deduplicated' in result['msg']
    assert [r['path'] for r in sim.writes()] == ['/v2/change/enqueue'] and len(account.change_events) == 1


def test_waiting_on_a_disabled_service_fails_at_once_saying_why(sim, send, account):
    result = send('Frozen', dedup_key='frozen', wait_for_incident=True, wait_timeout=30, service='Frozen', **TRIGGER)
    assert result['failed'] and result['changed'] and result['dedup_key'] == 'frozen'
    assert result['msg'].startswith('wait_for_incident: PagerDuty accepted the event')
    assert "the service 'Frozen' is disabled, so it opens no incident for it" in result['msg']
    # Not waited for: the service found before the event says it opens no incidents.
    assert paths(sim) == [('GET', '/services'), ('POST', '/v2/enqueue')]


def test_waiting_on_a_service_in_maintenance_returns_at_once_without_an_incident(sim, send, run_module, account):
    window = run_module(pd_maintenance_window, services=['Checkout'], description='deploy', duration_minutes=10,
                        from_email='ada@example.com')['maintenance_window']
    sim.clear_requests()
    result = send(dedup_key='quiet', wait_for_incident=True, wait_timeout=30, service='Checkout', **TRIGGER)
    assert result['changed'] and not result.get('failed') and result['incident'] is None
    assert result['maintenance_until'] == window['end_time']
    assert any("the service 'Checkout' is in maintenance until %s" % window['end_time'] in w for w in warning_texts(result))
    assert paths(sim) == [('GET', '/services'), ('POST', '/v2/enqueue'), ('GET', '/maintenance_windows')]
    assert sim.requests()[-1]['query']['filter'] == ['ongoing']
    assert account.events_received[-1]['outcome'] == 'suppressed: the service is in maintenance' and incidents(account) == []


def test_a_maintenance_window_that_starts_after_the_service_was_found_fails_saying_why(sim, send, account, monkeypatch):
    """The status read before the event said active: the task waits, and then says why nothing came."""
    event_seen = []
    orchestrate = account.apply_service_orchestration
    monkeypatch.setattr(account, 'apply_service_orchestration',
                        lambda service_id, event: event_seen.append(service_id) or orchestrate(service_id, event))
    monkeypatch.setattr(account, 'in_maintenance', lambda service_id: bool(event_seen))
    result = send(dedup_key='quiet', wait_for_incident=True, wait_timeout=1, service='Checkout', **TRIGGER)
    assert result['failed'] and "The service 'Checkout' is in maintenance" in result['msg']


# -- alert grouping: the trigger's alert joins an incident that another alert opened ----------------

def group_by_time(sim, timeout=0):
    service_id = sim.api('GET', '/services', name='Checkout').json()['services'][0]['id']
    assert sim.api('POST', '/alert_grouping_settings', {'alert_grouping_setting': {
        'type': 'time', 'config': {'timeout': timeout}, 'services': [{'id': service_id, 'type': 'service_reference'}]}}
    ).status_code == 201
    return service_id


@pytest.mark.reads_follow_writes('counts its requests exactly')
def test_wait_for_incident_finds_the_incident_its_alert_joined(sim, send, account):
    group_by_time(sim)
    opened = send(dedup_key='db1/disk', **TRIGGER)
    sim.clear_requests()
    joined = send(dedup_key='db2/disk', wait_for_incident=True, wait_timeout=5, **dict(TRIGGER, summary='Disk full on db2'))
    [incident] = incidents(account)
    assert [e['outcome'] for e in account.events_received] == ['opened an incident', 'grouped into an incident']
    assert joined['incident']['id'] == incident['id'] and joined['incident']['incident_key'] == opened['dedup_key']
    assert joined['incident']['alert_counts']['all'] == 2
    # Found through its alerts: the list by key, then the alert with the trigger's key, open.
    assert paths(sim) == [('POST', '/v2/enqueue'), ('GET', '/incidents'), ('GET', '/incidents/%s/alerts' % incident['id'])]
    assert sim.requests()[1]['query']['incident_key'] == ['db2/disk']
    assert sim.requests()[2]['query']['alert_key'] == ['db2/disk']
    assert sim.requests()[2]['query']['statuses[]'] == ['triggered']


def test_wait_for_incident_on_a_named_service_finds_the_incident_its_alert_joined_by_content(sim, send, account):
    service_id = sim.api('GET', '/services', name='Checkout').json()['services'][0]['id']
    sim.api('PUT', '/services/' + service_id, {'service': {'alert_grouping_parameters': {
        'type': 'content_based', 'config': {'aggregate': 'all', 'fields': ['source'], 'time_window': 300}}}})
    send(dedup_key='first', **TRIGGER)
    send(dedup_key='elsewhere', **dict(TRIGGER, source='db9.example.com'))
    result = send(dedup_key='second', wait_for_incident=True, wait_timeout=5, service='Checkout', **TRIGGER)
    assert result['incident']['incident_key'] == 'first'
    assert [a['alert_key'] for a in account.alerts.values() if a['incident']['id'] == result['incident']['id']] == \
        ['first', 'second']


def test_wait_for_incident_takes_the_incident_of_the_open_alert_not_of_a_resolved_one(sim, send, account):
    """An open incident may hold a resolved alert with the trigger's key (grouped with others that are still open):
    a new trigger with that key opens a new alert, and its incident is the one to return."""
    service_id = group_by_time(sim)
    send(dedup_key='k', **TRIGGER)
    send(dedup_key='j', **TRIGGER)
    send(event_action='resolve', dedup_key='k')
    [older] = incidents(account)
    assert older['status'] == 'triggered' and older['incident_key'] == 'k'
    setting = sim.api('GET', '/alert_grouping_settings', **{'service_ids[]': service_id}).json()['alert_grouping_settings'][0]
    assert sim.api('DELETE', '/alert_grouping_settings/' + setting['id']).status_code == 204
    result = send(dedup_key='k', wait_for_incident=True, wait_timeout=5, **TRIGGER)
    newer = incidents(account)[-1]
    assert newer['id'] != older['id'] and result['incident']['id'] == newer['id']


def test_an_unknown_routing_key_fails_naming_the_option(sim, run_module, account):
    result = run_module(pd_event, events_url=sim.url, routing_key='0123456789abcdef0123456789abcdef', **TRIGGER)
    assert result['failed'] and result['msg'].startswith('routing_key: PagerDuty knows no integration')
    assert '0123456789abcdef' not in json.dumps({k: v for k, v in result.items() if k != 'invocation'})


def test_the_routing_key_never_appears_in_the_result(sim, send, account):
    key = key_of(sim, 'Checkout')
    result = send(diff=True, dedup_key='k', wait_for_incident=True, **TRIGGER)
    assert key not in json.dumps(result)  # also not in the invocation, where it is masked as no_log


def test_the_routing_key_can_come_from_the_environment(sim, run_module, account, monkeypatch):
    monkeypatch.setenv('PAGERDUTY_ROUTING_KEY', key_of(sim, 'Checkout'))
    result = run_module(pd_event, events_url=sim.url, dedup_key='from-env', **TRIGGER)
    assert result['changed'] and incidents(account)[0]['service']['summary'] == 'Checkout'
