"""The simulator's business services and service dependencies checked against PagerDuty's own OpenAPI
description (the `check` fixture validates each response), and the documented limits it enforces."""

import pytest

from tests.unit.conftest import SPEC_AVAILABLE

pytestmark = pytest.mark.skipif(not SPEC_AVAILABLE, reason='PagerDuty OpenAPI description not beside the repository')


def service(sim, name):
    """A technical service, made without checking (the core's test checks services)."""
    return sim.api('POST', '/services', {'service': {
        'name': name, 'escalation_policy': {'id': 'PDEFEP1', 'type': 'escalation_policy_reference'}}}).json()['service']


def relationships(*pairs):
    """{"relationships": [...]} for (supporting id, its type, dependent id, its type) tuples."""
    return {'relationships': [{'supporting_service': {'id': s, 'type': st}, 'dependent_service': {'id': d, 'type': dt}}
                              for s, st, d, dt in pairs]}


def test_business_service_lifecycle(check):
    created = check('POST', '/business_services', {'business_service': {
        'name': 'Checkout', 'description': 'Pay', 'point_of_contact': 'Ada', 'team': {'id': 'PTEAM02'}}})
    assert created.status_code == 200  # the description answers a create with 200
    business = created.json()['business_service']
    assert business['team'] == {'id': 'PTEAM02', 'type': 'team_reference', 'self': business['team']['self']}
    bare = check('POST', '/business_services', {'business_service': {'name': 'Bare'}}).json()['business_service']
    assert 'description' not in bare and bare['team'] is None and bare['html_url'] is None
    listing = check('GET', '/business_services', limit=1, total='true').json()
    assert listing['more'] and listing['total'] == 2 and len(listing['business_services']) == 1
    assert check('GET', '/business_services/' + business['id']).json()['business_service']['name'] == 'Checkout'
    updated = check('PUT', '/business_services/' + business['id'], {'business_service': {'team': None, 'name': 'Pay'}})
    assert updated.json()['business_service']['team'] is None
    assert check('DELETE', '/business_services/' + business['id']).status_code == 204
    assert check('GET', '/business_services/' + business['id']).status_code == 404


def test_business_service_errors(check):
    assert check('POST', '/business_services', {'business_service': {'name': ' '}}).status_code == 400
    refused = check('POST', '/business_services', {'business_service': {'name': 'x', 'team': {'id': 'PNOTEAM'}}})
    assert refused.status_code == 400 and refused.json()['error']['code'] == 2001
    assert check('PUT', '/business_services/PNOPE00', {'business_service': {'name': 'x'}}).status_code == 404
    assert check('DELETE', '/business_services/PNOPE00').status_code == 404


def test_dependencies_lifecycle(check, sim):
    cart, api = service(sim, 'cart')['id'], service(sim, 'api')['id']
    business = check('POST', '/business_services', {'business_service': {'name': 'Checkout'}}).json()['business_service']
    associated = check('POST', '/service_dependencies/associate', relationships(
        (cart, 'service', business['id'], 'business_service'), (api, 'service', cart, 'service')))
    assert associated.status_code == 200
    made = associated.json()['relationships']
    assert made[0]['type'] == 'service_dependency' and made[0]['supporting_service']['type'] == 'technical_service_reference'
    assert made[0]['dependent_service']['type'] == 'business_service_reference'
    # Associating a relationship that exists answers it as it is, without a second one.
    again = check('POST', '/service_dependencies/associate', relationships((api, 'service', cart, 'service')))
    assert again.json()['relationships'][0]['id'] == made[1]['id']
    # A service's immediate relationships, both ways.
    of_cart = check('GET', '/service_dependencies/technical_services/' + cart).json()['relationships']
    assert sorted(r['id'] for r in of_cart) == sorted(r['id'] for r in made)
    of_business = check('GET', '/service_dependencies/business_services/' + business['id']).json()['relationships']
    assert [r['id'] for r in of_business] == [made[0]['id']]
    removed = check('POST', '/service_dependencies/disassociate', relationships(
        (cart, 'business_service_reference', business['id'], 'business_service'),   # a wrong type is not found
    ))
    assert removed.status_code == 404
    removed = check('POST', '/service_dependencies/disassociate', relationships(
        (cart, 'service', business['id'], 'business_service'), (api, 'service', business['id'], 'business_service')))
    assert [r['id'] for r in removed.json()['relationships']] == [made[0]['id']]  # one that does not exist is passed over
    assert check('GET', '/service_dependencies/business_services/' + business['id']).json()['relationships'] == []


def test_dependency_errors_as_pagerduty_gives_them(check, sim):
    cart = service(sim, 'cart')['id']
    unknown = check('POST', '/service_dependencies/associate', relationships((cart, 'service', 'PNOPE00', 'service')))
    assert unknown.status_code == 404
    assert unknown.json()['error'] == {'code': 2100, 'message': 'Not Found',
                                       'errors': ['Business/Technical Service not found or lack permissions against']}
    # terraform-provider-pagerduty #226: a technical service's ID at the business services' path.
    wrong_path = check('GET', '/service_dependencies/business_services/' + cart)
    assert wrong_path.status_code == 404 and wrong_path.json()['error'] == {'code': 404, 'message': 'Service Not Found'}
    assert check('POST', '/service_dependencies/associate', {'relationships': []}).status_code == 400
    assert check('POST', '/service_dependencies/associate', relationships((cart, 'service', cart, 'service'))).status_code == 400
    bad_type = check('POST', '/service_dependencies/associate', relationships((cart, 'technical', cart, 'service')))
    assert bad_type.status_code == 400


def test_limits_of_the_graph(check, sim, simulator_server):
    account = simulator_server.sim.pagerduty
    ids = [service(sim, 'chain-%03d' % index)['id'] for index in range(101)]
    chain = [(ids[i + 1], 'service', ids[i], 'service') for i in range(99)]  # 100 services deep
    assert check('POST', '/service_dependencies/associate', relationships(*chain)).status_code == 200
    deeper = check('POST', '/service_dependencies/associate', relationships((ids[100], 'service', ids[99], 'service')))
    assert deeper.status_code == 400 and 'at most 100 services deep' in deeper.json()['error']['errors'][0]
    cycle = check('POST', '/service_dependencies/associate', relationships((ids[0], 'service', ids[5], 'service')))
    assert cycle.status_code == 400 and 'cycle' in cycle.json()['error']['errors'][0]
    assert len(account._live()) == 99  # a refused request creates nothing


def test_read_lag_of_relationships_and_of_deletions(check, sim, simulator_server):
    cart, api, db = service(sim, 'cart')['id'], service(sim, 'api')['id'], service(sim, 'db')['id']
    old = check('POST', '/service_dependencies/associate', relationships((api, 'service', cart, 'service')))
    sim.settings(read_after_write_lag_seconds=30)
    check('POST', '/service_dependencies/associate', relationships((db, 'service', cart, 'service')))
    assert check('DELETE', '/services/' + api).status_code == 204
    # For a while, reads miss the new relationship and still show the one of the deleted service.
    shown = check('GET', '/service_dependencies/technical_services/' + cart).json()['relationships']
    assert [r['id'] for r in shown] == [old.json()['relationships'][0]['id']]
    assert [r['supporting']['id'] for r in simulator_server.sim.pagerduty._live()] == [db]
