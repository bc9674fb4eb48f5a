"""Wrong input to pd_team, pd_escalation_policy, pd_user, pd_team_membership and pd_schedule: each case must fail with a message that names the option
and the problem, with no traceback and nothing written (no write in the request log succeeded, and the
account's teams and policies are as they were)."""

import copy

import pytest

from ansible_collections.oncall.pagerduty.plugins.modules import pd_escalation_policy, pd_schedule, pd_team, pd_team_membership, pd_user
from tests.reliability.bad_input import case_id, check_bad_input

ADA = dict(type='user', email='ada@example.com')
RULE = dict(escalation_delay_in_minutes=10, targets=[ADA])
POLICY = dict(name='SRE On-Call', rules=[RULE])


LAYER = dict(name='Weekly', users=['ada@example.com'], rotation_turn_length_seconds=604800)


def rule(**target):
    return [dict(escalation_delay_in_minutes=10, targets=[target])]


CASES = [
    # -- pd_user ----------------------------------------------------------------------------------
    (pd_user, dict(), 'missing required arguments: email'),
    (pd_user, dict(email='grace'), "email: 'grace' is not an email address PagerDuty takes"),
    (pd_user, dict(email='new@example.com'), "name: required to create the user 'new@example.com'"),
    (pd_user, dict(email='new@example.com', name=' Hedy'), 'name: must not start or end with a space'),
    (pd_user, dict(email='grace@example.com', role='superuser'), 'value of role must be one of'),
    (pd_user, dict(email='grace@example.com', time_zone='Paris'), "time_zone: 'Paris' is not a time zone"),
    (pd_user, dict(email='grace@example.com', time_zone=''), 'time_zone: must not be blank'),
    (pd_user, dict(email='ada@example.com', role='user'), 'role: ada@example.com is the account owner'),
    (pd_user, dict(email='alan@example.com', state='absent'), "'Platform On-Call'"),
    # -- pd_team_membership -----------------------------------------------------------------------
    (pd_team_membership, dict(team='Platform'), 'missing required arguments: members'),
    (pd_team_membership, dict(team='Platform', members='grace@example.com'),
     "members[0]: must be a dictionary, got the string 'grace@example.com'"),
    (pd_team_membership, dict(team='Platform', members=[dict(role='manager')]), 'missing required arguments: user'),
    (pd_team_membership, dict(team='Platform', members=[dict(user='Grace Hopper')]),
     "members[0].user: 'Grace Hopper' is neither an email nor a user ID"),
    (pd_team_membership, dict(team='Nowhere', members=[dict(user='ada@example.com')]),
     "team: no team is named or identified by 'Nowhere'"),
    (pd_team_membership, dict(team='Platform', members=[dict(user='nobody@example.com')]),
     "members[0].user: no user has the email 'nobody@example.com'"),
    (pd_team_membership, dict(team='Platform', members=[dict(user='grace@example.com')], state='absent'),
     "grace@example.com by 'Platform On-Call'"),
    # -- pd_schedule --------------------------------------------------------------------------------
    (pd_schedule, dict(name='Rota', time_zone='UTC'), 'layers: required to create the schedule'),
    (pd_schedule, dict(name='Rota', time_zone='Paris', layers=[LAYER]), "time_zone: 'Paris' is not a time zone"),
    (pd_schedule, dict(name='Rota', time_zone='UTC', layers=[dict(LAYER, users=[])]), 'layers[0].users: list at least one'),
    (pd_schedule, dict(name='Rota', time_zone='UTC', layers=[dict(LAYER, rotation_virtual_start='next monday')]),
     "layers[0].rotation_virtual_start: 'next monday' is not an ISO 8601 date and time"),
    (pd_schedule, dict(name='Rota', time_zone='UTC', layers=[dict(LAYER, users=['nobody@example.com'])]),
     "layers[0].users[0]: no user has the email 'nobody@example.com'"),
    (pd_schedule, dict(name='Platform Primary', layers=[dict(LAYER, name='Other'), dict(LAYER, name='Layer 1')]),
     "the new layer 'Other' is listed below layers the schedule has already"),
    (pd_schedule, dict(name='Weekend', description='x'), "name: 2 schedules are named 'Weekend'"),
    # -- pd_team ----------------------------------------------------------------------------------
    (pd_team, dict(), 'one of the following is required: name, id'),
    (pd_team, dict(id='PTEAM01', new_name='x'), 'parameters are mutually exclusive: id|new_name'),
    (pd_team, dict(new_name='x', id='PTEAM01'), 'parameters are mutually exclusive: id|new_name'),
    (pd_team, dict(name='  '), 'name: must not be blank'),
    (pd_team, dict(name='SRE\n'), 'name: must not contain non-printable characters'),
    (pd_team, dict(name='x' * 101), 'name: PagerDuty allows at most 100 characters, got 101'),
    (pd_team, dict(name='SRE', description='d' * 1025), 'description: PagerDuty allows at most 1024 characters'),
    (pd_team, dict(name='SRE', state='gone'), 'value of state must be one of: absent, present, got: gone'),
    (pd_team, dict(id='PNOSUCH', name='SRE'), "id: no team has the ID 'PNOSUCH'"),
    (pd_team, dict(name='Nowhere', new_name='Somewhere'), "name: no team is named 'Nowhere' to rename to 'Somewhere'"),
    (pd_team, dict(name='Platform', state='absent'),
     "state: PagerDuty deletes only a team that nothing belongs to, and 'Platform' has the escalation policy "
     "'Platform On-Call' and the schedules 'Platform Primary', 'Platform Secondary', 'Weekend'."),
    (pd_team, dict(name='Platform', new_name='Payments'),
     "new_name: another team is named 'Payments' already (PTEAM02); choose another name, or rename or delete that one first"),
    (pd_team, dict(id='PTEAM01', name='Payments'), "name: another team is named 'Payments' already (PTEAM02)"),
    # -- pd_escalation_policy ---------------------------------------------------------------------
    (pd_escalation_policy, dict(rules=[RULE]), 'one of the following is required: name, id'),
    (pd_escalation_policy, dict(POLICY, name=' SRE'), "name: must not start or end with a space (' SRE')"),
    (pd_escalation_policy, dict(name='SRE On-Call'), "rules: required to create the escalation policy 'SRE On-Call'"),
    (pd_escalation_policy, dict(POLICY, rules=[]), 'rules: PagerDuty needs at least one rule in a policy'),
    (pd_escalation_policy, dict(POLICY, num_loops=-1), 'num_loops: must be 0 (no repeat) to 9, got -1'),
    (pd_escalation_policy, dict(POLICY, num_loops='many'), "argument 'num_loops' is of type"),
    (pd_escalation_policy, dict(POLICY, on_call_handoff_notifications='never'),
     'value of on_call_handoff_notifications must be one of: always, if_has_services, got: never'),
    (pd_escalation_policy, dict(POLICY, teams=['Platform', 'Payments']),
     'teams: PagerDuty allows one team per escalation policy, got 2'),
    (pd_escalation_policy, dict(POLICY, teams=['Platfrom']),
     "teams[0]: no team is named or identified by 'Platfrom'; did you mean 'Platform' (PTEAM01)?"),
    (pd_escalation_policy, dict(POLICY, rules=[dict(targets=[ADA])]),
     'missing required arguments: escalation_delay_in_minutes found in rules'),
    (pd_escalation_policy, dict(POLICY, rules=[dict(escalation_delay_in_minutes=10)]),
     'missing required arguments: targets found in rules'),
    (pd_escalation_policy, dict(POLICY, rules=[dict(RULE, escalation_delay_in_minutes=-5)]),
     'rules[0].escalation_delay_in_minutes: must be at least 1 minute, got -5'),
    (pd_escalation_policy, dict(POLICY, rules=[dict(RULE, targets=[ADA] * 11)]),
     'rules[0].targets: a rule needs 1 to 10 targets, got 11'),
    (pd_escalation_policy, dict(POLICY, rules=rule(type='team', name='Platform')),
     'value of type must be one of: schedule, user, got: team found in rules'),
    (pd_escalation_policy, dict(POLICY, rules=rule(type='user', name='Ada Lovelace')),
     'rules[0].targets[0].name: a user target is given by email or id, not name'),
    (pd_escalation_policy, dict(POLICY, rules=rule(type='schedule')),
     'rules[0].targets[0]: give the schedule by name or by id (one of them)'),
    (pd_escalation_policy, dict(POLICY, rules=rule(type='user', email='ada at example.com')),
     "rules[0].targets[0].email: 'ada at example.com' is not an email address"),
    (pd_escalation_policy, dict(POLICY, rules=rule(type='user', email='nobody@example.com')),
     "rules[0].targets[0].email: no user has the email 'nobody@example.com'"),
    (pd_escalation_policy, dict(POLICY, rules=rule(type='user', id='PNOUSER')),
     "rules[0].targets[0].id: no user has the ID 'PNOUSER'"),
    (pd_escalation_policy, dict(POLICY, rules=rule(type='schedule', name='Weekend')),
     "rules[0].targets[0].name: 2 schedules are named 'Weekend'"),
    (pd_escalation_policy, dict(POLICY, rules=rule(type='schedule', id='PNOSCHED')),
     "rules[0].targets[0].id: no schedule has the ID 'PNOSCHED'"),
    (pd_escalation_policy, dict(POLICY, rules=[dict(RULE, targets=[ADA, dict(type='user', id='PUSR001')])]),
     "rules[0].targets: lists the user 'ada@example.com' twice"),
    (pd_escalation_policy, dict(name='Default', state='absent'),
     "state: PagerDuty deletes only an escalation policy that no service uses, and 'Default' is used by 'Cart', 'Checkout'."),
    (pd_escalation_policy, dict(id='PNOSUCH', name='x'), "id: no escalation policy has the ID 'PNOSUCH'"),
    (pd_escalation_policy, dict(name='Default', new_name='Platform On-Call'),
     "new_name: another escalation policy is named 'Platform On-Call' already (PPLATEP)"),
]


@pytest.fixture
def world(sim, monkeypatch):
    """Two services on the Default policy; no credentials in the environment."""
    for variable in ('PAGERDUTY_API_TOKEN', 'PAGERDUTY_TOKEN', 'PAGERDUTY_API_URL', 'PAGERDUTY_REGION'):
        monkeypatch.delenv(variable, raising=False)
    sim.seed(services=[{'name': 'Cart', 'escalation_policy': 'Default'}, {'name': 'Checkout', 'escalation_policy': 'Default'}])
    before = sim.state()
    sim.clear_requests()
    return before


def people(simulator_server):
    account = simulator_server.sim.pagerduty
    with simulator_server.sim.lock:
        return copy.deepcopy((account.teams, account.escalation_policies, account.users, account.team_members,
                              account.schedules))


@pytest.mark.parametrize('module, options, message', CASES, ids=[case_id(c) for c in CASES])
def test_bad_input(sim, world, run_module, report, simulator_server, module, options, message):
    before = people(simulator_server)
    check_bad_input(sim, world, run_module, report, module, options, message)
    assert people(simulator_server) == before
