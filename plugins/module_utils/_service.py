# -*- coding: utf-8 -*-
# Copyright: contributors to oncall.pagerduty
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""PagerDuty services: finding them, their options, validation, desired state, writes and presentation.

Used by pd_service, pd_service_info, pd_integration (a service is an integration's parent),
pd_integration_move and the catalogue.
"""

from __future__ import annotations

import re

from ansible_collections.oncall.pagerduty.plugins.module_utils._custom_field import (
    desired_custom_field_values,
    read_custom_field_values,
    values_shown,
    write_custom_field_values,
)
from ansible_collections.oncall.pagerduty.plugins.module_utils._lookup import Lookups
from ansible_collections.oncall.pagerduty.plugins.module_utils._resource import (
    IDENTITY_RULES,
    PREDICTED,
    RENAME_OPTIONS,
    Collection,
    Field,
    Kind,
    Resource,
    doing,
    reference_name,
)
from ansible_collections.oncall.pagerduty.plugins.module_utils._vendor import sort_by_name

# Timeouts PagerDuty reports as null when disabled; results and diffs show them as 0, the value
# that disables them.
NULLABLE_TIMEOUTS = ('auto_resolve_timeout', 'acknowledgement_timeout')
# PagerDuty's integer fields are 32-bit: a larger number of seconds is refused, or worse, wraps.
MAX_TIMEOUT_SECONDS = 2 ** 31 - 1
URGENCY_CHOICES = ['high', 'low', 'severity_based']
GROUPING_CONFIG_FIELDS = {'time': {'timeout'}, 'intelligent': {'time_window'},
                          'content_based': {'aggregate', 'fields', 'time_window'}, 'none': set()}
_TIME_OF_DAY = re.compile(r'^([01]\d|2[0-3]):([0-5]\d)(:([0-5]\d))?$')
# Read with every service: the settings object may not be returned without it.
SERVICE_INCLUDES = ('auto_pause_notifications_parameters',)
# What PagerDuty reports as the status of an enabled service: derived from its incidents and
# maintenance windows, never set. Only 'disabled' is a setting.
ENABLED_STATUSES = ('active', 'warning', 'critical', 'maintenance')
# What a service shows as its alert_grouping_parameters when an Alert Grouping Setting holds its grouping.
GROUPING_SETTING_REFERENCE = 'alert_grouping_setting_reference'

# PagerDuty publishes no length limit for a service's name (the OpenAPI description has none): only what a look-up
# can carry is checked (Kind.check_name).
SERVICES = Collection('/services', 'service', name_filter='name')


# -- finding and showing ---------------------------------------------------------------------------

def present_service(service):
    """The service as results and diffs show it."""
    if not service:
        return service
    shown = dict(service)
    for field in NULLABLE_TIMEOUTS:
        if field in shown and shown[field] is None:
            shown[field] = 0
    return shown


def grouping_held_by_setting(service):
    """The reference to the Alert Grouping Setting that holds `service`'s grouping, or None.

    PagerDuty shows alert_grouping_parameters as such a reference ({id, type: alert_grouping_setting_reference,
    summary, ...}) when a setting holds the grouping in a way the services API cannot express (several services,
    content_based_intelligent, ...); parameters sent through /services would take the service out of that setting.
    """
    parameters = (service or {}).get('alert_grouping_parameters')
    if isinstance(parameters, dict) and (parameters.get('type') == GROUPING_SETTING_REFERENCE
                                         or (parameters.get('id') and 'config' not in parameters)):
        return parameters
    return None


def enabled_status(status):
    """The status as a setting: 'disabled', or 'active' for every status of an enabled service."""
    return 'disabled' if status == 'disabled' else 'active'


def include_query(includes):
    return {'include[]': list(includes)} if includes else None


def _lookup(includes):
    """How services are looked up: the exact-name filter, with the given include[]."""
    return dict(filter_param='name', query=include_query(includes))


def service_by_id(client, service_id, includes=()):
    return client.get_object('services', 'service', service_id, include_query(includes))


def service_by_name(client, name, option='name', includes=()):
    """The service with exactly this name, or None; several is an error (PagerDuty forbids it,
    but names that differ only in case can exist)."""
    return Lookups.of(client).find('services', name, option, 'service', by_id=False, **_lookup(includes))


def find_service(client, value, option, includes=()):
    """The service named or identified by `value`, or None (an ID-shaped value is tried as an ID first)."""
    return Lookups.of(client).find('services', value, option, 'service', **_lookup(includes))


def resolve_or_predict_service(kind, value, option, client=None, includes=()):
    """The service named or identified by `value`, for another kind's task (with `client`, default the
    task's own); in check mode one that an earlier task of the run creates, renames or changes is predicted
    (Kind.resolve_or_predict)."""
    with doing('find the service %r' % value):
        return kind.resolve_or_predict('services', value, option, 'service', client=client, **_lookup(includes))


def resolve_service(client, value, option, includes=()):
    """The service named or identified by `value`; an error naming `option` when there is none."""
    return Lookups.of(client).resolve('services', value, option, 'service', **_lookup(includes))


# -- the two-way mapping of a service's settings ---------------------------------------------------

def status_to_api(kind, value, plan):
    current = plan.current or {}
    if value == 'active' and current.get('status') in ENABLED_STATUSES:
        # Enabled already: warning, critical and maintenance describe its incidents, not a setting.
        return current['status']
    return value


def urgency_rule_to_api(kind, rule, plan):
    if rule['type'] == 'constant':
        return {'type': 'constant', 'urgency': rule['urgency']}
    if not kind.params['support_hours'] and not (plan.current or {}).get('support_hours'):
        kind.fail('%s: required when incident_urgency_rule type is use_support_hours' % kind.option('support_hours'))
    return {'type': 'use_support_hours',
            'during_support_hours': {'type': 'constant', 'urgency': rule['during_support_hours']},
            'outside_support_hours': {'type': 'constant', 'urgency': rule['outside_support_hours']}}


def urgency_rule_from_api(rule):
    if not rule:
        return None
    if rule.get('type') == 'constant':
        return {'type': 'constant', 'urgency': rule.get('urgency')}
    return {'type': 'use_support_hours',
            'during_support_hours': (rule.get('during_support_hours') or {}).get('urgency'),
            'outside_support_hours': (rule.get('outside_support_hours') or {}).get('urgency')}


def support_hours_to_api(kind, hours, plan):
    return {'type': 'fixed_time_per_day', 'time_zone': hours['time_zone'], 'start_time': full_time(hours['start_time']),
            'end_time': full_time(hours['end_time']), 'days_of_week': sorted(set(hours['days_of_week']))}


def support_hours_from_api(hours):
    return {k: hours.get(k) for k in ('time_zone', 'start_time', 'end_time', 'days_of_week')} if hours else None


def scheduled_actions_to_api(kind, actions, plan):
    return [{'type': 'urgency_change', 'at': {'type': 'named_time', 'name': action['at']},
             'to_urgency': action['to_urgency']} for action in actions]


def scheduled_actions_from_api(actions):
    return [{'at': (a.get('at') or {}).get('name'), 'to_urgency': a.get('to_urgency')} for a in actions or []] or None


def grouping_to_api(kind, grouping, plan):
    current = plan.current
    held_by = grouping_held_by_setting(current)
    if held_by:
        # Parameters sent through /services would take the service out of the setting that holds it.
        kind.warn('%s: the alert grouping of service %r is held by the Alert Grouping Setting %r (%s), so the task '
                  'leaves it as it is; manage it with oncall.pagerduty.pd_alert_grouping_setting, or remove the '
                  'option' % (kind.option('alert_grouping_parameters'), current['name'],
                              held_by.get('summary') or held_by.get('id'), held_by.get('id')))
        return None
    if grouping['type'] == 'none':
        return {'type': None}
    config = {k: v for k, v in (grouping['config'] or {}).items() if v is not None}
    current_config = ((current or {}).get('alert_grouping_parameters') or {}).get('config') or {}
    if config.get('time_window') == 0 and recommended(current_config, 'time_window', 'recommended_time_window'):
        config['time_window'] = current_config['time_window']  # 0 asked for the recommended window
    return {'type': grouping['type'], 'config': config}


def grouping_from_api(grouping):
    """Grouping set on the service, in the option's form; nothing when unset or held by a setting."""
    if not grouping or grouping.get('type') not in ('time', 'intelligent', 'content_based'):
        return None
    config = {k: v for k, v in (grouping.get('config') or {}).items() if k in ('timeout', 'time_window', 'aggregate', 'fields')}
    return {'type': grouping['type'], 'config': config}


def auto_pause_to_api(kind, pause, plan):
    wanted = {'enabled': pause['enabled']}
    if pause['enabled'] and pause['timeout'] is not None:
        timeout = pause['timeout']
        current_pause = (plan.current or {}).get('auto_pause_notifications_parameters') or {}
        if timeout == 0 and recommended(current_pause, 'timeout', 'recommended_timeout'):
            timeout = current_pause['timeout']  # 0 asked for the recommended timeout, which it holds
        wanted['timeout'] = timeout
    return wanted


def auto_pause_from_api(pause):
    if not pause:
        return None
    return {'enabled': pause.get('enabled'), 'timeout': pause.get('timeout') if pause.get('enabled') else None}


def policy_to_api(kind, value, plan):
    """The policy as a reference, looked up only when it is not the service's current one; its teams are kept in
    the plan, for the check of `teams`."""
    existing = (plan.current or {}).get('escalation_policy') or {}
    if value in (existing.get('id'), existing.get('summary')):
        return {'id': existing['id'], 'summary': existing.get('summary')}
    with doing('find the escalation policy %r' % value):
        policy = kind.resolve_or_predict('escalation_policies', value, kind.option('escalation_policy'),
                                         'escalation_policy')
    plan.context['policy_teams'] = None if policy.get(PREDICTED) else policy.get('teams') or []
    return {'id': policy['id'], 'summary': policy['name']}


SERVICE_FIELDS = (
    Field('name'),
    Field('description'),
    Field('escalation_policy', to_api=policy_to_api, from_api=reference_name, reference=True),
    Field('status', dict(type='str', choices=['active', 'disabled']), to_api=status_to_api, from_api=enabled_status),
    Field('auto_resolve_timeout', dict(type='int')),
    Field('acknowledgement_timeout', dict(type='int')),
    Field('incident_urgency_rule', dict(type='dict', options=dict(
        type=dict(type='str', required=True, choices=['constant', 'use_support_hours']),
        urgency=dict(type='str', choices=URGENCY_CHOICES),
        during_support_hours=dict(type='str', choices=URGENCY_CHOICES),
        outside_support_hours=dict(type='str', choices=URGENCY_CHOICES),
    )), to_api=urgency_rule_to_api, from_api=urgency_rule_from_api),
    Field('support_hours', dict(type='dict', options=dict(
        time_zone=dict(type='str', required=True),
        start_time=dict(type='str', required=True),
        end_time=dict(type='str', required=True),
        days_of_week=dict(type='list', elements='int', required=True),
    )), to_api=support_hours_to_api, from_api=support_hours_from_api),
    Field('scheduled_actions', dict(type='list', elements='dict', options=dict(
        at=dict(type='str', required=True, choices=['support_hours_start', 'support_hours_end']),
        to_urgency=dict(type='str', default='high', choices=['high']),
    )), to_api=scheduled_actions_to_api, from_api=scheduled_actions_from_api),
    Field('alert_grouping_parameters', dict(type='dict', options=dict(
        type=dict(type='str', required=True, choices=['content_based', 'intelligent', 'none', 'time']),
        config=dict(type='dict', options=dict(
            timeout=dict(type='int'),
            time_window=dict(type='int'),
            aggregate=dict(type='str', choices=['all', 'any']),
            fields=dict(type='list', elements='str'),
        )),
    )), to_api=grouping_to_api, from_api=grouping_from_api),
    Field('auto_pause_notifications_parameters', dict(type='dict', options=dict(
        enabled=dict(type='bool', required=True),
        timeout=dict(type='int', choices=[0, 120, 180, 300, 600, 900]),
    )), to_api=auto_pause_to_api, from_api=auto_pause_from_api),
)
# Options of a service that are not fields of it: checked (teams, alert_creation) or written apart (custom_fields).
SERVICE_OPTIONS = dict(
    teams=dict(type='list', elements='str'),
    alert_creation=dict(type='str', choices=['create_alerts_and_incidents', 'create_incidents']),
    custom_fields=dict(type='dict'),
)
SERVICE_SETTINGS_SPEC = dict({f.option: f.spec for f in SERVICE_FIELDS if f.option != 'name'}, **SERVICE_OPTIONS)


# -- the kind --------------------------------------------------------------------------------------

class ServiceResource(Resource):
    """A PagerDuty service."""

    result_key = 'service'
    collection = SERVICES
    fields = SERVICE_FIELDS
    options = dict(RENAME_OPTIONS, **SERVICE_OPTIONS)
    option_rules = IDENTITY_RULES

    # -- validation before any request -----------------------------------------------------------

    def validate(self):
        super().validate()
        params = self.params
        if params['alert_creation'] == 'create_incidents':
            self.fail('%s: create_incidents is no longer available: PagerDuty has moved every service to create both '
                      'alerts and incidents. Remove the option, or use create_alerts_and_incidents.'
                      % self.option('alert_creation'))
        for option in ('auto_resolve_timeout', 'acknowledgement_timeout'):
            if params[option] is not None and not 0 <= params[option] <= MAX_TIMEOUT_SECONDS:
                self.fail('%s: must be 0 (disabled) or a positive number of seconds up to %d, got %d'
                          % (self.option(option), MAX_TIMEOUT_SECONDS, params[option]))
        self.validate_urgency_rule(params['incident_urgency_rule'])
        self.validate_support_hours(params['support_hours'])
        self.validate_alert_grouping(params['alert_grouping_parameters'])
        pause = params['auto_pause_notifications_parameters']
        if pause and not pause['enabled'] and pause['timeout'] is not None:
            self.fail('%s: timeout applies only when enabled is true' % self.option('auto_pause_notifications_parameters'))

    def validate_urgency_rule(self, rule):
        if not rule:
            return
        where = self.option('incident_urgency_rule')
        if rule['type'] == 'constant':
            if rule['urgency'] is None:
                self.fail('%s: type constant needs urgency (one of %s)' % (where, ', '.join(URGENCY_CHOICES)))
            if rule['during_support_hours'] or rule['outside_support_hours']:
                self.fail('%s: during_support_hours and outside_support_hours need type use_support_hours' % where)
        else:
            if rule['urgency'] is not None:
                self.fail('%s: urgency cannot be set with type use_support_hours; '
                          'set during_support_hours and outside_support_hours' % where)
            if rule['during_support_hours'] is None or rule['outside_support_hours'] is None:
                self.fail('%s: type use_support_hours needs both during_support_hours and outside_support_hours' % where)
        if self.params['scheduled_actions'] and rule['type'] != 'use_support_hours':
            self.fail('%s: need incident_urgency_rule type use_support_hours' % self.option('scheduled_actions'))

    def validate_support_hours(self, hours):
        if not hours:
            return
        where = self.option('support_hours')
        if not hours['time_zone'].strip():
            self.fail('%s.time_zone: must not be blank' % where)
        self.validate_time_zone(hours['time_zone'], where + '.time_zone')
        for key in ('start_time', 'end_time'):
            value = hours[key]
            if not _TIME_OF_DAY.match(value):
                hint = ''
                if value.isdigit() and int(value) < 24 * 60:
                    # YAML 1.1 reads an unquoted 18:00 as the base-60 number 1080.
                    hint = ('; YAML read an unquoted %02d:%02d as the number %s, so quote the time: %s: "%02d:%02d"'
                            % (int(value) // 60, int(value) % 60, value, key, int(value) // 60, int(value) % 60))
                self.fail('%s.%s: %r is not a time of day such as 09:00 or 09:00:00%s' % (where, key, value, hint))
        if full_time(hours['end_time']) <= full_time(hours['start_time']):
            self.fail('%s.end_time: %s is not after start_time %s; support hours are within one day'
                      % (where, hours['end_time'], hours['start_time']))
        days = hours['days_of_week']
        if not days or any(day < 1 or day > 7 for day in days):
            self.fail('%s.days_of_week: must list days from 1 (Monday) to 7 (Sunday), got %s' % (where, days))

    def validate_alert_grouping(self, grouping):
        if not grouping:
            return
        where = self.option('alert_grouping_parameters')
        kind, config = grouping['type'], {k: v for k, v in (grouping['config'] or {}).items() if v is not None}
        extra = set(config) - GROUPING_CONFIG_FIELDS[kind]
        if extra:
            self.fail('%s.config: %s not allowed with type %s (allowed: %s)'
                      % (where, ', '.join(sorted(extra)), kind, ', '.join(sorted(GROUPING_CONFIG_FIELDS[kind])) or 'none'))
        if 'timeout' in config and not 0 <= config['timeout'] <= 1440:
            self.fail('%s.config.timeout: must be 0 to 1440 minutes, got %d' % (where, config['timeout']))
        window = config.get('time_window')
        if window is not None and not (window == 0 or 300 <= window <= 3600 or (kind == 'content_based' and window == 86400)):
            self.fail('%s.config.time_window: must be 0 or 300 to 3600 seconds%s, got %d'
                      % (where, ' (or 86400)' if kind == 'content_based' else '', window))
        if kind == 'content_based' and (not config.get('aggregate') or not config.get('fields')):
            self.fail('%s.config: type content_based needs aggregate and fields' % where)

    # -- the engine's hooks ----------------------------------------------------------------------

    def read_query(self):
        return include_query(SERVICE_INCLUDES)

    def present(self, obj):
        return present_service(obj)

    def desired(self, plan):
        plan.context['policy_teams'] = (plan.current or {}).get('teams')
        desired = super().desired(plan)
        if desired.get('alert_grouping_parameters', False) is None:
            del desired['alert_grouping_parameters']  # held by a grouping setting: left as it is
        if self.params['teams'] is not None:
            self.check_teams(plan, desired.get('escalation_policy') or (plan.current or {}).get('escalation_policy'))
        return desired

    def check_teams(self, plan, policy):
        """A service's teams are its escalation policy's: PagerDuty ignores teams sent with a service.

        So `teams` is not sent; it is checked against the policy the service will have, and a
        difference fails before any write with what to change instead.
        """
        policy_teams = plan.context.get('policy_teams')
        if policy_teams is None or not policy:
            return  # a policy that an earlier task of a check run creates, with its teams
        wanted = self.params['teams']
        actual = [(t.get('id'), t.get('summary') or t.get('name')) for t in policy_teams]
        unmatched = [team for team in wanted if not any(team in pair for pair in actual)]
        extra = [name for team_id, name in actual if team_id not in wanted and name not in wanted]
        if unmatched or extra:
            held = ', '.join(name for dummy, name in actual) or 'no team'
            self.fail('%s: a service belongs to the teams of its escalation policy (PagerDuty ignores teams sent with '
                      'a service), and %r belongs to %s, not %s. Give the service a policy of those teams, or set the '
                      "policy's teams with oncall.pagerduty.pd_escalation_policy."
                      % (self.option('teams'), policy.get('summary') or policy.get('id'), held,
                         ', '.join(wanted) or 'no team'))

    def check_update(self, plan):
        super().check_update(plan)
        rule = plan.changes.get('incident_urgency_rule') or {}
        actions = plan.changes.get('scheduled_actions', plan.current.get('scheduled_actions'))
        if rule.get('type') == 'constant' and actions:
            self.fail('%s: PagerDuty refuses a constant urgency rule while the service has scheduled actions '
                      '(they change urgency at support hours); set scheduled_actions: [] in the same task'
                      % self.option('incident_urgency_rule'))

    def check_create(self, plan):
        if 'escalation_policy' not in plan.desired:
            self.required_to_create('%s: required to create the service %r'
                                    % (self.option('escalation_policy'), self.params['name']))

    def predict_create(self, plan):
        return dict({'type': 'service', 'status': 'active'}, **plan.desired, id=None)

    def body(self, fields):
        body = dict(fields)
        if 'escalation_policy' in body:
            body['escalation_policy'] = {'id': body['escalation_policy']['id'], 'type': 'escalation_policy_reference'}
        return {'service': body}

    def create(self, plan, desired):
        fields = dict(desired, type='service')
        # PagerDuty creates only active services: a disabled one is created, then disabled.
        disable = fields.pop('status', None) == 'disabled'
        created = self.client.post('/services', self.body(fields), envelope='service')
        if disable:
            with doing('disable the new service %r' % created['name']):
                created = self.client.put('/services/%s' % created['id'], self.body({'status': 'disabled'}), envelope='service')
                self.settle(plan, present_service(created), {'status': 'disabled'})
        return created

    # -- custom fields: their values are not part of the service object, but written with it ---------

    def plan_steps(self, plan):
        """The custom field values this run writes (checked against their fields before any write), after the
        service's own write."""
        values = self.params['custom_fields']
        if not values or self.state() == 'absent':
            return
        current = plan.current
        held = None
        if current is not None and current.get('id'):
            with doing('read the custom field values of service %r' % current['name']):
                held = read_custom_field_values(self.client, current['id'])
        with doing('check the custom field values'):
            changes = desired_custom_field_values(self.client, values, self.option('custom_fields'), held,
                                                  predict_missing=self.check_mode, warn=self.warn)
        before = held or {}
        show = (lambda plan: plan.result.__setitem__('custom_fields', held)) if held is not None else None
        if not changes:
            if show:
                plan.step('show the custom field values', show, predict=show, changes=False)
            return
        name = (plan.desired or {}).get('name') or self.params['name']
        plan.diff_after['custom_fields'] = dict(changes)
        kept = {k: before[k] for k in changes if before.get(k) is not None}
        if kept:
            plan.diff_before['custom_fields'] = kept

        def predict(plan):
            plan.result['custom_fields'] = dict(before, **changes)

        def apply(plan):
            service_id = plan.result['id']
            written = write_custom_field_values(self.client, service_id, changes)
            read = self.wait_until(lambda: read_custom_field_values(self.client, service_id),
                                   lambda values: values_shown(changes, values),
                                   'reading back the custom field values of service %r' % name)
            plan.result['custom_fields'] = read if values_shown(changes, read) else dict(before, **written)

        plan.step('set the custom field values of service %r' % name, apply, predict=predict)


def recommended(settings, field, recommended_field):
    """True when `settings` hold PagerDuty's recommended value in `field` (what sending 0 asks for).

    PagerDuty stores the value it recommends in place of a 0; when it does not say what it
    recommends, whatever it holds is taken as its recommendation.
    """
    if settings.get(field) is None:
        return False
    return settings.get(recommended_field) in (None, settings[field])


def full_time(value):
    """HH:MM or HH:MM:SS as PagerDuty stores it, HH:MM:SS."""
    return value if value.count(':') == 2 else value + ':00'


class ServiceInfo(Kind):
    """pd_service_info: read services by name, query, team or ID; never writes. Integration keys only when asked
    (return_keys)."""

    argument_spec = dict(
        name=dict(type='str'),
        query=dict(type='str'),
        id=dict(type='str'),
        team_ids=dict(type='list', elements='str'),
        include_integrations=dict(type='bool', default=False),
        include_custom_fields=dict(type='bool', default=False),
        return_keys=dict(type='bool', default=False, no_log=False),
    )
    option_rules = dict(mutually_exclusive=[('name', 'query', 'id'), ('id', 'team_ids')])

    def validate(self):
        self.fail_if_blank('name', 'query', 'id')
        if self.params['return_keys'] and not self.params['include_integrations']:
            self.fail('%s: integration keys come with the integrations; set include_integrations: true as well'
                      % self.option('return_keys'))

    def run(self):
        params = self.params
        includes = SERVICE_INCLUDES + (('integrations',) if params['include_integrations'] else ())
        with doing('read services'):
            if params['id']:
                found = service_by_id(self.client, params['id'], includes)
                services = [found] if found else []
            else:
                query = include_query(includes)
                for option in ('name', 'query'):
                    if params[option]:
                        query[option] = params[option]
                if params['team_ids']:
                    query['team_ids[]'] = params['team_ids']
                services = list(self.client.paginate('/services', 'services', query))
        services = [present_service(s) for s in sort_by_name(services)]
        if params['include_integrations'] and not params['return_keys']:
            for service in services:
                service['integrations'] = [{k: v for k, v in i.items() if k != 'integration_key'}
                                           for i in service.get('integrations') or []]
        if params['include_custom_fields']:
            for service in services:
                # PagerDuty serves a service's values on their own: one request per service.
                with doing('read the custom field values of service %r' % service['name']):
                    service['custom_fields'] = read_custom_field_values(self.client, service['id'])
        return dict(changed=False, services=services)
