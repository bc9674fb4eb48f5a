"""The API-call budget of each module, read from the simulator's request log. Counts are
deterministic, so they are asserted exactly; they must not grow with the account's size."""

import pytest

from ansible_collections.oncall.pagerduty.plugins.modules import (
    pd_integration,
    pd_integration_move,
    pd_service,
    pd_vendor_info,
)


def requests_of(sim, run_module, module, **options):
    sim.clear_requests()
    result = run_module(module, **options)
    assert not result.get('failed'), result.get('msg')
    return [(r['method'], r['path']) for r in sim.requests()]


@pytest.fixture(params=['seed account', '5,000 services and 600 more vendors'])
def account(request, sim):
    if request.param != 'seed account':
        sim.seed(services={'count': 5000, 'name_prefix': 'bulk-', 'escalation_policy': 'Default'},
                 vendors={'count': 600, 'name_prefix': 'Bulk Vendor '})
    sim.seed(services=[{'name': 'Cart', 'escalation_policy': 'Platform On-Call'},
                       {'name': 'Checkout', 'escalation_policy': 'Platform On-Call'}],
             integrations=[{'service': 'Cart', 'type': 'events_api_v2_inbound_integration', 'name': 'Events'},
                           {'service': 'Cart', 'vendor': {'id': 'PAM4FGS', 'type': 'vendor_reference'}, 'name': 'Datadog-Cart'}])
    return request.param


@pytest.mark.parametrize('module, options, budget', [
    (pd_service, dict(name='Cart', escalation_policy='PPLATEP'), 1),
    (pd_service, dict(name='Cart', escalation_policy='Platform On-Call'), 1),  # the service's own policy: no lookup
    (pd_integration, dict(service='Cart', name='Events', type='events_api_v2'), 1),
    (pd_integration, dict(service='Cart', vendor='Datadog'), 1),              # no vendor lookup
    (pd_vendor_info, dict(name='Datadog'), 1),
])
def test_no_op_runs(sim, run_module, account, module, options, budget):
    assert len(requests_of(sim, run_module, module, **options)) == budget


def test_already_moved_costs_at_most_two(sim, run_module, account):
    requests_of(sim, run_module, pd_integration_move, integration='Events', from_service='Cart', to_service='Checkout')
    by_name = requests_of(sim, run_module, pd_integration_move, integration='Events', from_service='Cart', to_service='Checkout')
    assert len(by_name) == 2


@pytest.mark.reads_follow_writes('counts its requests exactly')
def test_writes_add_themselves_and_one_read_back(sim, run_module, account):
    # Each write is read back once by ID: PagerDuty's reads lag its writes, and the next task (or
    # a second run) must see what this one did (docs/reliability.md).
    update = requests_of(sim, run_module, pd_service, name='Cart', description='new words')
    assert [m for m, p in update] == ['GET', 'PUT', 'GET']
    create = requests_of(sim, run_module, pd_service, name='New', escalation_policy='PDEFEP1')
    # A policy that is not the service's own is read once, by ID or by name: an all-capitals name
    # looks like an ID, so an ID is verified rather than sent blind. Before a create, one search for
    # names that differ only in case (a warning names them).
    assert [m for m, p in create] == ['GET', 'GET', 'GET', 'POST', 'GET']
    delete = requests_of(sim, run_module, pd_service, name='New', state='absent')
    assert [m for m, p in delete] == ['GET', 'DELETE']
    # Two reads after the create: PagerDuty does not keep integration names unique, so the service is
    # read until it shows the new integration, and once more when creates of other runs that were in
    # flight at the same moment have landed: runs creating the same integration at once end with one
    # (docs/reliability.md).
    created = requests_of(sim, run_module, pd_integration, service='Cart', name='Deploys', type='events_api_v2')
    assert [m for m, p in created] == ['GET', 'POST', 'GET', 'GET']


@pytest.mark.reads_follow_writes('counts its requests exactly')
def test_policy_by_name_on_create_costs_one_lookup(sim, run_module, account):
    created = requests_of(sim, run_module, pd_service, name='New', escalation_policy='Payments On-Call')
    assert created[:4] == [('GET', '/services'), ('GET', '/escalation_policies'), ('GET', '/services'),
                           ('POST', '/services')]
    assert len(created) == 5 and created[4][0] == 'GET'  # the read back
