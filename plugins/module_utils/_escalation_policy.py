# -*- coding: utf-8 -*-
# Copyright: contributors to oncall.pagerduty
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""PagerDuty escalation policies: finding them, their options, validation, desired state, writes and presentation.

A policy is compared as PagerDuty stores it: its rules in order, each rule's targets as a set (PagerDuty
keeps them in an order of its own), rule IDs and target summaries being the server's. Targets are
users (by email or ID) and schedules (by name or ID); the policy is read with its targets expanded
(include[]=targets), so a task whose targets the policy already has needs no look-up.

Used by pd_escalation_policy.
"""

from __future__ import annotations

import re

from ansible_collections.oncall.pagerduty.plugins.module_utils._resource import (
    IDENTITY_RULES,
    RENAME_OPTIONS,
    Collection,
    Field,
    Resource,
    doing,
)
from ansible_collections.oncall.pagerduty.plugins.module_utils._team import teams_field
from ansible_collections.oncall.pagerduty.plugins.module_utils._user import find_or_predict_user

# Read with every policy: its targets as full users (with their emails) and schedules (with their names).
POLICY_QUERY = {'include[]': ['targets']}
# The web app's limit of loops, which terraform-provider-pagerduty validates too.
MAX_LOOPS = 9
# The EscalationRule schema's limits of targets (minItems, maxItems).
MAX_TARGETS_PER_RULE = 10
HANDOFF_CHOICES = ['always', 'if_has_services']
TARGET_TYPES = ['schedule', 'user']
# What identifies a target of each type in the task, besides its ID.
TARGET_KEY = {'user': 'email', 'schedule': 'name'}
_EMAIL = re.compile(r'^[^@\s]+@[^@\s]+$')


ESCALATION_POLICIES = Collection('/escalation_policies', 'escalation_policy', name_filter='query',
                                 label='escalation policy')

RULE_OPTIONS = dict(
    escalation_delay_in_minutes=dict(type='int', required=True),
    targets=dict(type='list', elements='dict', required=True, options=dict(
        type=dict(type='str', required=True, choices=TARGET_TYPES),
        email=dict(type='str'),
        name=dict(type='str'),
        id=dict(type='str'),
    )),
)


# -- presentation ----------------------------------------------------------------------------------

def target_kind(target):
    """'user' or 'schedule', whether PagerDuty sent a reference (user_reference) or a full object (user)."""
    kind = (target.get('type') or '').replace('_reference', '')
    return 'schedule' if kind.startswith('schedule') else kind


def target_order(target):
    return target['type'], target.get('id') or ''


def rules_from_api(rules):
    """Escalation rules in the input format: each target by email (a user) or name (a schedule)."""
    gathered = []
    for rule in rules or []:
        targets = []
        for target in rule.get('targets') or []:
            key = TARGET_KEY.get(target['type'])
            targets.append({'type': target['type'], key: target[key]} if key and target.get(key)
                           else {'type': target['type'], 'id': target.get('id')})
        gathered.append({'escalation_delay_in_minutes': rule.get('escalation_delay_in_minutes'), 'targets': targets})
    return gathered


class EscalationPolicyResource(Resource):
    """A PagerDuty escalation policy."""

    result_key = 'escalation_policy'
    collection = ESCALATION_POLICIES
    fields = (
        Field('name'),
        Field('description'),
        Field('num_loops', dict(type='int')),
        Field('on_call_handoff_notifications', dict(type='str', choices=HANDOFF_CHOICES)),
        teams_field(),
        Field('rules', dict(type='list', elements='dict', options=RULE_OPTIONS), api='escalation_rules',
              from_api=rules_from_api,
              to_api=lambda kind, value, plan: [kind.desired_rule(r, i, plan.current) for i, r in enumerate(value)]),
    )
    options = RENAME_OPTIONS
    option_rules = IDENTITY_RULES

    def __init__(self, task, client=None):
        super().__init__(task, client)
        # What a diff shows for a target instead of its ID: {(type, id): {'email': ...} or {'name': ...}}.
        self.labels = {}
        # Targets looked up in this task: {(type, key, value): the user or schedule}.
        self.looked_up = {}

    # -- validation before any request -----------------------------------------------------------

    def validate(self):
        super().validate()
        params = self.params
        loops = params['num_loops']
        if loops is not None and not 0 <= loops <= MAX_LOOPS:
            self.fail('%s: must be 0 (no repeat) to %d, got %d' % (self.option('num_loops'), MAX_LOOPS, loops))
        teams = params['teams']
        if teams is not None:
            if len(teams) > 1:
                self.fail('%s: PagerDuty allows one team per escalation policy, got %d (%s); give one team, or [] for '
                          'none' % (self.option('teams'), len(teams), ', '.join(teams)))
            for index, team in enumerate(teams):
                if not team.strip():
                    self.fail('%s[%d]: must not be blank' % (self.option('teams'), index))
        rules = params['rules']
        if rules is not None:
            if not rules:
                self.fail('%s: PagerDuty needs at least one rule in a policy' % self.option('rules'))
            for index, rule in enumerate(rules):
                self.validate_rule(rule, '%s[%d]' % (self.option('rules'), index))

    def validate_rule(self, rule, where):
        if rule['escalation_delay_in_minutes'] < 1:
            self.fail('%s.escalation_delay_in_minutes: must be at least 1 minute, got %d'
                      % (where, rule['escalation_delay_in_minutes']))
        targets = rule['targets']
        if not 1 <= len(targets) <= MAX_TARGETS_PER_RULE:
            self.fail('%s.targets: a rule needs 1 to %d targets, got %d' % (where, MAX_TARGETS_PER_RULE, len(targets)))
        for index, target in enumerate(targets):
            at = '%s.targets[%d]' % (where, index)
            key = TARGET_KEY[target['type']]
            other = TARGET_KEY['user' if target['type'] == 'schedule' else 'schedule']
            if target[other] is not None:
                self.fail('%s.%s: a %s target is given by %s or id, not %s'
                          % (at, other, target['type'], key, other))
            given = [k for k in (key, 'id') if target[k] is not None]
            if len(given) != 1:
                self.fail('%s: give the %s by %s or by id (one of them)' % (at, target['type'], key))
            value = target[given[0]]
            if not value.strip():
                self.fail('%s.%s: must not be blank' % (at, given[0]))
            if given[0] == 'email' and not _EMAIL.match(value.strip()):
                self.fail('%s.email: %r is not an email address' % (at, value))

    # -- the engine's hooks ----------------------------------------------------------------------

    def read_query(self):
        return POLICY_QUERY

    def present(self, obj):
        """The policy as results show it: teams as references, each rule's targets as
        {type: user or schedule, id, summary, and email or name}, in a stable order."""
        if not obj:
            return obj
        shown = dict(obj, description=obj.get('description') or '')
        shown['teams'] = [{'id': t.get('id'), 'summary': t.get('summary') or t.get('name')} for t in obj.get('teams') or []]
        shown['escalation_rules'] = [dict(rule, targets=sorted((self.present_target(t) for t in rule.get('targets') or []),
                                                               key=target_order))
                                     for rule in obj.get('escalation_rules') or []]
        return shown

    def present_target(self, target):
        kind = target_kind(target)
        shown = {'type': kind, 'id': target.get('id'), 'summary': target.get('summary') or target.get('name')}
        key = TARGET_KEY.get(kind)
        if key and target.get(key) and target.get('type') == kind:  # a full object: remember what identifies it
            self.labels[(kind, target['id'])] = {key: target[key]}
        shown.update(self.labels.get((kind, target.get('id')), {}))
        return shown

    def desired_rule(self, rule, index, current):
        where = '%s[%d]' % (self.option('rules'), index)
        known = [t for r in (current or {}).get('escalation_rules') or [] for t in r['targets']]
        targets = []
        for number, target in enumerate(rule['targets']):
            found = self.resolve_target(target, '%s.targets[%d]' % (where, number), known)
            if found in targets:
                label = self.labels.get((found['type'], found['id']), {})
                self.fail('%s.targets: lists the %s %r twice' % (where, found['type'], next(iter(label.values()), found['id'])))
            targets.append(found)
        return {'escalation_delay_in_minutes': rule['escalation_delay_in_minutes'], 'targets': sorted(targets, key=target_order)}

    def resolve_target(self, target, where, known):
        """{type, id} of a target: from the policy's own targets when it has it, else looked up.

        Users and schedules are not made by this collection, so one that does not exist fails also
        in check mode.
        """
        kind = target['type']
        key = TARGET_KEY[kind]
        by, value = (key, target[key]) if target[key] is not None else ('id', target['id'])
        for existing in known:
            if existing['type'] == kind and self.same(by, value, existing.get(by)):
                return {'type': kind, 'id': existing['id']}
        memo = (kind, by, value.casefold() if by == 'email' else value)
        if memo not in self.looked_up:
            self.looked_up[memo] = self.look_up_target(kind, by, value, '%s.%s' % (where, by))
        found = self.looked_up[memo]
        self.labels[(kind, found['id'])] = {key: found.get(key)}
        return {'type': kind, 'id': found['id']}

    @staticmethod
    def same(by, wanted, actual):
        if actual is None:
            return False
        return wanted.casefold() == actual.casefold() if by == 'email' else wanted == actual

    def look_up_target(self, kind, by, value, option):
        with doing('find the %s %r' % (kind, value)):
            if by == 'id':
                found = self.client.get_object(kind + 's', kind, value)
                if found is None:
                    self.fail('%s: no %s has the ID %r' % (option, kind, value))
                return found
            if kind == 'user':
                return find_or_predict_user(self, value, option)
            return self.resolve_or_predict('schedules', value, option, 'schedule', by_id=False)

    def check_create(self, plan):
        if 'escalation_rules' not in plan.desired:
            self.required_to_create('%s: required to create the escalation policy %r (PagerDuty needs at least one '
                                    'rule)' % (self.option('rules'), plan.desired.get('name')))

    def predict_create(self, plan):
        return dict({'type': 'escalation_policy', 'description': '', 'num_loops': 0,
                     'on_call_handoff_notifications': 'if_has_services', 'teams': [], 'services': []},
                    **plan.desired, id=None)

    def check_delete(self, plan):
        """PagerDuty refuses to delete a policy that services use: say which, before any write."""
        current = plan.current
        services = sorted(s.get('summary') or s.get('id') for s in current.get('services') or [])
        if services:
            self.fail('%s: PagerDuty deletes only an escalation policy that no service uses, and %r is used by %s. Give '
                      'those services another escalation_policy with oncall.pagerduty.pd_service, or delete them, first.'
                      % (self.option('state'), current['name'], ', '.join(repr(s) for s in services)))

    def body(self, fields):
        """Fields as PagerDuty takes them in a request body."""
        body = dict(fields, type='escalation_policy')
        if 'teams' in body:
            body['teams'] = [{'id': t['id'], 'type': 'team_reference'} for t in body['teams']]
        if 'escalation_rules' in body:
            body['escalation_rules'] = [
                {'escalation_delay_in_minutes': rule['escalation_delay_in_minutes'],
                 'targets': [{'id': t['id'], 'type': t['type'] + '_reference'} for t in rule['targets']]}
                for rule in body['escalation_rules']]
        return {'escalation_policy': body}

    # -- diffs -----------------------------------------------------------------------------------

    def shown(self, fields):
        """A diff in the task's own terms: team names, and targets by email or schedule name, without IDs."""
        shown = super().shown(fields)
        if 'escalation_rules' in shown:
            shown['escalation_rules'] = [
                {k: ([self.target_label(t) for t in v] if k == 'targets' else v) for k, v in rule.items() if k != 'id'}
                for rule in shown['escalation_rules']]
        return shown

    def target_label(self, target):
        label = self.labels.get((target['type'], target.get('id')))
        if label is None:
            return {'type': target['type'], 'id': target.get('id')}
        return dict({'type': target['type']}, **label)
