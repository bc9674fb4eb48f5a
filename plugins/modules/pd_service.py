#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to oncall.pagerduty
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: pd_service
short_description: Create, update, disable and delete PagerDuty services
version_added: 0.1.0
description:
  - Make a PagerDuty service match what the task says. Create it, change the settings the task
    sets (and only those), disable or re-enable it, rename it, or delete it.
  - A service is found by its exact O(name), or by O(id). An existing service with the name is
    adopted, never duplicated, also when another run creates it at the same moment.
  - Settings the task does not set are left as they are.
author:
  - oncall.pagerduty maintainers (@oncall)
extends_documentation_fragment:
  - oncall.pagerduty.pagerduty
  - oncall.pagerduty.pagerduty.transport
  - oncall.pagerduty.attributes
  - oncall.pagerduty.attributes.pagerduty_group
attributes:
  check_mode:
    support: full
    details:
      - Sends no write; the result predicts the service PagerDuty would return.
  diff_mode:
    support: full
    details:
      - The diff holds only the settings that change.
options:
  name:
    description:
      - The service's exact name. It identifies the service unless O(id) is given.
      - With O(id), the name the service is renamed to.
      - Must not be blank, contain non-printable characters, or start or end with a space.
    type: str
  id:
    description:
      - The service's ID. Identifies the service, so that O(name) can rename it.
      - One of O(name) and O(id) is required.
    type: str
  state:
    description:
      - V(present) creates or updates the service; V(absent) deletes it (and its integrations).
    type: str
    choices: [absent, present]
    default: present
  description:
    description: The service's description.
    type: str
  escalation_policy:
    description:
      - The escalation policy, by exact name or by ID.
      - Required to create a service.
    type: str
  status:
    description:
      - V(disabled) stops new incidents from triggering on the service; V(active) enables it.
      - PagerDuty only creates active services, so creating a disabled one is a create then an update.
    type: str
    choices: [active, disabled]
  auto_resolve_timeout:
    description:
      - Seconds after which an open incident is resolved automatically. V(0) disables it.
      - PagerDuty reports a disabled timeout as null; results and diffs show it as V(0).
    type: int
  acknowledgement_timeout:
    description:
      - Seconds after which an acknowledged incident triggers again. V(0) disables it.
    type: int
  incident_urgency_rule:
    description:
      - The urgency of the service's incidents.
    type: dict
    suboptions:
      type:
        description:
          - V(constant) gives every incident O(incident_urgency_rule.urgency).
          - V(use_support_hours) gives them O(incident_urgency_rule.during_support_hours) inside
            O(support_hours) and O(incident_urgency_rule.outside_support_hours) outside them.
        type: str
        choices: [constant, use_support_hours]
        required: true
      urgency:
        description: The urgency, with V(constant).
        type: str
        choices: [high, low, severity_based]
      during_support_hours:
        description: The urgency inside support hours, with V(use_support_hours).
        type: str
        choices: [high, low, severity_based]
      outside_support_hours:
        description: The urgency outside support hours, with V(use_support_hours).
        type: str
        choices: [high, low, severity_based]
  support_hours:
    description:
      - The service's support hours; required for an urgency rule of type V(use_support_hours).
    type: dict
    suboptions:
      time_zone:
        description: The time zone of the hours, for example V(Europe/Paris) or V(America/Lima).
        type: str
        required: true
      start_time:
        description: When support hours start, V(HH:MM) or V(HH:MM:SS).
        type: str
        required: true
      end_time:
        description: When support hours end, V(HH:MM) or V(HH:MM:SS).
        type: str
        required: true
      days_of_week:
        description: The days with support hours, V(1) (Monday) to V(7) (Sunday).
        type: list
        elements: int
        required: true
  scheduled_actions:
    description:
      - Raise the urgency of open incidents to high when support hours start or end.
      - Only with an urgency rule of type V(use_support_hours). V([]) removes them.
    type: list
    elements: dict
    suboptions:
      at:
        description: When the action runs.
        type: str
        choices: [support_hours_start, support_hours_end]
        required: true
      to_urgency:
        description: The urgency incidents change to; PagerDuty allows only V(high).
        type: str
        choices: [high]
        default: high
  alert_grouping_parameters:
    description:
      - How alerts are grouped into incidents (on plans with alert grouping).
      - Sent only when set. Setting it through the service can detach the service from an
        account-level Alert Grouping Setting, so leave it unset for services grouped that way.
    type: dict
    suboptions:
      type:
        description:
          - V(time) groups alerts within O(alert_grouping_parameters.config.timeout) minutes,
            V(intelligent) groups similar alerts, V(content_based) groups alerts with equal fields.
          - V(none) turns grouping off.
        type: str
        choices: [content_based, intelligent, none, time]
        required: true
      config:
        description: The settings of the grouping type.
        type: dict
        suboptions:
          timeout:
            description:
              - With V(time), minutes to group alerts for, V(1) to V(1440); V(0) groups until the incident is resolved.
            type: int
          time_window:
            description:
              - With V(intelligent) or V(content_based), seconds in the rolling window, V(300) to V(3600);
                V(0) uses PagerDuty's recommendation; V(content_based) also accepts V(86400).
            type: int
          aggregate:
            description: With V(content_based) (required), whether V(all) or V(any) of O(alert_grouping_parameters.config.fields) must match.
            type: str
            choices: [all, any]
          fields:
            description: With V(content_based) (required), the alert fields compared.
            type: list
            elements: str
  auto_pause_notifications_parameters:
    description:
      - Pause notifications of alerts that are likely transient (on plans with this feature).
    type: dict
    suboptions:
      enabled:
        description: Whether notifications are paused.
        type: bool
        required: true
      timeout:
        description:
          - Seconds to pause for, with O(auto_pause_notifications_parameters.enabled=true); V(0) uses PagerDuty's recommendation.
        type: int
        choices: [0, 120, 180, 300, 600, 900]
  alert_creation:
    description:
      - Deprecated by PagerDuty, because every service now creates alerts and incidents.
      - V(create_alerts_and_incidents) is accepted and never reported as a change.
        V(create_incidents) is refused, because PagerDuty no longer offers it.
    type: str
    choices: [create_alerts_and_incidents, create_incidents]
