"""pd_user runs in-process against the simulator; requests and writes are read from the simulator's request log,
and what PagerDuty holds from the simulated account itself (not through the API)."""

import threading

import pytest

from ansible_collections.oncall.pagerduty.plugins.module_utils._escalation_policy import EscalationPolicyResource
from ansible_collections.oncall.pagerduty.plugins.module_utils._team import TeamResource
from ansible_collections.oncall.pagerduty.plugins.module_utils._user import UserInfo, UserResource
from ansible_collections.oncall.pagerduty.plugins.modules import pd_user, pd_user_info
from ansible_collections.oncall.pagerduty.plugins.plugin_utils._in_process import run_in_process
from tests.conftest import warning_texts

NEW = dict(email='Hedy.Lamarr@Example.com', name='Hedy Lamarr')


@pytest.fixture
def account(simulator_server, sim):
    """The simulated account's objects, read without a request."""
    return simulator_server.sim.pagerduty


def users_with_email(account, email):
    return [u for u in account.users.values() if u['email'].casefold() == email.casefold()]


def test_check_mode_create_writes_nothing_and_predicts_the_real_run(sim, run_module, account):
    predicted = run_module(pd_user, check_mode=True, diff=True, role='admin', time_zone='Europe/Paris', **NEW)
    # PagerDuty keeps emails in lower case.
    assert predicted['changed'] and predicted['user']['id'] is None and predicted['user']['email'] == NEW['email'].lower()
    assert sim.writes() == [] and users_with_email(account, NEW['email']) == []
    created = run_module(pd_user, diff=True, role='admin', time_zone='Europe/Paris', **NEW)
    assert created['user']['email'] == predicted['user']['email']
    assert created['changed'] and created['diff'] == predicted['diff'] == {
        'before': {}, 'after': {'name': 'Hedy Lamarr', 'role': 'admin', 'time_zone': 'Europe/Paris'}}
    assert [(r['method'], r['path'], r['body']) for r in sim.writes()] == [('POST', '/users', {'user': {
        'type': 'user', 'email': NEW['email'], 'name': 'Hedy Lamarr', 'role': 'admin', 'time_zone': 'Europe/Paris'}})]
    [user] = users_with_email(account, NEW['email'])
    assert created['user']['id'] == user['id'] and user['role'] == 'admin'


def test_second_run_is_ok_in_one_request_whatever_the_case_of_the_email(sim, run_module):
    run_module(pd_user, job_title='Inventor', **NEW)
    sim.clear_requests()
    again = run_module(pd_user, diff=True, job_title='Inventor', **dict(NEW, email=NEW['email'].upper()))
    assert not again['changed'] and 'diff' not in again
    assert [(r['method'], r['path']) for r in sim.requests()] == [('GET', '/users')]
    # The email stays as PagerDuty keeps it.
    assert again['user']['email'] == NEW['email'].lower()


def test_an_existing_user_is_adopted_and_only_what_differs_is_sent(sim, run_module, account):
    result = run_module(pd_user, diff=True, email='GRACE@example.com', job_title='Rear admiral')
    assert result['changed'] and result['user']['id'] == 'PUSR002'
    assert result['diff'] == {'before': {'job_title': 'Engineer'}, 'after': {'job_title': 'Rear admiral'}}
    assert [(r['method'], r['path'], r['body']) for r in sim.writes()] == [
        ('PUT', '/users/PUSR002', {'user': {'type': 'user', 'job_title': 'Rear admiral'}})]
    assert len(users_with_email(account, 'grace@example.com')) == 1


def test_options_left_out_are_left_as_they_are_and_empty_text_clears(sim, run_module, account):
    run_module(pd_user, description='Actress', job_title='Inventor', **NEW)
    sim.clear_requests()
    assert not run_module(pd_user, email=NEW['email'])['changed'] and sim.writes() == []
    cleared = run_module(pd_user, email=NEW['email'], description='')
    assert cleared['changed'] and cleared['user']['description'] == ''
    assert not users_with_email(account, NEW['email'])[0]['description']
    sim.clear_requests()
    assert not run_module(pd_user, email=NEW['email'], description='')['changed'] and sim.writes() == []


def test_a_new_user_needs_a_name_before_any_write(sim, run_module):
    result = run_module(pd_user, email='nobody@example.com', role='user')
    assert result['failed'] and result['msg'].startswith("name: required to create the user 'nobody@example.com'")
    assert sim.writes() == []


@pytest.mark.parametrize('options, message', [
    (dict(email='not-an-address'), "email: 'not-an-address' is not an email address PagerDuty takes"),
    (dict(email='  '), 'email: must not be blank'),
    (dict(email='a@b.co', name='x' * 101), 'name: PagerDuty allows at most 100 characters, got 101'),
    (dict(email='a@b.co', name='A', job_title='t' * 101), 'job_title: PagerDuty allows at most 100 characters'),
    (dict(email='a@b.co', name='A', time_zone='Europe/Pariss'), "time_zone: 'Europe/Pariss' is not a time zone of the "
                                                                'IANA database; did you mean Europe/Paris'),
    (dict(email='a@b.co', name='A', role='owner'), 'value of role must be one of'),
])
def test_bad_input_fails_before_any_request(sim, run_module, options, message):
    result = run_module(pd_user, **options)
    assert result['failed'] and message in result['msg'], result['msg']
    assert sim.requests() == []


