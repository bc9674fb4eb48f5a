"""pd_team_membership runs in-process against the simulator; writes are read from the simulator's request log, and
the members from the simulated account itself (not through the lagging API).

The seed: Platform (PTEAM01) has Grace (PUSR002, manager) and Alan (PUSR003, responder), both paged by its policy
Platform On-Call; Payments (PTEAM02) has Katherine (PUSR004, manager); Ada (PUSR001) is on no team."""

import threading

import pytest

from ansible_collections.oncall.pagerduty.plugins.module_utils._team import TeamResource
from ansible_collections.oncall.pagerduty.plugins.module_utils._team_membership import TeamMembershipKind
from ansible_collections.oncall.pagerduty.plugins.module_utils._user import UserResource
from ansible_collections.oncall.pagerduty.plugins.modules import pd_team_membership
from ansible_collections.oncall.pagerduty.plugins.plugin_utils._in_process import run_in_process
from tests.conftest import warning_texts


@pytest.fixture
def account(simulator_server, sim):
    return simulator_server.sim.pagerduty


def members(account, team_id):
    """{email: role} of the team, as PagerDuty holds it."""
    return {account.users[user_id]['email']: role for user_id, role in account.team_members[team_id].items()}


def writes(sim):
    return [(r['method'], r['path'], r['body']) for r in sim.writes()]


def test_check_mode_predicts_the_real_run_and_the_second_run_is_ok(sim, run_module, account):
    options = dict(team='Payments', members=[dict(user='ADA@example.com', role='observer')])
    checked = run_module(pd_team_membership, check_mode=True, diff=True, **options)
    assert checked['changed'] and sim.writes() == [] and members(account, 'PTEAM02') == {'katherine@example.com': 'manager'}
    result = run_module(pd_team_membership, diff=True, **options)
    assert result['changed'] and result['diff'] == checked['diff'] == {
        'before': {'members': []}, 'after': {'members': [{'user': 'ada@example.com', 'role': 'observer'}]}}
    assert result['members'] == checked['members'] == [
        {'user': 'ada@example.com', 'id': 'PUSR001', 'name': 'Ada Lovelace', 'role': 'observer'},
        {'user': 'katherine@example.com', 'id': 'PUSR004', 'name': 'Katherine Johnson', 'role': 'manager'}]
    assert writes(sim) == [('PUT', '/teams/PTEAM02/users/PUSR001', {'role': 'observer'})]
    assert members(account, 'PTEAM02') == {'katherine@example.com': 'manager', 'ada@example.com': 'observer'}
    sim.clear_requests()
    again = run_module(pd_team_membership, diff=True, **options)
    assert not again['changed'] and 'diff' not in again and again['members'] == result['members']
    # The team by name, then its members with their users: nobody else is looked up.
    assert [r['path'] for r in sim.requests()] == ['/teams', '/teams/PTEAM02/members']


def test_a_role_changes_and_a_member_listed_without_one_becomes_a_responder(sim, run_module, account):
    result = run_module(pd_team_membership, diff=True, team='PTEAM01', members=[dict(user='grace@example.com')])
    assert result['changed'] and result['diff'] == {'before': {'members': [{'user': 'grace@example.com', 'role': 'manager'}]},
                                                    'after': {'members': [{'user': 'grace@example.com', 'role': 'responder'}]}}
    assert writes(sim) == [('PUT', '/teams/PTEAM01/users/PUSR002', {'role': 'responder'})]
    assert members(account, 'PTEAM01') == {'grace@example.com': 'responder', 'alan@example.com': 'responder'}


def test_exclusive_removes_the_members_not_listed(sim, run_module, account):
    # Alan is paged by a policy of Platform, not of Payments: Payments lets him go.
    run_module(pd_team_membership, team='Payments', members=[dict(user='ada@example.com'), dict(user='alan@example.com')])
    sim.clear_requests()
    result = run_module(pd_team_membership, diff=True, team='Payments', mode='exclusive',
                        members=[dict(user='PUSR001', role='manager'), dict(user='katherine@example.com', role='manager')])
    assert result.get('changed'), result
    assert result['removed'] == [{'user': 'alan@example.com', 'role': 'responder'}]
    assert result['diff']['before']['members'] == [{'user': 'ada@example.com', 'role': 'responder'},
                                                   {'user': 'alan@example.com', 'role': 'responder'},
                                                   {'user': 'katherine@example.com', 'role': 'manager'}]
    assert sorted(w[:2] for w in writes(sim)) == [('DELETE', '/teams/PTEAM02/users/PUSR003'),
                                                  ('PUT', '/teams/PTEAM02/users/PUSR001')]
    assert members(account, 'PTEAM02') == {'ada@example.com': 'manager', 'katherine@example.com': 'manager'}


