"""pd_escalation_policy runs in-process against the simulator; every claim about requests and writes is read
from the simulator's request log, and what PagerDuty holds from the simulated account itself (not through
the API)."""

import pytest

from tests.conftest import warning_texts

from ansible_collections.oncall.pagerduty.plugins.modules import pd_escalation_policy, pd_service

ADA = dict(type='user', email='ada@example.com')
PRIMARY = dict(type='schedule', name='Platform Primary')
SECONDARY = dict(type='schedule', name='Platform Secondary')
RULES = [dict(escalation_delay_in_minutes=15, targets=[PRIMARY, ADA]),
         dict(escalation_delay_in_minutes=30, targets=[SECONDARY, dict(type='user', id='PUSR004')])]
POLICY = dict(name='SRE On-Call', description='Around the clock', num_loops=2, on_call_handoff_notifications='always',
              teams=['Platform'], rules=RULES)


@pytest.fixture
def account(simulator_server, sim):
    """The simulated account's objects, read without a request."""
    return simulator_server.sim.pagerduty


def stored(account, name):
    """The policies of that name as PagerDuty holds them: (team IDs, [(delay, sorted target IDs)] per rule)."""
    return [([t['id'] for t in ep['teams']],
             [(r['escalation_delay_in_minutes'], sorted(t['id'] for t in r['targets'])) for r in ep['escalation_rules']])
            for ep in account.escalation_policies.values() if ep['name'] == name]


def test_check_mode_create_writes_nothing_and_predicts_the_real_runs_diff(sim, run_module, account):
    predicted = run_module(pd_escalation_policy, check_mode=True, diff=True, **POLICY)
    assert predicted['changed'] and predicted['escalation_policy']['id'] is None
    assert sim.writes() == [] and stored(account, 'SRE On-Call') == []
    created = run_module(pd_escalation_policy, diff=True, **POLICY)
    assert created['changed'] and created['diff'] == predicted['diff']
    assert created['diff'] == {'before': {}, 'after': {
        'name': 'SRE On-Call', 'description': 'Around the clock', 'num_loops': 2, 'on_call_handoff_notifications': 'always',
        'teams': ['Platform'],
        'escalation_rules': [
            {'escalation_delay_in_minutes': 15, 'targets': [{'type': 'schedule', 'name': 'Platform Primary'},
                                                            {'type': 'user', 'email': 'ada@example.com'}]},
            {'escalation_delay_in_minutes': 30, 'targets': [{'type': 'schedule', 'name': 'Platform Secondary'},
                                                            {'type': 'user', 'email': 'katherine@example.com'}]}]}}


def test_create_resolves_every_kind_of_target_and_sends_references(sim, run_module, account):
    created = run_module(pd_escalation_policy, **POLICY)
    assert created['changed']
    assert stored(account, 'SRE On-Call') == [(['PTEAM01'], [(15, ['PSCHED1', 'PUSR001']), (30, ['PSCHED2', 'PUSR004'])])]
    body = [w for w in sim.writes() if w['path'] == '/escalation_policies'][0]['body']['escalation_policy']
    assert body['teams'] == [{'id': 'PTEAM01', 'type': 'team_reference'}]
    assert body['escalation_rules'][0] == {'escalation_delay_in_minutes': 15, 'targets': [
        {'id': 'PSCHED1', 'type': 'schedule_reference'}, {'id': 'PUSR001', 'type': 'user_reference'}]}
    targets = created['escalation_policy']['escalation_rules'][1]['targets']
    assert targets == [{'type': 'schedule', 'id': 'PSCHED2', 'summary': 'Platform Secondary', 'name': 'Platform Secondary'},
                       {'type': 'user', 'id': 'PUSR004', 'summary': 'Katherine Johnson', 'email': 'katherine@example.com'}]


def test_second_run_is_ok_in_one_request_whatever_the_order_of_targets(sim, run_module):
    run_module(pd_escalation_policy, **POLICY)
    sim.clear_requests()
    shuffled = [dict(rule, targets=list(reversed(rule['targets']))) for rule in RULES]
    again = run_module(pd_escalation_policy, diff=True, **dict(POLICY, rules=shuffled))
    assert not again['changed'] and 'diff' not in again
    assert [(r['method'], r['path']) for r in sim.requests()] == [('GET', '/escalation_policies')]
    assert sim.requests()[0]['query'] == {'query': ['SRE On-Call'], 'include[]': ['targets'], 'limit': ['100'], 'offset': ['0']}


