"""Every write of pd_business_service and pd_service_dependency, under every fault a real network and API
produce (the machinery is in matrix.py; the rows join the one fault-matrix table)."""

import pytest

from ansible_collections.oncall.pagerduty.plugins.modules import pd_business_service, pd_service_dependency
from tests.reliability.matrix import FAULTS, Scenario, count_check, run_fault_case

BUSINESS_SERVICES = r'^/business_services'


def business_services(sim):
    return sim.api('GET', '/business_services', limit=100).json()['business_services']


def create_business_service(sim, name, **fields):
    response = sim.api('POST', '/business_services', {'business_service': dict(fields, name=name)})
    response.raise_for_status()
    return response.json()['business_service']['id']


def checkout_snapshot(sim, ctx):
    return [b.get('description') or '' for b in business_services(sim) if b['name'] == 'Checkout']


def graph_world(sim, supported_by=()):
    """Services Cart and API, a business service Checkout depending on `supported_by`; ids by name."""
    created = sim.seed(services=[{'name': 'Cart', 'escalation_policy': 'Default'},
                                 {'name': 'API', 'escalation_policy': 'Default'}])['services']
    ctx = {'Cart': created[0], 'API': created[1], 'Checkout': create_business_service(sim, 'Checkout')}
    if supported_by:
        response = sim.api('POST', '/service_dependencies/associate', {'relationships': [
            {'supporting_service': {'id': ctx[name], 'type': 'service'},
             'dependent_service': {'id': ctx['Checkout'], 'type': 'business_service'}} for name in supported_by]})
        response.raise_for_status()
    return ctx


def supporting_snapshot(sim, ctx):
    """The names of what Checkout depends on, one entry per relationship (a duplicate would show twice)."""
    names = {service_id: name for name, service_id in ctx.items()}
    listing = sim.api('GET', '/service_dependencies/business_services/' + ctx['Checkout']).json()['relationships']
    return sorted(names.get(r['supporting_service']['id'], '?') for r in listing
                  if r['dependent_service']['id'] == ctx['Checkout'])


def exactly(wanted):
    """(duplicates, losses, as intended?) of a snapshot of names where `wanted` should be, each once."""
    def check(snapshot, ctx):
        duplicates = len(snapshot) - len(set(snapshot))
        losses = len(set(wanted) - set(snapshot))
        return duplicates, losses, snapshot == sorted(wanted)
    return check


CHECKOUT = dict(service='Checkout', service_type='business')

SCENARIOS = [
    Scenario('pd_business_service create', pd_business_service, 'POST', BUSINESS_SERVICES + '$',
             lambda sim: {}, lambda ctx: dict(name='Checkout', description='Pay', team='Payments'),
             checkout_snapshot, lambda snap, ctx: count_check(len(snap), 1)[:2] + (snap == ['Pay'],)),
    Scenario('pd_business_service update', pd_business_service, 'PUT', BUSINESS_SERVICES + '/',
             lambda sim: {'id': create_business_service(sim, 'Checkout', description='old')},
             lambda ctx: dict(name='Checkout', description='new'),
             checkout_snapshot, lambda snap, ctx: count_check(len(snap), 1)[:2] + (snap == ['new'],)),
    Scenario('pd_business_service delete', pd_business_service, 'DELETE', BUSINESS_SERVICES + '/',
             lambda sim: {'id': create_business_service(sim, 'Checkout')}, lambda ctx: dict(name='Checkout', state='absent'),
             checkout_snapshot, lambda snap, ctx: (0, 0, snap == [])),
    Scenario('pd_service_dependency associate', pd_service_dependency, 'POST', r'^/service_dependencies/associate$',
             graph_world, lambda ctx: dict(CHECKOUT, depends_on=['Cart', 'API']),
             supporting_snapshot, exactly(['API', 'Cart'])),
    Scenario('pd_service_dependency disassociate', pd_service_dependency, 'POST', r'^/service_dependencies/disassociate$',
             lambda sim: graph_world(sim, ('Cart', 'API')), lambda ctx: dict(CHECKOUT, depends_on=['Cart'], mode='exclusive'),
             supporting_snapshot, exactly(['Cart'])),
    Scenario('pd_service_dependency absent', pd_service_dependency, 'POST', r'^/service_dependencies/disassociate$',
             lambda sim: graph_world(sim, ('Cart', 'API')), lambda ctx: dict(CHECKOUT, depends_on=['API'], state='absent'),
             supporting_snapshot, exactly(['Cart'])),
]


@pytest.mark.parametrize('fault', list(FAULTS))
@pytest.mark.parametrize('scenario', SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_fault(sim, run_module, report, scenario, fault):
    run_fault_case(sim, run_module, report, scenario, fault)
