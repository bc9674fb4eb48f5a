"""The fault matrix's machinery, shared by every test_fault_matrix*.py: the faults, a scenario
(one write of one module), and the check of one scenario under one fault.

A case passes when the task either succeeded with exactly the intended objects, or failed clearly
and left everything as it was; duplicates and losses are counted for the table either way.
"""

import dataclasses
import typing

from tests.simulator.datadog import DEFAULT_API_KEY, DEFAULT_APP_KEY

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


TABLE = ('Fault matrix: module x fault -> outcome', ['write', 'fault', 'outcome', 'duplicates', 'losses'])


def run_fault_case(sim, run_module, report, scenario, fault):
    """Arm `fault` on the scenario's write, run the task, and check the world it leaves."""
    add_row = report(*TABLE)
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
