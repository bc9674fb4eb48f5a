# -*- coding: utf-8 -*-
# Copyright: contributors to oncall.pagerduty
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A service's own event orchestration: its rule sets, its catch-all and its active switch.

Every service has one (empty until rules are written), so there is nothing to create or delete:
the rules are compared as PagerDuty stores them, and written as a whole when they differ. Rule IDs
are PagerDuty's, so rules are matched by their label within a set (a matched rule keeps its ID).

Used by pd_service_orchestration.
"""

from __future__ import annotations

from ansible_collections.oncall.pagerduty.plugins.module_utils._orchestration import (
    MAX_RULES_PER_SET,
    SERVICE_CATCH_ALL_ACTIONS,
    SERVICE_RULE_ACTIONS,
    START_SET,
    InvalidInput,
    checked_actions,
    comparable_catch_all,
    comparable_rule,
    comparable_sets,
    conditions_of,
    copy_path,
    empty_path,
    orchestration_path,
    with_unset_as_stored,
    without_empty,
)
from ansible_collections.oncall.pagerduty.plugins.module_utils._resource import (
    PREDICTED,
    STATE_OPTION,
    Field,
    Resource,
    doing,
)
from ansible_collections.oncall.pagerduty.plugins.module_utils._service import resolve_or_predict_service

WHAT = 'a service orchestration'


def path_of(service_id):
    return '/event_orchestrations/services/%s' % service_id


def has_rules(state):
    return any(s['rules'] for s in state['sets']) or bool(state['catch_all']['actions'])


SET_OPTIONS = dict(
    id=dict(type='str', required=True),
    rules=dict(type='list', elements='dict', default=[], options=dict(
        label=dict(type='str'),
        conditions=dict(type='list', elements='raw'),
        actions=dict(type='dict'),
        disabled=dict(type='bool', default=False),
    )),
)


def sets_from_api(sets):
    """Sets in the input format: rules with their label, conditions as PCL, actions and disabled flag."""
    return [{'id': s['id'], 'rules': [{'label': r['label'], 'conditions': [c['expression'] for c in r['conditions']],
                                       'actions': r['actions'], 'disabled': r['disabled']} for r in s['rules']]}
            for s in sets or []]


class ServiceOrchestrationResource(Resource):
    """The orchestration of a service, found by the service's exact name or ID: every service has one, so it is
    never created or deleted, only written (state absent writes it empty)."""

    result_key = 'service_orchestration'
    fields = (
        Field('enabled', dict(type='bool')),
        Field('sets', dict(type='list', elements='dict', options=SET_OPTIONS), from_api=sets_from_api),
        Field('catch_all', dict(type='dict', options=dict(actions=dict(type='dict', default={})))),
    )
    options = dict(service=dict(type='str', required=True), state=STATE_OPTION)

    def __init__(self, task, client=None):
        super().__init__(task, client)
        # What the task asks for, as PagerDuty stores it (None: leave as it is); set by validate().
        self.wanted_sets = None
        self.wanted_catch_all = None

    def label(self):
        return 'service orchestration'

    def state(self):
        return 'present'  # state=absent asks for an orchestration without rules (see validate)

    # -- validation before any request -----------------------------------------------------------

    def validate(self):
        params = self.params
        self.fail_if_blank('service')
        if params['state'] == 'absent':
            given = [self.option(o) for o in ('sets', 'catch_all') if params[o] is not None]
            if given:
                self.fail('%s: not with state=absent, which removes every rule (leaving an empty start set and a '
                          'catch-all without actions); remove %s, or use state=present'
                          % (', '.join(given), 'them' if len(given) > 1 else 'it'))
            self.wanted_sets = [{'id': START_SET, 'rules': []}]
            self.wanted_catch_all = {'actions': {}}
            return
        try:
            self.wanted_sets = None if params['sets'] is None else self.checked_sets(params['sets'])
            self.wanted_catch_all = None if params['catch_all'] is None else comparable_catch_all({
                'actions': checked_actions(params['catch_all']['actions'], SERVICE_CATCH_ALL_ACTIONS,
                                           self.option('catch_all.actions'), "a service orchestration's catch-all")})
        except InvalidInput as err:
            self.fail(str(err))

    def checked_sets(self, sets):
        """The sets as PagerDuty takes them, or InvalidInput: a start set, unique IDs, labelled rules within the
        limit, conditions and actions checked, and route_to naming another set, without cycles."""
        where = self.option('sets')
        if not sets:
            raise InvalidInput('%s: must list at least the start set; to remove every rule, use state=absent' % where)
        ids = []
        for index, given in enumerate(sets):
            set_id = given['id']
            if not set_id.strip():
                raise InvalidInput('%s[%d].id: must not be blank' % (where, index))
            if set_id in ids:
                raise InvalidInput('%s[%d].id: %r is already the ID of %s[%d]; set IDs are unique'
                                   % (where, index, set_id, where, ids.index(set_id)))
            ids.append(set_id)
        if START_SET not in ids:
            raise InvalidInput('%s: needs a set with the id start, where PagerDuty begins evaluating events (got %s)'
                               % (where, ', '.join(ids)))
        checked = [{'id': given['id'], 'rules': self.checked_rules(given, '%s[%d]' % (where, index), ids)}
                   for index, given in enumerate(sets)]
        self.check_set_graph(checked, where)
        return checked

    def checked_rules(self, given, at, ids):
        rules = given['rules'] or []
        if len(rules) > MAX_RULES_PER_SET:
            raise InvalidInput('%s.rules: %d rules; PagerDuty allows at most %d in a set. Move some into another set '
                               'that a rule routes to with route_to.' % (at, len(rules), MAX_RULES_PER_SET))
        labels = []
        checked = []
        for index, rule in enumerate(rules):
            here = '%s.rules[%d]' % (at, index)
            label = rule['label']
            if label is None or not label.strip():
                raise InvalidInput('%s.label: required. PagerDuty gives rules IDs of its own, so this module tells rules '
                                   'apart by their labels: give every rule a label, unique within its set.' % here)
            if label in labels:
                raise InvalidInput('%s.label: %r is also the label of %s.rules[%d]; labels are unique within a set, '
                                   'since rules are matched by them' % (here, label, at, labels.index(label)))
            labels.append(label)
            actions = checked_actions(rule['actions'], SERVICE_RULE_ACTIONS, here + '.actions', WHAT)
            target = actions.get('route_to')
            if target is not None and (target not in ids or target in (START_SET, given['id'])):
                raise InvalidInput('%s.actions.route_to: %r %s; route_to names another set of this orchestration (%s), '
                                   'not start or its own set'
                                   % (here, target, 'is not one of its sets' if target not in ids else 'would loop',
                                      ', '.join(i for i in ids if i not in (START_SET, given['id'])) or 'none yet'))
            checked.append(comparable_rule({'label': label, 'conditions': conditions_of(rule['conditions'], here + '.conditions'),
                                            'actions': actions, 'disabled': rule['disabled']}))
        return checked

    def check_set_graph(self, sets, where):
        """Fail on route_to cycles (an event would go round forever); warn about sets nothing routes to."""
        edges = {s['id']: [r['actions']['route_to'] for r in s['rules'] if r['actions'].get('route_to')] for s in sets}
        reached, trail = set(), []

        def walk(node):
            if node in trail:
                raise InvalidInput('%s: the sets route in a cycle (%s); an event would be evaluated forever'
                                   % (where, ' -> '.join(trail[trail.index(node):] + [node])))
            if node in reached:
                return
            trail.append(node)
            for target in edges.get(node, ()):
                walk(target)
            trail.pop()
            reached.add(node)

        walk(START_SET)
        for given in sets:
            walk(given['id'])
        routed_to = {t for targets in edges.values() for t in targets} | {START_SET}
        unreached = [s['id'] for s in sets if s['id'] not in routed_to]
        if unreached:
            self.warn('%s: no rule routes to the set%s %s, so PagerDuty never evaluates %s; route to it with route_to'
                      % (where, 's' if len(unreached) > 1 else '', ', '.join(unreached), 'them' if len(unreached) > 1 else 'it'))

    # -- reading ---------------------------------------------------------------------------------

    def locate(self):
        return {'service': resolve_or_predict_service(self, self.params['service'], self.option('service'))}

    def read_path(self, service):
        with doing('read the orchestration of the service %r' % service['name']):
            path = orchestration_path(self.client, path_of(service['id']))
        if path is None:
            self.fail('%s: the service %r has no orchestration: it was deleted while the task ran'
                      % (self.option('service'), service['name']))
        return path

    def read_active(self, service):
        with doing('read whether the orchestration of the service %r is active' % service['name']):
            return bool((self.client.get(path_of(service['id']) + '/active') or {}).get('active'))

    @staticmethod
    def presented(service, path, active):
        return {'service': {'id': service['id'], 'summary': service.get('name') or service.get('summary')},
                'enabled': active, 'sets': comparable_sets(path.get('sets')),
                'catch_all': comparable_catch_all(path.get('catch_all'))}

    def find(self, plan):
        service = plan.context['service']
        if service.get(PREDICTED):
            raw, active = empty_path(), False  # a service an earlier task of the check run creates
        else:
            raw, active = self.read_path(service), self.read_active(service)
        plan.context['raw'] = raw
        return self.presented(service, raw, active)

    def read_back(self, plan, obj):
        service = plan.context['service']
        return self.presented(service, self.read_path(service), self.read_active(service))

    # -- the plan --------------------------------------------------------------------------------

    def desired(self, plan):
        desired = {}
        if self.params['enabled'] is not None:
            desired['enabled'] = self.params['enabled']
        raw = plan.context['raw']
        if self.wanted_sets is not None:
            stored = {(s.get('id'), r.get('label')): r.get('actions') for s in raw.get('sets') or [] for r in s.get('rules') or []}
            desired['sets'] = [{'id': s['id'], 'rules': [dict(r, actions=as_stored(r['actions'], stored.get((s['id'], r['label']))))
                                                         for r in s['rules']]} for s in self.wanted_sets]
        if self.wanted_catch_all is not None:
            desired['catch_all'] = {'actions': as_stored(self.wanted_catch_all['actions'],
                                                         (raw.get('catch_all') or {}).get('actions'))}
        return desired

    def compare(self, plan):
        current, desired = plan.current, plan.desired
        changes = {}
        if 'enabled' in desired and desired['enabled'] != current['enabled']:
            changes['enabled'] = desired['enabled']
        if 'sets' in desired and by_id(desired['sets']) != by_id(current['sets']):
            changes['sets'] = desired['sets']
        if 'catch_all' in desired and desired['catch_all'] != current['catch_all']:
            changes['catch_all'] = desired['catch_all']
        self.warn_if_not_applied(dict(current, **changes))
        return changes

    def check_update(self, plan):
        """A service's orchestration takes any rules that passed validation."""

    def warn_if_not_applied(self, state):
        if has_rules(state) and not state['enabled'] and self.params['state'] == 'present':
            self.warn('%s: the orchestration of the service %r is not active, so PagerDuty does not apply its rules to '
                      "the service's events; set enabled: true to apply them"
                      % (self.option('enabled'), state['service']['summary']))

    def plan_diff(self, plan):
        """Only the sets that change, besides the switch and the catch-all."""
        current, changes = plan.current, plan.changes
        before, after = {}, {}
        for field in ('enabled', 'catch_all'):
            if field in changes:
                before[field], after[field] = current[field], changes[field]
        if 'sets' in changes:
            old, new = by_id(current['sets']), by_id(changes['sets'])
            changed = [i for i in list(new) + list(old) if old.get(i) != new.get(i)]
            before['sets'] = [s for s in current['sets'] if s['id'] in changed]
            after['sets'] = [s for s in changes['sets'] if s['id'] in changed]
        return before, after

    # -- writing ---------------------------------------------------------------------------------

    def update(self, plan, current, changes):
        """Rules before switching on, and off before the rules: events never meet a half-written orchestration."""
        service = plan.context['service']
        enabling = changes.get('enabled') is True
        if 'enabled' in changes and not enabling:
            self.write_active(plan, service, changes['enabled'])
        if 'sets' in changes or 'catch_all' in changes:
            self.write_path(plan, service, changes)
        if enabling:
            self.write_active(plan, service, True)
        plan.notes['confirmed'] = after = dict(current, **changes)
        return after

    def write_path(self, plan, service, changes):
        raw = plan.context['raw']
        body = copy_path(raw)
        if 'sets' in changes:
            body['sets'] = with_rule_ids(changes['sets'], raw.get('sets') or [])
        if 'catch_all' in changes:
            body['catch_all'] = changes['catch_all']
        with doing('update the orchestration of the service %r' % service['name']):
            self.client.put(path_of(service['id']), {'orchestration_path': body})  # its answer's warnings: the client's
        wanted = {'sets': by_id(comparable_sets(body['sets'])), 'catch_all': comparable_catch_all(body['catch_all'])}
        with doing('read the orchestration of the service %r back' % service['name']):
            self.wait_until(lambda: self.read_path(service),
                            lambda path: {'sets': by_id(comparable_sets(path.get('sets'))),
                                          'catch_all': comparable_catch_all(path.get('catch_all'))} == wanted,
                            'reading back the orchestration of the service %r' % service['name'])

    def write_active(self, plan, service, active):
        with doing('%s the orchestration of the service %r' % ('activate' if active else 'deactivate', service['name'])):
            self.client.put(path_of(service['id']) + '/active', {'active': active})
        self.wait_until(lambda: self.read_active(service), lambda value: value == active,
                        'reading back whether the orchestration of the service %r is active' % service['name'])

    def shows_write(self, plan, read, changes):
        if read is None:
            return False
        return all((by_id(read[k]) == by_id(v)) if k == 'sets' else read.get(k) == v for k, v in (changes or {}).items())


def as_stored(actions, stored):
    """Actions as PagerDuty will hold them: what the task leaves unset is what PagerDuty has (see with_unset_as_stored)."""
    return without_empty(with_unset_as_stored(actions, stored))


def by_id(sets):
    """Sets keyed by their ID: their order does not matter, their rules' order does."""
    return {s['id']: s['rules'] for s in sets}


def with_rule_ids(sets, current_sets):
    """The sets to write, each rule with the ID of the current rule of its label in the same set (PagerDuty then
    keeps it), and without the flags PagerDuty takes as unset."""
    current = {(s.get('id'), r.get('label')): r.get('id') for s in current_sets for r in s.get('rules') or []}
    written = []
    for given in sets:
        rules = []
        for rule in given['rules']:
            body = {'label': rule['label'], 'conditions': rule['conditions'], 'actions': rule['actions'],
                    'disabled': rule['disabled']}
            rule_id = current.get((given['id'], rule['label']))
            if rule_id:
                body['id'] = rule_id
            rules.append(body)
        written.append({'id': given['id'], 'rules': rules})
    return written