def test_the_owners_role_is_not_changed_nor_the_owner_deleted(sim, run_module):
    changed = run_module(pd_user, email='ada@example.com', role='admin')
    assert changed['failed'] and changed['msg'].startswith('role: ada@example.com is the account owner')
    deleted = run_module(pd_user, email='ada@example.com', state='absent')
    assert deleted['failed'] and deleted['msg'].startswith('state: ada@example.com is the account owner')
    assert sim.writes() == []
    # The owner's other settings are the task's to set.
    assert run_module(pd_user, email='ada@example.com', job_title='Analyst')['changed']


def test_a_user_on_schedules_and_policies_is_not_deleted_and_the_message_names_them(sim, run_module):
    result = run_module(pd_user, email='grace@example.com', state='absent', check_mode=True)
    assert result['failed'] and sim.writes() == []
    assert "'Platform Primary', 'Platform Secondary'" in result['msg'] and "'Platform On-Call'" in result['msg']
    assert 'oncall.pagerduty.pd_escalation_policy' in result['msg']


def test_absent_deletes_a_free_user_once(sim, run_module, account):
    run_module(pd_user, **NEW)
    sim.clear_requests()
    checked = run_module(pd_user, check_mode=True, diff=True, email=NEW['email'], state='absent')
    assert checked['changed'] and sim.writes() == [] and checked['diff']['after'] == {}
    result = run_module(pd_user, email=NEW['email'], state='absent')
    assert result['changed'] and result['user'] == {}
    assert [(r['method'], r['status']) for r in sim.writes()] == [('DELETE', 204)]
    assert users_with_email(account, NEW['email']) == []
    assert not run_module(pd_user, email=NEW['email'], state='absent')['changed']


@pytest.mark.parametrize('runs', [2, 5])
def test_runs_creating_the_same_user_at_once_end_with_one(sim, runs, account):
    # A role applied to five hosts: each host's task creates the user at the same moment.
    sim.fault(method='POST', path='^/users$', times=runs, action='delay', seconds=0.3)
    start = threading.Barrier(runs)
    results = []

    def run():
        start.wait()
        results.append(run_in_process(UserResource, dict(NEW, api_url=sim.url, api_token=sim.token, role='limited_user')))

    threads = [threading.Thread(target=run) for dummy in range(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(results) == runs and not [r['msg'] for r in results if r.get('failed')]
    [user] = users_with_email(account, NEW['email'])
    assert {r['user']['id'] for r in results} == {user['id']} and user['role'] == 'limited_user'


def test_a_policy_of_the_same_check_run_targets_the_predicted_user(sim):
    def check(kind, predictions=None, **options):
        return run_in_process(kind, dict(options, api_url=sim.url, api_token=sim.token), check_mode=True, diff=True,
                              predictions=predictions)

    created = check(UserResource, **NEW)
    predictions = created['ansible_facts']['oncall_pagerduty_predictions']['collections']
    rules = [{'escalation_delay_in_minutes': 10, 'targets': [{'type': 'user', 'email': NEW['email'].lower()}]}]
    policy = check(EscalationPolicyResource, predictions, name='Hedy On-Call', rules=rules)
    assert not policy.get('failed'), policy['msg']
    assert policy['changed'] and not warning_texts(policy) and sim.writes() == []
    assert policy['diff']['after']['escalation_rules'][0]['targets'] == [{'type': 'user', 'email': NEW['email'].lower()}]
    # Without the prediction the policy's check fails: nobody has the email.
    alone = check(EscalationPolicyResource, name='Hedy On-Call', rules=rules)
    assert alone['failed'] and 'no user has the email' in alone['msg']


# -- pd_user_info -------------------------------------------------------------------------------------------------

def emails(result):
    assert not result.get('failed'), result['msg']
    return [u['email'] for u in result['users']]


def test_info_finds_a_user_by_email_whole_and_without_regard_to_case(sim, run_module):
    assert emails(run_module(pd_user_info, email='GRACE@example.com')) == ['grace@example.com']
    assert emails(run_module(pd_user_info, email='grace@example')) == []
    assert sim.writes() == []


def test_info_by_query_id_team_and_all(sim, run_module):
    assert emails(run_module(pd_user_info, query='a')) == ['ada@example.com', 'alan@example.com', 'grace@example.com',
                                                           'katherine@example.com']
    assert emails(run_module(pd_user_info, id='PUSR003')) == ['alan@example.com']
    assert emails(run_module(pd_user_info, id='PNOSUCH')) == []
    assert emails(run_module(pd_user_info, team='Platform')) == ['alan@example.com', 'grace@example.com']
    assert emails(run_module(pd_user_info, team='PTEAM02', query='katherine')) == ['katherine@example.com']
    assert len(emails(run_module(pd_user_info))) == 4


def test_info_with_an_unknown_team_names_the_option_and_the_closest_team(sim, run_module):
    result = run_module(pd_user_info, team='Platfrom')
    assert result['failed'] and result['msg'].startswith("team: no team is named or identified by 'Platfrom'")
    assert 'Platform' in result['msg']


def test_info_options_that_exclude_each_other_fail_before_any_request(sim, run_module):
    result = run_module(pd_user_info, email='a@b.co', query='a')
    assert result['failed'] and 'mutually exclusive' in result['msg'] and sim.requests() == []


def test_info_in_a_check_run_takes_a_predicted_team_as_one_without_members(sim):
    def check(kind, predictions=None, **options):
        return run_in_process(kind, dict(options, api_url=sim.url, api_token=sim.token), check_mode=True,
                              predictions=predictions)

    team = check(TeamResource, name='Checkout Squad')
    result = check(UserInfo, team['ansible_facts']['oncall_pagerduty_predictions']['collections'], team='Checkout Squad')
    assert not result.get('failed'), result['msg']
    assert result['users'] == [] and not warning_texts(result)
