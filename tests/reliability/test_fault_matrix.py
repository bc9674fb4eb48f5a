"""Every write of every module, under every fault a real network and API produce.

A case passes when the task either succeeded with exactly the intended objects, or failed clearly
and left everything as it was; duplicates and losses are counted for the table either way.
"""

import dataclasses
import typing

import pytest

from tests.simulator.datadog import DEFAULT_API_KEY, DEFAULT_APP_KEY
from ansible_collections.oncall.pagerduty.plugins.modules import (
    pd_datadog_service,
    pd_integration,
    pd_integration_move,
    pd_service,
)

TIMEOUT = 1  # the module's timeout option in every case; the slow fault answers after TIMEOUT + 1
FAULTS = {
    '429 with reset': dict(action='status', status=429, headers={'ratelimit-reset': '1', 'X-RateLimit-Reset': '1'},
                           body={'error': {'code': 2020, 'message': 'Rate Limit Exceeded'}}),
    '429 bare': dict(action='status', status=429, body={}),
    '500': dict(action='status', status=500),
    '502': dict(action='status', status=502),
    '503': dict(action='status', status=503),
    '504': dict(action='status', status=504),
    'slow': dict(action='delay', seconds=TIMEOUT + 1),
    'dropped': dict(action='drop'),
    'commit+drop': dict(action='commit_then_drop'),
}
INTEGRATIONS = r'^/services/[^/]+/integrations'
DATADOG = r'^/api/v1/integration/pagerduty/configuration/services'
KEY = 'f' * 32


@dataclasses.dataclass
class Scenario:
    """One write of one module: how to set the world up, the task, and the end state it wants."""

    name: str
    module: typing.Any
    method: str
    path: str
    setup: typing.Callable      # (sim) -> context
    options: typing.Callable    # (context) -> module options
    observe: typing.Callable    # (sim, context) -> a snapshot of what matters
    intended: typing.Callable   # (snapshot, context) -> (duplicates, losses, as intended?)


def services_named(sim, name):
    return [s for s in sim.state()['services'] if s['name'] == name]


def integrations_named(sim, name):
    return [i for s in sim.state()['services'] for i in s['integrations'] if i['name'] == name]


def count_check(count, wanted):
    """(duplicates, losses, as intended?) for `count` objects where `wanted` (0 or 1) should be."""
    return max(0, count - max(wanted, 1)), int(wanted == 1 and count == 0), count == wanted


def seed_datadog_object(sim):
    """A service object 'web' in Datadog, with another key than the task's."""
    response = sim.http.post(sim.url + DATADOG.strip('^'), json={'service_name': 'web', 'service_key': 'old-key-0123456789'},
                             headers={'DD-API-KEY': DEFAULT_API_KEY, 'DD-APPLICATION-KEY': DEFAULT_APP_KEY})
    response.raise_for_status()
    return {}


def seed_service(sim, **fields):
    return sim.seed(services=[dict({'name': 'web', 'escalation_policy': 'Default'}, **fields)])['services'][0]


def seed_two_services(sim):
    created = sim.seed(services=[{'name': 'Cart', 'escalation_policy': 'Default'},
                                 {'name': 'Checkout', 'escalation_policy': 'Default'}])
    return {'from': created['services'][0], 'to': created['services'][1]}


def service_snapshot(sim, ctx):
    return [(s['description'], s['status']) for s in services_named(sim, 'web')]


def move_snapshot(sim, ctx):
    return sorted((i['service']['summary'], i.get('integration_key'), i.get('integration_email'))
                  for i in integrations_named(sim, ctx['name']))


def seeded_integration(kind, name):
    def setup(sim):
        ctx = seed_two_services(sim)
        sim.seed(integrations=[dict(kind, service='Cart', name=name)])
        ctx['name'] = name
        ctx['before'] = move_snapshot(sim, ctx)
        return ctx
    return setup


EMAIL = {'type': 'generic_email_inbound_integration', 'integration_email': 'cart@acme.pagerduty.com'}
EVENTS = {'type': 'events_api_v2_inbound_integration'}


def moved_in_place(snapshot, ctx):
    before = ctx['before'][0]
    on_destination = [i for i in snapshot if i[0] == 'Checkout']
    return count_check(len(snapshot), 1)[:2] + (len(on_destination) == 1 and on_destination[0][1:] == before[1:],)


def moved_by_copy(snapshot, ctx):
    on_destination = [i for i in snapshot if i[0] == 'Checkout']
    return count_check(len(snapshot), 1)[:2] + (len(snapshot) == 1 and len(on_destination) == 1,)


