"""Every kind of write of pd_service_catalog under every fault of the matrix (matrix.py): a run ends
with exactly the listed objects, or fails clearly with what it did and did not do, never with a
duplicate or a purge outside its scope."""

import pytest

from ansible_collections.oncall.pagerduty.plugins.modules import pd_service_catalog
from tests.reliability.matrix import FAULTS, INTEGRATIONS, Scenario, run_fault_case


def seed(sim, services=(), integrations=()):
    sim.seed(services=[{'name': name, 'escalation_policy': 'Default'} for name in services],
             integrations=[{'service': service, 'type': 'events_api_v2_inbound_integration', 'name': name}
                           for service, name in integrations])
    return {}


def catalogue(sim, ctx=None):
    """(service name, sorted integration names) of every service, as the simulator holds them."""
    return sorted((s['name'], tuple(sorted(i['name'] for i in s['integrations']))) for s in sim.state()['services'])


def exactly(wanted):
    """(duplicates, losses, as intended?) against the catalogue `wanted`."""
    def check(snapshot, ctx):
        names = [name for name, dummy in snapshot]
        integrations = [(name, i) for name, listed in snapshot for i in listed]
        duplicates = (len(names) - len(set(names))) + (len(integrations) - len(set(integrations)))
        losses = sum(1 for name, listed in wanted if name not in names)
        return duplicates, losses, snapshot == sorted(wanted)
    return check


LISTED = [dict(name='cat-a', escalation_policy='Default', integrations=[dict(name='Events', type='events_api_v2')]),
          dict(name='cat-b', escalation_policy='Default', integrations=[dict(name='Events', type='events_api_v2')])]
BOTH = [('cat-a', ('Events',)), ('cat-b', ('Events',))]

SCENARIOS = [
    Scenario('pd_service_catalog create service', pd_service_catalog, 'POST', r'^/services$',
             lambda sim: {}, lambda ctx: dict(services=LISTED), catalogue, exactly(BOTH)),
    Scenario('pd_service_catalog create integration', pd_service_catalog, 'POST', INTEGRATIONS + '$',
             lambda sim: seed(sim, ['cat-a', 'cat-b']), lambda ctx: dict(services=LISTED), catalogue, exactly(BOTH)),
    Scenario('pd_service_catalog update service', pd_service_catalog, 'PUT', r'^/services/',
             lambda sim: seed(sim, ['cat-a', 'cat-b'], [('cat-a', 'Events'), ('cat-b', 'Events')]),
             lambda ctx: dict(services=[dict(item, description='new') for item in LISTED]),
             lambda sim, ctx: sorted((s['name'], s['description']) for s in sim.state()['services']),
             lambda snap, ctx: (0, 0, snap == [('cat-a', 'new'), ('cat-b', 'new')])),
    Scenario('pd_service_catalog replaced (integration DELETE)', pd_service_catalog, 'DELETE', INTEGRATIONS + '/',
             lambda sim: seed(sim, ['cat-a', 'cat-b'], [('cat-a', 'Events'), ('cat-b', 'Events'), ('cat-a', 'Stale')]),
             lambda ctx: dict(state='replaced', services=LISTED), catalogue, exactly(BOTH)),
    Scenario('pd_service_catalog overridden (service DELETE)', pd_service_catalog, 'DELETE', r'^/services/',
             lambda sim: seed(sim, ['cat-a', 'cat-b', 'cat-old', 'other'], [('cat-a', 'Events'), ('cat-b', 'Events')]),
             lambda ctx: dict(state='overridden', scope=dict(name_prefix='cat-'), services=LISTED),
             catalogue, exactly(BOTH + [('other', ())])),
]


@pytest.mark.parametrize('fault', list(FAULTS))
@pytest.mark.parametrize('scenario', SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_fault(sim, run_module, report, scenario, fault):
    run_fault_case(sim, run_module, report, scenario, fault)
