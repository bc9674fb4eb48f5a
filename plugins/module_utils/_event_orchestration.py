# -*- coding: utf-8 -*-
# Copyright: contributors to oncall.pagerduty
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Global event orchestrations: found by name, with their routing key; deleted only when they route
nowhere, or when forced.

Used by pd_event_orchestration.
"""

from __future__ import annotations

from ansible_collections.oncall.pagerduty.plugins.module_utils._orchestration import (
    ORCHESTRATION_ID_PATTERN,
    UNROUTED,
    orchestration_path,
    rules_of,
)
from ansible_collections.oncall.pagerduty.plugins.module_utils._resource import (
    STATE_OPTION,
    Collection,
    Field,
    Reference,
    Resource,
    doing,
)

# In check mode a new orchestration has no routing key yet; this stands in for it (32 characters, as
# PagerDuty's keys have), so that later tasks of the check run (pd_event) can go on.
CHECK_MODE_ROUTING_KEY = 'R0CHECKMODEPLACEHOLDERKEY0000000'
# PagerDuty keeps no orchestration name unique, and its list has no name filter.
EVENT_ORCHESTRATIONS = Collection('/event_orchestrations', 'orchestration', plural='orchestrations', name_filter=None,
                                  unique_names=False, label='event orchestration', id_pattern=ORCHESTRATION_ID_PATTERN)


def routing_key_of(orchestration):
    """The routing key of the orchestration's first integration (the default one PagerDuty creates), or None."""
    for integration in orchestration.get('integrations') or []:
        key = (integration.get('parameters') or {}).get('routing_key')
        if key:
            return key
    return None


def routes_of(router, service_name=str):
    """What the router sends somewhere: its rules that route to a service (route_to, or dynamic_route_to),
    enabled or not, and a catch-all that routes to a service rather than to `unrouted`.

    `service_name(id)` says how a target service is named in the text."""
    routes = []
    for rule in rules_of(router):
        actions = rule.get('actions') or {}
        if actions.get('route_to') or actions.get('dynamic_route_to'):
            target = service_name(actions['route_to']) if actions.get('route_to') else 'a service named in the event'
            routes.append('%r to %s' % (rule.get('label') or rule.get('id'), target))
    catch_all = ((router.get('catch_all') or {}).get('actions') or {}).get('route_to')
    if catch_all and catch_all != UNROUTED:
        routes.append('the catch-all to %s' % service_name(catch_all))
    return routes


class EventOrchestrationResource(Resource):
    """A global event orchestration, found by its exact name."""

    result_key = 'orchestration'
    collection = EVENT_ORCHESTRATIONS
    fields = (Field('name', dict(type='str', required=True)), Field('description'), Reference('team', 'teams', 'team'))
    options = dict(
        force=dict(type='bool', default=False),
        return_key=dict(type='bool', default=True, no_log=False),
        state=STATE_OPTION,
    )
    secret_fields = ('routing_key', 'integrations')

    def validate(self):
        self.fail_if_blank('team')
        super().validate()

    # -- the engine's hooks ----------------------------------------------------------------------

    def find(self, plan):
        found = self.by_name(plan, self.params['name'], self.option('name'))
        if found is None or found.get('id') is None or self.state() == 'absent':
            return found  # its ID is all a delete needs
        with doing('read the event orchestration %r' % self.params['name']):
            return self.read_back(plan, found) or found

    def ambiguity_advice(self):
        return 'Rename or delete the others in PagerDuty: the name identifies an orchestration here.'

    def present(self, obj):
        shown = dict(obj)
        key = routing_key_of(obj)
        if key:
            shown['routing_key'] = key
        return shown

    def reported(self, plan, obj):
        if not obj or self.params['return_key']:
            return obj
        shown = dict(obj)
        shown.pop('routing_key', None)
        shown['integrations'] = [dict(i, parameters={k: v for k, v in (i.get('parameters') or {}).items()
                                                     if k != 'routing_key'})
                                 for i in obj.get('integrations') or []]
        return shown

    def desired(self, plan):
        desired = super().desired(plan)
        if 'team' in desired:
            desired['team'] = {'id': desired['team']['id']}
        return desired

    def predict_create(self, plan):
        name = plan.desired['name']
        return dict(plan.desired, id=None, routes=0,
                    integrations=[{'id': None, 'label': '%s Default Integration' % name,
                                   'parameters': {'routing_key': CHECK_MODE_ROUTING_KEY, 'type': 'global'}}])

    def body(self, fields):
        return {'orchestration': dict(fields)}

    def check_delete(self, plan):
        """An orchestration that still routes somewhere is deleted only with force."""
        current = plan.current
        if self.params['force']:
            return
        with doing('read the router of the event orchestration %r' % current['name']):
            router = orchestration_path(self.client, '/event_orchestrations/%s/router' % current['id']) or {}
            routes = routes_of(router, self.service_name)
        if routes:
            self.fail('%s: the event orchestration %r still routes events: %s. Deleting it would make its routing '
                      'keys drop every event. Remove the routes first (oncall.pagerduty.pd_event_orchestration_route '
                      'with state=absent), or set force: true to delete it anyway.'
                      % (self.option('force'), current['name'], '; '.join(routes)))

    def service_name(self, service_id):
        """'the service <name> (<id>)', as a refusal names a route's target; the ID alone when it cannot be read."""
        service = self.client.get_object('services', 'service', service_id)
        if service is None:
            return 'the service %s' % service_id
        return 'the service %r (%s)' % (service.get('name') or service.get('summary'), service_id)
