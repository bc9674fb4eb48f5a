"""Event orchestrations: global orchestrations (their integrations and routing keys, router, global and
unrouted rules) and the orchestrations of services, with their active switch; and what the Events API
asks of them (where an event sent to an orchestration's routing key goes, and what a service's rules
do to it).

A family of endpoints mixed into PagerDutyAccount (see pagerduty.py): `reset_orchestration()` sets up its
state, `routes_orchestration()` lists its (method, path pattern, handler) routes. Conditions are PCL,
parsed and evaluated by pcl.py. Behaviour and sources are in README.md (Event orchestrations).
"""

import copy
import re
import secrets
import uuid

from . import pcl
from .api import invalid, not_found, now

ROUTER, GLOBAL, UNROUTED, SERVICE = 'router', 'global', 'unrouted', 'service'
START = 'start'
UNROUTED_TARGET = 'unrouted'
# PagerDuty's Event Orchestration guide: "Rulesets can have up to 25 rules" (nesting makes more), and "One
# orchestration can have up to 10 integrations". The router is one set, without that limit.
MAX_RULES_PER_SET = 25
# "conditions: should have at most 25 item(s)": PagerDuty's 400 quoted in terraform-provider-pagerduty #633.
MAX_CONDITIONS_PER_RULE = 25
MAX_INTEGRATIONS = 10
SORTS = ('name:asc', 'name:desc', 'routes:asc', 'routes:desc', 'created_at:asc', 'created_at:desc')
SEVERITIES = ('info', 'error', 'warning', 'critical')
EVENT_ACTIONS = ('trigger', 'resolve')
TRIGGER_TYPES = ('alert_triggered', 'alert_suppressed', 'alert_suspended')
LOOKUPS = ('service_name', 'service_id')
ROUTING_KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'

# The actions of each kind of path (the OpenAPI description's OrchestrationRouter, OrchestrationGlobal,
# OrchestrationUnrouted and ServiceOrchestration schemas), each with what its value must be.
_ENRICHMENT = ('severity', 'event_action', 'variables', 'extractions')
_INCIDENT = ('suppress', 'suspend', 'priority', 'escalation_policy', 'annotate', 'automation_actions',
             'incident_custom_field_updates')
RULE_ACTIONS = {
    ROUTER: ('route_to', 'dynamic_route_to'),
    GLOBAL: ('route_to', 'drop_event') + _INCIDENT + _ENRICHMENT,
    UNROUTED: ('route_to',) + _ENRICHMENT,
    SERVICE: ('route_to', 'pagerduty_automation_actions') + _INCIDENT + _ENRICHMENT,
}
CATCH_ALL_ACTIONS = {
    ROUTER: ('route_to',),
    GLOBAL: ('drop_event',) + _INCIDENT + _ENRICHMENT,
    UNROUTED: _ENRICHMENT,
    SERVICE: ('pagerduty_automation_actions',) + _INCIDENT + _ENRICHMENT,
}
DEFAULT_CATCH_ALL = {ROUTER: {'route_to': UNROUTED_TARGET}, GLOBAL: {}, UNROUTED: {'suppress': True}, SERVICE: {}}
# What PagerDuty stores in the items of an action written without it: trigger_types (terraform-provider-pagerduty
# PR #998, "keeps showing trigger_types in the diff" for configurations without it; alert_triggered, the only
# behaviour before the API changelog of 2025-04-14), auto_send (the description's default, false).
FILLED_IN = {'pagerduty_automation_actions': {'trigger_types': ['alert_triggered']},
             'automation_actions': {'trigger_types': ['alert_triggered'], 'auto_send': False}}
# The warnings of a path written with conditions an account without Event Intelligence lacks (the description's
# examples of PUT .../router and .../services/{id}; the one-time condition's feature name is not published).
FEATURE_WARNINGS = {
    'threshold_condition': 'This rule uses Threshold Condition, which is a condition not available on your account plan. '
                           'The rule will be updated, but it will not be evaluated by events',
    'recurring_condition': 'This rule uses Recurring Condition, which is a condition not available on your account plan. '
                           'The rule will be updated, but it will not be evaluated by events',
    'one_time_condition': 'This rule uses One-Time Condition, which is a condition not available on your account plan. '
                          'The rule will be updated, but it will not be evaluated by events',
}


