"""Every write of pd_team, pd_escalation_policy, pd_user, pd_team_membership and pd_schedule under every fault of the matrix (matrix.py): a task ends
with exactly the intended team, policy, user, membership or schedule, or fails clearly having changed nothing; never a duplicate."""

import pytest

from ansible_collections.oncall.pagerduty.plugins.modules import pd_escalation_policy, pd_schedule, pd_team, pd_team_membership, pd_user
from tests.reliability.matrix import FAULTS, Scenario, count_check, run_fault_case

TEAMS = r'^/teams'
POLICIES = r'^/escalation_policies'
USERS = r'^/users'
MEMBERSHIPS = r'^/teams/PTEAM02/users/'
SCHEDULES = r'^/schedules'
WEEKLY = dict(name='Weekly', rotation_turn_length_seconds=604800, rotation_virtual_start='2026-01-05T09:00:00Z')
EMAIL = 'hedy@example.com'
RULES = [dict(escalation_delay_in_minutes=10, targets=[dict(type='user', email='ada@example.com'),
                                                       dict(type='schedule', name='Platform Primary')])]


def named(sim, collection, name):
    """The objects of a collection with exactly this name, read through the API after the task."""
    listing = sim.api('GET', '/' + collection, query=name, limit=100).json()[collection]
    return [o for o in listing if o['name'] == name]


def team_snapshot(sim, ctx):
    return [t['description'] for t in named(sim, 'teams', 'SRE')]


def policy_snapshot(sim, ctx):
    return [(p['description'], [sorted(t['id'] for t in rule['targets']) for rule in p['escalation_rules']])
            for p in named(sim, 'escalation_policies', 'SRE On-Call')]


def seed_team(sim):
    sim.api('POST', '/teams', {'team': {'type': 'team', 'name': 'SRE', 'description': 'old'}}).raise_for_status()
    return {}


def seed_policy(sim):
    body = {'escalation_policy': {'type': 'escalation_policy', 'name': 'SRE On-Call', 'description': 'old',
                                  'escalation_rules': [{'escalation_delay_in_minutes': 10,
                                                        'targets': [{'id': 'PUSR002', 'type': 'user_reference'}]}]}}
    sim.api('POST', '/escalation_policies', body).raise_for_status()
    return {}


def user_snapshot(sim, ctx):
    listing = sim.api('GET', '/users', query=EMAIL, limit=100).json()['users']
    return [u['job_title'] for u in listing if u['email'] == EMAIL]


def seed_user(sim):
    body = {'user': {'type': 'user', 'email': EMAIL, 'name': 'Hedy Lamarr', 'job_title': 'old'}}
    sim.api('POST', '/users', body).raise_for_status()
    return {}


def membership_snapshot(sim, ctx):
    listing = sim.api('GET', '/teams/PTEAM02/members', limit=100).json()['members']
    return sorted((m['user']['id'], m['role']) for m in listing)


def seed_membership(sim):
    sim.api('PUT', '/teams/PTEAM02/users/PUSR001', {'role': 'observer'}).raise_for_status()
    return {}


def schedule_snapshot(sim, ctx):
    """(description, the active layers' users) of the schedules named SRE Rota, read through the API."""
    listing = sim.api('GET', '/schedules', query='SRE Rota', limit=100).json()['schedules']
    found = [sim.api('GET', '/schedules/' + s['id']).json()['schedule'] for s in listing if s['name'] == 'SRE Rota']
    return [(s['description'], [[e['user']['id'] for e in x['users']] for x in s['schedule_layers'] if not x.get('end')])
            for s in found]


def seed_schedule(sim):
    sim.api('POST', '/schedules', {'schedule': {'type': 'schedule', 'name': 'SRE Rota', 'time_zone': 'UTC', 'description': 'old',
                                                'schedule_layers': [dict(WEEKLY, start='2026-01-05T09:00:00Z', users=[
                                                    {'user': {'id': 'PUSR002', 'type': 'user_reference'}}])]}}).raise_for_status()
    return {}


KATHERINE = ('PUSR004', 'manager')
CREATED_RULES = [['PSCHED1', 'PUSR001']]