def test_absent_removes_listed_members_once(sim, run_module, account):
    run_module(pd_team_membership, team='Payments', members=[dict(user='ada@example.com')])
    sim.clear_requests()
    result = run_module(pd_team_membership, team='Payments', state='absent',
                        members=[dict(user='ada@example.com'), dict(user='grace@example.com')])
    assert result['changed'] and writes(sim) == [('DELETE', '/teams/PTEAM02/users/PUSR001', None)]
    assert members(account, 'PTEAM02') == {'katherine@example.com': 'manager'}
    again = run_module(pd_team_membership, team='Payments', state='absent', members=[dict(user='ada@example.com')])
    assert not again['changed']


def test_a_member_paged_by_a_policy_of_the_team_is_not_removed_and_the_message_names_it(sim, run_module, account):
    for options in (dict(state='absent', members=[dict(user='alan@example.com')]),
                    dict(mode='exclusive', members=[dict(user='grace@example.com', role='manager')])):
        result = run_module(pd_team_membership, team='Platform', check_mode=bool(options.get('mode')), **options)
        assert result['failed'] and "alan@example.com by 'Platform On-Call'" in result['msg'], result['msg']
        assert 'oncall.pagerduty.pd_escalation_policy' in result['msg']
    assert sim.writes() == [] and len(account.team_members['PTEAM01']) == 2


def test_a_read_only_user_is_refused_before_any_write(sim, run_module, account):
    account.users['PUSR001']['role'] = 'read_only_user'
    result = run_module(pd_team_membership, team='Payments', members=[dict(user='ada@example.com')])
    assert result['failed'] and result['msg'].startswith('members: ada@example.com is a read_only_user')
    assert sim.writes() == []


@pytest.mark.parametrize('options, message', [
    (dict(team='Platform', members=[dict(user='grace@example.com'), dict(user='GRACE@example.com')]),
     "members[1].user: 'GRACE@example.com' is listed twice (also as members[0])"),
    (dict(team='Platform', members=[dict(user='grace')]), "members[0].user: 'grace' is neither an email nor a user ID"),
    (dict(team='Platform', members=[dict(user=' ')]), 'members[0].user: must not be blank'),
    (dict(team='Platform', mode='exclusive', state='absent', members=[dict(user='grace@example.com')]),
     'mode: exclusive makes members the whole list'),
    (dict(team='Platform', members=[dict(user='grace@example.com', role='admin')]),
     'value of role must be one of: observer, responder, manager, got: admin found in members'),
])
def test_bad_input_fails_before_any_request(sim, run_module, options, message):
    result = run_module(pd_team_membership, **options)
    assert result['failed'] and message in result['msg'], result['msg']
    assert sim.requests() == []


def test_unknown_team_and_user_fail_naming_the_option(sim, run_module):
    team = run_module(pd_team_membership, team='Platfrom', members=[dict(user='ada@example.com')])
    assert team['failed'] and team['msg'].startswith("team: no team is named or identified by 'Platfrom'")
    user = run_module(pd_team_membership, team='Platform', members=[dict(user='ada@example.com'),
                                                                    dict(user='grase@example.com')])
    assert user['failed'] and user['msg'].startswith("members[1].user: no user has the email 'grase@example.com'")
    assert 'grace@example.com' in user['msg'] and sim.writes() == []


def test_plays_adding_their_own_members_at_once_lose_nobody(sim, account):
    emails = ['member%d@example.com' % n for n in range(5)]
    for email in emails:
        sim.api('POST', '/users', {'user': {'type': 'user', 'name': email, 'email': email}}).raise_for_status()
    sim.fault(method='PUT', path='/users/', times=len(emails), action='delay', seconds=0.3)
    start = threading.Barrier(len(emails))
    results = []

    def play(email):
        start.wait()
        results.append(run_in_process(TeamMembershipKind, dict(team='Payments', members=[dict(user=email)],
                                                               api_url=sim.url, api_token=sim.token)))

    threads = [threading.Thread(target=play, args=(email,)) for email in emails]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(results) == len(emails) and not [r['msg'] for r in results if r.get('failed')]
    assert members(account, 'PTEAM02') == dict({e: 'responder' for e in emails}, **{'katherine@example.com': 'manager'})


def test_a_check_run_takes_the_team_and_user_earlier_tasks_predict(sim):
    def check(kind, predictions=None, **options):
        return run_in_process(kind, dict(options, api_url=sim.url, api_token=sim.token), check_mode=True, diff=True,
                              predictions=predictions)

    team = check(TeamResource, name='Checkout Squad')
    user = check(UserResource, team['ansible_facts']['oncall_pagerduty_predictions']['collections'],
                 email='hedy@example.com', name='Hedy Lamarr')
    predictions = user['ansible_facts']['oncall_pagerduty_predictions']['collections']
    result = check(TeamMembershipKind, predictions, team='Checkout Squad',
                   members=[dict(user='hedy@example.com', role='manager'), dict(user='ada@example.com')])
    assert not result.get('failed'), result['msg']
    assert result['changed'] and not warning_texts(result) and sim.writes() == []
    assert [(m['user'], m['id'], m['role']) for m in result['members']] == [
        ('ada@example.com', 'PUSR001', 'responder'), ('hedy@example.com', None, 'manager')]
