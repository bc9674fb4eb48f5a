"""Alert Grouping Settings (/alert_grouping_settings), and how a service shows the grouping a setting holds.

A family of endpoints mixed into PagerDutyAccount (see pagerduty.py): `reset_grouping()` sets up its
state, `routes_grouping()` lists its (method, path pattern, handler) routes. Behaviour and sources are in
README.md (Alert Grouping Settings).
"""

import base64
import copy
import itertools

from . import catalogue
from .api import invalid, not_found, now

SETTING_TYPES = ('content_based', 'content_based_intelligent', 'intelligent', 'time')
# The config keys each type takes; recommended_time_window is read-only and ignored when sent back.
CONFIG_FIELDS = {
    'content_based': {'aggregate', 'fields', 'time_window'},
    'content_based_intelligent': {'aggregate', 'fields', 'time_window'},
    'intelligent': {'time_window', 'iag_fields'},
    'time': {'timeout'},
}
READ_ONLY_CONFIG_FIELDS = {'recommended_time_window'}
# How many services a setting may hold, where PagerDuty documents it (see README.md (Alert Grouping Settings)):
# no limit is published for intelligent or content_based_intelligent, which take several services.
MAX_SERVICES = {'time': 1, 'content_based': 250}
MAX_IAG_FIELDS = 5
DEFAULT_IAG_FIELDS = ['summary']
# What this account recommends for a time window (a time_window of 0 asks for it); as the services'.
RECOMMENDED_TIME_WINDOW = 300
TIMEOUT_RANGE = (60, 86400)      # seconds; 0 groups until the incident is resolved
TIME_WINDOW_RANGE = (300, 3600)  # seconds; content_based also takes 86400
DAY = 86400
DEFAULT_LIMIT = 25
MAX_LIMIT = 100
NO_GROUPING = {'type': None, 'config': None}


def encode_cursor(sequence):
    return base64.urlsafe_b64encode(('ags:%d' % sequence).encode()).decode().rstrip('=')


def decode_cursor(cursor):
    try:
        text = base64.urlsafe_b64decode(cursor + '=' * (-len(cursor) % 4)).decode()
        prefix, number = text.split(':')
        if prefix != 'ags':
            raise ValueError(cursor)
        return int(number)
    except (ValueError, UnicodeDecodeError):
        raise invalid('The cursor %r is not valid' % cursor)


