"""pd_team runs in-process against the simulator; every claim about requests and writes is read from the
simulator's request log, and what PagerDuty holds from the simulated account itself (not through the API)."""

import pytest

from ansible_collections.oncall.pagerduty.plugins.modules import pd_escalation_policy, pd_team


@pytest.fixture
def account(simulator_server, sim):
    """The simulated account's objects, read without a request."""
    return simulator_server.sim.pagerduty


def teams_named(account, name):
    return [t for t in account.teams.values() if t['name'] == name]


def test_check_mode_create_writes_nothing_and_predicts_the_real_run(sim, run_module, account):
    predicted = run_module(pd_team, check_mode=True, diff=True, name='SRE', description='Site reliability')
    assert predicted['changed'] and predicted['team']['id'] is None
    assert sim.writes() == [] and teams_named(account, 'SRE') == []
    created = run_module(pd_team, diff=True, name='SRE', description='Site reliability')
    assert created['changed'] and created['diff'] == predicted['diff'] == {
        'before': {}, 'after': {'name': 'SRE', 'description': 'Site reliability'}}
    assert [(r['method'], r['path']) for r in sim.writes()] == [('POST', '/teams')]
    assert teams_named(account, 'SRE')[0]['description'] == 'Site reliability'


def test_second_run_is_ok_in_one_request(sim, run_module):
    run_module(pd_team, name='SRE', description='Site reliability')
    sim.clear_requests()
    again = run_module(pd_team, diff=True, name='SRE', description='Site reliability')
    assert not again['changed'] and 'diff' not in again
    assert [(r['method'], r['path'], r['query'].get('query')) for r in sim.requests()] == [('GET', '/teams', ['SRE'])]


def test_update_sends_only_the_change_with_a_diff_of_it(sim, run_module, account):
    run_module(pd_team, name='SRE', description='old words')
    sim.clear_requests()
    result = run_module(pd_team, diff=True, name='SRE', description='new words')
    assert result['changed'] and result['diff'] == {'before': {'description': 'old words'},
                                                    'after': {'description': 'new words'}}
    assert [w['body'] for w in sim.writes()] == [{'team': {'description': 'new words', 'type': 'team'}}]
    assert teams_named(account, 'SRE')[0]['description'] == 'new words'


def test_an_unset_description_is_left_as_it_is(sim, run_module, account):
    run_module(pd_team, name='SRE', description='kept')
    sim.clear_requests()
    assert not run_module(pd_team, name='SRE')['changed'] and sim.writes() == []
    assert teams_named(account, 'SRE')[0]['description'] == 'kept'


def test_an_existing_team_is_adopted_not_duplicated(sim, run_module, account):
    result = run_module(pd_team, name='Platform', description='Platform engineering')
    assert not result['changed'] and result['team']['id'] == 'PTEAM01' and sim.writes() == []
    assert len(teams_named(account, 'Platform')) == 1


def test_new_name_renames_and_a_second_run_is_ok(sim, run_module, account):
    run_module(pd_team, name='Infra')
    renamed = run_module(pd_team, diff=True, name='Infra', new_name='Infrastructure')
    assert renamed['changed'] and renamed['diff'] == {'before': {'name': 'Infra'}, 'after': {'name': 'Infrastructure'}}
    sim.clear_requests()
    assert not run_module(pd_team, name='Infra', new_name='Infrastructure')['changed']
    assert sim.writes() == [] and teams_named(account, 'Infra') == [] and len(teams_named(account, 'Infrastructure')) == 1
    missing = run_module(pd_team, name='Nowhere', new_name='Somewhere')
    assert missing['failed'] and missing['msg'].startswith("name: no team is named 'Nowhere' to rename to 'Somewhere'")


def test_rename_by_id_and_the_policies_show_the_new_name(sim, run_module, account):
    result = run_module(pd_team, id='PTEAM02', name='Payments and Billing')
    assert result['changed'] and account.teams['PTEAM02']['name'] == 'Payments and Billing'
    policy = sim.api('GET', '/escalation_policies/PPAYEP1').json()['escalation_policy']
    assert policy['teams'][0]['summary'] == 'Payments and Billing'
    unknown = run_module(pd_team, id='PNOSUCH', name='x')
    assert unknown['failed'] and unknown['msg'].startswith("id: no team has the ID 'PNOSUCH'")