SCENARIOS = [
    Scenario('pd_service create', pd_service, 'POST', r'^/services$',
             lambda sim: {}, lambda ctx: dict(name='web', escalation_policy='PDEFEP1'),
             service_snapshot, lambda snap, ctx: count_check(len(snap), 1)),
    Scenario('pd_service create disabled (PUT)', pd_service, 'PUT', r'^/services/',
             lambda sim: {}, lambda ctx: dict(name='web', escalation_policy='PDEFEP1', status='disabled'),
             service_snapshot, lambda snap, ctx: count_check(len(snap), 1)[:2] + (snap == [(None, 'disabled')],)),
    Scenario('pd_service update', pd_service, 'PUT', r'^/services/',
             lambda sim: {'id': seed_service(sim, description='old')}, lambda ctx: dict(name='web', description='new'),
             service_snapshot, lambda snap, ctx: count_check(len(snap), 1)[:2] + (snap == [('new', 'active')],)),
    Scenario('pd_service delete', pd_service, 'DELETE', r'^/services/',
             lambda sim: {'id': seed_service(sim)}, lambda ctx: dict(name='web', state='absent'),
             service_snapshot, lambda snap, ctx: (0, 0, snap == [])),
    Scenario('pd_integration create', pd_integration, 'POST', INTEGRATIONS + '$',
             lambda sim: {'service': seed_service(sim)}, lambda ctx: dict(service='web', name='Events', type='events_api_v2'),
             lambda sim, ctx: integrations_named(sim, 'Events'), lambda snap, ctx: count_check(len(snap), 1)),
    Scenario('pd_integration update', pd_integration, 'PUT', INTEGRATIONS + '/',
             seeded_integration(EMAIL, 'Email'),
             lambda ctx: dict(service='Cart', name='Email', email_filter_mode='or-rules-email',
                              email_filters=[dict(subject_mode='match', subject_regex='DOWN')]),
             lambda sim, ctx: [i['email_filter_mode'] for i in integrations_named(sim, 'Email')],
             lambda snap, ctx: count_check(len(snap), 1)[:2] + (snap == ['or-rules-email'],)),
    Scenario('pd_integration delete', pd_integration, 'DELETE', INTEGRATIONS + '/',
             seeded_integration(EVENTS, 'Events'), lambda ctx: dict(service='Cart', name='Events', state='absent'),
             lambda sim, ctx: integrations_named(sim, 'Events'), lambda snap, ctx: (0, 0, snap == [])),
    Scenario('pd_integration recreate (POST)', pd_integration, 'POST', INTEGRATIONS + '$',
             seeded_integration(EVENTS, 'Alerts'), lambda ctx: dict(service='Cart', name='Alerts', vendor='Datadog', recreate=True),
             lambda sim, ctx: [(i.get('vendor') or {}).get('id') for i in integrations_named(sim, 'Alerts')],
             lambda snap, ctx: count_check(len(snap), 1)[:2] + (snap == ['PAM4FGS'],)),
    Scenario('pd_integration recreate (DELETE)', pd_integration, 'DELETE', INTEGRATIONS + '/',
             seeded_integration(EVENTS, 'Alerts'), lambda ctx: dict(service='Cart', name='Alerts', vendor='Datadog', recreate=True),
             lambda sim, ctx: [(i.get('vendor') or {}).get('id') for i in integrations_named(sim, 'Alerts')],
             lambda snap, ctx: count_check(len(snap), 1)[:2] + (snap == ['PAM4FGS'],)),
    Scenario('pd_integration_move in place (PUT)', pd_integration_move, 'PUT', INTEGRATIONS + '/',
             seeded_integration(EVENTS, 'Events'), lambda ctx: dict(integration='Events', from_service='Cart', to_service='Checkout'),
             move_snapshot, moved_in_place),
    Scenario('pd_integration_move recreate (PUT)', pd_integration_move, 'PUT', INTEGRATIONS + '/',
             seeded_integration(EMAIL, 'Email'),
             lambda ctx: dict(integration='Email', from_service='Cart', to_service='Checkout', strategy='recreate'),
             move_snapshot, moved_by_copy),
    Scenario('pd_integration_move recreate (POST)', pd_integration_move, 'POST', INTEGRATIONS + '$',
             seeded_integration(EMAIL, 'Email'),
             lambda ctx: dict(integration='Email', from_service='Cart', to_service='Checkout', strategy='recreate'),
             move_snapshot, moved_by_copy),
    Scenario('pd_integration_move recreate (DELETE)', pd_integration_move, 'DELETE', INTEGRATIONS + '/',
             seeded_integration(EMAIL, 'Email'),
             lambda ctx: dict(integration='Email', from_service='Cart', to_service='Checkout', strategy='recreate'),
             move_snapshot, moved_by_copy),
    Scenario('pd_datadog_service create', pd_datadog_service, 'POST', DATADOG + '$',
             lambda sim: {}, lambda ctx: dict(service_name='web', service_key=KEY),
             lambda sim, ctx: sim.datadog()['services'], lambda snap, ctx: (0, int(not snap), snap == {'web': KEY})),
    Scenario('pd_datadog_service update_key always', pd_datadog_service, 'PUT', DATADOG + '/',
             seed_datadog_object,
             lambda ctx: dict(service_name='web', service_key=KEY, update_key='always'),
             lambda sim, ctx: sim.datadog()['services'], lambda snap, ctx: (0, int(not snap), snap == {'web': KEY})),
    Scenario('pd_datadog_service delete', pd_datadog_service, 'DELETE', DATADOG + '/',
             seed_datadog_object, lambda ctx: dict(service_name='web', state='absent'),
             lambda sim, ctx: sim.datadog()['services'], lambda snap, ctx: (0, 0, snap == {})),
]


@pytest.mark.parametrize('fault', list(FAULTS))
@pytest.mark.parametrize('scenario', SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_fault(sim, run_module, report, scenario, fault):
    add_row = report('Fault matrix: module x fault -> outcome', ['write', 'fault', 'outcome', 'duplicates', 'losses'])
    ctx = scenario.setup(sim) or {}
    before = scenario.observe(sim, ctx)
    sim.clear_requests()
    sim.fault(method=scenario.method, path=scenario.path, times=1, **FAULTS[fault])
    result = run_module(scenario.module, timeout=TIMEOUT, **scenario.options(ctx))
    after = scenario.observe(sim, ctx)
    duplicates, losses, intended = scenario.intended(after, ctx)
    if result.get('failed'):
        outcome = 'failed cleanly' if after == before else 'HALF-DONE'
    else:
        outcome = 'ok' if intended else 'WRONG STATE'
    add_row((scenario.name, fault, outcome, duplicates, losses))
    assert 'Traceback' not in result.get('msg', '') and 'exception' not in result
    assert duplicates == 0 and losses == 0, (result, after)
    assert outcome in ('ok', 'failed cleanly'), (result.get('msg'), before, after)