def test_users_are_found_by_email_without_regard_to_case_and_by_id(sim, run_module, account):
    rules = [dict(escalation_delay_in_minutes=5, targets=[dict(type='user', email='Grace@Example.COM')])]
    assert run_module(pd_escalation_policy, name='Ops', rules=rules)['changed']
    assert stored(account, 'Ops') == [([], [(5, ['PUSR002'])])]
    sim.clear_requests()
    by_id = [dict(escalation_delay_in_minutes=5, targets=[dict(type='user', id='PUSR002')])]
    assert not run_module(pd_escalation_policy, name='Ops', rules=by_id)['changed']
    assert len(sim.requests()) == 1


def test_the_order_of_rules_matters(sim, run_module, account):
    run_module(pd_escalation_policy, **POLICY)
    sim.clear_requests()
    swapped = run_module(pd_escalation_policy, diff=True, name='SRE On-Call', rules=list(reversed(RULES)))
    assert swapped['changed']
    assert [r['escalation_delay_in_minutes'] for r in swapped['diff']['before']['escalation_rules']] == [15, 30]
    assert [r['escalation_delay_in_minutes'] for r in swapped['diff']['after']['escalation_rules']] == [30, 15]
    assert stored(account, 'SRE On-Call')[0][1] == [(30, ['PSCHED2', 'PUSR004']), (15, ['PSCHED1', 'PUSR001'])]
    assert [w['method'] for w in sim.writes()] == ['PUT']


@pytest.mark.parametrize('option, value, before, after', [
    ('description', 'new words', 'Around the clock', 'new words'),
    ('description', '', 'Around the clock', ''),
    ('num_loops', 0, 2, 0),
    ('on_call_handoff_notifications', 'if_has_services', 'always', 'if_has_services'),
    ('teams', ['PTEAM02'], ['Platform'], ['Payments']),
    ('teams', [], ['Platform'], []),
])
def test_each_setting_updates_alone_with_a_diff_of_it(sim, run_module, option, value, before, after):
    run_module(pd_escalation_policy, **POLICY)
    sim.clear_requests()
    result = run_module(pd_escalation_policy, diff=True, name='SRE On-Call', **{option: value})
    field = option
    assert result['changed'] and result['diff'] == {'before': {field: before}, 'after': {field: after}}
    put = [w for w in sim.writes() if w['method'] == 'PUT']
    assert len(put) == 1 and set(put[0]['body']['escalation_policy']) == {field, 'type'}
    assert not run_module(pd_escalation_policy, name='SRE On-Call', **{option: value})['changed']


def test_changing_one_target_shows_it_by_email_and_schedule_name(sim, run_module, account):
    run_module(pd_escalation_policy, **POLICY)
    rules = [RULES[0], dict(RULES[1], targets=[SECONDARY, dict(type='user', email='alan@example.com')])]
    result = run_module(pd_escalation_policy, diff=True, name='SRE On-Call', rules=rules)
    assert result['changed']
    assert result['diff']['before']['escalation_rules'][1]['targets'][1] == {'type': 'user', 'email': 'katherine@example.com'}
    assert result['diff']['after']['escalation_rules'][1]['targets'][1] == {'type': 'user', 'email': 'alan@example.com'}
    assert 'PUSR' not in str(result['diff'])
    assert stored(account, 'SRE On-Call')[0][1][1] == (30, ['PSCHED2', 'PUSR003'])


def test_a_user_that_does_not_exist_fails_with_the_closest_in_check_mode_too(sim, run_module):
    rules = [dict(escalation_delay_in_minutes=5, targets=[dict(type='user', email='ada@exmple.com')])]
    for check_mode in (True, False):
        result = run_module(pd_escalation_policy, check_mode=check_mode, name='Ops', rules=rules)
        assert result['failed'] and result['msg'] == (
            "rules[0].targets[0].email: no user has the email 'ada@exmple.com'; "
            "did you mean 'ada@example.com' (Ada Lovelace, PUSR001)?")
    unknown = run_module(pd_escalation_policy, name='Ops', rules=[dict(escalation_delay_in_minutes=5, targets=[
        dict(type='user', id='PNOBODY')])])
    assert unknown['failed'] and unknown['msg'] == "rules[0].targets[0].id: no user has the ID 'PNOBODY'"
    assert sim.writes() == []


