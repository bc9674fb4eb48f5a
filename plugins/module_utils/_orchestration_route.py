# -*- coding: utf-8 -*-
# Copyright: contributors to oncall.pagerduty
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One route of a global orchestration's router, merged in safely.

PagerDuty's router is one object with one list of rules (GET and PUT /event_orchestrations/{id}/router,
without any version check on the PUT), so several teams adding their routes to one router can undo
each other's. This kind changes only its own route (found by its label) and leaves every other rule as
it was, in its order; the engine's shared write (Resource.write_shared) merges into a fresh read each
time and confirms that the route survived every write that was in flight.

Used by pd_event_orchestration_route.
"""

from __future__ import annotations

import copy
import json

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
)
from ansible_collections.oncall.pagerduty.plugins.module_utils._resource import (
    PREDICTED,
    STATE_OPTION,
    Field,
    Resource,
    SharedWrite,
    doing,
    reference_name,
)
from ansible_collections.oncall.pagerduty.plugins.module_utils._service import find_service, resolve_or_predict_service

POSITIONS = ('first', 'last')


def router_version(router):
    """What changes with every write of a router: its version, and its contents."""
    return json.dumps([router.get(k) for k in ('version', 'sets', 'catch_all')], sort_keys=True)


class OrchestrationRouteResource(Resource):
    """A route of a global orchestration's router to a service, identified by its label."""

    result_key = 'route'
    fields = (Field('label'), Field('service', from_api=reference_name, reference=True),
              Field('conditions', dict(type='list', elements='raw')))
    options = dict(
        orchestration=dict(type='str', required=True),
        position=dict(type='raw'),
        state=STATE_OPTION,
    )
    option_rules = dict(required_if=[('state', 'present', ('service',))], required_one_of=[('service', 'label')])
    settable_fields = ('label', 'service', 'conditions', 'index')
    # The shared write confirms the route in the router itself.
    settles = False

    def __init__(self, task, client=None):
        super().__init__(task, client)
        self.position = None            # (first | last | before, label or None), from validate()
        self.wanted_conditions = None   # the conditions the task gives, as PagerDuty takes them

    def label(self):
        return 'route'

    # -- validation before any request -----------------------------------------------------------

    def validate(self):
        params = self.params
        self.fail_if_blank('orchestration', 'service', 'label')
        self.check_name('label', params['label'])
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

    def locate(self):
        """The orchestration, its router as it is now, the route's target service and its label."""
        params = self.params
        with doing('find the event orchestration %r' % params['orchestration']):
            found, listing = find_orchestration(self.client, params['orchestration'], self.option('orchestration'))
        context = {'orchestration': found, 'router': None, 'service': None}
        if found is None and self.state() == 'absent':
            return context  # no orchestration, so no route in it
        if found is None and not self.check_mode:
            self.fail(orchestration_not_found(self.client, params['orchestration'], self.option('orchestration'), listing))
        if found is None:
            context['orchestration'] = self.predicted_parent(params['orchestration'], self.option('orchestration'),
                                                             'event_orchestration')
            context['router'] = empty_path({'route_to': UNROUTED})
        else:
            context['router'] = self.read_router(context)
        if params['service'] is not None and not (self.state() == 'absent' and params['label']):
            context['service'] = self.target_service()
        context['label'] = params['label'] or (context['service'] or {}).get('name') or params['service']
        return context

    def target_service(self):
        value = self.params['service']
        if self.state() == 'absent':
            with doing('find the service %r' % value):
                return find_service(self.client, value, self.option('service'))  # none: its route is found by its name
        return resolve_or_predict_service(self, value, self.option('service'))

    def read_router(self, context):
        orchestration = context['orchestration']
        if orchestration.get(PREDICTED):
            return context['router']
        with doing('read the router of the event orchestration %r' % orchestration['name']):
            router = orchestration_path(self.client, '/event_orchestrations/%s/router' % orchestration['id'])
        if router is None:
            self.fail('%s: the event orchestration %r was deleted while the task ran'
                      % (self.option('orchestration'), orchestration['name']))
        return router

    def find(self, plan):
        if plan.context['orchestration'] is None:
            return None
        return self.route_in(plan, rules_of(plan.context['router']))

    def route_in(self, plan, rules):
        """This route (the rule with its label) as results show it, or None."""
        label = plan.context['label']
        found = [index for index, rule in enumerate(rules) if rule.get('label') == label]
        if len(found) > 1:
            self.fail('%s: the router of %r has %d rules labelled %r (rules %s); rename all but one in PagerDuty, since '
                      'routes are told apart by their labels'
                      % (self.option('label'), plan.context['orchestration']['name'], len(found), label,
                         ', '.join(str(i + 1) for i in found)))
        if not found:
            return None
        rule = rules[found[0]]
        target = (rule.get('actions') or {}).get('route_to')
        if not target:
            self.fail('%s: the rule labelled %r in the router of %r is not a route to one service (a dynamic route?); '
                      'give this route another label' % (self.option('label'), label, plan.context['orchestration']['name']))
        service = {'id': target}
        wanted = plan.context.get('service')
        if wanted is not None and wanted.get('id') == target:
            service['summary'] = wanted['name']
        return {'id': rule.get('id'), 'label': label, 'service': service,
                'conditions': comparable_rule(rule)['conditions'], 'disabled': bool(rule.get('disabled')),
                'index': found[0]}

    # -- desired state ---------------------------------------------------------------------------

    def desired(self, plan):
        current = plan.current
        label = plan.context['label']
        conditions = self.wanted_conditions
        if conditions is None:
            conditions = current['conditions'] if current else []
            if current is None:
                self.warn('%s: not given, so the route %r matches every event that reaches it, and routes placed after '
                          'it receive none' % (self.option('conditions'), label))
        rules = rules_of(plan.context['router'])
        self.check_one_route_per_service(plan, rules)
        index = self.target_index(plan, rules)
        self.warn_if_shadowed([r for r in rules if r.get('label') != label][:index], label)
        service = plan.context['service']
        return {'label': label, 'service': {'id': service['id'], 'summary': service['name']},
                'conditions': conditions, 'index': index}

    def check_one_route_per_service(self, plan, rules):
        # PagerDuty's Event Orchestration guide: "There can only be one routing rule per service per Event Orchestration."
        service, label = plan.context['service'], plan.context['label']
        for rule in rules:
            if rule.get('label') != label and (rule.get('actions') or {}).get('route_to') == service['id'] \
                    and service['id'] is not None:
                self.fail('%s: the router of %r already routes to the service %r, with the route labelled %r; PagerDuty '
                          'allows one route per service in an orchestration. Manage that route with label: %r, or '
                          'remove it first.' % (self.option('service'), plan.context['orchestration']['name'],
                                                service['name'], rule.get('label'), rule.get('label')))

    def target_index(self, plan, rules):
        """Where the route goes among the router's rules: where it is, unless position says otherwise."""
        label = plan.context['label']
        labels = [r.get('label') for r in rules]
        others = [other for other in labels if other != label]
        here = labels.index(label) if label in labels else None
        if self.position is None:
            return len(others) if here is None else here
        kind, anchor = self.position
        if anchor == label:
            self.fail('%s.before: %r is the label of this route itself' % (self.option('position'), anchor))
        if kind == 'first':
            return 0
        if kind == 'last':
            return len(others)
        if anchor not in others:
            self.fail('%s.before: no route of the router of %r is labelled %r; its routes are %s'
                      % (self.option('position'), plan.context['orchestration']['name'], anchor,
                         ', '.join(repr(other) for other in others) or 'none'))
        if here is not None and here < labels.index(anchor):
            return here  # before it already
        return others.index(anchor)

    def warn_if_shadowed(self, before, label):
        for rule in before:
            if not rule.get('disabled') and not rule.get('conditions') and (rule.get('actions') or {}).get('route_to'):
                self.warn('%s: the route %r comes first and matches every event, so the route %r receives none; give '
                          'position: before: %r' % (self.option('position'), rule.get('label'), label, rule.get('label')))
                return

    def predict_create(self, plan):
        return dict(plan.desired, id=None, disabled=False)

    # -- writing: the router is shared -----------------------------------------------------------

    def placed(self, plan, rules):
        """The rules with this route in its place, written as the task says; every other rule as it was."""
        label = plan.context['label']
        existing = next((r for r in rules if r.get('label') == label), None)
        route = {'label': label, 'conditions': plan.desired['conditions'],
                 'actions': {'route_to': plan.context['service']['id']}, 'disabled': bool((existing or {}).get('disabled'))}
        if existing and existing.get('id'):
            route['id'] = existing['id']
        self.check_one_route_per_service(plan, rules)
        index = self.target_index(plan, rules)
        others = [r for r in rules if r is not existing]
        others.insert(index, route)
        return others

    def has_route(self, plan, rules):
        """True when `rules` hold the route as the task wants it (its service, conditions and place)."""
        route = self.route_in(plan, rules)
        return (route is not None and route['service']['id'] == plan.context['service']['id']
                and route['conditions'] == plan.desired['conditions']
                and (self.position is None or route['index'] == self.target_index(plan, rules)))

    def router_write(self, plan, change, done):
        """The shared write of the router: `change(rules)` puts this task's change in, `done(rules)` sees it."""
        orchestration = plan.context['orchestration']
        path = '/event_orchestrations/%s/router' % orchestration['id']

        def read():
            plan.context['router'] = self.read_router(plan.context)
            return plan.context['router']

        def merged(router):
            if done(rules_of(router)):
                return None
            body = copy_path(router)
            body['sets'] = [{'id': START_SET, 'rules': change(copy.deepcopy(rules_of(router)))}]
            return body

        def write(body):
            with doing('update the router of the event orchestration %r' % orchestration['name']):
                self.client.put(path, {'orchestration_path': body})  # its answer's warnings: the client's

        return self.write_shared(plan, SharedWrite('router of %r' % orchestration['name'], self.option('orchestration'),
                                                   read, merged, lambda router: done(rules_of(router)), write,
                                                   router_version))

    def create(self, plan, desired):
        router = self.router_write(plan, lambda rules: self.placed(plan, rules), lambda rules: self.has_route(plan, rules))
        return self.route_in(plan, rules_of(router))

    def update(self, plan, current, changes):
        return self.create(plan, plan.desired)

    def delete(self, plan, obj):
        label = plan.context['label']
        self.router_write(plan, lambda rules: [r for r in rules if r.get('label') != label],
                          lambda rules: not any(r.get('label') == label for r in rules))

    def check_update(self, plan):
        """Route labels are unique by construction (a duplicate fails when found)."""

    def warn_look_alike(self, plan):
        """Labels are the task's own: nothing to warn about."""

    def result_fields(self, plan):
        orchestration = plan.context.get('orchestration')
        return {'orchestration': {} if orchestration is None else {'id': orchestration['id'], 'name': orchestration['name']},
                'router_writes': plan.notes.get('writes', 0)}
