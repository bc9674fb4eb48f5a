# -*- coding: utf-8 -*-
# Copyright: contributors to oncall.pagerduty
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One route of a global orchestration's router, merged in safely.

PagerDuty's router is one object with one list of rules (GET and PUT /event_orchestrations/{id}/router,
without any version check on the PUT), so several teams adding their routes to one router can undo
each other's. This kind reads the router, changes only its own route (found by its label), writes
the router back with every other rule as it was, in its order, and then reads it again: when another
writer replaced the router in between and this route is gone, it merges again into what is there
now, within the retry budget. A second look a moment later catches a write that was still on its
way when the first look was taken.

Used by pd_event_orchestration_route.
"""

from __future__ import annotations

import copy

from ansible_collections.oncall.pagerduty.plugins.module_utils._orchestration import (
    START_SET,
    UNROUTED,
    InvalidInput,
    comparable_rule,
    conditions_of,
    copy_path,
    empty_path,
    find_orchestration,
    orchestration_not_found,
    orchestration_path,
    rules_of,
    surface_warnings,
)
from ansible_collections.oncall.pagerduty.plugins.module_utils._resource import PREDICTED, Resource
from ansible_collections.oncall.pagerduty.plugins.module_utils._service import find_service, resolve_or_predict_service

POSITIONS = ('first', 'last')
# How long after a confirmed write the router is read once more: a concurrent write that was still in
# flight (sent from an older copy of the router) lands within this time in practice.
CONFIRM_AFTER_SECONDS = 1.0


class OrchestrationRouteResource(Resource):
    """A route of a global orchestration's router to a service, identified by its label."""

    result_key = 'route'
    argument_spec = dict(
        orchestration=dict(type='str', required=True),
        service=dict(type='str'),
        label=dict(type='str'),
        conditions=dict(type='list', elements='raw'),
        position=dict(type='raw'),
        state=dict(type='str', default='present', choices=['absent', 'present']),
    )
    option_rules = dict(required_if=[('state', 'present', ('service',))], required_one_of=[('service', 'label')])
    settable_fields = ('label', 'service', 'conditions', 'index')

    def __init__(self, task, client=None):
        super().__init__(task, client)
        self.orchestration = None
        self.router = None
        self.service = None
        self.label = None
        self.position = None            # (first | last | before, label or None), from validate()
        self.wanted_conditions = None   # the conditions the task gives, as PagerDuty takes them
        self.conditions = None          # the conditions the route is written with
        self.router_writes = 0

    # -- validation before any request -----------------------------------------------------------

    def validate(self):
        params = self.params
        self.fail_if_blank('orchestration', 'service', 'label')
        if self.state() == 'absent':
            given = [self.option(o) for o in ('conditions', 'position') if params[o] is not None]
            if given:
                self.fail('%s: not with state=absent, which removes the route' % ', '.join(given))
        self.position = self.checked_position()
        try:
            self.wanted_conditions = (None if params['conditions'] is None
                                      else conditions_of(params['conditions'], self.option('conditions')))
        except InvalidInput as err:
            self.fail(str(err))

    def checked_position(self):
        value = self.params['position']
        if value is None:
            return None
        if value in POSITIONS:
            return value, None
        if isinstance(value, dict) and list(value) == ['before'] and isinstance(value['before'], str) \
                and value['before'].strip():
            return 'before', value['before']
        self.fail('%s: must be first, last, or before: <the label of another route>, got %r'
                  % (self.option('position'), value))

    # -- finding ---------------------------------------------------------------------------------

    def find(self):
        params = self.params
        self.doing = 'find the event orchestration %r' % params['orchestration']
        found, listing = find_orchestration(self.client, params['orchestration'], self.option('orchestration'))
        if found is None and self.state() == 'absent':
            return None  # no orchestration, so no route in it
        if found is None and not self.check_mode:
            self.fail(orchestration_not_found(self.client, params['orchestration'], self.option('orchestration'), listing))
        if found is None:
            self.orchestration = self.predicted_parent(params['orchestration'], self.option('orchestration'),
                                                       'event_orchestration')
            self.router = empty_path({'route_to': UNROUTED})
        else:
            self.orchestration = found
            self.router = self.read_router()
        if params['service'] is not None and not (self.state() == 'absent' and params['label']):
            self.service = self.target_service()
        self.label = params['label'] or (self.service or {}).get('name') or params['service']
        return self.route_in(rules_of(self.router))

    def target_service(self):
        value = self.params['service']
        if self.state() == 'absent':
            self.doing = 'find the service %r' % value
            return find_service(self.client, value, self.option('service'))  # none: its route is found by its name
        return resolve_or_predict_service(self, value, self.option('service'))

    def read_router(self):
        if self.orchestration.get(PREDICTED):
            return self.router
        self.doing = 'read the router of the event orchestration %r' % self.orchestration['name']
        router = orchestration_path(self.client, '/event_orchestrations/%s/router' % self.orchestration['id'])
        if router is None:
            self.fail('%s: the event orchestration %r was deleted while the task ran'
                      % (self.option('orchestration'), self.orchestration['name']))
        return router

    def route_in(self, rules):
        """This route (the rule with its label) as results show it, or None."""
        found = [index for index, rule in enumerate(rules) if rule.get('label') == self.label]
        if len(found) > 1:
            self.fail('%s: the router of %r has %d rules labelled %r (rules %s); rename all but one in PagerDuty, since '
                      'routes are told apart by their labels'
                      % (self.option('label'), self.orchestration['name'], len(found), self.label,
                         ', '.join(str(i + 1) for i in found)))
        if not found:
            return None
        rule = rules[found[0]]
        target = (rule.get('actions') or {}).get('route_to')
        if not target:
            self.fail('%s: the rule labelled %r in the router of %r is not a route to one service (a dynamic route?); '
                      'give this route another label' % (self.option('label'), self.label, self.orchestration['name']))
        service = {'id': target}
        if self.service is not None and self.service.get('id') == target:
            service['summary'] = self.service['name']
        return {'id': rule.get('id'), 'label': self.label, 'service': service,
                'conditions': comparable_rule(rule)['conditions'], 'disabled': bool(rule.get('disabled')),
                'index': found[0]}

    # -- desired state ---------------------------------------------------------------------------

    def desired(self, current):
        conditions = self.wanted_conditions
        if conditions is None:
            conditions = current['conditions'] if current else []
            if current is None:
                self.warn('%s: not given, so the route %r matches every event that reaches it, and routes placed after '
                          'it receive none' % (self.option('conditions'), self.label))
        self.conditions = conditions
        rules = rules_of(self.router)
        self.check_one_route_per_service(rules)
        index = self.target_index(rules)
        self.warn_if_shadowed([r for r in rules if r.get('label') != self.label][:index])
        return {'label': self.label, 'service': {'id': self.service['id'], 'summary': self.service['name']},
                'conditions': conditions, 'index': index}

    def check_one_route_per_service(self, rules):
        # PagerDuty's Event Orchestration guide: "There can only be one routing rule per service per Event Orchestration."
        for rule in rules:
            if rule.get('label') != self.label and (rule.get('actions') or {}).get('route_to') == self.service['id'] \
                    and self.service['id'] is not None:
                self.fail('%s: the router of %r already routes to the service %r, with the route labelled %r; PagerDuty '
                          'allows one route per service in an orchestration. Manage that route with label: %r, or '
                          'remove it first.' % (self.option('service'), self.orchestration['name'], self.service['name'],
                                                rule.get('label'), rule.get('label')))

    def target_index(self, rules):
        """Where the route goes among the router's rules: where it is, unless position says otherwise."""
        labels = [r.get('label') for r in rules]
        others = [label for label in labels if label != self.label]
        here = labels.index(self.label) if self.label in labels else None
        if self.position is None:
            return len(others) if here is None else here
        kind, anchor = self.position
        if anchor == self.label:
            self.fail('%s.before: %r is the label of this route itself' % (self.option('position'), anchor))
        if kind == 'first':
            return 0
        if kind == 'last':
            return len(others)
        if anchor not in others:
            self.fail('%s.before: no route of the router of %r is labelled %r; its routes are %s'
                      % (self.option('position'), self.orchestration['name'], anchor,
                         ', '.join(repr(label) for label in others) or 'none'))
        if here is not None and here < labels.index(anchor):
            return here  # before it already
        return others.index(anchor)

    def warn_if_shadowed(self, before):
        for rule in before:
            if not rule.get('disabled') and not rule.get('conditions') and (rule.get('actions') or {}).get('route_to'):
                self.warn('%s: the route %r comes first and matches every event, so the route %r receives none; give '
                          'position: before: %r' % (self.option('position'), rule.get('label'), self.label,
                                                    rule.get('label')))
                return

    # -- writing ---------------------------------------------------------------------------------

    def placed(self, rules):
        """The rules with this route in its place, written as the task says; every other rule as it was."""
        existing = next((r for r in rules if r.get('label') == self.label), None)
        route = {'label': self.label, 'conditions': self.conditions, 'actions': {'route_to': self.service['id']},
                 'disabled': bool((existing or {}).get('disabled'))}
        if existing and existing.get('id'):
            route['id'] = existing['id']
        self.check_one_route_per_service(rules)
        index = self.target_index(rules)
        others = [r for r in rules if r is not existing]
        others.insert(index, route)
        return others

    def shows_route(self, rules):
        route = self.route_in(rules)
        return route is not None and route['service']['id'] == self.service['id'] and route['conditions'] == self.conditions

    def create(self, desired):
        return self.route_in(rules_of(self.write_router(self.placed, self.shows_route)))

    def update(self, current, changes):
        return self.route_in(rules_of(self.write_router(self.placed, self.shows_route)))

    def delete(self, current):
        self.write_router(lambda rules: [r for r in rules if r.get('label') != self.label],
                          lambda rules: self.route_in(rules) is None)

    def write_router(self, change, done):
        """Write `change` of the router, and make sure it stays: `done(rules)` says whether the router shows it.

        When a read after the write shows the router without it (another writer replaced the router from an
        older copy), the change is merged into the router as it is now and written again, within the
        retry budget.
        """
        base = self.router
        attempt = 0
        while True:
            body = copy_path(base)
            body['sets'] = [{'id': START_SET, 'rules': change(copy.deepcopy(rules_of(base)))}]
            self.doing = 'update the router of the event orchestration %r' % self.orchestration['name']
            surface_warnings(self, self.client.put('/event_orchestrations/%s/router' % self.orchestration['id'],
                                                   {'orchestration_path': body}))
            self.router_writes += 1
            latest = self.read_after(base)
            if self.same_router(latest, base):
                self.fail('%s: PagerDuty took the new router of %r, but its reads did not show it within the retry budget '
                          '(retry_timeout); run the task again to confirm the route'
                          % (self.option('orchestration'), self.orchestration['name']))
            if done(rules_of(latest)):
                latest = self.read_again_later(latest)
                if done(rules_of(latest)):
                    self.router = latest
                    return latest
            if self.client.budget.wait(self.client.budget.backoff(attempt), attempt):
                self.fail('%s: the router of %r was replaced by other writers each time this route was written (%d '
                          'times); nothing of this task is in it now. Run the task again, or raise retries and '
                          'retry_timeout.' % (self.option('orchestration'), self.orchestration['name'], self.router_writes))
            attempt += 1
            base = self.read_router()  # as it is now: merging into the copy read before the wait could undo later writes

    @staticmethod
    def same_router(one, other):
        return [one.get(k) for k in ('version', 'sets', 'catch_all')] == [other.get(k) for k in ('version', 'sets', 'catch_all')]

    def read_after(self, base):
        """The router once reads show a write made after `base` was read (PagerDuty's reads lag its writes)."""
        self.doing = 'read the router of the event orchestration %r back' % self.orchestration['name']
        return self.wait_until(self.read_router, lambda router: not self.same_router(router, base),
                               'reading back the router of %r' % self.orchestration['name'])

    def read_again_later(self, latest):
        if self.client.budget.wait(CONFIRM_AFTER_SECONDS, 0):
            return latest  # no time left in the budget for a second look
        return self.read_router()

    def exit(self, **result):
        result['orchestration'] = ({} if self.orchestration is None
                                   else {'id': self.orchestration['id'], 'name': self.orchestration['name']})
        result['router_writes'] = self.router_writes
        return super().exit(**result)
