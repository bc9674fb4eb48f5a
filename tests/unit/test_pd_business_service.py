"""pd_business_service runs in-process against the simulator; claims about requests and writes come from the
simulator's request log, and the business services from the simulated account's own state."""

import pytest

from ansible_collections.oncall.pagerduty.plugins.modules import pd_business_service, pd_service, pd_service_dependency
from tests.conftest import warning_texts

CHECKOUT = dict(name='Online Checkout', description='Customers pay for their basket', point_of_contact='#payments',
                team='Payments')


@pytest.fixture
def account(simulator_server, sim):
    """The simulated account, read directly."""
    return simulator_server.sim.pagerduty


def business_services(account):
    return sorted(account.business_services.values(), key=lambda b: (b['name'], b['id']))


def test_check_mode_create_writes_nothing_and_predicts_the_diff(sim, run_module, account):
    result = run_module(pd_business_service, check_mode=True, diff=True, **CHECKOUT)
    assert result['changed'] and result['business_service']['id'] is None
    assert result['diff'] == {'before': {}, 'after': {
        'name': 'Online Checkout', 'description': 'Customers pay for their basket', 'point_of_contact': '#payments',
        'team': 'Payments'}}
    assert sim.writes() == [] and business_services(account) == []


def test_create_then_second_run_is_ok_and_reads_only(sim, run_module, account):
    created = run_module(pd_business_service, diff=True, **CHECKOUT)
    assert created['changed'], created
    [stored] = business_services(account)
    assert stored['team']['id'] == 'PTEAM02' and stored['point_of_contact'] == '#payments'
    assert created['business_service']['id'] == stored['id']
    assert created['business_service']['team']['summary'] == 'Payments'
    assert [(r['method'], r['path']) for r in sim.writes()] == [('POST', '/business_services')]
    sim.clear_requests()
    again = run_module(pd_business_service, diff=True, **CHECKOUT)
    assert not again['changed'] and 'diff' not in again
    # The list of business services (no name filter) and the team by name: no write, two reads.
    assert [(r['method'], r['path']) for r in sim.requests()] == [('GET', '/business_services'), ('GET', '/teams')]


def test_no_op_by_id_costs_one_request(sim, run_module, account):
    created = run_module(pd_business_service, **CHECKOUT)['business_service']
    sim.clear_requests()
    again = run_module(pd_business_service, id=created['id'], name='Online Checkout', team='PTEAM02')
    assert not again['changed'] and len(sim.requests()) == 1


@pytest.mark.reads_follow_writes('counts its requests exactly')
def test_a_name_is_matched_exactly_among_every_page(sim, run_module, account):
    for index in range(150):
        account.add_business_service('Filler %03d' % index)
    account.add_business_service('online checkout')  # another case: another business service
    sim.clear_requests()
    result = run_module(pd_business_service, name='Online Checkout')
    assert result['changed'] and len([b for b in business_services(account) if b['name'] == 'Online Checkout']) == 1
    listing = [r for r in sim.requests() if (r['method'], r['path']) == ('GET', '/business_services')]
    # Found (absent) in two pages; then the create is read back, and read again once the creates of other runs
    # that were in flight at the same moment have landed (PagerDuty does not keep the names unique).
    assert [r['query']['offset'] for r in listing] == [['0'], ['100']] * 3


def test_update_shows_only_what_changes_and_names_the_teams(sim, run_module, account):
    run_module(pd_business_service, **CHECKOUT)
    result = run_module(pd_business_service, diff=True, **dict(CHECKOUT, description='Pay', team='Platform'))
    assert result['changed']
    assert result['diff'] == {'before': {'description': 'Customers pay for their basket', 'team': 'Payments'},
                              'after': {'description': 'Pay', 'team': 'Platform'}}
    [put] = sim.writes()[1:]
    assert put['body'] == {'business_service': {'description': 'Pay', 'team': {'id': 'PTEAM01'}}}
    assert business_services(account)[0]['team']['id'] == 'PTEAM01'
    assert not run_module(pd_business_service, **dict(CHECKOUT, description='Pay', team='Platform'))['changed']


def test_a_change_of_team_reads_the_old_team_only_for_a_diff(sim, run_module, account):
    run_module(pd_business_service, **CHECKOUT)
    sim.clear_requests()
    assert run_module(pd_business_service, **dict(CHECKOUT, team='Platform'))['changed']
    assert [r['path'] for r in sim.requests() if r['path'].startswith('/teams/')] == []


