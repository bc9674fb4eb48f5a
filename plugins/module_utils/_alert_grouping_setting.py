# -*- coding: utf-8 -*-
# Copyright: contributors to oncall.pagerduty
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""PagerDuty Alert Grouping Settings: identity (name or ID), the config of each type, the services they hold
(a set, exact or appended to), the one-setting-per-service rule and moves between settings.

Used by pd_alert_grouping_setting. Whether a service's grouping is held by a setting (PagerDuty then shows a
reference instead of alert_grouping_parameters) is a question about the service: _service.grouping_held_by_setting().
"""

from __future__ import annotations

import copy

import json

from ansible_collections.oncall.pagerduty.plugins.module_utils._resource import (
    IDENTITY_RULES,
    PREDICTED,
    RENAME_OPTIONS,
    Collection,
    Field,
    Resource,
    SharedWrite,
    doing,
    is_subset,
)
from ansible_collections.oncall.pagerduty.plugins.module_utils._service import recommended, resolve_or_predict_service

SETTING_TYPES = ['content_based', 'content_based_intelligent', 'intelligent', 'time']
CONFIG_FIELDS = {
    'content_based': ('aggregate', 'fields', 'time_window'),
    'content_based_intelligent': ('aggregate', 'fields', 'time_window'),
    'intelligent': ('iag_fields', 'time_window'),
    'time': ('timeout',),
}
REQUIRED_CONFIG = {'content_based': ('aggregate', 'fields'), 'content_based_intelligent': ('aggregate', 'fields')}
# How many services a setting may hold, where PagerDuty documents it: a time setting is for one service
# (the Alert Grouping Settings FAQ, "Single Service Time"), a content_based one 250 (the FAQ). Intelligent and
# content_based_intelligent settings take several services with no published limit (terraform-provider-pagerduty
# PR #980, by PagerDuty; the API reference's "only one service" for content_based_intelligent is out of date).
MAX_SERVICES = {'time': 1, 'content_based': 250}
MAX_IAG_FIELDS = 5
TIMEOUT_RANGE = (60, 86400)
TIME_WINDOW_RANGE = (300, 3600)
DAY = 86400
SET_VALUED = ('fields', 'iag_fields')
# A refusal because another setting holds a service: after a create whose answer was lost, the setting that
# holds it may be the one that create made (see is_name_conflict).
HELD_ELSEWHERE = 'already associated'
# PagerDuty cannot filter settings by name (cursor-paginated list) and keeps no name unique.
ALERT_GROUPING_SETTINGS = Collection('/alert_grouping_settings', 'alert_grouping_setting', name_filter=None, cursor=True,
                                     unique_names=False, label='alert grouping setting')
CONFIG_OPTIONS = dict(
    timeout=dict(type='int'),
    time_window=dict(type='int'),
    aggregate=dict(type='str', choices=['all', 'any']),
    fields=dict(type='list', elements='str'),
    iag_fields=dict(type='list', elements='str'),
)


def service_refs(refs):
    """Service references as results show and compare them: {id, summary}, ordered by ID."""
    shown = [{'id': r.get('id'), 'summary': r.get('summary') or r.get('name')} for r in refs or []]
    return sorted(shown, key=lambda r: (r['id'] or '', r['summary'] or ''))


def present_setting(setting):
    """The setting as results show it: services as {id, summary} by ID, field lists sorted (they are sets)."""
    if not setting:
        return setting
    shown = dict(setting)
    shown['services'] = service_refs(setting.get('services'))
    config = dict(setting.get('config') or {})
    for key in SET_VALUED:
        if isinstance(config.get(key), list):
            config[key] = sorted(config[key])
    shown['config'] = config
    return shown


def setting_label(setting):
    return '%r (%s)' % (setting.get('name') or 'unnamed', setting.get('id'))


def services_from_api(refs):
    return sorted(reference_label(r) for r in refs or [])


def reference_label(ref):
    return ref.get('summary') or ref.get('name') or ref.get('id')


def config_from_api(config):
    return {k: v for k, v in (config or {}).items() if k in CONFIG_OPTIONS}


class AlertGroupingSettingResource(Resource):
    """An Alert Grouping Setting, found by its exact name or its ID, with the services it holds."""

    result_key = 'alert_grouping_setting'
    collection = ALERT_GROUPING_SETTINGS
    fields = (
        Field('name'),
        Field('description'),
        Field('type', dict(type='str', choices=SETTING_TYPES)),
        Field('config', dict(type='dict', options=CONFIG_OPTIONS), from_api=config_from_api),
        Field('services', dict(type='list', elements='str'), from_api=services_from_api, reference=True),
    )
    options = dict(
        RENAME_OPTIONS,
        services_mode=dict(type='str', default='exclusive', choices=['append', 'exclusive']),
        move_services=dict(type='bool', default=False),
    )
    option_rules = IDENTITY_RULES

    # -- validation before any request -----------------------------------------------------------

    def validate(self):
        super().validate()
        params = self.params
        services = params['services']
        if services is not None:
            if not services and params['services_mode'] == 'exclusive' and self.state() == 'present':
                self.fail('%s: a setting holds at least one service; to remove the setting, use state: absent'
                          % self.option('services'))
            for index, value in enumerate(services):
                if not str(value).strip():
                    self.fail('%s[%d]: must not be blank' % (self.option('services'), index))
                if services.index(value) != index:
                    self.fail('%s: %r is listed twice' % (self.option('services'), value))
        if params['type']:
            self.validate_config(params['type'])

    def given_config(self):
        return {k: v for k, v in (self.params['config'] or {}).items() if v is not None}

    def validate_config(self, kind):
        """The config values against `kind`, as PagerDuty checks them."""
        where = self.option('config')
        config = self.given_config()
        extra = sorted(set(config) - set(CONFIG_FIELDS[kind]))
        if extra:
            self.fail('%s: %s not allowed with type %s (allowed: %s)'
                      % (where, ', '.join(extra), kind, ', '.join(CONFIG_FIELDS[kind])))
        timeout = config.get('timeout')
        if timeout is not None and not (timeout == 0 or TIMEOUT_RANGE[0] <= timeout <= TIMEOUT_RANGE[1]):
            hint = ''
            if 0 < timeout < TIMEOUT_RANGE[0]:
                hint = ('; a setting takes seconds where alert_grouping_parameters took minutes, so %d minutes is %d'
                        % (timeout, timeout * 60))
            self.fail('%s.timeout: must be 0 (group until the incident is resolved) or %d to %d seconds, got %d%s'
                      % ((where,) + TIMEOUT_RANGE + (timeout, hint)))
        window = config.get('time_window')
        if window is not None and not (window == 0 or TIME_WINDOW_RANGE[0] <= window <= TIME_WINDOW_RANGE[1]
                                       or (kind == 'content_based' and window == DAY)):
            self.fail('%s.time_window: must be 0 (the window PagerDuty recommends) or %d to %d seconds%s, got %d'
                      % ((where,) + TIME_WINDOW_RANGE + (' (or 86400 with type content_based)'
                                                         if kind == 'content_based' else '', window)))
        for key in SET_VALUED:
            if key in config:
                if not config[key] or not all(str(f).strip() for f in config[key]):
                    self.fail('%s.%s: list at least one alert field, none blank' % (where, key))
                if len(set(config[key])) != len(config[key]):
                    self.fail('%s.%s: a field is listed twice' % (where, key))
        if len(config.get('iag_fields') or []) > MAX_IAG_FIELDS:
            self.fail('%s.iag_fields: PagerDuty compares at most %d fields, got %d'
                      % (where, MAX_IAG_FIELDS, len(config['iag_fields'])))

    # -- finding ---------------------------------------------------------------------------------

    def holders(self, plan, service_ids):
        """{service ID: the setting holding it} for these services, among the settings of the account."""
        memo = ('listing', ALERT_GROUPING_SETTINGS.key, repr(None))
        listing = plan.context.get(memo)
        if listing is None:
            with doing('find the alert grouping settings that hold the services'):
                listing = list(self.client.paginate_cursor('/alert_grouping_settings', 'alert_grouping_settings',
                                                           {'service_ids[]': sorted(service_ids)}))
        held = {}
        for setting in listing:
            for ref in setting.get('services') or []:
                if ref.get('id') in service_ids:
                    held[ref['id']] = setting
        return held

    # -- desired state ---------------------------------------------------------------------------

    def present(self, obj):
        return present_setting(obj)

    def desired(self, plan):
        params = self.params
        current = plan.current
        current_kind = (current or {}).get('type')
        kind = params['type'] or current_kind
        if kind is None:
            self.required_to_create('%s: required to create the alert grouping setting %r'
                                    % (self.option('type'), params['name']))
        elif not params['type']:
            self.validate_config(kind)
        desired = {}
        new_name = params['new_name'] or (params['name'] if params['id'] or current is None else None)
        if new_name is not None:
            desired['name'] = new_name
        if params['description'] is not None:
            desired['description'] = params['description']
        if params['type']:
            desired['type'] = params['type']
        config = self.wanted_config(current, kind)
        if config or (current is not None and kind != current_kind):
            desired['config'] = config
        if current is None or kind != current_kind:
            missing = [key for key in REQUIRED_CONFIG.get(kind, ()) if key not in config]
            if missing:
                self.fail('%s: type %s needs %s' % (self.option('config'), kind,
                                                    ' and '.join('config.%s' % key for key in missing)))
        if params['services'] is not None:
            wanted = self.wanted_services(plan, kind)
            if wanted != (current or {}).get('services'):
                desired['services'] = wanted
        elif current is not None and kind != current_kind:
            self.check_service_limit(kind, current.get('services') or [])
        return desired

    def compare(self, plan):
        """As the engine's, with services compared as they are (a set of references, ordered by ID)."""
        changes = super().compare(plan)
        if 'services' in plan.desired and plan.desired['services'] != plan.current.get('services'):
            changes['services'] = plan.desired['services']
        elif 'services' in changes:
            del changes['services']
        return changes

    def wanted_config(self, current, kind):
        """The config keys the task sets, as PagerDuty keeps them; a 0 window the setting holds as recommended is kept."""
        config = self.given_config()
        for key in SET_VALUED:
            if key in config:
                config[key] = sorted(config[key])
        current_config = (current or {}).get('config') or {}
        if config.get('time_window') == 0 and (current or {}).get('type') == kind \
                and recommended(current_config, 'time_window', 'recommended_time_window'):
            config['time_window'] = current_config['time_window']  # 0 asked for the recommended window it holds
        return config

    def wanted_services(self, plan, kind):
        """The services the setting should hold (exact, or the current ones and these), checked against the limit
        of the type and the one-setting-per-service rule; the moves it needs are planned here, in check mode as in
        a real run."""
        current = plan.current
        current_refs = (current or {}).get('services') or []
        current_by_id = {r['id']: r for r in current_refs}
        wanted = {} if self.params['services_mode'] == 'exclusive' else dict(current_by_id)
        predicted = []
        for index, value in enumerate(self.params['services']):
            ref = next((r for r in current_refs if value in (r['id'], r['summary'])), None)
            if ref is None:
                found = resolve_or_predict_service(self, value, '%s[%d]' % (self.option('services'), index))
                if found.get(PREDICTED):
                    predicted.append({'id': None, 'summary': value})
                    continue
                ref = current_by_id.get(found['id']) or {'id': found['id'], 'summary': found.get('name') or found.get('summary')}
            wanted[ref['id']] = ref
        services = service_refs(list(wanted.values()) + predicted)
        self.check_service_limit(kind, services)
        added = sorted(set(wanted) - {r['id'] for r in current_refs})
        if added:
            self.plan_moves(plan, added, wanted)
        return services

    def plan_moves(self, plan, added, wanted):
        held = {service_id: setting for service_id, setting in self.holders(plan, set(added)).items()
                if setting.get('id') != (plan.current or {}).get('id')}
        if not held:
            return
        if not self.params['move_services']:
            service_id, setting = sorted(held.items())[0]
            self.fail('%s: %r is in the alert grouping setting %s, and a service can be in one setting only. Take it '
                      'out of that setting, or set move_services: true to move it here.'
                      % (self.option('services'), wanted[service_id]['summary'], setting_label(setting)))
        by_setting = {}
        for service_id, setting in held.items():
            by_setting.setdefault(setting['id'], (setting, []))[1].append(service_id)
        moves = plan.context.setdefault('moves', [])
        moved = plan.notes.setdefault('moved_services', [])
        for setting_id in sorted(by_setting):
            setting, moving = by_setting[setting_id]
            left = [r for r in setting.get('services') or [] if r.get('id') not in moving]
            moves.append((setting, sorted(moving)))
            moved.extend({'service': wanted[service_id]['summary'], 'service_id': service_id,
                          'from': setting.get('name'), 'from_id': setting_id, 'from_deleted': not left}
                         for service_id in sorted(moving))

    def plan_steps(self, plan):
        """Services this task moves leave the settings that hold them first (a setting left empty goes); if the
        setting's own write then fails, they are put back."""
        for setting, moving in plan.context.get('moves') or []:
            self.plan_move(plan, setting, moving)

    def plan_move(self, plan, setting, moving):
        left = [r for r in setting.get('services') or [] if r.get('id') not in moving]
        path = '/alert_grouping_settings/%s' % setting['id']

        def apply(plan):
            if left:
                self.client.put(path, self.body({'services': left}))
            else:
                self.client.delete(path)

        def undo(plan):
            if left:
                self.client.put(path, self.body({'services': setting['services']}))
            else:
                fields = {k: setting.get(k) for k in ('name', 'description', 'type', 'config', 'services')}
                fields['config'] = {k: v for k, v in (fields['config'] or {}).items() if k in CONFIG_FIELDS[fields['type']]}
                self.client.post('/alert_grouping_settings', self.body(fields))
            self.warn('The services moved out of the alert grouping setting %s were put back, because this '
                      "task's own write failed." % setting_label(setting))

        plan.step('move %s out of the alert grouping setting %s' % (', '.join(moving), setting_label(setting)), apply,
                  undo=undo, after=False)

    def check_service_limit(self, kind, services):
        limit = MAX_SERVICES.get(kind)
        if limit is not None and len(services) > limit:
            names = sorted(s['summary'] or s['id'] for s in services)
            listed = ', '.join(names[:10]) + (' and %d more' % (len(names) - 10) if len(names) > 10 else '')
            self.fail('%s: a setting of type %s holds %s at most, and this one would hold %d (%s)%s'
                      % (self.option('services'), kind, 'one service' if limit == 1 else '%d services' % limit,
                         len(services), listed, '; give each service a setting of its own' if limit == 1 else ''))

    def check_create(self, plan):
        if not plan.desired.get('services'):
            self.required_to_create('%s: required to create the alert grouping setting %r; list at least one service'
                                    % (self.option('services'), self.params['name']))

    def check_update(self, plan):
        """PagerDuty keeps no setting name unique: a rename is never refused for it."""

    # -- writes ----------------------------------------------------------------------------------

    def body(self, fields):
        body = dict(fields)
        if 'services' in body:
            body['services'] = [{'id': s['id'], 'type': 'service_reference'} for s in body['services']]
        return {'alert_grouping_setting': body}

    def predict_create(self, plan):
        return dict(plan.desired, id=None, config=dict(plan.desired.get('config') or {}))

    def merged_config(self, current, changes):
        """The whole config an update sends: PagerDuty replaces it, so unchanged keys of the same type go along."""
        kind = changes.get('type', current['type'])
        config = {}
        if kind == current['type']:
            config = {k: v for k, v in (current.get('config') or {}).items() if k in CONFIG_FIELDS[kind]}
        config.update(changes.get('config') or {})
        return config

    def predict_update(self, plan):
        predicted = super().predict_update(plan)
        if 'config' in plan.changes or 'type' in plan.changes:
            predicted['config'] = self.merged_config(plan.current, plan.changes)
        return predicted

    def create(self, plan, desired):
        # A service created a moment ago may not be visible to the settings yet: that refusal is retried.
        return self.client.post('/alert_grouping_settings', self.body(desired),
                                transient_refusals=True)['alert_grouping_setting']

    def update(self, plan, current, changes):
        fields = dict(changes)
        if 'config' in changes or 'type' in changes:
            fields['config'] = self.merged_config(current, changes)
        path = '/alert_grouping_settings/%s' % current['id']
        if 'services' in changes and self.params['services_mode'] == 'append':
            return self.append_services(plan, path, fields)
        return self.client.request('PUT', path, body=self.body(fields), transient_refusals=True,
                                   envelope='alert_grouping_setting')[1]

    def append_services(self, plan, path, fields):
        """Append: other tasks may add their services to the same setting at the same moment, each from its own
        read; the engine's shared write keeps every one of them (Resource.write_shared)."""
        wanted = {s['id']: s for s in fields['services']}

        def read():
            return self.client.get_object('alert_grouping_settings', 'alert_grouping_setting', plan.current['id'])

        def keeps(setting):
            held = {r.get('id') for r in (setting or {}).get('services') or []}
            return set(wanted) <= held and is_subset({k: v for k, v in fields.items() if k != 'services'},
                                                     present_setting(setting))

        def merged(setting):
            if keeps(setting):
                return None
            held = list(setting.get('services') or [])
            refs = service_refs(held + [s for i, s in wanted.items() if i not in {r.get('id') for r in held}])
            return self.body(dict(fields, services=refs))

        def write(body):
            self.client.request('PUT', path, body=body, transient_refusals=True)

        def version(setting):
            return json.dumps([(setting or {}).get('updated_at'), sorted(r.get('id') for r in (setting or {}).get('services') or [])])

        return self.write_shared(plan, SharedWrite('alert grouping setting %s' % setting_label(plan.current),
                                                   self.option('services'), read, merged, keeps, write, version))

    def read_back(self, plan, obj):
        return self.client.get_object('alert_grouping_settings', 'alert_grouping_setting', obj['id'])

    def shows_write(self, plan, read, changes):
        """As the engine's, but appended services need only be among those read."""
        if read is None:
            return False
        if changes is None:
            return True
        shown = self.present(read)
        for key, value in changes.items():
            if key == 'services':
                ids, held = {s['id'] for s in value}, {s['id'] for s in shown['services']}
                if not (ids <= held if self.params['services_mode'] == 'append' else ids == held):
                    return False
            elif key == 'config':
                if not is_subset(value, shown.get('config')):
                    return False
            elif not is_subset(value, shown.get(key)):
                return False
        return True

    def is_name_conflict(self, err):
        # After a create whose answer was lost, a retry is refused because the first create holds the services:
        # the setting is then re-read by name and adopted.
        return err.status == 400 and any(HELD_ELSEWHERE in str(e) for e in err.errors)

    # -- presentation ----------------------------------------------------------------------------

    def shown(self, fields):
        """Services are shown by name (a diff holds no IDs), and the config without PagerDuty's recommendation."""
        shown = copy.deepcopy(fields)
        if 'services' in shown:
            shown['services'] = sorted(s.get('summary') or s.get('id') or '' for s in shown['services'])
        if isinstance(shown.get('config'), dict):
            shown['config'].pop('recommended_time_window', None)  # PagerDuty's, not a setting
        return shown

    def result_fields(self, plan):
        return {'moved_services': plan.notes.get('moved_services', [])}

    def failure_notes(self, plan):
        moved = plan.notes.get('moved_services')
        return {'moved_services': moved} if moved else {}
