"""PagerDuty's Events API v2 (/v2/enqueue, /v2/change/enqueue): alerts, incidents, change events, and
the REST reads of what they made (an incident, its alerts, a service's change events).

A family of endpoints mixed into PagerDutyAccount (see pagerduty.py): `reset_events()` sets up its
state, `routes_events()` lists its (method, path pattern, handler) routes. Behaviour and sources are in
README.md (The Events API v2).
"""

import copy
import datetime
import itertools
import json
import re
import uuid

from . import catalogue
from .api import ApiFailure, invalid, not_found, now, parse_time, utc_now
from .grouping import DAY, RECOMMENDED_TIME_WINDOW

try:
    import zoneinfo
except ImportError:  # Python 3.8: support hours are then taken as always on
    zoneinfo = None

EVENT_ACTIONS = ('trigger', 'acknowledge', 'resolve')
SEVERITIES = ('critical', 'error', 'warning', 'info')
MAX_SUMMARY = 1024
MAX_DEDUP_KEY = 255
MAX_EVENT_BYTES = 512 * 1024
ROUTING_KEY_LENGTH = 32
_ALPHANUMERIC = re.compile(r'^[A-Za-z0-9]*$')
# The urgency an incident of a severity-based service gets.
URGENCY_OF_SEVERITY = {'critical': 'high', 'error': 'high', 'warning': 'low', 'info': 'low'}
OPEN_INCIDENT_STATUSES = ('triggered', 'acknowledged')
# The fields of an alert that content-based grouping compares, besides custom_details.<name>.
CEF_FIELDS = ('source', 'component', 'group', 'class')


def event_refused(errors, message='Event object is invalid', status='invalid event'):
    """A 400 in the Events API's own error body (not the REST API's envelope)."""
    failure = ApiFailure(400, None, message=message)
    failure.body = {'status': status, 'message': message, 'errors': list(errors)}
    return failure


def missing(value):
    return value is None or (isinstance(value, str) and not value.strip())


def seconds_between(earlier, moment):
    return (moment - parse_time(earlier)).total_seconds()


def alert_field(alert, name):
    """The value of a grouping field on an alert: summary, severity, a PD-CEF field, or custom_details.<name>."""
    if name in ('summary', 'severity'):
        return alert.get(name)
    body = alert.get('body') or {}
    if name in CEF_FIELDS:
        return body.get('cef_details', {}).get(name)
    if name.startswith('custom_details.'):
        value = body.get('details') or {}
        for part in name.split('.')[1:]:
            value = value.get(part) if isinstance(value, dict) else None
        return value
    return None


def fields_match(alert, other, fields, aggregate):
    """Content-based grouping's test: the fields hold equal values on both alerts, all of them or any one (a field
    the alerts lack does not match)."""
    matches = [alert_field(alert, f) is not None and alert_field(alert, f) == alert_field(other, f) for f in fields]
    return bool(matches) and (all(matches) if aggregate == 'all' else any(matches))


