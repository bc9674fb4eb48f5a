"""Every write of the event orchestration modules under every fault of the matrix (matrix.py): a task ends
with exactly the intended orchestration, router or rules, or fails clearly having changed nothing - never
with a second orchestration, a lost route, or half its rules."""

import pytest

from ansible_collections.oncall.pagerduty.plugins.modules import (
    pd_event_orchestration,
    pd_event_orchestration_route,
    pd_service_orchestration,
)
from tests.reliability.matrix import FAULTS, Scenario, count_check, run_fault_case

ORCHESTRATIONS = r'^/event_orchestrations'
RULES = [dict(id='start', rules=[dict(label='Quiet', conditions=["event.source matches part 'test'"],
                                      actions=dict(suppress=True))])]


def listed(sim, name='Monitoring'):
    """(name, description) of every orchestration with the name, read through the simulator's API."""
    items = sim.api('GET', '/event_orchestrations', limit=100).json()['orchestrations']
    return [(o['name'], o.get('description')) for o in items if o['name'] == name]


def seed_orchestration(sim, with_route=False):
    ctx = {'orchestration': sim.api('POST', '/event_orchestrations', {'orchestration': {
        'name': 'Monitoring', 'description': 'old'}}).json()['orchestration']['id']}
    ctx['services'] = sim.seed(services=[{'name': name, 'escalation_policy': 'Default'} for name in ('Web', 'Search')])['services']
    if with_route:
        sim.api('PUT', '/event_orchestrations/%s/router' % ctx['orchestration'], {'orchestration_path': {'sets': [
            {'id': 'start', 'rules': [{'label': 'Search', 'actions': {'route_to': ctx['services'][1]}}]}]}})
    return ctx


def router_labels(sim, ctx):
    path = sim.api('GET', '/event_orchestrations/%s/router' % ctx['orchestration']).json()['orchestration_path']
    return [r.get('label') for r in path['sets'][0]['rules']]


def seed_service(sim):
    return {'service': sim.seed(services=[{'name': 'Checkout', 'escalation_policy': 'Default'}])['services'][0]}


def service_rules(sim, ctx):
    base = '/event_orchestrations/services/%s' % ctx['service']
    path = sim.api('GET', base).json()['orchestration_path']
    return ([r['label'] for s in path['sets'] for r in s['rules']], sim.api('GET', base + '/active').json()['active'])


def exactly(wanted):
    return lambda snapshot, ctx: (0, 0, snapshot == wanted)


def routes_exactly(wanted):
    """(duplicates, losses, as intended?) of the router's labels: the seeded route must never be lost."""
    return lambda snapshot, ctx: (len(snapshot) - len(set(snapshot)), int('Search' not in snapshot), snapshot == wanted)


SCENARIOS = [
    Scenario('pd_event_orchestration create', pd_event_orchestration, 'POST', ORCHESTRATIONS + '$',
             lambda sim: {}, lambda ctx: dict(name='Monitoring', description='new'),
             lambda sim, ctx: listed(sim), lambda snap, ctx: count_check(len(snap), 1)),
    Scenario('pd_event_orchestration update', pd_event_orchestration, 'PUT', ORCHESTRATIONS + '/[^/]+$',
             seed_orchestration, lambda ctx: dict(name='Monitoring', description='new'),
             lambda sim, ctx: listed(sim), lambda snap, ctx: count_check(len(snap), 1)[:2] + (snap == [('Monitoring', 'new')],)),
    Scenario('pd_event_orchestration delete', pd_event_orchestration, 'DELETE', ORCHESTRATIONS + '/',
             seed_orchestration, lambda ctx: dict(name='Monitoring', state='absent'),
             lambda sim, ctx: listed(sim), lambda snap, ctx: (0, 0, snap == [])),
    Scenario('pd_event_orchestration_route add (router PUT)', pd_event_orchestration_route, 'PUT', r'/router$',
             lambda sim: seed_orchestration(sim, with_route=True),
             lambda ctx: dict(orchestration='Monitoring', service='Web', conditions=["event.source matches part 'web'"]),
             router_labels, routes_exactly(['Search', 'Web'])),
    Scenario('pd_event_orchestration_route move (router PUT)', pd_event_orchestration_route, 'PUT', r'/router$',
             lambda sim: seed_orchestration(sim, with_route=True),
             lambda ctx: dict(orchestration='Monitoring', service='Web', conditions=["event.source matches part 'web'"],
                              position='first'),
             router_labels, routes_exactly(['Web', 'Search'])),
    Scenario('pd_event_orchestration_route remove (router PUT)', pd_event_orchestration_route, 'PUT', r'/router$',
             lambda sim: seed_orchestration(sim, with_route=True),
             lambda ctx: dict(orchestration='Monitoring', label='Search', state='absent'),
             router_labels, lambda snap, ctx: (0, 0, snap == [])),
    Scenario('pd_service_orchestration rules (PUT)', pd_service_orchestration, 'PUT', r'^/event_orchestrations/services/[^/]+$',
             seed_service, lambda ctx: dict(service='Checkout', sets=RULES, enabled=True),
             service_rules, exactly((['Quiet'], True))),
    Scenario('pd_service_orchestration active (PUT)', pd_service_orchestration, 'PUT', r'/active$',
             seed_service, lambda ctx: dict(service='Checkout', sets=RULES, enabled=True),
             service_rules, exactly((['Quiet'], True))),
]


@pytest.mark.parametrize('fault', list(FAULTS))
@pytest.mark.parametrize('scenario', SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_fault(sim, run_module, report, scenario, fault):
    run_fault_case(sim, run_module, report, scenario, fault)