class GroupingEndpoints:
    family = 'grouping'

    def reset_grouping(self):
        self.alert_grouping_settings = {}
        self._setting_sequence = itertools.count(1)

    def routes_grouping(self):
        segment = r'([^/]+)'
        return [
            ('GET', r'/alert_grouping_settings', self.list_alert_grouping_settings),
            ('POST', r'/alert_grouping_settings', self.create_alert_grouping_setting),
            ('GET', r'/alert_grouping_settings/' + segment, self.get_alert_grouping_setting),
            ('PUT', r'/alert_grouping_settings/' + segment, self.update_alert_grouping_setting),
            ('DELETE', r'/alert_grouping_settings/' + segment, self.delete_alert_grouping_setting),
        ]

    # -- what the core and other families ask ----------------------------------------------------

    def service_viewed_grouping(self, view, includes, as_read):
        """Rewrite a service as the API shows it while an Alert Grouping Setting holds its grouping.

        A single-service setting the services API can express (time in whole minutes, intelligent,
        content_based) reads as alert_grouping_parameters; any other (several services, the
        content_based_intelligent type, intelligent with its own fields) as a reference to the setting. The
        setting is as reads show it when `as_read`, else (the answer of a write) as it is now.
        """
        setting = self.grouping_setting_holding(view['id'], as_read=as_read)
        if setting is None:
            return
        parameters = self.grouping_parameters_of(setting)
        view['alert_grouping_parameters'] = parameters if parameters is not None else self.grouping_setting_reference(setting)

    def service_written_grouping(self, service_id, fields):
        """Alert grouping sent through /services: PagerDuty keeps it in a single-service setting of its own.

        The service leaves a shared setting for it; null grouping takes it out of every setting.
        """
        if 'alert_grouping_parameters' not in fields:
            return
        parameters = fields['alert_grouping_parameters'] or {}
        holder = self.grouping_setting_holding(service_id)
        if parameters.get('type') is None:
            if holder is not None:
                self._grouping_release(holder, [service_id])
            return
        kind, config = self.grouping_setting_of_parameters(self.services[service_id]['alert_grouping_parameters'])
        if holder is not None and [s['id'] for s in holder['services']] == [service_id]:
            self.note_updated(holder['id'], holder)
            updated = dict(copy.deepcopy(holder), type=kind, config=config, updated_at=now())
            self.alert_grouping_settings[holder['id']] = updated
            return
        if holder is not None:
            self._grouping_release(holder, [service_id], ungroup=False)
        self._grouping_new_setting(self.services[service_id]['name'], None, kind, config, [service_id])

    def service_deleted_grouping(self, service_id):
        """A deleted service leaves its setting; a setting left with no service goes too."""
        holder = self.grouping_setting_holding(service_id)
        if holder is not None:
            self._grouping_release(holder, [service_id], ungroup=False)

    # -- helpers ---------------------------------------------------------------------------------

    def grouping_setting_holding(self, service_id, as_read=False):
        """The setting that holds the service's grouping, or None (a service is in one setting at most)."""
        for setting_id, setting in self.alert_grouping_settings.items():
            if as_read:
                if not self.readable(setting_id):
                    continue
                setting = self.as_read(setting_id, setting)
            if service_id in [s['id'] for s in setting['services']]:
                return setting
        return None

    @staticmethod
    def grouping_parameters_of(setting):
        """The setting as the services API's alert_grouping_parameters, or None when that API cannot say it."""
        kind, config = setting['type'], setting['config']
        if len(setting['services']) != 1 or kind == 'content_based_intelligent':
            return None
        if kind == 'time':
            if config['timeout'] % 60:
                return None
            return {'type': 'time', 'config': {'timeout': config['timeout'] // 60}}
        if kind == 'intelligent':
            if config.get('iag_fields') != DEFAULT_IAG_FIELDS:
                return None
            return {'type': 'intelligent', 'config': {'time_window': config['time_window'],
                                                      'recommended_time_window': config['recommended_time_window']}}
        return {'type': kind, 'config': {key: copy.deepcopy(config[key]) for key in
                                         ('aggregate', 'fields', 'time_window', 'recommended_time_window')}}

    @staticmethod
    def grouping_setting_of_parameters(parameters):
        """(type, config) of the setting behind grouping set through /services (timeouts there are minutes)."""
        kind, config = parameters['type'], dict(parameters.get('config') or {})
        if kind == 'time':
            return kind, {'timeout': config.get('timeout', 0) * 60}
        config['time_window'] = config.get('time_window') or RECOMMENDED_TIME_WINDOW
        config['recommended_time_window'] = RECOMMENDED_TIME_WINDOW
        if kind == 'intelligent':
            config['iag_fields'] = list(DEFAULT_IAG_FIELDS)
        return kind, config

    def grouping_setting_reference(self, setting):
        return {'id': setting['id'], 'type': 'alert_grouping_setting_reference',
                'summary': setting.get('name') or 'Alert grouping setting %s' % setting['id'],
                'self': '%s/alert_grouping_settings/%s' % (self.base_url, setting['id']),
                'html_url': 'https://%s.pagerduty.com/alert-grouping-settings/%s' % (catalogue.SUBDOMAIN, setting['id'])}

    def _grouping_release(self, setting, service_ids, ungroup=True):
        """Take services out of `setting` (deleting it when none is left); `ungroup` clears their grouping."""
        remaining = [s for s in setting['services'] if s['id'] not in service_ids]
        if remaining:
            self.note_updated(setting['id'], setting)
            self.alert_grouping_settings[setting['id']] = dict(copy.deepcopy(setting), services=remaining,
                                                               updated_at=now())
        else:
            del self.alert_grouping_settings[setting['id']]
        if ungroup:
            for service_id in service_ids:
                if service_id in self.services:
                    self.services[service_id]['alert_grouping_parameters'] = dict(NO_GROUPING)

    def _grouping_new_setting(self, name, description, kind, config, service_ids):
        setting_id = self.new_id()
        stamp = now()
        setting = {'id': setting_id, 'name': name, 'description': description, 'type': kind, 'config': config,
                   'services': [self._grouping_service_reference(i) for i in service_ids],
                   'created_at': stamp, 'updated_at': stamp, 'sequence': next(self._setting_sequence)}
        self.alert_grouping_settings[setting_id] = setting
        self.note_created(setting_id)
        return setting

    def _grouping_service_reference(self, service_id):
        return self.reference(self.services[service_id])

    @staticmethod
    def grouping_setting_view(setting):
        view = {k: copy.deepcopy(v) for k, v in setting.items() if k != 'sequence'}
        return view

    def _grouping_setting(self, setting_id):
        setting = self.alert_grouping_settings.get(setting_id)
        if setting is None or not self.readable(setting_id):
            raise not_found(2100, 'Alert Grouping Setting Not Found')
        return setting

    # -- validation ------------------------------------------------------------------------------

    def _grouping_config_errors(self, kind, config):
        """(errors, the config as stored) of a config for `kind`."""
        if config is None:
            config = {}
        if not isinstance(config, dict):
            return ['Config must be an object'], None
        extra = set(config) - CONFIG_FIELDS[kind] - READ_ONLY_CONFIG_FIELDS
        if extra:
            return ['Config for type %s does not accept %s' % (kind, ', '.join(sorted(extra)))], None
        errors, stored = [], {}
        if kind == 'time':
            timeout = config.get('timeout') or 0
            if not isinstance(timeout, int) or isinstance(timeout, bool) or \
                    not (timeout == 0 or TIMEOUT_RANGE[0] <= timeout <= TIMEOUT_RANGE[1]):
                errors.append('Config timeout must be 0 or between %d and %d seconds' % TIMEOUT_RANGE)
            stored['timeout'] = timeout
            return errors, stored
        window = config.get('time_window') or 0
        allowed = isinstance(window, int) and not isinstance(window, bool) and (
            window == 0 or TIME_WINDOW_RANGE[0] <= window <= TIME_WINDOW_RANGE[1] or (kind == 'content_based' and window == DAY))
        if not allowed:
            errors.append('Config time_window must be 0 or between %d and %d seconds%s'
                          % (TIME_WINDOW_RANGE + (' (or 86400)' if kind == 'content_based' else '',)))
        stored['time_window'] = window or RECOMMENDED_TIME_WINDOW
        stored['recommended_time_window'] = RECOMMENDED_TIME_WINDOW
        if kind == 'intelligent':
            fields = config.get('iag_fields')
            if fields is None:
                fields = list(DEFAULT_IAG_FIELDS)
            if not isinstance(fields, list) or not fields or not all(isinstance(f, str) and f for f in fields):
                errors.append('Config iag_fields must be a non-empty list of field names')
            elif len(fields) > MAX_IAG_FIELDS:
                errors.append('Config iag_fields can have at most %d fields' % MAX_IAG_FIELDS)
            stored['iag_fields'] = fields
            return errors, stored
        if config.get('aggregate') not in ('all', 'any'):
            errors.append("Config aggregate must be 'all' or 'any'")
        fields = config.get('fields')
        if not isinstance(fields, list) or not fields or not all(isinstance(f, str) and f for f in fields):
            errors.append('Config fields must be a non-empty list of field names')
        stored.update(aggregate=config.get('aggregate'), fields=fields)
        return errors, stored

    def _grouping_services_of_request(self, refs, setting_id):
        """The service IDs of a request, checked: they exist, and no other setting holds them."""
        if not isinstance(refs, list) or not refs:
            raise invalid('Services must contain at least one service')
        ids, missing = [], []
        for ref in refs:
            service_id = ref.get('id') if isinstance(ref, dict) else None
            if service_id in self.services and self.readable(service_id):
                if service_id not in ids:
                    ids.append(service_id)
            else:
                missing.append(str(service_id))
        if missing:
            raise invalid('Service %s was not found' % ', '.join(missing))
        taken = []
        for service_id in ids:
            holder = self.grouping_setting_holding(service_id)
            if holder is not None and holder['id'] != setting_id:
                taken.append('Service %s is already associated to the alert grouping setting %s (%s)'
                             % (service_id, holder['id'], holder.get('name') or 'unnamed'))
        if taken:
            raise invalid(*taken)
        return ids

    @staticmethod
    def _grouping_limit_errors(kind, service_ids):
        limit = MAX_SERVICES.get(kind)
        if limit is not None and len(service_ids) > limit:
            return ['Setting of type %s allows for at most %d service%s' % (kind, limit, '' if limit == 1 else 's')]
        return []

    @staticmethod
    def _grouping_text_errors(fields):
        errors = []
        for key in ('name', 'description'):
            if key in fields and fields[key] is not None and not isinstance(fields[key], str):
                errors.append('%s must be a string or null' % key.capitalize())
        return errors

    # -- handlers --------------------------------------------------------------------------------

    def list_alert_grouping_settings(self, query, body):
        try:
            limit = int(query.get('limit', [DEFAULT_LIMIT])[0])
        except ValueError:
            raise invalid('limit must be an integer')
        limit = max(1, min(limit, MAX_LIMIT))
        wanted = set(query.get('service_ids[]', []))
        items = []
        for setting_id in sorted(self.alert_grouping_settings, key=lambda i: self.alert_grouping_settings[i]['sequence']):
            if not self.readable(setting_id):
                continue
            setting = self.as_read(setting_id, self.alert_grouping_settings[setting_id])
            if wanted and not wanted & {s['id'] for s in setting['services']}:
                continue
            items.append(setting)
        start = 0
        if query.get('after'):
            after = decode_cursor(query['after'][0])
            start = next((index for index, s in enumerate(items) if s['sequence'] > after), len(items))
        elif query.get('before'):
            before = decode_cursor(query['before'][0])
            end = next((index for index, s in enumerate(items) if s['sequence'] >= before), len(items))
            start = max(0, end - limit)
        page = items[start:start + limit]
        if not page:
            # PagerDuty answers a list with nothing on it with 404 and a JSON body holding no error object.
            return 404, {}
        result = {'alert_grouping_settings': [self.grouping_setting_view(s) for s in page], 'limit': limit,
                  'total': len(items) if query.get('total', ['false'])[0] == 'true' else None}
        if start + limit < len(items):
            result['after'] = encode_cursor(page[-1]['sequence'])
        if start > 0:
            result['before'] = encode_cursor(page[0]['sequence'])
        return 200, result

    def get_alert_grouping_setting(self, query, body, setting_id):
        setting = self.as_read(setting_id, self._grouping_setting(setting_id))
        return 200, {'alert_grouping_setting': self.grouping_setting_view(setting)}

    def create_alert_grouping_setting(self, query, body):
        fields = self.envelope(body, 'alert_grouping_setting')
        kind = fields.get('type')
        if kind not in SETTING_TYPES:
            raise invalid('Type must be one of %s' % ', '.join(SETTING_TYPES))
        errors, config = self._grouping_config_errors(kind, fields.get('config'))
        errors.extend(self._grouping_text_errors(fields))
        if errors:
            raise invalid(*errors)
        service_ids = self._grouping_services_of_request(fields.get('services'), None)
        errors = self._grouping_limit_errors(kind, service_ids)
        if errors:
            raise invalid(*errors)
        setting = self._grouping_new_setting(fields.get('name'), fields.get('description'), kind, config, service_ids)
        return 201, {'alert_grouping_setting': self.grouping_setting_view(setting)}

    def update_alert_grouping_setting(self, query, body, setting_id):
        current = self._grouping_setting(setting_id)
        fields = self.envelope(body, 'alert_grouping_setting')
        kind = fields.get('type', current['type'])
        if kind not in SETTING_TYPES:
            raise invalid('Type must be one of %s' % ', '.join(SETTING_TYPES))
        errors, config = [], current['config']
        if 'config' in fields or kind != current['type']:
            errors, config = self._grouping_config_errors(kind, fields.get('config'))
        errors.extend(self._grouping_text_errors(fields))
        if errors:
            raise invalid(*errors)
        # Services left out of the request stay as they are (the description of PUT says so).
        service_ids = [s['id'] for s in current['services']]
        if 'services' in fields:
            service_ids = self._grouping_services_of_request(fields['services'], setting_id)
        errors = self._grouping_limit_errors(kind, service_ids)
        if errors:
            raise invalid(*errors)
        updated = copy.deepcopy(current)
        for key in ('name', 'description'):
            if key in fields:
                updated[key] = fields[key]
        left = [s['id'] for s in current['services'] if s['id'] not in service_ids]
        updated.update(type=kind, config=config, services=[self._grouping_service_reference(i) for i in service_ids],
                       updated_at=now())
        self.note_updated(setting_id, current)
        self.alert_grouping_settings[setting_id] = updated
        for service_id in left:
            self.services[service_id]['alert_grouping_parameters'] = dict(NO_GROUPING)
        return 200, {'alert_grouping_setting': self.grouping_setting_view(updated)}

    def delete_alert_grouping_setting(self, query, body, setting_id):
        setting = self._grouping_setting(setting_id)
        self._grouping_release(setting, [s['id'] for s in setting['services']])
        return 204, None