notes:
  - A run that changes nothing costs one API request when O(escalation_policy) is unset, is the
    service's current policy, or is given by ID; otherwise one more to find the policy by name.
  - When a create's answer is lost (a timeout, a dropped connection or a server error), the module
    reads the service back by name before anything else and adopts it if the create went through,
    so a retry never makes a duplicate.
seealso:
  - module: oncall.pagerduty.pd_service_info
  - module: oncall.pagerduty.pd_integration
'''

EXAMPLES = r'''
- name: Provision the services of a new environment
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/oncall.pagerduty.pagerduty:
      api_token: "{{ vault_pagerduty_api_token }}"
  tasks:
    - name: A service for the shopping cart, paged around the clock
      oncall.pagerduty.pd_service:
        name: Shopping Cart
        description: Checkout and basket API
        escalation_policy: Platform On-Call
        auto_resolve_timeout: 14400
        acknowledgement_timeout: 1800
        incident_urgency_rule:
          type: constant
          urgency: high

    - name: A service that pages urgently only in office hours
      oncall.pagerduty.pd_service:
        name: Reporting
        escalation_policy: Default
        incident_urgency_rule:
          type: use_support_hours
          during_support_hours: high
          outside_support_hours: low
        support_hours:
          time_zone: Europe/Paris
          start_time: "09:00"
          end_time: "18:00"
          days_of_week: [1, 2, 3, 4, 5]
        scheduled_actions:
          - at: support_hours_start

    - name: Group alerts for five minutes and pause transient ones
      oncall.pagerduty.pd_service:
        name: Shopping Cart
        alert_grouping_parameters:
          type: time
          config:
            timeout: 5
        auto_pause_notifications_parameters:
          enabled: true
          timeout: 300

    - name: Disable a service during a migration
      oncall.pagerduty.pd_service:
        name: Legacy Billing
        status: disabled

    - name: Rename a service found by its ID
      oncall.pagerduty.pd_service:
        id: PXXXXXX
        name: Billing (legacy)

    - name: Delete a service
      oncall.pagerduty.pd_service:
        name: Legacy Billing
        state: absent