def test_team_and_texts_can_be_cleared(sim, run_module, account):
    run_module(pd_business_service, **CHECKOUT)
    result = run_module(pd_business_service, diff=True, name='Online Checkout', team='', point_of_contact='')
    assert result['changed'] and result['business_service']['team'] is None
    assert result['diff']['before']['team'] == 'Payments'
    assert result['diff']['after'] == {'team': None, 'point_of_contact': ''}
    stored = business_services(account)[0]
    assert stored['team'] is None and stored['point_of_contact'] == ''
    put = [w for w in sim.writes() if w['method'] == 'PUT'][-1]
    assert put['body'] == {'business_service': {'team': {}, 'point_of_contact': ''}}  # team {}, as PagerDuty's provider
    assert not run_module(pd_business_service, name='Online Checkout', team='', point_of_contact='')['changed']


def test_fields_never_set_compare_as_empty(sim, run_module, account):
    account.add_business_service('Bare')  # PagerDuty leaves out a description and owner never set
    assert 'description' not in business_services(account)[0]
    result = run_module(pd_business_service, name='Bare', description='', point_of_contact='')
    assert not result['changed'] and sim.writes() == []
    assert result['business_service']['description'] == ''


def test_rename_by_new_name_then_again_is_ok(sim, run_module, account):
    run_module(pd_business_service, **CHECKOUT)
    renamed = run_module(pd_business_service, diff=True, name='Online Checkout', new_name='Checkout')
    assert renamed['changed'] and renamed['diff'] == {'before': {'name': 'Online Checkout'}, 'after': {'name': 'Checkout'}}
    assert [b['name'] for b in business_services(account)] == ['Checkout']
    assert not run_module(pd_business_service, name='Online Checkout', new_name='Checkout')['changed']


def test_rename_by_id(sim, run_module, account):
    business_id = run_module(pd_business_service, **CHECKOUT)['business_service']['id']
    result = run_module(pd_business_service, id=business_id, name='Checkout')
    assert result['changed'] and business_services(account)[0]['name'] == 'Checkout'


def test_two_business_services_of_one_name_fail_listing_both(sim, run_module, account):
    first = account.add_business_service('Checkout')
    second = account.add_business_service('Checkout')
    result = run_module(pd_business_service, name='Checkout', description='x')
    assert result['failed'] and result['msg'].startswith("name: 2 business services are named 'Checkout'")
    assert first['id'] in result['msg'] and second['id'] in result['msg'] and 'Give the ID' in result['msg']
    assert sim.writes() == []


def test_an_unknown_team_fails_with_the_closest_names_before_any_write(sim, run_module, account):
    result = run_module(pd_business_service, **dict(CHECKOUT, team='Paymnts'))
    assert result['failed'] and result['msg'].startswith("team: no team is named or identified by 'Paymnts'")
    assert "did you mean 'Payments'" in result['msg']
    assert sim.writes() == [] and business_services(account) == []


def test_a_team_created_earlier_in_a_check_run_is_predicted(sim, run_module, account):
    result = run_module(pd_business_service, check_mode=True, diff=True, **dict(CHECKOUT, team='Checkout Squad'))
    assert result['changed'] and result['diff']['after']['team'] == 'Checkout Squad'
    assert any('Check mode assumes' in w for w in warning_texts(result))
    assert sim.writes() == []


def test_delete_takes_the_dependencies_along_and_again_is_ok(sim, run_module, account):
    run_module(pd_service, name='Cart', escalation_policy='Default')
    run_module(pd_business_service, **CHECKOUT)
    run_module(pd_service_dependency, service='Online Checkout', depends_on=['Cart'])
    deleted = run_module(pd_business_service, diff=True, name='Online Checkout', state='absent')
    assert deleted['changed'] and deleted['business_service'] == {}
    assert deleted['diff']['before']['name'] == 'Online Checkout' and deleted['diff']['after'] == {}
    assert business_services(account) == [] and account._live() == []
    assert not run_module(pd_business_service, name='Online Checkout', state='absent')['changed']


def test_reads_that_lag_are_waited_for(sim, run_module, account):
    sim.settings(read_after_write_lag_seconds=1)
    created = run_module(pd_business_service, **CHECKOUT)
    assert created['changed']
    again = run_module(pd_business_service, **CHECKOUT)  # the create was read back before the first task ended
    assert not again['changed'] and len(business_services(account)) == 1
