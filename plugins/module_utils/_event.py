# -*- coding: utf-8 -*-
# Copyright: contributors to oncall.pagerduty
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Events API v2 events (trigger, acknowledge, resolve, change) and the wait for the incident a trigger opens.

Used by pd_event. An event is an action, not a state: every event sent is a change. What the Events API
would refuse is refused here first, naming the option.
"""

from __future__ import annotations

import json
import re
import uuid

from ansible_collections.oncall.pagerduty.plugins.module_utils._client import PagerDutyClient, PagerDutyError, describe_json
from ansible_collections.oncall.pagerduty.plugins.module_utils._maintenance_window import as_time, time_problem, utc_text
from ansible_collections.oncall.pagerduty.plugins.module_utils._resource import (
    PAGERDUTY_STATUS_ADVICE,
    Kind,
    doing,
    env_fallback,
)
from ansible_collections.oncall.pagerduty.plugins.module_utils._service import resolve_or_predict_service, service_by_id

ENQUEUE_PATH = '/v2/enqueue'
CHANGE_PATH = '/v2/change/enqueue'
ALERT_ACTIONS = ('trigger', 'acknowledge', 'resolve')
SEVERITIES = ['critical', 'error', 'info', 'warning']
# Limits of the Events API (developer docs: "Send an Alert Event", "Events API v2 Overview").
ROUTING_KEY = re.compile(r'^[A-Za-z0-9]{32}$')
MAX_SUMMARY = 1024
MAX_DEDUP_KEY = 255
MAX_EVENT_BYTES = 512 * 1024
OPEN_STATUSES = ['triggered', 'acknowledged']
PAYLOAD_OPTIONS = ('summary', 'source', 'severity', 'component', 'group', 'class', 'custom_details', 'timestamp')
CONTEXT_OPTIONS = ('links', 'images')
CLIENT_OPTIONS = ('client', 'client_url')
# What a change event carries (Events API description: ChangeEventPayload, links, images).
CHANGE_OPTIONS = ('summary', 'source', 'timestamp', 'custom_details', 'links', 'images')
# How long to sleep between looks for the incident, at most.
MAX_POLL_INTERVAL = 10

EVENTS_STATUS_ADVICE = {
    404: 'nothing answers as the Events API at this address: check events_url (or PAGERDUTY_EVENTS_URL) and region',
    429: "PagerDuty's Events API kept rate limiting the events (it takes about 120 a minute per routing key); raise "
         "retry_timeout, or send fewer events with this key",
}


class EventAction(Kind):
    """pd_event: send one event to PagerDuty's Events API v2; optionally wait for the incident it opens."""

    connection = 'events'
    status_advice = EVENTS_STATUS_ADVICE
    argument_spec = dict(
        routing_key=dict(type='str', no_log=True, fallback=(env_fallback, ['PAGERDUTY_ROUTING_KEY'])),
        event_action=dict(type='str', default='trigger', choices=['acknowledge', 'change', 'resolve', 'trigger']),
        dedup_key=dict(type='str', no_log=False),
        summary=dict(type='str'),
        source=dict(type='str'),
        severity=dict(type='str', choices=SEVERITIES),
        component=dict(type='str'),
        group=dict(type='str'),
        custom_details=dict(type='dict'),
        timestamp=dict(type='str'),
        links=dict(type='list', elements='dict', options=dict(
            href=dict(type='str', required=True),
            text=dict(type='str'),
        )),
        images=dict(type='list', elements='dict', options=dict(
            src=dict(type='str', required=True),
            href=dict(type='str'),
            alt=dict(type='str'),
        )),
        client=dict(type='str'),
        client_url=dict(type='str'),
        wait_for_incident=dict(type='bool', default=False),
        wait_timeout=dict(type='int', default=60),
        service=dict(type='str'),
        **{'class': dict(type='str')}
    )
    option_rules = dict(required_if=[
        ('event_action', 'trigger', ('summary', 'source', 'severity')),
        ('event_action', 'acknowledge', ('dedup_key',)),
        ('event_action', 'resolve', ('dedup_key',)),
        ('event_action', 'change', ('summary',)),
    ])

    def __init__(self, task, client=None):
        super().__init__(task, client)
        self.rest = None
        # The dedup_key of a trigger that names none: made once, so the event validated is the event sent.
        self.generated_dedup_key = uuid.uuid4().hex

    # -- validation before any request -----------------------------------------------------------

    def validate(self):
        params = self.params
        action = params['event_action']
        self.fail_if_blank('dedup_key', 'summary', 'source', 'component', 'group', 'class', 'timestamp', 'client',
                           'client_url', 'service')
        if not params['routing_key']:
            self.fail('%s: required; give the integration_key of an Events API v2 integration (or the routing key of a '
                      'global event orchestration), or set the PAGERDUTY_ROUTING_KEY environment variable'
                      % self.option('routing_key'))
        if not ROUTING_KEY.match(params['routing_key']):
            self.fail('%s: a routing key is the 32 letters and digits of an Events API v2 integration (its '
                      'integration_key, which oncall.pagerduty.pd_integration returns) or of a global event '
                      'orchestration; this one has %d characters' % (self.option('routing_key'), len(params['routing_key'])))
        allowed = {'trigger': PAYLOAD_OPTIONS + CONTEXT_OPTIONS + CLIENT_OPTIONS + ('dedup_key',),
                   'change': CHANGE_OPTIONS}.get(action, ('dedup_key',))
        for option in PAYLOAD_OPTIONS + CONTEXT_OPTIONS + CLIENT_OPTIONS + ('dedup_key',):
            if params[option] is not None and option not in allowed:
                self.fail('%s: %s events do not carry it (they carry %s); remove it from the task'
                          % (self.option(option), action, ', '.join(allowed)))
        for option, limit in (('summary', MAX_SUMMARY), ('dedup_key', MAX_DEDUP_KEY)):
            if params[option] is not None and len(params[option]) > limit:
                self.fail('%s: PagerDuty takes at most %d characters, got %d'
                          % (self.option(option), limit, len(params[option])))
        if params['timestamp'] is not None:
            problem = time_problem(params['timestamp'])
            if problem:
                self.fail('%s: %s' % (self.option('timestamp'), problem))
        for index, image in enumerate(params['images'] or []):
            if not image['src'].startswith('https://'):
                self.fail('%s[%d].src: PagerDuty shows only images served over HTTPS; give an https:// URL, got %r'
                          % (self.option('images'), index, image['src']))
        for index, link in enumerate(params['links'] or []):
            if not link['href'].strip():
                self.fail('%s[%d].href: must not be blank' % (self.option('links'), index))
        self.validate_wait()
        size = len(json.dumps(self.event_body()).encode('utf-8'))
        if size > MAX_EVENT_BYTES:
            self.fail('%s: the event is %d KB, and the Events API takes at most %d KB; send less in custom_details'
                      % (self.option('custom_details'), size // 1024, MAX_EVENT_BYTES // 1024))

    def validate_wait(self):
        params = self.params
        if params['service'] is not None and not params['wait_for_incident']:
            self.fail('%s: only used with wait_for_incident, to look for the incident on that service'
                      % self.option('service'))
        if not params['wait_for_incident']:
            return
        if params['event_action'] != 'trigger':
            self.fail('%s: only a trigger opens an incident to wait for; remove it for event_action %s'
                      % (self.option('wait_for_incident'), params['event_action']))
        if params['wait_timeout'] < 1:
            self.fail('%s: must be at least 1 second, got %d' % (self.option('wait_timeout'), params['wait_timeout']))
        if not params['api_token']:
            self.fail('%s: wait_for_incident reads the incident through the REST API; set api_token (a read-only key is '
                      'enough), or the PAGERDUTY_API_TOKEN environment variable' % self.option('api_token'))

    # -- clients ---------------------------------------------------------------------------------

    def build_client(self):
        """The Events API client; and the REST client too when the incident is awaited, on the same retry
        budget (retry_timeout bounds the waiting of the whole task)."""
        self.validate_common_params()
        events = self.build_events_client()
        if self.params['wait_for_incident']:
            self.rest = PagerDutyClient(self.params['api_token'], region=self.params['region'],
                                        api_url=self.params.get('api_url'), budget=events.budget,
                                        **self.transport_options())
        return events

    def clients(self):
        return [c for c in (self.client, self.rest) if c is not None]

    # -- the event -------------------------------------------------------------------------------

    def action(self):
        return self.params['event_action']

    def event_body(self):
        """The event as the Events API takes it. A trigger always carries a dedup_key (given, or made here), so
        that sending it again after a lost answer adds to the same alert instead of opening another."""
        params = self.params
        fields = CHANGE_OPTIONS if self.action() == 'change' else PAYLOAD_OPTIONS
        payload = {name: params[name] for name in fields if name in PAYLOAD_OPTIONS and params[name] is not None}
        body = {'routing_key': params['routing_key']}
        if self.action() != 'change':
            body['event_action'] = self.action()
            body['dedup_key'] = params['dedup_key'] or self.generated_dedup_key
        if payload:
            body['payload'] = payload
        for name in CONTEXT_OPTIONS + CLIENT_OPTIONS:
            if params[name] is not None:
                body[name] = [{k: v for k, v in item.items() if v is not None} for item in params[name]] \
                    if name in CONTEXT_OPTIONS else params[name]
        return body

    def run(self):
        event = self.event_body()
        shown = {k: v for k, v in event.items() if k != 'routing_key'}
        result = dict(changed=True)
        if self.task.diff:
            result['diff'] = {'before': {}, 'after': shown}
        if 'dedup_key' in event:
            result['dedup_key'] = event['dedup_key']
        # A service that does not exist fails before the event is sent (and in check mode, as the real run would).
        service = self.awaited_service()
        if self.check_mode:
            return result
        path = CHANGE_PATH if self.action() == 'change' else ENQUEUE_PATH
        # Alert events carry a dedup_key, so a repeat after a lost answer is harmless and the client may retry
        # it. A change event has none: PagerDuty would record a repeat twice, so one whose answer was lost is
        # never sent blind again; one answered with a server error was not taken (the Events API says to retry).
        is_change = self.action() == 'change'
        with doing('send the %s event' % self.action()):
            status, answer, dummy = self.client.request('POST', path, body=event, idempotent=not is_change,
                                                        answered_errors_retried=is_change)
            self.refuse_unaccepted(status, answer, path)
        result['message'] = answer.get('message')
        if 'dedup_key' in event:
            result['dedup_key'] = answer.get('dedup_key') or event['dedup_key']
        if self.params['wait_for_incident']:
            result.update(self.wait_for_incident(result['dedup_key'], service))
        return result

    def refuse_unaccepted(self, status, answer, path):
        """Only the Events API's own acceptance (202 with status "success") means the event was taken: a proxy or
        a portal at events_url may answer 200 with anything."""
        if status == 202 and isinstance(answer, dict) and answer.get('status') == 'success':
            return
        raise self.client.error_class(
            'the answer is not the Events API accepting the event (202 with status "success"): it is HTTP %s with %s; '
            'the event may not have been sent. %s may not be the address of %s'
            % (status, describe_json(answer), self.client.url_source, self.client.api_title), status=status,
            method='POST', path=path)

    def awaited_service(self):
        """The service the incident should be on (option service, only with wait_for_incident), or None."""
        if not self.params['service']:
            return None
        # In check mode, a service an earlier task of the run creates is predicted, as for integrations.
        return resolve_or_predict_service(self, self.params['service'], self.option('service'), client=self.rest)

    # -- the incident ----------------------------------------------------------------------------

    def wait_for_incident(self, dedup_key, service):
        """{'incident': the open incident the trigger opened or joined}, looked for until wait_timeout; or, for a
        service in maintenance, {'incident': None, 'maintenance_until': the end} at once.

        A service that opens no incidents (disabled, or in maintenance when it was found just before the event)
        is not waited for: PagerDuty drops the event rather than keep it for later.
        """
        status = (service or {}).get('status')
        if status == 'disabled':
            self.fail(self.no_incident_message(dedup_key, service, status), changed=True, dedup_key=dedup_key)
        if status == 'maintenance':
            end = self.maintenance_end(service)
            self.warn('%s: the service %r is in maintenance%s; PagerDuty accepted the event but opens no incident for '
                      'it, then or after the window' % (self.option('wait_for_incident'), service['name'],
                                                        ' until %s' % end if end else ''))
            return {'incident': None, 'maintenance_until': end}
        # incident_key matches an incident's own key and the alert_key of its alerts (the description of GET
        # /incidents), so the trigger's incident is listed whether it opened it or joined it by alert grouping.
        query = {'incident_key': dedup_key, 'statuses[]': OPEN_STATUSES, 'date_range': 'all'}
        if service is not None:
            query['service_ids[]'] = [service['id']]
        with doing('look for the incident of dedup_key %r' % dedup_key):
            incident = self.poll(lambda: self.incident_of_key(query, dedup_key), self.params['wait_timeout'],
                                 interval_cap=MAX_POLL_INTERVAL)
        if incident is None:
            self.fail(self.no_incident_message(dedup_key, service), changed=True, dedup_key=dedup_key)
        return {'incident': incident}

    def incident_of_key(self, query, dedup_key):
        """The open incident holding the open alert of this dedup_key, or None.

        One listed incident whose own key is the dedup_key is the one: its first alert is the trigger's. Any
        other candidate (an incident the alert joined keeps the key of its first alert, and incidents with alerts
        may have no key of their own) is confirmed by its open alert with that key, newest incident first.
        """
        candidates = list(self.rest.paginate('/incidents', 'incidents', query))
        if len(candidates) == 1 and candidates[0].get('incident_key') == dedup_key:
            return candidates[0]
        candidates.sort(key=lambda incident: incident.get('created_at') or '', reverse=True)
        for incident in candidates:
            alerts = self.rest.get('/incidents/%s/alerts' % incident['id'],
                                   {'alert_key': dedup_key, 'statuses[]': ['triggered'], 'limit': 1})
            if (alerts or {}).get('alerts'):
                return incident
        return None

    def maintenance_end(self, service):
        """When the ongoing maintenance of the service ends (the latest end of its ongoing windows), in UTC as
        pd_maintenance_window shows it, or None when no window is listed."""
        with doing('read the maintenance windows of the service %r' % service['name']):
            windows = self.rest.paginate('/maintenance_windows', 'maintenance_windows',
                                         {'service_ids[]': [service['id']], 'filter': 'ongoing'})
            ends = [as_time(w.get('end_time')) for w in windows]
        ends = [end for end in ends if end is not None]
        return utc_text(max(ends)) if ends else None

    def no_incident_message(self, dedup_key, service, status=None):
        if status == 'disabled':
            return ('%s: PagerDuty accepted the event (dedup_key %r), but the service %r is disabled, so it opens no '
                    'incident for it; enable the service (oncall.pagerduty.pd_service status: active) and send the '
                    'event again' % (self.option('wait_for_incident'), dedup_key, service['name']))
        message = ('%s: PagerDuty accepted the event (dedup_key %r), but no open incident with an open alert of that '
                   'key appeared within %d seconds (wait_timeout).'
                   % (self.option('wait_for_incident'), dedup_key, self.params['wait_timeout']))
        if service is not None:
            status = (service_by_id(self.rest, service['id']) or {}).get('status')
            if status in ('disabled', 'maintenance'):
                return message + ' The service %r is %s, so it opens no incidents.' % (
                    service['name'], 'disabled' if status == 'disabled' else 'in maintenance')
            return message + (' Check that the routing key belongs to an integration of the service %r, and that no '
                              'event orchestration rule of the service suppresses the event (PagerDuty keeps a '
                              'suppressed alert out of every incident, and its REST API does not show it).'
                              % service['name'])
        return message + (' The service of the routing key may be disabled or in maintenance, or an event '
                          'orchestration rule may suppress the event; give service to narrow the search and get the '
                          'reason.')

    # -- failures --------------------------------------------------------------------------------

    def explain(self, err):
        if any('Invalid routing key' in str(e) for e in err.errors):
            return ('%s: PagerDuty knows no integration or event orchestration with this key; give the integration_key '
                    'of an Events API v2 integration (oncall.pagerduty.pd_integration returns it) (%s)'
                    % (self.option('routing_key'), err))
        if err.ambiguous and self.action() == 'change':
            return ('could not send the change event: %s. PagerDuty may have recorded it: it was not sent again, because '
                    'change events are not deduplicated and a repeat would be recorded twice. Look at the change events '
                    'of the service before running the task again.' % err)
        if isinstance(err, PagerDutyError):  # a REST read of wait_for_incident: the REST API's advice
            self.status_advice = PAGERDUTY_STATUS_ADVICE
        return super().explain(err)