'''

RETURN = r'''
service:
  description:
    - The service as PagerDuty returns it after the change, or as predicted in check mode
      (where a new service's V(id) is null).
    - Disabled timeouts are shown as V(0).
    - Empty after O(state=absent).
  returned: always
  type: dict
  contains:
    id:
      description: The service's ID.
      type: str
      sample: PXXXXXX
    name:
      description: The service's name.
      type: str
      sample: Shopping Cart
    status:
      description: V(active), V(disabled), or the state of its incidents (V(warning), V(critical), V(maintenance)).
      type: str
      sample: active
    escalation_policy:
      description: A reference to the escalation policy (V(id), V(summary) its name).
      type: dict
    html_url:
      description: The service's page in PagerDuty.
      type: str
    auto_resolve_timeout:
      description: Seconds; V(0) when disabled.
      type: int
      sample: 14400
    acknowledgement_timeout:
      description: Seconds; V(0) when disabled.
      type: int
      sample: 1800
    incident_urgency_rule:
      description: The urgency rule, in PagerDuty's form.
      type: dict
      sample: {"type": "constant", "urgency": "high"}
  sample:
    id: PXXXXXX
    type: service
    name: Shopping Cart
    status: active
    escalation_policy: {"id": "PPLATEP", "type": "escalation_policy_reference", "summary": "Platform On-Call"}
    auto_resolve_timeout: 14400
    acknowledgement_timeout: 1800
'''

import re

from ansible_collections.oncall.pagerduty.plugins.module_utils._resource import ResourceModule
from ansible_collections.oncall.pagerduty.plugins.module_utils._service import (
    present_service,
    service_by_id,
    service_by_name,
)

URGENCY_CHOICES = ['high', 'low', 'severity_based']
GROUPING_CONFIG_FIELDS = {'time': {'timeout'}, 'intelligent': {'time_window'},
                          'content_based': {'aggregate', 'fields', 'time_window'}, 'none': set()}
_TIME_OF_DAY = re.compile(r'^([01]\d|2[0-3]):([0-5]\d)(:([0-5]\d))?$')
_NON_PRINTABLE = re.compile(r'[\x00-\x1f\x7f]')
# Read with every service: the settings object may not be returned without it.
SERVICE_INCLUDES = ('auto_pause_notifications_parameters',)


class Service(ResourceModule):
    result_key = 'service'
    argument_spec = dict(
        name=dict(type='str'),
        id=dict(type='str'),
        state=dict(type='str', default='present', choices=['absent', 'present']),
        description=dict(type='str'),
        escalation_policy=dict(type='str'),
        status=dict(type='str', choices=['active', 'disabled']),
        auto_resolve_timeout=dict(type='int'),
        acknowledgement_timeout=dict(type='int'),
        incident_urgency_rule=dict(type='dict', options=dict(
            type=dict(type='str', required=True, choices=['constant', 'use_support_hours']),
            urgency=dict(type='str', choices=URGENCY_CHOICES),
            during_support_hours=dict(type='str', choices=URGENCY_CHOICES),
            outside_support_hours=dict(type='str', choices=URGENCY_CHOICES),
        )),
        support_hours=dict(type='dict', options=dict(
            time_zone=dict(type='str', required=True),
            start_time=dict(type='str', required=True),
            end_time=dict(type='str', required=True),
            days_of_week=dict(type='list', elements='int', required=True),
        )),
        scheduled_actions=dict(type='list', elements='dict', options=dict(
            at=dict(type='str', required=True, choices=['support_hours_start', 'support_hours_end']),
            to_urgency=dict(type='str', default='high', choices=['high']),
        )),
        alert_grouping_parameters=dict(type='dict', options=dict(
            type=dict(type='str', required=True, choices=['content_based', 'intelligent', 'none', 'time']),
            config=dict(type='dict', options=dict(
                timeout=dict(type='int'),
                time_window=dict(type='int'),
                aggregate=dict(type='str', choices=['all', 'any']),
                fields=dict(type='list', elements='str'),
            )),
        )),
        auto_pause_notifications_parameters=dict(type='dict', options=dict(
            enabled=dict(type='bool', required=True),
            timeout=dict(type='int', choices=[0, 120, 180, 300, 600, 900]),
        )),
        alert_creation=dict(type='str', choices=['create_alerts_and_incidents', 'create_incidents']),
    )
    module_kwargs = dict(
        required_one_of=[('name', 'id')],
        supports_check_mode=True,
    )

    # -- validation before any request -----------------------------------------------------------

    def validate(self):
        params = self.params
        name = params['name']
        self.fail_if_blank('name')
        if name is not None:
            if _NON_PRINTABLE.search(name):
                self.fail('name: must not contain non-printable characters (%r)' % name)
            if name != name.strip():
                self.fail('name: must not start or end with a space (%r)' % name)
        if params['alert_creation'] == 'create_incidents':
            self.fail('alert_creation: create_incidents is no longer available: PagerDuty has moved every service '
                      'to create both alerts and incidents. Remove the option, or use create_alerts_and_incidents.')
        for option in ('auto_resolve_timeout', 'acknowledgement_timeout'):
            if params[option] is not None and params[option] < 0:
                self.fail('%s: must be 0 (disabled) or a positive number of seconds, got %d' % (option, params[option]))
        self.validate_urgency_rule(params['incident_urgency_rule'])
        self.validate_support_hours(params['support_hours'])
        self.validate_alert_grouping(params['alert_grouping_parameters'])
        pause = params['auto_pause_notifications_parameters']
        if pause and not pause['enabled'] and pause['timeout'] is not None:
            self.fail('auto_pause_notifications_parameters: timeout applies only when enabled is true')

    def validate_urgency_rule(self, rule):
        if not rule:
            return
        if rule['type'] == 'constant':
            if rule['urgency'] is None:
                self.fail('incident_urgency_rule: type constant needs urgency (one of %s)' % ', '.join(URGENCY_CHOICES))
            if rule['during_support_hours'] or rule['outside_support_hours']:
                self.fail('incident_urgency_rule: during_support_hours and outside_support_hours need type use_support_hours')
        else:
            if rule['urgency'] is not None:
                self.fail('incident_urgency_rule: urgency cannot be set with type use_support_hours; '
                          'set during_support_hours and outside_support_hours')
            if rule['during_support_hours'] is None or rule['outside_support_hours'] is None:
                self.fail('incident_urgency_rule: type use_support_hours needs both during_support_hours and outside_support_hours')
        if self.params['scheduled_actions'] and rule['type'] != 'use_support_hours':
            self.fail('scheduled_actions: need incident_urgency_rule type use_support_hours')

    def validate_support_hours(self, hours):
        if not hours:
            return
        if not hours['time_zone'].strip():
            self.fail('support_hours.time_zone: must not be blank')
        for key in ('start_time', 'end_time'):
            if not _TIME_OF_DAY.match(hours[key]):
                self.fail('support_hours.%s: %r is not a time of day such as 09:00 or 09:00:00' % (key, hours[key]))
        days = hours['days_of_week']
        if not days or any(day < 1 or day > 7 for day in days):
            self.fail('support_hours.days_of_week: must list days from 1 (Monday) to 7 (Sunday), got %s' % days)

    def validate_alert_grouping(self, grouping):
        if not grouping:
            return
        kind, config = grouping['type'], {k: v for k, v in (grouping['config'] or {}).items() if v is not None}
        extra = set(config) - GROUPING_CONFIG_FIELDS[kind]
        if extra:
            self.fail('alert_grouping_parameters.config: %s not allowed with type %s (allowed: %s)'
                      % (', '.join(sorted(extra)), kind, ', '.join(sorted(GROUPING_CONFIG_FIELDS[kind])) or 'none'))
        if 'timeout' in config and not 0 <= config['timeout'] <= 1440:
            self.fail('alert_grouping_parameters.config.timeout: must be 0 to 1440 minutes, got %d' % config['timeout'])
        window = config.get('time_window')
        if window is not None and not (window == 0 or 300 <= window <= 3600 or (kind == 'content_based' and window == 86400)):
            self.fail('alert_grouping_parameters.config.time_window: must be 0 or 300 to 3600 seconds%s, got %d'
                      % (' (or 86400)' if kind == 'content_based' else '', window))
        if kind == 'content_based' and (not config.get('aggregate') or not config.get('fields')):
            self.fail('alert_grouping_parameters.config: type content_based needs aggregate and fields')

    # -- the engine's hooks ----------------------------------------------------------------------

    def find(self):
        if self.params['id']:
            found = service_by_id(self.client, self.params['id'], SERVICE_INCLUDES)
            if found is None and self.params['state'] == 'present':
                self.fail('id: no service has the ID %r; to create a service, give its name instead' % self.params['id'])
            return found
        return service_by_name(self.client, self.params['name'], includes=SERVICE_INCLUDES)

    def present(self, obj):
        return present_service(obj)

    def desired(self, current):
        params = self.params
        desired = {}
        for option in ('name', 'description', 'status', 'auto_resolve_timeout', 'acknowledgement_timeout'):
            if params[option] is not None:
                desired[option] = params[option]
        if params['escalation_policy'] is not None:
            desired['escalation_policy'] = self.escalation_policy_reference(current)
        rule = params['incident_urgency_rule']
        if rule:
            if rule['type'] == 'constant':
                desired['incident_urgency_rule'] = {'type': 'constant', 'urgency': rule['urgency']}
            else:
                desired['incident_urgency_rule'] = {
                    'type': 'use_support_hours',
                    'during_support_hours': {'type': 'constant', 'urgency': rule['during_support_hours']},
                    'outside_support_hours': {'type': 'constant', 'urgency': rule['outside_support_hours']},
                }
                if not params['support_hours'] and not (current or {}).get('support_hours'):
                    self.fail('support_hours: required when incident_urgency_rule type is use_support_hours')
        hours = params['support_hours']
        if hours:
            desired['support_hours'] = {
                'type': 'fixed_time_per_day', 'time_zone': hours['time_zone'],
                'start_time': self.full_time(hours['start_time']), 'end_time': self.full_time(hours['end_time']),
                'days_of_week': sorted(set(hours['days_of_week'])),
            }
        if params['scheduled_actions'] is not None:
            desired['scheduled_actions'] = [
                {'type': 'urgency_change', 'at': {'type': 'named_time', 'name': action['at']}, 'to_urgency': action['to_urgency']}
                for action in params['scheduled_actions']]
        grouping = params['alert_grouping_parameters']
        if grouping:
            config = {k: v for k, v in (grouping['config'] or {}).items() if v is not None}
            desired['alert_grouping_parameters'] = (
                {'type': None} if grouping['type'] == 'none' else {'type': grouping['type'], 'config': config})
        pause = params['auto_pause_notifications_parameters']
        if pause:
            desired['auto_pause_notifications_parameters'] = {'enabled': pause['enabled']}
            if pause['enabled'] and pause['timeout'] is not None:
                desired['auto_pause_notifications_parameters']['timeout'] = pause['timeout']
        return desired

    @staticmethod
    def full_time(value):
        """HH:MM or HH:MM:SS as PagerDuty stores it, HH:MM:SS."""
        return value if value.count(':') == 2 else value + ':00'

    def escalation_policy_reference(self, current):
        """The policy as a reference, looked up only when it is not the service's current one."""
        value = self.params['escalation_policy']
        existing = (current or {}).get('escalation_policy') or {}
        if value in (existing.get('id'), existing.get('summary')):
            return {'id': existing['id']}
        self.doing = 'find the escalation policy %r' % value
        policy = self.client.resolve('escalation_policies', value, 'escalation_policy', 'escalation_policy')
        return {'id': policy['id'], 'summary': policy['name']}

    def check_create(self, desired):
        if 'escalation_policy' not in desired:
            self.fail('escalation_policy: required to create the service %r' % self.params['name'])

    def predict_create(self, desired):
        return dict({'type': 'service', 'status': 'active'}, **desired, id=None)

    @staticmethod
    def payload(fields):
        """Fields as PagerDuty takes them in a request body."""
        body = dict(fields)
        if 'escalation_policy' in body:
            body['escalation_policy'] = {'id': body['escalation_policy']['id'], 'type': 'escalation_policy_reference'}
        return {'service': body}

    def create(self, desired):
        fields = dict(desired, type='service')
        # PagerDuty creates only active services: a disabled one is created, then disabled.
        disable = fields.pop('status', None) == 'disabled'
        created = self.client.post('/services', self.payload(fields))['service']
        if disable:
            self.doing = 'disable the new service %r' % created['name']
            created = self.client.put('/services/%s' % created['id'], self.payload({'status': 'disabled'}))['service']
        return created

    def is_name_conflict(self, err):
        return err.status == 400 and any('already been taken' in str(e) for e in err.errors)

    def update(self, current, changes):
        return self.client.put('/services/%s' % current['id'], self.payload(changes))['service']

    def delete(self, current):
        self.client.delete('/services/%s' % current['id'])


def main():
    Service().execute()


if __name__ == '__main__':
    main()
