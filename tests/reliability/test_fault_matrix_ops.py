"""Every write of pd_maintenance_window and pd_event under every fault of the matrix (matrix.py).

A change event is the one write that is never repeated blind (PagerDuty does not deduplicate change events), so
its rows have one more honest outcome: the task failed saying that the event may have been recorded, and it was
recorded once. Its cases wait for requests still in flight before looking, so a delayed request is counted.
"""

import datetime
import time

import pytest

from ansible_collections.oncall.pagerduty.plugins.modules import pd_event, pd_maintenance_window
from tests.reliability.matrix import FAULTS, TABLE, TIMEOUT, Scenario, count_check, run_fault_case

SENDER = 'ada@example.com'
WINDOWS = r'^/maintenance_windows'
UTC = datetime.timezone.utc
MAY_BE_RECORDED = 'PagerDuty may have recorded it'


def at(minutes):
    return (datetime.datetime.now(UTC) + datetime.timedelta(minutes=minutes)).strftime('%Y-%m-%dT%H:%M:%SZ')


def seed_web(sim):
    return sim.seed(services=[{'name': 'web', 'escalation_policy': 'Default'}],
                    integrations=[{'service': 'web', 'type': 'events_api_v2_inbound_integration', 'name': 'Events'}])


def with_window(start, end):
    def setup(sim):
        service_id = seed_web(sim)['services'][0]
        response = sim.api('POST', '/maintenance_windows', {'maintenance_window': {
            'type': 'maintenance_window', 'description': 'deploy', 'start_time': start(), 'end_time': end(),
            'services': [{'id': service_id, 'type': 'service_reference'}]}},
            headers={'From': SENDER})
        response.raise_for_status()
        return {}
    return setup


def open_windows(sim, ctx=None):
    """(description, services, length in minutes) of every ongoing or future window."""
    listed = sim.api('GET', '/maintenance_windows', filter='open').json()['maintenance_windows']
    return [(w['description'], [s['summary'] for s in w['services']],
             round((datetime.datetime.fromisoformat(w['end_time']) - datetime.datetime.fromisoformat(w['start_time']))
                   .total_seconds() / 60)) for w in listed]


def events_setup(sim):
    seed_web(sim)
    return {'key': sim.state()['services'][0]['integrations'][0]['integration_key'], 'url': sim.url}


def open_incidents(sim, ctx=None):
    return sorted((i['service']['summary'], i['status']) for i in sim.state()['incidents'])


WINDOW = dict(services=['web'], description='deploy', from_email=SENDER)

SCENARIOS = [
    Scenario('pd_maintenance_window create', pd_maintenance_window, 'POST', WINDOWS + '$',
             lambda sim: seed_web(sim) and {}, lambda ctx: dict(WINDOW, duration_minutes=30),
             open_windows, lambda snap, ctx: count_check(len(snap), 1)[:2] + (len(snap) == 1 and snap[0][2] in (29, 30),)),
    Scenario('pd_maintenance_window update (PUT)', pd_maintenance_window, 'PUT', WINDOWS + '/',
             with_window(lambda: at(0), lambda: at(30)), lambda ctx: dict(WINDOW, duration_minutes=60),
             open_windows, lambda snap, ctx: count_check(len(snap), 1)[:2] + (len(snap) == 1 and snap[0][2] in (59, 60),)),
    Scenario('pd_maintenance_window end ongoing (DELETE)', pd_maintenance_window, 'DELETE', WINDOWS + '/',
             with_window(lambda: at(0), lambda: at(30)), lambda ctx: dict(WINDOW, state='absent'),
             open_windows, lambda snap, ctx: (0, 0, snap == [])),
    Scenario('pd_maintenance_window delete future (DELETE)', pd_maintenance_window, 'DELETE', WINDOWS + '/',
             with_window(lambda: at(60), lambda: at(90)), lambda ctx: dict(WINDOW, state='absent'),
             open_windows, lambda snap, ctx: (0, 0, snap == [])),
    Scenario('pd_event trigger', pd_event, 'POST', r'^/v2/enqueue$', events_setup,
             lambda ctx: dict(events_url=ctx['url'], routing_key=ctx['key'], summary='Disk full', source='db1',
                              severity='critical'),
             open_incidents, lambda snap, ctx: count_check(len(snap), 1)[:2] + (snap == [('web', 'triggered')],)),
]


@pytest.mark.parametrize('fault', list(FAULTS))
@pytest.mark.parametrize('scenario', SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_fault(sim, run_module, report, scenario, fault):
    run_fault_case(sim, run_module, report, scenario, fault)


def change_events(sim):
    service_id = sim.api('GET', '/services', name='web').json()['services'][0]['id']
    return [c['summary'] for c in sim.api('GET', '/services/%s/change_events' % service_id).json()['change_events']]


def settle(sim, seconds=TIMEOUT + 3):
    """Wait until no request is in flight (a delayed one is handled, or was dropped)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if all(r['status'] is not None or r.get('fault') for r in sim.requests()):
            return
        time.sleep(0.1)


@pytest.mark.parametrize('fault', list(FAULTS))
def test_fault_change_event(sim, run_module, report, fault):
    add_row = report(*TABLE)
    ctx = events_setup(sim)
    sim.clear_requests()
    sim.fault(method='POST', path=r'^/v2/change/enqueue$', times=1, **FAULTS[fault])
    result = run_module(pd_event, timeout=TIMEOUT, events_url=ctx['url'], routing_key=ctx['key'],
                        event_action='change', summary='Deployed 2.4.1')
    settle(sim)
    recorded = change_events(sim)
    if not result.get('failed'):
        outcome = 'ok' if recorded == ['Deployed 2.4.1'] else 'WRONG STATE'
    elif not recorded:
        outcome = 'failed cleanly'
    elif MAY_BE_RECORDED in result['msg'] and len(recorded) == 1:
        outcome = 'failed, said it may be done'
    else:
        outcome = 'HALF-DONE'
    duplicates, losses = max(0, len(recorded) - 1), int(not result.get('failed') and not recorded)
    add_row(('pd_event change', fault, outcome, duplicates, losses))
    assert 'Traceback' not in result.get('msg', '') and 'exception' not in result
    assert duplicates == 0 and losses == 0, (result, recorded)
    assert outcome in ('ok', 'failed cleanly', 'failed, said it may be done'), (result.get('msg'), recorded)