def test_deleting_a_team_that_policies_belong_to_fails_before_any_write_naming_them(sim, run_module, account):
    run_module(pd_team, name='SRE')
    run_module(pd_escalation_policy, name='SRE On-Call', teams=['SRE'],
               rules=[dict(escalation_delay_in_minutes=10, targets=[dict(type='user', email='ada@example.com')])])
    sim.clear_requests()
    for check_mode in (True, False):
        refused = run_module(pd_team, check_mode=check_mode, name='SRE', state='absent')
        assert refused['failed'] and refused['msg'] == (
            "state: PagerDuty deletes only a team that nothing belongs to, and 'SRE' has the escalation policy "
            "'SRE On-Call'. Remove the team from it first (for a policy, oncall.pagerduty.pd_escalation_policy with "
            "teams: [] or another team), or delete it.")
    assert sim.writes() == [] and len(teams_named(account, 'SRE')) == 1
    run_module(pd_escalation_policy, name='SRE On-Call', teams=[])
    assert run_module(pd_team, name='SRE', state='absent')['changed'] and teams_named(account, 'SRE') == []


def test_a_team_that_schedules_belong_to_is_refused_with_their_names(sim, run_module, account):
    refused = run_module(pd_team, name='Payments', state='absent')
    assert refused['failed'] and "'Payments' has the escalation policy 'Payments On-Call' and the schedule " \
                                 "'Payments Primary'. Remove the team from them first" in refused['msg']
    assert sim.writes() == []


def test_the_api_refusal_is_explained_when_it_comes_anyway(sim, run_module):
    """Associations the module cannot see (a subteam) are refused by PagerDuty; the answer is shown as it came."""
    run_module(pd_team, name='SRE')
    sim.fault(method='DELETE', path='^/teams/', action='status', status=400,
              body={'error': {'code': 6006, 'message': 'Team has existing associations',
                              'errors': ['Cannot delete team with existing Subteams association(s)']}})
    result = run_module(pd_team, name='SRE', state='absent')
    assert result['failed'] and result['msg'].startswith(
        'could not delete the team: Team has existing associations: Cannot delete team with existing Subteams')
    assert result['error_code'] == 6006


@pytest.mark.reads_follow_writes('counts its requests exactly')
def test_a_name_taken_between_look_up_and_create_is_adopted(sim, run_module, account):
    # Another run created the team a moment ago: reads do not show it yet, PagerDuty's create refuses the name.
    sim.settings(read_after_write_lag_seconds=1)
    sim.api('POST', '/teams', {'team': {'type': 'team', 'name': 'SRE'}})
    sim.clear_requests()
    result = run_module(pd_team, name='SRE', description='mine', retries=10)
    assert not result.get('failed') and result['team']['description'] == 'mine'
    assert [(r['method'], r['status']) for r in sim.writes()] == [('POST', 400), ('PUT', 200)]
    assert len(teams_named(account, 'SRE')) == 1


def test_a_new_team_is_readable_before_the_task_returns(sim, run_module):
    sim.settings(read_after_write_lag_seconds=1)
    assert run_module(pd_team, name='SRE', retries=10)['changed']
    again = run_module(pd_team, name='SRE')
    assert not again['changed']


@pytest.mark.parametrize('options, message', [
    (dict(name=''), 'name: must not be blank'),
    (dict(name=' SRE'), "name: must not start or end with a space (' SRE'); to manage an object whose name has one, "
                        "give its id"),
    (dict(name='SRE\t'), 'name: must not contain non-printable characters'),
    (dict(name='x' * 101), 'name: PagerDuty allows at most 100 characters, got 101'),
    (dict(name='SRE', description='d' * 1025), 'description: PagerDuty allows at most 1024 characters, got 1025'),
    (dict(name='SRE', new_name='  '), 'new_name: must not be blank'),
])
def test_bad_input_fails_before_any_request(sim, run_module, options, message):
    result = run_module(pd_team, **options)
    assert result['failed'] and result['msg'].startswith(message) and sim.requests() == []
