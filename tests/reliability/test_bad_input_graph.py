"""Wrong input to pd_business_service and pd_service_dependency: each case must fail with a message that
names the option and the problem, with no traceback, and with nothing written (the request log shows no
write that succeeded, and neither the services nor the business services and dependencies changed)."""

import copy

import pytest

from ansible_collections.oncall.pagerduty.plugins.modules import pd_business_service, pd_service_dependency
from tests.reliability.bad_input import case_id, check_bad_input
from tests.simulator import DEFAULT_READONLY_TOKEN

CHECKOUT = dict(service='Checkout', service_type='business')

CASES = [
    # -- pd_business_service ----------------------------------------------------------------------
    (pd_business_service, dict(), 'one of the following is required: name, id'),
    (pd_business_service, dict(name=''), 'name: must not be blank'),
    (pd_business_service, dict(name='Pay\n'), 'name: must not contain non-printable characters'),
    (pd_business_service, dict(name=' Pay'), 'name: must not start or end with a space'),
    (pd_business_service, dict(name='Pay', new_name=' '), 'new_name: must not be blank'),
    (pd_business_service, dict(id='PXXXXXX', new_name='Pay'), 'parameters are mutually exclusive: id|new_name'),
    (pd_business_service, dict(id='PNOSUCH', name='Pay'), "id: no business service has the ID 'PNOSUCH'"),
    (pd_business_service, dict(name='Ghost', new_name='Spirit'), "name: no business service is named 'Ghost' to rename to 'Spirit'"),
    (pd_business_service, dict(name='Twin', description='x'), "name: 2 business services are named 'Twin'"),
    (pd_business_service, dict(name='Pay', team='Paymnts'), "team: no team is named or identified by 'Paymnts'; did you mean 'Payments'"),
    (pd_business_service, dict(name='Pay', state='gone'), 'value of state must be one of: absent, present, got: gone'),
    (pd_business_service, dict(name='Pay', api_token=DEFAULT_READONLY_TOKEN), 'it may be a read-only API key'),
    # -- pd_service_dependency --------------------------------------------------------------------
    (pd_service_dependency, dict(), 'missing required arguments: depends_on, service'),
    (pd_service_dependency, dict(CHECKOUT, service=' ', depends_on=['Cart']), 'service: must not be blank'),
    (pd_service_dependency, dict(CHECKOUT, service_type='team', depends_on=['Cart']),
     'value of service_type must be one of: business, technical, got: team'),
    (pd_service_dependency, dict(CHECKOUT, depends_on=['Cart'], mode='replace'), 'value of mode must be one of: append, exclusive'),
    (pd_service_dependency, dict(CHECKOUT, depends_on=['Cart'], mode='exclusive', state='absent'),
     'mode: exclusive makes depends_on the whole list of dependencies, which only state present does'),
    (pd_service_dependency, dict(CHECKOUT, depends_on=['Cart', '']), 'depends_on[1]: must not be blank'),
    (pd_service_dependency, dict(CHECKOUT, depends_on=[['Cart']]), "depends_on[0]: must be a service name or ID, or {name, type}, got ['Cart']"),
    (pd_service_dependency, dict(CHECKOUT, depends_on=[{'type': 'technical'}]), 'depends_on[0].name: must be a service name or ID'),
    (pd_service_dependency, dict(CHECKOUT, depends_on=[{'name': 'Cart', 'type': 'tech'}]),
     "depends_on[0].type: must be technical or business, got 'tech'"),
    (pd_service_dependency, dict(CHECKOUT, depends_on=[{'name': 'Cart', 'kind': 'technical'}]),
     'depends_on[0]: unknown key kind; an item is a service name or ID, or {name, type}'),
    (pd_service_dependency, dict(CHECKOUT, depends_on=['Cart', 'Cart']), "depends_on[1]: 'Cart' is listed twice (also depends_on[0])"),
    (pd_service_dependency, dict(CHECKOUT, depends_on=['svc-%d' % i for i in range(2001)]),
     'depends_on: PagerDuty allows a service 2000 dependencies, got 2001'),
    (pd_service_dependency, dict(CHECKOUT, service='Nowhere', depends_on=['Cart']),
     "service: no business service is named or identified by 'Nowhere'"),
    (pd_service_dependency, dict(CHECKOUT, depends_on=['Cart', 'cart']),
     "depends_on[1]: no technical or business service is named or identified by 'cart'; did you mean 'Cart' (technical service"),
    (pd_service_dependency, dict(CHECKOUT, depends_on=['Identity']), "depends_on[0]: 2 services are named 'Identity'"),
    (pd_service_dependency, dict(service='Identity', depends_on=['Cart']), "service: 2 services are named 'Identity'"),
    (pd_service_dependency, dict(CHECKOUT, depends_on=[{'name': 'Twin', 'type': 'business'}]),
     "depends_on[0]: 2 services are named 'Twin'"),
    (pd_service_dependency, dict(service='Cart', depends_on=['API', 'Cart']), 'depends_on[1]: ' + "'Cart' (technical service"),
    (pd_service_dependency, dict(service='API', depends_on=[{'name': 'Checkout', 'type': 'business'}]),
     'a dependency both ways would be a cycle'),
    (pd_service_dependency, dict(CHECKOUT, depends_on=['Cart'], api_token=DEFAULT_READONLY_TOKEN), 'it may be a read-only API key'),
]


def graph_state(account):
    return copy.deepcopy((account.business_services, account.relationships))


@pytest.fixture
def world(sim, simulator_server):
    """Technical services Cart, API and Identity; business services Checkout (which API supports), Identity,
    and two named Twin."""
    sim.seed(services=[{'name': name, 'escalation_policy': 'Default'} for name in ('Cart', 'API', 'Identity')])
    account = simulator_server.sim.pagerduty
    checkout = account.add_business_service('Checkout')
    for name in ('Identity', 'Twin', 'Twin'):
        account.add_business_service(name)
    api = [s for s in account.services.values() if s['name'] == 'API'][0]
    supported = {'supporting_service': {'id': api['id'], 'type': 'service'},
                 'dependent_service': {'id': checkout['id'], 'type': 'business_service'}}
    with account.seeding():  # the account as it was before the test: its dependency is readable at once
        account.associate_dependencies({}, {'relationships': [supported]})
    before = sim.state()
    sim.clear_requests()
    return before


@pytest.mark.parametrize('module, options, message', CASES, ids=[case_id(c) for c in CASES])
def test_bad_input(sim, world, simulator_server, run_module, report, module, options, message):
    graph_before = graph_state(simulator_server.sim.pagerduty)
    check_bad_input(sim, world, run_module, report, module, options, message)
    assert graph_state(simulator_server.sim.pagerduty) == graph_before