def test_schedules_are_found_by_exact_name_and_look_alikes_are_listed(sim, run_module, account):
    typo = run_module(pd_escalation_policy, name='Ops', rules=[dict(escalation_delay_in_minutes=5, targets=[
        dict(type='schedule', name='platform primary')])])
    assert typo['failed'] and typo['msg'] == (
        "rules[0].targets[0].name: no schedule is named or identified by 'platform primary'; "
        "did you mean 'Platform Primary' (PSCHED1, team Platform) or 'Platform Secondary' (PSCHED2, team Platform)?")
    twins = run_module(pd_escalation_policy, name='Ops', rules=[dict(escalation_delay_in_minutes=5, targets=[
        dict(type='schedule', name='Weekend')])])
    assert twins['failed'] and twins['msg'] == (
        "rules[0].targets[0].name: 2 schedules are named 'Weekend': 'Weekend' (PSCHED5), 'Weekend' (PSCHED6, team "
        "Platform). Give the ID of the one you mean.")
    assert sim.writes() == []
    by_id = run_module(pd_escalation_policy, name='Ops', rules=[dict(escalation_delay_in_minutes=5, targets=[
        dict(type='schedule', id='PSCHED6')])])
    assert by_id['changed'] and stored(account, 'Ops') == [([], [(5, ['PSCHED6'])])]


def test_a_team_an_earlier_task_would_create_is_predicted_in_check_mode_only(sim, run_module):
    options = dict(name='Ops', teams=['Brand New Team'], rules=[dict(escalation_delay_in_minutes=5, targets=[ADA])])
    predicted = run_module(pd_escalation_policy, check_mode=True, **options)
    assert predicted['changed'] and predicted['escalation_policy']['teams'] == [{'id': None, 'summary': 'Brand New Team'}]
    assert any("teams[0]: no team is named 'Brand New Team' yet" in w for w in warning_texts(predicted))
    real = run_module(pd_escalation_policy, **options)
    assert real['failed'] and real['msg'].startswith("teams[0]: no team is named or identified by 'Brand New Team'")
    assert sim.writes() == []


def test_one_team_at_most_is_refused_before_any_request(sim, run_module):
    result = run_module(pd_escalation_policy, name='Ops', teams=['Platform', 'Payments'])
    assert result['failed'] and result['msg'] == (
        'teams: PagerDuty allows one team per escalation policy, got 2 (Platform, Payments); give one team, or [] for none')
    assert sim.requests() == []


def test_a_policy_that_services_use_is_not_deleted_and_they_are_named(sim, run_module, account):
    run_module(pd_escalation_policy, **POLICY)
    for name in ('web', 'api'):
        assert run_module(pd_service, name=name, escalation_policy='SRE On-Call')['changed']
    sim.clear_requests()
    for check_mode in (True, False):
        refused = run_module(pd_escalation_policy, check_mode=check_mode, name='SRE On-Call', state='absent')
        assert refused['failed'] and refused['msg'] == (
            "state: PagerDuty deletes only an escalation policy that no service uses, and 'SRE On-Call' is used by 'api', "
            "'web'. Give those services another escalation_policy with oncall.pagerduty.pd_service, or delete them, first.")
    assert sim.writes() == [] and len(stored(account, 'SRE On-Call')) == 1
    for name in ('web', 'api'):
        run_module(pd_service, name=name, escalation_policy='Default')
    deleted = run_module(pd_escalation_policy, diff=True, name='SRE On-Call', state='absent')
    assert deleted['changed'] and deleted['escalation_policy'] == {} and stored(account, 'SRE On-Call') == []
    assert deleted['diff']['before']['teams'] == ['Platform'] and deleted['diff']['after'] == {}
    assert 'id' not in deleted['diff']['before']['escalation_rules'][0]
    sim.clear_requests()
    assert not run_module(pd_escalation_policy, name='SRE On-Call', state='absent')['changed'] and sim.writes() == []