SCENARIOS = [
    Scenario('pd_team create', pd_team, 'POST', TEAMS + '$',
             lambda sim: {}, lambda ctx: dict(name='SRE', description='new'),
             team_snapshot, lambda snap, ctx: count_check(len(snap), 1)[:2] + (snap == ['new'],)),
    Scenario('pd_team update', pd_team, 'PUT', TEAMS + '/',
             seed_team, lambda ctx: dict(name='SRE', description='new'),
             team_snapshot, lambda snap, ctx: count_check(len(snap), 1)[:2] + (snap == ['new'],)),
    Scenario('pd_team delete', pd_team, 'DELETE', TEAMS + '/',
             seed_team, lambda ctx: dict(name='SRE', state='absent'),
             team_snapshot, lambda snap, ctx: (0, 0, snap == [])),
    Scenario('pd_user create', pd_user, 'POST', USERS + '$',
             lambda sim: {}, lambda ctx: dict(email=EMAIL, name='Hedy Lamarr', job_title='new'),
             user_snapshot, lambda snap, ctx: count_check(len(snap), 1)[:2] + (snap == ['new'],)),
    Scenario('pd_user update', pd_user, 'PUT', USERS + '/',
             seed_user, lambda ctx: dict(email=EMAIL, job_title='new'),
             user_snapshot, lambda snap, ctx: count_check(len(snap), 1)[:2] + (snap == ['new'],)),
    Scenario('pd_user delete', pd_user, 'DELETE', USERS + '/',
             seed_user, lambda ctx: dict(email=EMAIL, state='absent'),
             user_snapshot, lambda snap, ctx: (0, 0, snap == [])),
    Scenario('pd_team_membership add', pd_team_membership, 'PUT', MEMBERSHIPS,
             lambda sim: {}, lambda ctx: dict(team='Payments', members=[dict(user='ada@example.com', role='manager')]),
             membership_snapshot, lambda snap, ctx: (0, int(('PUSR001', 'manager') not in snap),
                                                     snap == [('PUSR001', 'manager'), KATHERINE])),
    Scenario('pd_team_membership role', pd_team_membership, 'PUT', MEMBERSHIPS,
             seed_membership, lambda ctx: dict(team='Payments', members=[dict(user='ada@example.com', role='manager')]),
             membership_snapshot, lambda snap, ctx: (0, 0, snap == [('PUSR001', 'manager'), KATHERINE])),
    Scenario('pd_team_membership remove', pd_team_membership, 'DELETE', MEMBERSHIPS,
             seed_membership, lambda ctx: dict(team='Payments', members=[dict(user='ada@example.com')], state='absent'),
             membership_snapshot, lambda snap, ctx: (0, 0, snap == [KATHERINE])),
    Scenario('pd_schedule create', pd_schedule, 'POST', SCHEDULES + '$',
             lambda sim: {}, lambda ctx: dict(name='SRE Rota', time_zone='UTC', description='new',
                                              layers=[dict(WEEKLY, users=['grace@example.com'])]),
             schedule_snapshot, lambda snap, ctx: count_check(len(snap), 1)[:2] + (snap == [('new', [['PUSR002']])],)),
    Scenario('pd_schedule update', pd_schedule, 'PUT', SCHEDULES + '/',
             seed_schedule, lambda ctx: dict(name='SRE Rota', description='new',
                                             layers=[dict(WEEKLY, users=['grace@example.com', 'alan@example.com'])]),
             schedule_snapshot, lambda snap, ctx: count_check(len(snap), 1)[:2] + (
                 snap == [('new', [['PUSR002', 'PUSR003']])] or snap == [('new', [['PUSR003', 'PUSR002']])],)),
    Scenario('pd_schedule delete', pd_schedule, 'DELETE', SCHEDULES + '/',
             seed_schedule, lambda ctx: dict(name='SRE Rota', state='absent'),
             schedule_snapshot, lambda snap, ctx: (0, 0, snap == [])),
    Scenario('pd_escalation_policy create', pd_escalation_policy, 'POST', POLICIES + '$',
             lambda sim: {}, lambda ctx: dict(name='SRE On-Call', description='new', rules=RULES),
             policy_snapshot, lambda snap, ctx: count_check(len(snap), 1)[:2] + (snap == [('new', CREATED_RULES)],)),
    Scenario('pd_escalation_policy update', pd_escalation_policy, 'PUT', POLICIES + '/',
             seed_policy, lambda ctx: dict(name='SRE On-Call', description='new', rules=RULES),
             policy_snapshot, lambda snap, ctx: count_check(len(snap), 1)[:2] + (snap == [('new', CREATED_RULES)],)),
    Scenario('pd_escalation_policy delete', pd_escalation_policy, 'DELETE', POLICIES + '/',
             seed_policy, lambda ctx: dict(name='SRE On-Call', state='absent'),
             policy_snapshot, lambda snap, ctx: (0, 0, snap == [])),
]


@pytest.mark.parametrize('fault', list(FAULTS))
@pytest.mark.parametrize('scenario', SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_fault(sim, run_module, report, scenario, fault):
    run_fault_case(sim, run_module, report, scenario, fault)