def _is_text(value):
    return isinstance(value, str)


def _entries(value, required, optional=(), checks=None):
    """Errors of a list of objects, each with the `required` string fields (and `optional` ones)."""
    if not isinstance(value, list):
        return ['must be a list']
    errors = []
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            errors.append('[%d] must be an object' % index)
            continue
        for field in required:
            if not _is_text(item.get(field)):
                errors.append('[%d].%s is required' % (index, field))
        for field in optional:
            if field in item and not _is_text(item[field]):
                errors.append('[%d].%s must be a string' % (index, field))
        for field, check in (checks or {}).items():
            if field in item:
                errors.extend('[%d].%s %s' % (index, field, e) for e in check(item[field]))
    return errors


def _trigger_types(value):
    if not isinstance(value, list) or len(value) != 1 or value[0] not in TRIGGER_TYPES:
        return ['must be a list of one of %s' % ', '.join(TRIGGER_TYPES)]
    return []


def _pairs(value):
    return _entries(value, ('key', 'value'))


def _boolean(value):
    return [] if isinstance(value, bool) else ['must be true or false']


def _webhooks(value):
    errors = _entries(value, ('name', 'url'), checks={
        'auto_send': _boolean, 'headers': _pairs, 'parameters': _pairs, 'trigger_types': _trigger_types})
    for index, item in enumerate(value if not errors else []):
        # "auto_send must be true for trigger types of alert_suppressed and alert_suspended" (the description)
        if item.get('trigger_types', [None])[0] in ('alert_suppressed', 'alert_suspended') and item.get('auto_send') is not True:
            errors.append('[%d].auto_send must be true for trigger types of alert_suppressed and alert_suspended' % index)
    return errors


def _extractions(value):
    if not isinstance(value, list):
        return ['must be a list']
    errors = []
    for index, item in enumerate(value):
        if not isinstance(item, dict) or not _is_text(item.get('target')):
            errors.append('[%d].target is required' % index)
        elif not (_is_text(item.get('template')) or (_is_text(item.get('regex')) and _is_text(item.get('source')))):
            errors.append('[%d] needs a template, or a regex and a source' % index)
    return errors


# What the value of each action must be: a function returning error texts.
ACTION_CHECKS = {
    'suppress': _boolean,
    'drop_event': _boolean,
    'suspend': lambda v: [] if isinstance(v, int) and not isinstance(v, bool) and v >= 0 else
    ['must be a number of seconds'],
    'priority': lambda v: [] if _is_text(v) else ['must be the ID of a priority'],
    'escalation_policy': lambda v: [] if _is_text(v) else ['must be the ID of an escalation policy'],
    'annotate': lambda v: [] if _is_text(v) else ['must be a string'],
    'severity': lambda v: [] if v in SEVERITIES else ['must be one of %s' % ', '.join(SEVERITIES)],
    'event_action': lambda v: [] if v in EVENT_ACTIONS else ['must be one of %s' % ', '.join(EVENT_ACTIONS)],
    'variables': lambda v: _entries(v, ('name', 'path', 'value'), checks={
        'type': lambda t: [] if t == 'regex' else ['must be regex']}),
    'extractions': _extractions,
    'pagerduty_automation_actions': lambda v: _entries(v, ('action_id',), checks={'trigger_types': _trigger_types}),
    'automation_actions': _webhooks,
    'incident_custom_field_updates': lambda v: _entries(v, ('id', 'value')),
    'route_to': lambda v: [] if _is_text(v) and v else ['must be a string'],
    'dynamic_route_to': lambda v: [] if isinstance(v, dict) and _is_text(v.get('source')) and _is_text(v.get('regex'))
    and v.get('lookup_by') in LOOKUPS else ['needs source, regex and lookup_by (%s)' % ', '.join(LOOKUPS)],
}


def new_routing_key():
    """32 upper-case letters and digits starting with R0, as the description's examples show them."""
    return 'R0' + ''.join(secrets.choice(ROUTING_KEY_ALPHABET) for dummy in range(30))


def new_rule_id():
    """Eight hexadecimal digits, as the description's examples show rule IDs."""
    return secrets.token_hex(4)


def new_version():
    return secrets.token_urlsafe(24)