@pytest.mark.reads_follow_writes('sets a lag of its own')
def test_the_api_refuses_a_delete_the_module_could_not_foresee(sim, run_module):
    """A service that started using the policy after it was read: PagerDuty's refusal is shown as it came."""
    policy = run_module(pd_escalation_policy, **POLICY)['escalation_policy']
    sim.settings(read_after_write_lag_seconds=30)
    late = sim.api('POST', '/services', {'service': {'type': 'service', 'name': 'late', 'escalation_policy': {
        'id': policy['id'], 'type': 'escalation_policy_reference'}}})  # not readable yet
    assert late.status_code == 201, late.text
    result = run_module(pd_escalation_policy, name='SRE On-Call', state='absent')
    assert result['failed'] and result['msg'].startswith('could not delete the escalation policy: Invalid Input Provided: '
                                                         'This escalation policy is used by services and cannot be deleted')


def test_a_service_can_use_a_policy_this_play_created_and_takes_its_team(sim, run_module):
    run_module(pd_escalation_policy, **POLICY)
    created = run_module(pd_service, name='web', escalation_policy='SRE On-Call', teams=['Platform'])
    assert created['changed'] and created['service']['escalation_policy']['summary'] == 'SRE On-Call'
    service = sim.state()['services'][0]
    assert service['teams'][0]['summary'] == 'Platform'
    policy = sim.api('GET', '/escalation_policies/' + service['escalation_policy']['id']).json()['escalation_policy']
    assert [s['summary'] for s in policy['services']] == ['web']


def test_new_name_renames_and_services_show_the_new_name(sim, run_module, account):
    run_module(pd_escalation_policy, **POLICY)
    run_module(pd_service, name='web', escalation_policy='SRE On-Call')
    renamed = run_module(pd_escalation_policy, diff=True, name='SRE On-Call', new_name='SRE (24x7)')
    assert renamed['changed'] and renamed['diff'] == {'before': {'name': 'SRE On-Call'}, 'after': {'name': 'SRE (24x7)'}}
    sim.clear_requests()
    assert not run_module(pd_escalation_policy, name='SRE On-Call', new_name='SRE (24x7)')['changed'] and sim.writes() == []
    assert sim.state()['services'][0]['escalation_policy']['summary'] == 'SRE (24x7)'
    missing = run_module(pd_escalation_policy, name='Nowhere', new_name='Somewhere')
    assert missing['failed'] and missing['msg'].startswith("name: no escalation policy is named 'Nowhere' to rename")


def test_rename_by_id(sim, run_module, account):
    result = run_module(pd_escalation_policy, diff=True, id='PPAYEP1', name='Payments (24x7)')
    assert result['changed'] and account.escalation_policies['PPAYEP1']['name'] == 'Payments (24x7)'
    unknown = run_module(pd_escalation_policy, id='PNOSUCH', name='x')
    assert unknown['failed'] and unknown['msg'].startswith("id: no escalation policy has the ID 'PNOSUCH'")


def test_an_existing_policy_is_adopted_by_name(sim, run_module):
    targets = [dict(type='user', email='alan@example.com'), dict(type='user', email='grace@example.com')]
    result = run_module(pd_escalation_policy, name='Platform On-Call', teams=['Platform'],
                        rules=[dict(escalation_delay_in_minutes=30, targets=targets)])
    assert not result['changed'] and result['escalation_policy']['id'] == 'PPLATEP' and sim.writes() == []
    assert len(sim.requests()) == 1


def test_creating_needs_rules(sim, run_module):
    result = run_module(pd_escalation_policy, name='Ops', description='no rules')
    assert result['failed'] and result['msg'] == (
        "rules: required to create the escalation policy 'Ops' (PagerDuty needs at least one rule)")
    assert sim.writes() == []


def test_reads_that_lag_writes_do_not_make_a_second_run_change(sim, run_module, account):
    sim.settings(read_after_write_lag_seconds=1)
    assert run_module(pd_escalation_policy, retries=10, **POLICY)['changed']
    again = run_module(pd_escalation_policy, **POLICY)
    assert not again['changed'] and len(stored(account, 'SRE On-Call')) == 1


def test_read_only_token_can_run_check_mode(sim, run_module):
    result = run_module(pd_escalation_policy, check_mode=True, api_token=sim.readonly_token, **POLICY)
    assert result['changed'] and not result.get('failed')


