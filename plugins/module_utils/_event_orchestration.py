# -*- coding: utf-8 -*-
# Copyright: contributors to oncall.pagerduty
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Global event orchestrations: found by name, with their routing key; deleted only when they route
nowhere, or when forced.

Used by pd_event_orchestration.
"""

from __future__ import annotations

from ansible_collections.oncall.pagerduty.plugins.module_utils._orchestration import (
    UNROUTED,
    find_orchestration,
    orchestration_path,
    rules_of,
)
from ansible_collections.oncall.pagerduty.plugins.module_utils._resource import Resource

# In check mode a new orchestration has no routing key yet; this stands in for it (32 characters, as
# PagerDuty's keys have), so that later tasks of the check run (pd_event) can go on.
CHECK_MODE_ROUTING_KEY = 'R0CHECKMODEPLACEHOLDERKEY0000000'


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
    argument_spec = dict(
        name=dict(type='str', required=True),
        description=dict(type='str'),
        team=dict(type='str'),
        force=dict(type='bool', default=False),
        return_key=dict(type='bool', default=True, no_log=False),
        state=dict(type='str', default='present', choices=['absent', 'present']),
    )
    settable_fields = ('name', 'description', 'team')
    secret_fields = ('routing_key', 'integrations')

    def validate(self):
        self.fail_if_blank('team')
        self.check_names()

    # -- the engine's hooks ----------------------------------------------------------------------

    def find(self):
        self.doing = 'find the event orchestration %r' % self.params['name']
        found, dummy = find_orchestration(self.client, self.params['name'], self.option('name'), by_id=False,
                                          advice='Rename or delete the others in PagerDuty: the name identifies an '
                                                 'orchestration here.')
        if found is None:
            return None
        if self.state() == 'absent':
            return found  # its ID is all a delete needs
        self.doing = 'read the event orchestration %r' % self.params['name']
        return self.read_back(found) or found

    def read_back(self, obj):
        return self.client.get_object('event_orchestrations', 'orchestration', obj['id'])

    def present(self, obj):
        shown = dict(obj)
        key = routing_key_of(obj)
        if key:
            shown['routing_key'] = key
        if not self.params['return_key']:
            shown.pop('routing_key', None)
            shown['integrations'] = [dict(i, parameters={k: v for k, v in (i.get('parameters') or {}).items()
                                                         if k != 'routing_key'})
                                     for i in obj.get('integrations') or []]
        return shown

    def desired(self, current):
        desired = {'name': self.params['name']}
        if self.params['description'] is not None:
            desired['description'] = self.params['description']
        team = self.params['team']
        if team is not None:
            current_team = (current or {}).get('team') or {}
            if team == current_team.get('id'):
                desired['team'] = {'id': team}
            else:
                self.doing = 'find the team %r' % team
                desired['team'] = {'id': self.resolve_or_predict('teams', team, self.option('team'), 'team')['id']}
        return desired

    @staticmethod
    def payload(fields):
        return {'orchestration': dict(fields)}

    def predict_create(self, desired):
        predicted = dict(desired, id=None, routes=0,
                         integrations=[{'id': None, 'label': '%s Default Integration' % desired['name'],
                                        'parameters': {'routing_key': CHECK_MODE_ROUTING_KEY, 'type': 'global'}}])
        return predicted

    def create(self, desired):
        return self.client.post('/event_orchestrations', self.payload(desired))['orchestration']

    def update(self, current, changes):
        return self.client.put('/event_orchestrations/%s' % current['id'], self.payload(changes))['orchestration']

    def check_delete(self, current):
        """An orchestration that still routes somewhere is deleted only with force."""
        if self.params['force']:
            return
        self.doing = 'read the router of the event orchestration %r' % current['name']
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

    def delete(self, current):
        self.client.delete('/event_orchestrations/%s' % current['id'])