class OrchestrationEndpoints:
    family = 'orchestration'

    def reset_orchestration(self):
        self.event_orchestrations = {}          # orchestration id -> orchestration
        self.orchestration_integrations = {}    # orchestration id -> [integration]
        self.orchestration_paths = {}           # (kind, parent id) -> the stored path
        self.service_orchestration_active = {}  # service id -> active switch

    def routes_orchestration(self):
        segment = r'([^/]+)'
        base = r'/event_orchestrations/' + segment
        return [
            ('GET', r'/event_orchestrations', self.list_orchestrations),
            ('POST', r'/event_orchestrations', self.create_orchestration),
            ('GET', r'/event_orchestrations/services/' + segment, self.get_service_path),
            ('PUT', r'/event_orchestrations/services/' + segment, self.put_service_path),
            ('GET', r'/event_orchestrations/services/%s/active' % segment, self.get_service_active),
            ('PUT', r'/event_orchestrations/services/%s/active' % segment, self.put_service_active),
            ('GET', base, self.get_orchestration),
            ('PUT', base, self.update_orchestration),
            ('DELETE', base, self.delete_orchestration),
            ('GET', base + '/integrations', self.list_orchestration_integrations),
            ('POST', base + '/integrations', self.create_orchestration_integration),
            ('GET', base + '/integrations/' + segment, self.get_orchestration_integration),
            ('PUT', base + '/integrations/' + segment, self.update_orchestration_integration),
            ('DELETE', base + '/integrations/' + segment, self.delete_orchestration_integration),
            ('GET', base + '/router', lambda query, body, orch_id: self.get_global_path(ROUTER, orch_id)),
            ('PUT', base + '/router', lambda query, body, orch_id: self.put_global_path(ROUTER, orch_id, body)),
            ('GET', base + '/global', lambda query, body, orch_id: self.get_global_path(GLOBAL, orch_id)),
            ('PUT', base + '/global', lambda query, body, orch_id: self.put_global_path(GLOBAL, orch_id, body)),
            ('GET', base + '/unrouted', lambda query, body, orch_id: self.get_global_path(UNROUTED, orch_id)),
            ('PUT', base + '/unrouted', lambda query, body, orch_id: self.put_global_path(UNROUTED, orch_id, body)),
        ]

    # -- what the Events API asks ----------------------------------------------------------------

    def orchestration_of_routing_key(self, routing_key):
        """The global orchestration whose routing key this is, or None (the Events API asks)."""
        for orch_id, integrations in self.orchestration_integrations.items():
            for integration in integrations:
                if integration['parameters']['routing_key'] == routing_key and self.readable(integration['id']):
                    return self.event_orchestrations[orch_id]
        return None

    def route_orchestration_event(self, orchestration, event):
        """The service (or None: unrouted) an event sent to a global orchestration's key goes to.

        The router's rules are tried in order; the first enabled rule whose conditions hold (any of
        them; none means always) routes the event, a dynamic rule when the event names a service;
        otherwise the catch-all does.
        """
        router = self.orchestration_paths.get((ROUTER, orchestration['id']))
        if router is None:
            return None
        context = pcl.event_context(event)
        for rule in router['sets'][0]['rules']:
            if rule.get('disabled'):
                continue
            actions = rule['actions']
            if 'dynamic_route_to' in actions:
                service_id = self.dynamic_destination(actions['dynamic_route_to'], context)
                if service_id is not None:
                    return service_id
                continue
            if self.conditions_hold(rule, context):
                return actions.get('route_to')
        target = router['catch_all']['actions'].get('route_to', UNROUTED_TARGET)
        return None if target == UNROUTED_TARGET else target

    def apply_service_orchestration(self, service_id, event):
        """An event on its way to a service, after the service's own orchestration rules (when active):
        the event as changed by them, or None when they suppress or drop it.

        From the start set, the first enabled rule whose conditions hold applies its actions and, with
        route_to, hands the event to that set; a set where no rule holds applies its catch-all.
        """
        path = self.orchestration_paths.get((SERVICE, service_id))
        if path is None or not self.service_orchestration_active.get(service_id, False):
            return event
        event = copy.deepcopy(event)
        sets = {s['id']: s for s in path['sets']}
        set_id, visited = START, set()
        while set_id in sets and set_id not in visited:
            visited.add(set_id)
            context = pcl.event_context(event)
            rule = next((r for r in sets[set_id]['rules'] if not r.get('disabled') and self.conditions_hold(r, context)),
                        None)
            actions = rule['actions'] if rule is not None else path['catch_all']['actions']
            if actions.get('suppress'):
                return None
            if actions.get('severity') and isinstance(event.get('payload'), dict):
                event['payload']['severity'] = actions['severity']
            if actions.get('event_action'):
                event['event_action'] = actions['event_action']
            set_id = actions.get('route_to') if rule is not None else None
        return event

    @staticmethod
    def conditions_hold(rule, context):
        conditions = rule.get('conditions') or []
        return not conditions or any(pcl.holds(pcl.parse(c['expression']), context) for c in conditions)

    def dynamic_destination(self, dynamic, context):
        """The readable service a dynamic route names in the event, or None."""
        value = pcl.parse(dynamic['source'], condition=False).evaluate(context)
        if value is None:
            return None
        try:
            found = re.search(dynamic['regex'], pcl.as_text(value))
        except re.error:
            return None
        if found is None:
            return None
        wanted = found.group(1) if found.groups() else found.group(0)
        for service in self.services.values():
            key = service['name'] if dynamic['lookup_by'] == 'service_name' else service['id']
            if key == wanted and self.readable(service['id']):
                return service['id']
        return None

    def service_deleted_orchestration(self, service_id):
        """A deleted service takes its own orchestration along; routes to it stay, as they were written."""
        self.orchestration_paths.pop((SERVICE, service_id), None)
        self.service_orchestration_active.pop(service_id, None)

    # -- global orchestrations -------------------------------------------------------------------

    def _orchestration(self, orch_id):
        orchestration = self.event_orchestrations.get(orch_id)
        if orchestration is None or not self.readable(orch_id):
            raise not_found(2100, 'Orchestration Not Found')
        return orchestration

    def routed_services(self, orch_id):
        """The services the router sends events to: its rules' route_to, and its catch-all's."""
        router = self.orchestration_paths[(ROUTER, orch_id)]
        targets = {r['actions']['route_to'] for r in router['sets'][0]['rules'] if r['actions'].get('route_to')}
        catch_all = router['catch_all']['actions'].get('route_to', UNROUTED_TARGET)
        if catch_all != UNROUTED_TARGET:
            targets.add(catch_all)
        return targets

    def orchestration_view(self, orchestration, with_integrations=True, written=False):
        """The orchestration as a read shows it, or (`written`) as the answer of a write does: as it is now, with
        the default integration a create made, whatever reads lag."""
        shown = (lambda object_id, obj: obj) if written else self.as_read
        # The description types description and team as not nullable: like it, they are left out while unset.
        view = {k: copy.deepcopy(v) for k, v in shown(orchestration['id'], orchestration).items() if v is not None}
        view['routes'] = len(self.routed_services(orchestration['id']))
        if with_integrations:
            view['integrations'] = [copy.deepcopy(shown(i['id'], i))
                                    for i in self.orchestration_integrations[orchestration['id']]
                                    if written or self.readable(i['id'])]
        return view

    def _team_reference(self, team):
        if team is None:
            return None
        team_id = team.get('id') if isinstance(team, dict) else None
        if team_id not in self.teams:
            raise invalid('Team %s not found' % team_id)
        return {'id': team_id, 'type': 'team_reference', 'self': '%s/teams/%s' % (self.base_url, team_id)}

    def _apply_orchestration_fields(self, orchestration, fields, creating):
        if 'name' in fields or creating:
            name = fields.get('name')
            if not _is_text(name) or not name.strip():
                raise invalid("Name can't be blank")
            orchestration['name'] = name
        if 'description' in fields:
            if fields['description'] is not None and not _is_text(fields['description']):
                raise invalid('Description must be a string')
            orchestration['description'] = fields['description']
        if 'team' in fields:
            orchestration['team'] = self._team_reference(fields['team'])

    def list_orchestrations(self, query, body):
        sort = query.get('sort_by', ['name:asc'])[0]
        if sort not in SORTS:
            raise invalid('sort_by must be one of %s' % ', '.join(SORTS))
        field, order = sort.split(':')
        items = [self.as_read(o['id'], o) for o in self.event_orchestrations.values() if self.readable(o['id'])]
        if field == 'routes':
            items.sort(key=lambda o: (len(self.routed_services(o['id'])), o['id']))
        else:
            items.sort(key=lambda o: ((o.get(field) or '').casefold() if field == 'name' else o.get(field) or '', o['id']))
        if order == 'desc':
            items.reverse()
        result = self.page(items, query, 'orchestrations')
        # The list leaves out integrations (the API changelog, 2022-12-20).
        result['orchestrations'] = [self.orchestration_view(o, with_integrations=False) for o in result['orchestrations']]
        return 200, result

    def create_orchestration(self, query, body):
        fields = self.envelope(body, 'orchestration')
        orch_id = str(uuid.uuid4())
        timestamp = now()
        orchestration = {'id': orch_id, 'self': '%s/event_orchestrations/%s' % (self.base_url, orch_id),
                         'name': None, 'description': None, 'team': None, 'created_at': timestamp,
                         'updated_at': timestamp, 'version': new_version()}
        self._apply_orchestration_fields(orchestration, fields, creating=True)
        self.event_orchestrations[orch_id] = orchestration
        self.orchestration_integrations[orch_id] = []
        self.add_orchestration_integration(orch_id, '%s Default Integration' % orchestration['name'])
        for kind in (ROUTER, GLOBAL, UNROUTED):
            self.orchestration_paths[(kind, orch_id)] = self.empty_path(kind)
        self.note_created(orch_id)
        return 201, {'orchestration': self.orchestration_view(orchestration, written=True)}

    def get_orchestration(self, query, body, orch_id):
        return 200, {'orchestration': self.orchestration_view(self._orchestration(orch_id))}

    def update_orchestration(self, query, body, orch_id):
        current = self._orchestration(orch_id)
        updated = copy.deepcopy(current)
        self._apply_orchestration_fields(updated, self.envelope(body, 'orchestration'), creating=False)
        updated.update(updated_at=now(), version=new_version())
        self.note_updated(orch_id, current)
        self.event_orchestrations[orch_id] = updated
        return 200, {'orchestration': self.orchestration_view(updated, written=True)}

    def delete_orchestration(self, query, body, orch_id):
        self._orchestration(orch_id)
        del self.event_orchestrations[orch_id]
        del self.orchestration_integrations[orch_id]
        for kind in (ROUTER, GLOBAL, UNROUTED):
            del self.orchestration_paths[(kind, orch_id)]
        return 204, None

    # -- their integrations (routing keys) -------------------------------------------------------

    def add_orchestration_integration(self, orch_id, label):
        integrations = self.orchestration_integrations[orch_id]
        if len(integrations) >= MAX_INTEGRATIONS:
            raise invalid('An orchestration can have at most %d integrations' % MAX_INTEGRATIONS)
        integration = {'id': str(uuid.uuid4()), 'label': label,
                       'parameters': {'routing_key': new_routing_key(), 'type': 'global'}}
        integrations.append(integration)
        self.note_created(integration['id'])
        return integration

    def _orchestration_integration(self, orch_id, integration_id):
        self._orchestration(orch_id)
        for integration in self.orchestration_integrations[orch_id]:
            if integration['id'] == integration_id and self.readable(integration_id):
                return integration
        raise not_found(2100, 'Integration Not Found')

    @staticmethod
    def _integration_label(body):
        label = (body.get('integration') or {}).get('label') if isinstance(body, dict) else None
        if not _is_text(label) or not label.strip():
            raise invalid("Label can't be blank")
        return label

    def list_orchestration_integrations(self, query, body, orch_id):
        self._orchestration(orch_id)
        items = [copy.deepcopy(self.as_read(i['id'], i)) for i in self.orchestration_integrations[orch_id]
                 if self.readable(i['id'])]
        return 200, {'integrations': items, 'total': len(items)}

    def create_orchestration_integration(self, query, body, orch_id):
        self._orchestration(orch_id)
        integration = self.add_orchestration_integration(orch_id, self._integration_label(body))
        return 201, {'integration': copy.deepcopy(integration)}

    def get_orchestration_integration(self, query, body, orch_id, integration_id):
        integration = self._orchestration_integration(orch_id, integration_id)
        return 200, {'integration': copy.deepcopy(self.as_read(integration_id, integration))}

    def update_orchestration_integration(self, query, body, orch_id, integration_id):
        integration = self._orchestration_integration(orch_id, integration_id)
        label = self._integration_label(body)
        self.note_updated(integration_id, integration)
        integration['label'] = label
        return 200, {'integration': copy.deepcopy(integration)}

    def delete_orchestration_integration(self, query, body, orch_id, integration_id):
        integration = self._orchestration_integration(orch_id, integration_id)
        self.orchestration_integrations[orch_id].remove(integration)
        return 204, None

    # -- orchestration paths (router, global, unrouted, service) ---------------------------------

    @staticmethod
    def empty_path(kind):
        timestamp = now()
        return {'sets': [{'id': START, 'rules': []}], 'catch_all': {'actions': dict(DEFAULT_CATCH_ALL[kind])},
                'created_at': timestamp, 'updated_at': timestamp, 'version': new_version()}

    def path_view(self, kind, parent_id, warnings=None, written=False):
        """The path as a read shows it, or (`written`) as the answer of a write does: as it is now, whatever reads lag."""
        key = (kind, parent_id)
        stored = self.orchestration_paths[key]
        path = copy.deepcopy(stored if written else self.as_read('%s:%s' % key, stored))
        if kind == SERVICE:
            parent = {'id': parent_id, 'type': 'service_reference', 'self': '%s/services/%s' % (self.base_url, parent_id)}
            own = '%s/event_orchestrations/services/%s' % (self.base_url, parent_id)
        else:
            parent = {'id': parent_id, 'type': 'event_orchestration_reference',
                      'self': '%s/event_orchestrations/%s' % (self.base_url, parent_id)}
            own = '%s/event_orchestrations/%s/%s' % (self.base_url, parent_id, kind)
        view = {'orchestration_path': dict({'type': kind, 'parent': parent, 'self': own}, **path)}
        if warnings is not None:
            view['warnings'] = warnings
        return view

    def get_global_path(self, kind, orch_id):
        self._orchestration(orch_id)
        return 200, self.path_view(kind, orch_id)

    def put_global_path(self, kind, orch_id, body):
        self._orchestration(orch_id)
        return self.write_path(kind, orch_id, body)

    def _readable_service(self, service_id):
        if service_id not in self.services or not self.readable(service_id):
            raise not_found(5002, 'Service Not Found')

    def service_path(self, service_id):
        """A service's orchestration: every service has one, empty until rules are written."""
        self._readable_service(service_id)
        return self.orchestration_paths.setdefault((SERVICE, service_id), self.empty_path(SERVICE))

    def get_service_path(self, query, body, service_id):
        self.service_path(service_id)
        return 200, self.path_view(SERVICE, service_id)

    def put_service_path(self, query, body, service_id):
        self.service_path(service_id)
        return self.write_path(SERVICE, service_id, body)

    def get_service_active(self, query, body, service_id):
        self._readable_service(service_id)
        active = self.service_orchestration_active.get(service_id, False)
        return 200, {'active': self.as_read('active:%s' % service_id, {'active': active})['active']}

    def put_service_active(self, query, body, service_id):
        self._readable_service(service_id)
        active = body.get('active') if isinstance(body, dict) else None
        if not isinstance(active, bool):
            raise invalid('active must be true or false')
        previous = self.service_orchestration_active.get(service_id, False)
        self.note_updated('active:%s' % service_id, {'active': previous})
        self.service_orchestration_active[service_id] = active
        return 200, {'active': active}

    def write_path(self, kind, parent_id, body):
        key = (kind, parent_id)
        previous = self.orchestration_paths[key]
        stored = self.stored_path(kind, body, previous, parent_id)
        self.note_updated('%s:%s' % key, previous)
        self.orchestration_paths[key] = stored
        return 200, self.path_view(kind, parent_id, warnings=self.plan_warnings(stored), written=True)

    def plan_warnings(self, path):
        """The warnings of conditions the account's plan lacks (setting event_intelligence false): PagerDuty keeps
        such a rule and does not evaluate it (so neither does the simulator)."""
        if self.settings['event_intelligence']:
            return []
        warnings = []
        for given in path['sets']:
            for rule in given['rules']:
                used = set()
                for condition in rule['conditions']:
                    used |= pcl.features(condition['expression'])
                for feature in sorted(used):
                    warnings.append({'feature': feature, 'feature_type': 'conditions', 'message': FEATURE_WARNINGS[feature],
                                     'rule_id': rule['id'], 'warning_type': 'forbidden_feature'})
        return warnings

    # -- validation of a written path ------------------------------------------------------------

    def stored_path(self, kind, body, previous, parent_id):
        """The path as stored from a PUT body; a 400 listing every problem when PagerDuty would refuse it."""
        path = body.get('orchestration_path') if isinstance(body, dict) else None
        if not isinstance(path, dict):
            raise invalid("The request body must be a JSON object with the 'orchestration_path' key")
        errors = []
        sets = path.get('sets')
        if not isinstance(sets, list) or not sets:
            raise invalid('sets must list at least the start set')
        set_ids = [s.get('id') if isinstance(s, dict) else None for s in sets]
        if START not in set_ids:
            errors.append('sets must include a set with the id start')
        if kind == ROUTER and len(sets) != 1:
            errors.append('The router has exactly one set, start')
        for index, set_id in enumerate(set_ids):
            if not _is_text(set_id) or not set_id.strip():
                errors.append('sets[%d].id is required' % index)
            elif set_ids.count(set_id) > 1 and set_ids.index(set_id) == index:
                errors.append('Set ids must be unique: %s is used %d times' % (set_id, set_ids.count(set_id)))
        known_rule_ids = {r['id'] for s in previous['sets'] for r in s['rules']}
        used_rule_ids = set()
        stored_sets = []
        for index, given in enumerate(sets):
            rules = given.get('rules', []) if isinstance(given, dict) else None
            if not isinstance(rules, list):
                errors.append('sets[%d].rules must be a list' % index)
                continue
            if kind != ROUTER and len(rules) > MAX_RULES_PER_SET:
                errors.append('sets[%d] has %d rules; a set can have at most %d (nest the others in another set)'
                              % (index, len(rules), MAX_RULES_PER_SET))
            stored_rules = []
            for position, rule in enumerate(rules):
                where = 'sets[%d].rules[%d]' % (index, position)
                stored = self.stored_rule(kind, rule, where, errors)
                if stored is None:
                    continue
                rule_id = rule.get('id')
                if rule_id in known_rule_ids and rule_id not in used_rule_ids:
                    stored['id'] = rule_id  # a rule sent with its ID keeps it
                else:
                    stored['id'] = new_rule_id()
                used_rule_ids.add(stored['id'])
                stored_rules.append(stored)
            stored_sets.append({'id': given.get('id') if isinstance(given, dict) else None, 'rules': stored_rules})
        catch_all = path.get('catch_all', {'actions': DEFAULT_CATCH_ALL[kind]})
        actions = catch_all.get('actions') if isinstance(catch_all, dict) else None
        if not isinstance(actions, dict):
            errors.append('catch_all.actions must be an object')
            actions = {}
        stored_catch_all = self.stored_actions(CATCH_ALL_ACTIONS[kind], actions, 'catch_all.actions', errors)
        if kind == UNROUTED:
            # Set by PagerDuty: terraform-provider-pagerduty's unrouted path ("suppress is set to true by API").
            stored_catch_all['suppress'] = True
        if kind == ROUTER:
            stored_catch_all.setdefault('route_to', UNROUTED_TARGET)
            self.check_router(stored_sets, stored_catch_all, errors)
        elif not errors:
            self.check_set_graph(stored_sets, errors)
        if errors:
            raise invalid(*errors)
        return {'sets': stored_sets, 'catch_all': {'actions': stored_catch_all}, 'created_at': previous['created_at'],
                'updated_at': now(), 'version': new_version()}

    def stored_rule(self, kind, rule, where, errors):
        if not isinstance(rule, dict):
            errors.append('%s must be an object' % where)
            return None
        stored = {}
        if 'label' in rule and rule['label'] is not None:
            if not _is_text(rule['label']):
                errors.append('%s.label must be a string' % where)
            stored['label'] = rule['label']
        conditions = rule.get('conditions') or []
        if not isinstance(conditions, list):
            errors.append('%s.conditions must be a list' % where)
            conditions = []
        stored['conditions'] = []
        if len(conditions) > MAX_CONDITIONS_PER_RULE:
            errors.append('%s.conditions should have at most %d item(s)' % (where, MAX_CONDITIONS_PER_RULE))
        for number, condition in enumerate(conditions):
            expression = condition.get('expression') if isinstance(condition, dict) else None
            try:
                pcl.parse(expression)
            except pcl.PclError as err:
                errors.append('%s.conditions[%d].expression: Invalid PCL: %s' % (where, number, err))
            stored['conditions'].append({'expression': expression})
        actions = rule.get('actions')
        if not isinstance(actions, dict):
            errors.append('%s.actions must be an object' % where)
            actions = {}
        stored['actions'] = self.stored_actions(RULE_ACTIONS[kind], actions, where + '.actions', errors)
        disabled = rule.get('disabled', False)
        if not isinstance(disabled, bool):
            errors.append('%s.disabled must be true or false' % where)
        stored['disabled'] = disabled is True
        return stored

    @staticmethod
    def stored_actions(allowed, actions, where, errors):
        """The actions kept: those of this kind of path, checked; others are ignored, as PagerDuty ignores
        fields it does not know."""
        stored = {}
        for name, value in actions.items():
            if name not in allowed:
                continue
            if value is None:
                continue
            problems = ACTION_CHECKS[name](value)
            errors.extend('%s.%s %s' % (where, name, e) for e in problems)
            stored[name] = copy.deepcopy(value)
            if name in FILLED_IN and not problems:
                stored[name] = [dict({k: copy.deepcopy(v) for k, v in FILLED_IN[name].items()}, **item) for item in value]
        return stored

    def check_router(self, sets, catch_all, errors):
        rules = sets[0]['rules'] if sets else []
        routed = {}
        for position, rule in enumerate(rules):
            where = 'sets[0].rules[%d]' % position
            actions = rule['actions']
            if 'dynamic_route_to' in actions:
                if position != 0 or rule['conditions'] or 'route_to' in actions:
                    errors.append('%s: dynamic_route_to can only be in the first rule, without conditions or route_to'
                                  % where)
                else:
                    try:
                        source = pcl.parse(actions['dynamic_route_to']['source'], condition=False)
                    except pcl.PclError as err:
                        errors.append('%s.actions.dynamic_route_to.source: %s' % (where, err))
                    else:
                        if not isinstance(source, pcl.Path):
                            errors.append('%s.actions.dynamic_route_to.source must be a path' % where)
                continue
            target = actions.get('route_to')
            if target is None:
                errors.append('%s.actions.route_to is required: a route sends events to a service' % where)
            elif target not in self.services or not self.readable(target):
                errors.append('%s.actions.route_to: service %s was not found' % (where, target))
            elif target in routed:
                # The Event Orchestration guide: "There can only be one routing rule per service per Event Orchestration."
                errors.append('%s.actions.route_to: service %s already has a route (rule %d); there can only be one '
                              'routing rule per service per Event Orchestration' % (where, target, routed[target]))
            else:
                routed[target] = position
        target = catch_all.get('route_to')
        if target != UNROUTED_TARGET and (target not in self.services or not self.readable(target)):
            errors.append('catch_all.actions.route_to must be unrouted or the ID of a service; %s was not found' % target)

    @staticmethod
    def check_set_graph(sets, errors):
        """route_to names another set of the path, and following them never comes back."""
        ids = [s['id'] for s in sets]
        edges = {}
        for index, given in enumerate(sets):
            for position, rule in enumerate(given['rules']):
                target = rule['actions'].get('route_to')
                if target is None:
                    continue
                where = 'sets[%d].rules[%d].actions.route_to' % (index, position)
                if target not in ids:
                    errors.append('%s: there is no set %s' % (where, target))
                elif target in (START, given['id']):
                    errors.append('%s: a rule cannot route to the start set or to its own set' % where)
                else:
                    edges.setdefault(given['id'], set()).add(target)
        state = {}

        def visit(node, trail):
            if state.get(node) == 'done':
                return
            if state.get(node) == 'open':
                cycle = 'The sets route in a cycle: %s' % ' -> '.join(trail[trail.index(node):] + [node])
                if not any(e.startswith('The sets route in a cycle') for e in errors):
                    errors.append(cycle)
                return
            state[node] = 'open'
            for target in sorted(edges.get(node, ())):
                visit(target, trail + [node])
            state[node] = 'done'

        for node in ids:
            visit(node, [])