class EventsEndpoints:
    family = 'events'

    def reset_events(self):
        self.alerts = {}
        # alert id -> (routing key, dedup key): what later events for the alert must carry
        self.alert_keys = {}
        self.change_events = []
        # Every accepted event and what became of it, for tests (the routing key is not kept).
        self.events_received = []
        self._incident_numbers = itertools.count(1)

    def routes_events(self):
        segment = r'([^/]+)'
        return [
            ('POST', r'/v2/enqueue', self.enqueue_event),
            ('POST', r'/v2/change/enqueue', self.enqueue_change_event),
            ('GET', r'/incidents/' + segment, self.get_incident),
            ('GET', r'/incidents/%s/alerts' % segment, self.list_incident_alerts),
            ('GET', r'/incidents/%s/alerts/%s' % (segment, segment), self.get_incident_alert),
            ('GET', r'/services/%s/change_events' % segment, self.list_service_change_events),
        ]

    # -- validation: what the Events API refuses -------------------------------------------------

    @staticmethod
    def routing_key_errors(body):
        key = body.get('routing_key')
        if missing(key):
            return ["'routing_key' is missing or blank"]
        if not isinstance(key, str):
            return ["'routing_key' must be a string"]
        errors = []
        if len(key) != ROUTING_KEY_LENGTH:
            errors.append("Length of 'routing_key' is incorrect (should be %d characters)" % ROUTING_KEY_LENGTH)
        if not _ALPHANUMERIC.match(key):
            errors.append("'routing_key' cannot contain non-alphanumeric characters.")
        return errors

    @staticmethod
    def context_errors(body):
        errors = []
        for name, required in (('links', 'href'), ('images', 'src')):
            items = body.get(name)
            if items is None:
                continue
            if not isinstance(items, list):
                errors.append("'%s' must be an array" % name)
                continue
            for index, item in enumerate(items):
                if not isinstance(item, dict) or missing(item.get(required)):
                    errors.append("'%s[%d].%s' is missing or blank" % (name, index, required))
        return errors

    @staticmethod
    def summary_errors(payload):
        summary = payload.get('summary')
        if missing(summary):
            return ["'payload.summary' is missing or blank"]
        if len(str(summary)) > MAX_SUMMARY:
            return ["'payload.summary' is too long (maximum is %d characters)" % MAX_SUMMARY]
        return []

    def alert_event_errors(self, body):
        errors = self.routing_key_errors(body)
        action = body.get('event_action')
        if missing(action):
            errors.append("'event_action' is missing or blank")
        elif action not in EVENT_ACTIONS:
            errors.append("'event_action' is invalid (must be one of %s)" % ', '.join(EVENT_ACTIONS))
        dedup_key = body.get('dedup_key')
        if dedup_key is not None and (not isinstance(dedup_key, str) or len(dedup_key) > MAX_DEDUP_KEY):
            errors.append("'dedup_key' must be a string of at most %d characters" % MAX_DEDUP_KEY)
        if action in ('acknowledge', 'resolve') and missing(dedup_key):
            errors.append("'dedup_key' is missing or blank")
        if action == 'trigger':
            payload = body.get('payload')
            if not isinstance(payload, dict):
                errors.append("'payload' is missing or blank")
            else:
                errors.extend(self.summary_errors(payload))
                for field in ('source', 'severity'):
                    if missing(payload.get(field)):
                        errors.append("'payload.%s' is missing or blank" % field)
                if not missing(payload.get('severity')) and payload['severity'] not in SEVERITIES:
                    errors.append("'payload.severity' is invalid (must be one of %s)" % ', '.join(SEVERITIES))
                if payload.get('custom_details') is not None and not isinstance(payload['custom_details'], dict):
                    errors.append("'payload.custom_details' must be an object")
        errors.extend(self.context_errors(body))
        return errors

    def refuse_oversized(self, body):
        if len(json.dumps(body).encode('utf-8')) > MAX_EVENT_BYTES:
            raise event_refused(['The event is larger than %d KB' % (MAX_EVENT_BYTES // 1024)])

    # -- routing ---------------------------------------------------------------------------------

    def integration_of_key(self, routing_key):
        """The integration whose key this is, once reads show it (the Events API lags writes too)."""
        for integration in self.integrations.values():
            if integration.get('integration_key') == routing_key and self.readable(integration['id']):
                return integration
        return None

    def destination(self, routing_key, event):
        """(integration or None, service id or None): where an event with this key goes.

        An integration's key goes to its service; a global orchestration's key goes where its router
        sends the event (None: unrouted). Any other key is refused, as the Events API does.
        """
        integration = self.integration_of_key(routing_key)
        if integration is not None:
            return integration, integration['service']['id']
        orchestration = self.orchestration_of_routing_key(routing_key)
        if orchestration is None:
            raise event_refused(['Invalid routing key'])
        return None, self.route_orchestration_event(orchestration, event)

    def open_alert(self, routing_key, dedup_key):
        for alert_id, keys in self.alert_keys.items():
            if keys == (routing_key, dedup_key) and self.alerts[alert_id]['status'] == 'triggered':
                return self.alerts[alert_id]
        return None

    def record(self, kind, event, outcome, service_id=None, incident_id=None):
        self.events_received.append({
            'type': kind, 'event_action': event.get('event_action', 'change'), 'dedup_key': event.get('dedup_key'),
            'summary': (event.get('payload') or {}).get('summary'), 'outcome': outcome, 'service_id': service_id,
            'incident_id': incident_id, 'received_at': now()})

    # -- alert events ----------------------------------------------------------------------------

    def enqueue_event(self, query, body):
        errors = self.alert_event_errors(body)
        if errors:
            raise event_refused(errors)
        self.refuse_oversized(body)
        event = copy.deepcopy(body)
        routing_key = event.pop('routing_key')
        if event['event_action'] == 'trigger':
            if missing(event.get('dedup_key')):
                event['dedup_key'] = uuid.uuid4().hex  # PagerDuty makes one: a new alert every time
            self.trigger(routing_key, event)
        else:
            if self.integration_of_key(routing_key) is None and self.orchestration_of_routing_key(routing_key) is None:
                raise event_refused(['Invalid routing key'])
            self.acknowledge_or_resolve(routing_key, event)
        return 202, {'status': 'success', 'message': 'Event processed', 'dedup_key': event['dedup_key']}

    def trigger(self, routing_key, event):
        existing = self.open_alert(routing_key, event['dedup_key'])
        if existing is not None:
            # A trigger for an open alert adds to it: the alert shows the latest event, its incident stays.
            self.update_alert(existing, event)
            self.record('alert', event, 'joined', existing['service']['id'], existing['incident']['id'])
            return
        integration, service_id = self.destination(routing_key, event)
        if service_id is None:
            return self.record('alert', event, 'unrouted')
        service = self.services.get(service_id)
        if service is None or service['status'] == 'disabled':
            return self.record('alert', event, 'dropped: the service is disabled', service_id)
        routed = self.apply_service_orchestration(service_id, event)
        if routed is None:
            return self.record('alert', event, 'suppressed by orchestration', service_id)
        event = routed
        if self.in_maintenance(service_id):
            return self.record('alert', event, 'suppressed: the service is in maintenance', service_id)
        incident = self.grouping_incident(service, event)
        if incident is None:
            incident = self.open_incident(service, integration, event)
            outcome = 'opened an incident'
        else:
            self.note_updated(incident['id'], incident)
            outcome = 'grouped into an incident'
        alert = self.new_alert(service, integration, incident, event)
        self.count_alerts(incident)
        self.alert_keys[alert['id']] = (routing_key, event['dedup_key'])
        self.record('alert', event, outcome, service_id, incident['id'])

    def acknowledge_or_resolve(self, routing_key, event):
        alert = self.open_alert(routing_key, event['dedup_key'])
        if alert is None:
            # Nothing open under this key from this routing key: the Events API drops the event.
            return self.record('alert', event, 'dropped: no open alert', None)
        service_id = alert['service']['id']
        if self.apply_service_orchestration(service_id, event) is None:
            return self.record('alert', event, 'suppressed by orchestration', service_id)
        if self.in_maintenance(service_id):
            return self.record('alert', event, 'dropped: the service is in maintenance', service_id)
        incident = self.incidents.get(alert['incident']['id'])
        timestamp = now()
        if event['event_action'] == 'resolve':
            alert['status'] = 'resolved'
            if incident is not None:
                siblings = [a for a in self.alerts.values() if a['incident']['id'] == incident['id']]
                if all(a['status'] == 'resolved' for a in siblings):
                    self.change_incident(incident, 'resolved', timestamp)
                    incident['resolved_at'] = timestamp
                self.count_alerts(incident)
        elif incident is not None and incident['status'] == 'triggered':
            self.change_incident(incident, 'acknowledged', timestamp)
        self.record('alert', event, event['event_action'] + 'd', service_id, alert['incident']['id'])

    def change_incident(self, incident, status, timestamp):
        self.note_updated(incident['id'], incident)
        incident['status'] = status
        incident['updated_at'] = incident['last_status_change_at'] = timestamp

    def urgency(self, service, severity):
        rule = service.get('incident_urgency_rule') or {'type': 'constant', 'urgency': 'high'}
        if rule.get('type') == 'use_support_hours':
            rule = rule['during_support_hours' if self.in_support_hours(service) else 'outside_support_hours']
        urgency = rule.get('urgency', 'high')
        return URGENCY_OF_SEVERITY[severity] if urgency == 'severity_based' else urgency

    @staticmethod
    def in_support_hours(service):
        hours = service.get('support_hours') or {}
        if zoneinfo is None or not hours.get('time_zone'):
            return True
        try:
            local = utc_now().astimezone(zoneinfo.ZoneInfo(hours['time_zone']))
        except Exception:  # pylint: disable=broad-except  # an unknown zone: as if always in support hours
            return True
        clock = local.strftime('%H:%M:%S')
        return local.isoweekday() in hours.get('days_of_week', []) and hours['start_time'] <= clock < hours['end_time']

    def open_incident(self, service, integration, event):
        incident_id = self.new_id()
        number = next(self._incident_numbers)
        timestamp = now()
        payload = event['payload']
        view = self.service_view(service, (), as_read=False)
        incident = {
            'id': incident_id, 'type': 'incident', 'summary': '[#%d] %s' % (number, payload['summary']),
            'self': '%s/incidents/%s' % (self.base_url, incident_id),
            'html_url': 'https://%s.pagerduty.com/incidents/%s' % (catalogue.SUBDOMAIN, incident_id),
            'incident_number': number, 'title': payload['summary'], 'created_at': timestamp, 'updated_at': timestamp,
            'last_status_change_at': timestamp, 'status': 'triggered', 'incident_key': event['dedup_key'],
            'service': self.reference(service), 'assignments': [], 'assigned_via': 'escalation_policy',
            'escalation_policy': copy.deepcopy(service['escalation_policy']), 'teams': view['teams'],
            'urgency': self.urgency(service, payload['severity']), 'is_mergeable': True,
            'alert_counts': {'triggered': 0, 'resolved': 0, 'all': 0},
            # Which integration opened it: the core counts an integration's incidents by this (not shown).
            'integration_id': integration['id'] if integration else None,
        }
        self.incidents[incident_id] = incident
        self.note_created(incident_id)
        return incident

    # -- alert grouping: an alert that joins an open incident --------------------------------------

    def grouping_of_service(self, service):
        """(type, config) of the service's alert grouping, or None: from the Alert Grouping Setting holding it,
        else from its alert_grouping_parameters (as a setting holds them: timeouts in seconds)."""
        setting = self.grouping_setting_holding(service['id'])
        if setting is not None:
            return setting['type'], setting['config']
        parameters = service.get('alert_grouping_parameters') or {}
        if parameters.get('type') in ('time', 'intelligent', 'content_based'):
            return self.grouping_setting_of_parameters(parameters)
        return None

    def grouping_incident(self, service, event):
        """The open incident of the service that a new alert from `event` joins under its grouping, or None.

        time: the newest open incident, while younger than the timeout (0: until it is resolved). The content
        types and intelligent: the newest open incident with an alert that matches on the fields, while its
        newest alert is within time_window and it is less than a day old. Intelligent grouping is machine
        learning; its stand-in here is an exact match on iag_fields (summary by default).
        """
        grouping = self.grouping_of_service(service)
        if grouping is None:
            return None
        kind, config = grouping
        incidents = sorted((i for i in self.incidents.values()
                            if i['service']['id'] == service['id'] and i['status'] in OPEN_INCIDENT_STATUSES
                            and self.incident_alerts(i, readable_only=False)),
                           key=lambda i: (i['created_at'], i.get('incident_number', 0)), reverse=True)
        moment = utc_now()
        if kind == 'time':
            timeout = config.get('timeout') or 0
            if incidents and (not timeout or seconds_between(incidents[0]['created_at'], moment) < timeout):
                return incidents[0]
            return None
        if kind == 'intelligent':
            fields, aggregate = config.get('iag_fields') or ['summary'], 'all'
        else:
            fields, aggregate = config.get('fields') or [], config.get('aggregate')
        window = config.get('time_window') or RECOMMENDED_TIME_WINDOW
        probe = {}
        self.update_alert(probe, event)
        for incident in incidents:
            alerts = self.incident_alerts(incident, readable_only=False)
            if seconds_between(incident['created_at'], moment) >= DAY or \
                    seconds_between(max(a['created_at'] for a in alerts), moment) > window:
                continue
            if any(fields_match(probe, alert, fields, aggregate) for alert in alerts):
                return incident
        return None

    def incident_has_key(self, incident, key):
        """`GET /incidents?incident_key=`: the incident's own key, or the alert key of one of its alerts."""
        return incident.get('incident_key') == key or any(
            alert['incident']['id'] == incident['id'] and alert.get('alert_key') == key for alert in self.alerts.values())

    def new_alert(self, service, integration, incident, event):
        alert_id = self.new_id()
        alert = {
            'id': alert_id, 'type': 'alert', 'created_at': now(), 'status': 'triggered',
            'self': '%s/incidents/%s/alerts/%s' % (self.base_url, incident['id'], alert_id),
            'html_url': 'https://%s.pagerduty.com/alerts/%s' % (catalogue.SUBDOMAIN, alert_id),
            'alert_key': event['dedup_key'], 'service': self.reference(service),
            'incident': self.reference(incident, 'incident_reference'), 'suppressed': False,
        }
        if integration is not None:
            alert['integration'] = self.reference(integration, integration['type'] + '_reference')
        self.update_alert(alert, event)
        self.alerts[alert_id] = alert
        self.note_created(alert_id)
        return alert

    @staticmethod
    def update_alert(alert, event):
        payload = event.get('payload') or {}
        contexts = [dict({'type': 'link'}, **link) for link in event.get('links') or []]
        contexts += [dict({'type': 'image'}, **image) for image in event.get('images') or []]
        cef_details = {key: payload[key] for key in ('source', 'component', 'group', 'class', 'timestamp')
                       if key in payload}
        alert.update(summary=payload.get('summary'), severity=payload.get('severity'),
                     body={'type': 'alert_body', 'contexts': contexts, 'details': payload.get('custom_details') or {},
                           'cef_details': cef_details})

    def count_alerts(self, incident):
        alerts = [a for a in self.alerts.values() if a['incident']['id'] == incident['id']]
        resolved = sum(1 for a in alerts if a['status'] == 'resolved')
        incident['alert_counts'] = {'triggered': len(alerts) - resolved, 'resolved': resolved, 'all': len(alerts)}

    # -- change events ---------------------------------------------------------------------------

    def enqueue_change_event(self, query, body):
        errors = self.routing_key_errors(body)
        payload = body.get('payload')
        if not isinstance(payload, dict):
            errors.append("'payload' is missing or blank")
        else:
            errors.extend(self.summary_errors(payload))
        errors.extend(self.context_errors(body))
        if errors:
            raise event_refused(errors)
        self.refuse_oversized(body)
        event = copy.deepcopy(body)
        routing_key = event.pop('routing_key')
        event['event_action'] = 'change'
        integration, service_id = self.destination(routing_key, event)
        if service_id is None or service_id not in self.services:
            self.record('change', event, 'unrouted')
        else:
            change_id = self.new_id()
            change = {
                'id': change_id, 'type': 'change_event', 'summary': payload['summary'],
                'self': '%s/change_events/%s' % (self.base_url, change_id), 'html_url': None,
                'timestamp': payload.get('timestamp') or now(),
                'services': [self.reference(self.services[service_id])],
                'custom_details': payload.get('custom_details') or {},
                'links': event.get('links') or [], 'images': event.get('images') or [],
            }
            if payload.get('source') is not None:
                change['source'] = payload['source']
            if integration is not None:
                change['integration'] = self.reference(integration, 'inbound_integration_reference')
            self.change_events.append(change)
            self.note_created(change_id)
            self.record('change', event, 'recorded', service_id)
        return 202, {'status': 'success', 'message': 'Change event processed'}

    def list_service_change_events(self, query, body, service_id):
        self._service(service_id)
        since, until = (query.get(name, [None])[0] for name in ('since', 'until'))
        bounds = []
        for name, value in (('since', since), ('until', until)):
            moment = parse_time(value) if value else None
            if value and (moment is None or moment.utcoffset() != datetime.timedelta(0)):
                raise invalid('%s must be a UTC ISO 8601 date and time (YYYY-MM-DDThh:mm:ssZ)' % name)
            bounds.append(moment)
        integration_ids = set(query.get('integration_ids[]', []))
        items = []
        for change in self.change_events:
            if not self.readable(change['id']) or service_id not in [s['id'] for s in change['services']]:
                continue
            if integration_ids and (change.get('integration') or {}).get('id') not in integration_ids:
                continue
            moment = parse_time(change['timestamp'])
            if (bounds[0] and moment and moment < bounds[0]) or (bounds[1] and moment and moment >= bounds[1]):
                continue
            items.append(change)
        items.reverse()  # newest first
        return 200, self.page(items, query, 'change_events')

    # -- REST reads of incidents and alerts ------------------------------------------------------

    def incident_of(self, id_or_number):
        """An incident by its ID or its number, as GET /incidents/{id} accepts either."""
        incident = self.incidents.get(id_or_number)
        if incident is None and id_or_number.isdigit():
            incident = next((i for i in self.incidents.values() if i.get('incident_number') == int(id_or_number)), None)
        if incident is None or not self.readable(incident['id']):
            raise not_found(2100, 'Incident Not Found')
        return incident

    @staticmethod
    def incident_view(incident):
        return {k: copy.deepcopy(v) for k, v in incident.items() if k != 'integration_id'}

    def get_incident(self, query, body, incident_id):
        incident = self.incident_of(incident_id)
        return 200, {'incident': self.incident_view(self.as_read(incident['id'], incident))}

    def incident_alerts(self, incident, readable_only=True):
        return sorted((a for a in self.alerts.values()
                       if a['incident']['id'] == incident['id'] and (not readable_only or self.readable(a['id']))),
                      key=lambda a: a['created_at'])  # stable: alerts of one second stay in the order they came

    def list_incident_alerts(self, query, body, incident_id):
        incident = self.incident_of(incident_id)
        alert_key = query.get('alert_key', [None])[0]
        statuses = set(query.get('statuses[]', []))
        items = [a for a in self.incident_alerts(incident)
                 if (alert_key is None or a['alert_key'] == alert_key) and (not statuses or a['status'] in statuses)]
        return 200, self.page(items, query, 'alerts')

    def get_incident_alert(self, query, body, incident_id, alert_id):
        incident = self.incident_of(incident_id)
        for alert in self.incident_alerts(incident):
            if alert['id'] == alert_id:
                return 200, {'alert': copy.deepcopy(alert)}
        raise not_found(2100, 'Alert Not Found')