@pytest.mark.parametrize('options, message', [
    (dict(name=''), 'name: must not be blank'),
    (dict(name='Ops '), "name: must not start or end with a space ('Ops '); to manage an object whose name has one, "
                        "give its id"),
    (dict(name='Ops', num_loops=10), 'num_loops: must be 0 (no repeat) to 9, got 10'),
    (dict(name='Ops', teams=['']), 'teams[0]: must not be blank'),
    (dict(name='Ops', rules=[]), 'rules: PagerDuty needs at least one rule in a policy'),
    (dict(name='Ops', rules=[dict(escalation_delay_in_minutes=0, targets=[ADA])]),
     'rules[0].escalation_delay_in_minutes: must be at least 1 minute, got 0'),
    (dict(name='Ops', rules=[dict(escalation_delay_in_minutes=5, targets=[])]),
     'rules[0].targets: a rule needs 1 to 10 targets, got 0'),
    (dict(name='Ops', rules=[dict(escalation_delay_in_minutes=5, targets=[ADA] * 11)]),
     'rules[0].targets: a rule needs 1 to 10 targets, got 11'),
    (dict(name='Ops', rules=[dict(escalation_delay_in_minutes=5, targets=[dict(type='user', name='Ada Lovelace')])]),
     'rules[0].targets[0].name: a user target is given by email or id, not name'),
    (dict(name='Ops', rules=[dict(escalation_delay_in_minutes=5, targets=[dict(type='schedule', email='a@b.c')])]),
     'rules[0].targets[0].email: a schedule target is given by name or id, not email'),
    (dict(name='Ops', rules=[dict(escalation_delay_in_minutes=5, targets=[dict(type='user')])]),
     'rules[0].targets[0]: give the user by email or by id (one of them)'),
    (dict(name='Ops', rules=[dict(escalation_delay_in_minutes=5, targets=[dict(type='user', email='a@b.c', id='PUSR001')])]),
     'rules[0].targets[0]: give the user by email or by id (one of them)'),
    (dict(name='Ops', rules=[dict(escalation_delay_in_minutes=5, targets=[dict(type='user', email='ada')])]),
     "rules[0].targets[0].email: 'ada' is not an email address"),
    (dict(name='Ops', rules=[dict(escalation_delay_in_minutes=5, targets=[dict(type='schedule', name=' ')])]),
     'rules[0].targets[0].name: must not be blank'),
])
def test_bad_input_fails_before_any_request(sim, run_module, options, message):
    result = run_module(pd_escalation_policy, **options)
    assert result['failed'] and result['msg'] == message and sim.requests() == []


def test_a_target_listed_twice_is_refused_before_any_write(sim, run_module):
    result = run_module(pd_escalation_policy, name='Ops', rules=[dict(escalation_delay_in_minutes=5, targets=[
        ADA, dict(type='user', id='PUSR001')])])
    assert result['failed'] and result['msg'] == "rules[0].targets: lists the user 'ada@example.com' twice"
    assert sim.writes() == []


def test_check_mode_update_writes_nothing_and_shows_the_real_runs_diff(sim, run_module, account):
    run_module(pd_escalation_policy, **POLICY)
    change = dict(name='SRE On-Call', teams=['Payments'], num_loops=1,
                  rules=[RULES[0], dict(RULES[1], targets=[dict(type='user', email='alan@example.com')])])
    sim.clear_requests()
    predicted = run_module(pd_escalation_policy, check_mode=True, diff=True, **change)
    assert predicted['changed'] and sim.writes() == []
    assert stored(account, 'SRE On-Call') == [(['PTEAM01'], [(15, ['PSCHED1', 'PUSR001']), (30, ['PSCHED2', 'PUSR004'])])]
    real = run_module(pd_escalation_policy, diff=True, **change)
    assert real['diff'] == predicted['diff']
    assert real['diff']['after']['escalation_rules'] == [
        {'escalation_delay_in_minutes': 15, 'targets': [{'type': 'schedule', 'name': 'Platform Primary'},
                                                        {'type': 'user', 'email': 'ada@example.com'}]},
        {'escalation_delay_in_minutes': 30, 'targets': [{'type': 'user', 'email': 'alan@example.com'}]}]
    assert stored(account, 'SRE On-Call') == [(['PTEAM02'], [(15, ['PSCHED1', 'PUSR001']), (30, ['PUSR003'])])]


def test_a_rename_onto_a_taken_name_fails_before_any_write_in_check_mode_too(sim, run_module):
    for check_mode in (True, False):
        result = run_module(pd_escalation_policy, check_mode=check_mode, name='Default', new_name='Platform On-Call')
        assert result['failed'] and result['msg'] == (
            "new_name: another escalation policy is named 'Platform On-Call' already (PPLATEP); choose another name, or "
            "rename or delete that one first")
    assert sim.writes() == []
