"""Every write of pd_team and pd_escalation_policy under every fault of the matrix (matrix.py): a task ends
with exactly the intended team or policy, or fails clearly having changed nothing; never a duplicate."""

import pytest

from ansible_collections.oncall.pagerduty.plugins.modules import pd_escalation_policy, pd_team
from tests.reliability.matrix import FAULTS, Scenario, count_check, run_fault_case

TEAMS = r'^/teams'
POLICIES = r'^/escalation_policies'
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
