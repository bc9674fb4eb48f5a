"""The simulated PagerDuty account: objects, validation and the REST endpoints we use.

Behaviour follows shared/reference (PagerDuty's OpenAPI description plus the notes on where the
real API differs from it). Handlers return (status, body); they raise ApiFailure for the error
responses PagerDuty gives, in PagerDuty's error envelope.
"""

import contextlib
import copy
import datetime
import itertools
import re
import secrets
import time

from . import catalogue
from .api import ApiFailure, invalid, not_found, now, parse_time, utc_now  # noqa: F401 (ApiFailure: shared)
from .custom_fields import CustomFieldEndpoints
from .dependencies import DependencyEndpoints
from .events import EventsEndpoints
from .grouping import GroupingEndpoints
from .maintenance import MaintenanceEndpoints
from .orchestration import OrchestrationEndpoints
from .people import PeopleEndpoints
from .schedules import ScheduleEndpoints
from .webhooks import WebhookEndpoints

MAX_INTEGRATIONS_PER_SERVICE = 250
# PagerDuty refuses to move an integration with more open incidents than this.
MAX_OPEN_INCIDENTS_TO_MOVE = 8000
OPEN_STATUSES = ('triggered', 'acknowledged')
OFFSET_CAP = 10000
MAX_LIMIT = 100
DEFAULT_LIMIT = 25

URGENCIES = ('high', 'low', 'severity_based')
AUTO_PAUSE_TIMEOUTS = (0, 120, 180, 300, 600, 900)
GROUPING_CONFIG_FIELDS = {
    'time': {'timeout'},
    'intelligent': {'time_window'},
    'content_based': {'aggregate', 'fields', 'time_window'},
}
EMAIL_INCIDENT_CREATION = ('on_new_email', 'on_new_email_subject', 'only_if_no_open_incidents', 'use_rules')
EMAIL_FILTER_MODES = ('all-email', 'or-rules-email', 'and-rules-email')
EMAIL_PARSING_FALLBACK = ('open_new_incident', 'discard')
EMAIL_FIELD_NAMES = ('integration_email', 'email_incident_creation', 'email_filter_mode',
                     'email_parsers', 'email_parsing_fallback', 'email_filters')
GENERIC_INTEGRATION_TYPES = (
    'aws_cloudwatch_inbound_integration', 'cloudkick_inbound_integration',
    'event_transformer_api_inbound_integration', 'generic_email_inbound_integration',
    'generic_events_api_inbound_integration', 'keynote_inbound_integration', 'nagios_inbound_integration',
    'pingdom_inbound_integration', 'sql_monitor_inbound_integration', 'events_api_v2_inbound_integration',
)
DEFAULT_INTEGRATION_NAMES = {
    'events_api_v2_inbound_integration': 'Events API V2',
    'generic_events_api_inbound_integration': 'Events API V1',
    'generic_email_inbound_integration': 'Email',
}
_TIME_OF_DAY = re.compile(r'^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$')
_NON_PRINTABLE = re.compile(r'[\x00-\x1f\x7f]')
_ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'


# Behaviours switched by POST /_sim/settings, with their defaults (see README.md).
DEFAULT_SETTINGS = {
    # The API ignores a changed service in an integration update, as an API that cannot move would.
    'ignore_integration_service_changes': False,
    # How a GET of an unknown ID answers: 404, or 400 as the real API may for a malformed ID.
    'malformed_id_status': 404,
    # Eventual consistency: for this many seconds after a create the object is missing from every
    # read, and after an update reads return the previous version.
    'read_after_write_lag_seconds': 0,
    # For this many seconds after a service is created, associating it as a dependency answers 404, though reads
    # may show it already: the dependency graph learns of new services later than reads do.
    'dependency_graph_lag_seconds': 0,
    # The next N integration creates answer a transient 400 before one succeeds.
    'integration_create_transient_400s': 0,
    # Every API request (not /_sim/) waits this long before it is handled: a real network's latency.
    'latency_ms': 0,
    # The account has Event Intelligence: false answers orchestration conditions using now or threshold counts
    # with forbidden_feature warnings (orchestration.py).
    'event_intelligence': True,
}
# Messages of the transient 400s integration creates get, in turn: PagerDuty's account lock under
# concurrent writes (TF #1117) and a service created a moment ago that is not visible yet (TF #273).
TRANSIENT_CREATE_ERRORS = ('Unable to perform request at this time. account could not be locked',
                           'Service %s could not be found')
# Incident lists without a date range cover this many days back (PagerDuty: "defaults to one month").
INCIDENT_LIST_DEFAULT_DAYS = 30
INCIDENT_LIST_MAX_DAYS = 183
RECOMMENDED_AUTO_PAUSE_TIMEOUT = 300
RECOMMENDED_GROUPING_TIME_WINDOW = 300


class PagerDutyAccount(PeopleEndpoints, ScheduleEndpoints, MaintenanceEndpoints, EventsEndpoints, GroupingEndpoints,
                       CustomFieldEndpoints, DependencyEndpoints, OrchestrationEndpoints, WebhookEndpoints):
    """All objects of one simulated account, and the endpoint handlers over them.

    The core (services, integrations, vendors, incidents) is here; each other family of endpoints
    is a mixin in its own file, found by its `family` name.
    """

    def __init__(self, base_url):
        self.base_url = base_url
        self.reset()

    def configure(self, changes):
        """Apply POST /_sim/settings; answers every setting. Unknown names and wrong types are refused."""
        for name, value in changes.items():
            if name not in DEFAULT_SETTINGS:
                raise ValueError('unknown setting %r (known: %s)' % (name, ', '.join(sorted(DEFAULT_SETTINGS))))
            default = DEFAULT_SETTINGS[name]
            if isinstance(default, bool):
                value = bool(value)
            elif not isinstance(value, (int, float)) or isinstance(value, bool):
                raise ValueError('setting %r must be a number' % name)
            self.settings[name] = value
        return dict(self.settings)

    @property
    def ignore_integration_service_changes(self):
        return self.settings['ignore_integration_service_changes']

    # -- state -----------------------------------------------------------------------------------

    def reset(self):
        self._ids = itertools.count(1)
        self.settings = dict(DEFAULT_SETTINGS)
        self._created = {}     # object id -> when it was created through the API (while the graph lags)
        self._seeding = False  # while seed data is made (see seeding())
        self._born = {}        # the same, for objects created while reads lag writes
        self.request_headers = {}  # of the request being handled (the server sets them)
        self._previous = {}    # object id -> (when it was updated, the version before)
        self.vendors = {}
        self.services = {}
        self.service_ids_by_name = {}   # keeps the unique-name check fast in accounts of thousands
        self.integrations = {}          # integration id -> integration (its 'service' says where)
        self.incidents = {}
        for vendor_id, name, generic_type in catalogue.vendor_seed():
            self.add_vendor(name, generic_type, vendor_id)
        for family in self.families():
            getattr(self, 'reset_' + family)()

    def families(self):
        """The names of the endpoint families mixed into this account."""
        return [cls.family for cls in type(self).__mro__ if 'family' in cls.__dict__]

    # -- eventual consistency (read_after_write_lag_seconds) -------------------------------------

    def lag(self):
        return float(self.settings['read_after_write_lag_seconds'] or 0)

    def note_created(self, object_id):
        if self._seeding:
            return
        if self.settings['dependency_graph_lag_seconds']:
            self._created[object_id] = time.monotonic()
        if self.lag():
            self._born[object_id] = time.monotonic()

    @contextlib.contextmanager
    def seeding(self):
        """The test's own view of the account, not a client's: what is made inside is the account as it was before
        the test (readable at once, made without the passing refusals a live create may get), and what is read
        inside is the account as it is, whatever reads lag."""
        self._seeding = True
        try:
            yield
        finally:
            self._seeding = False

    def note_updated(self, object_id, previous):
        if self.lag() and not self._seeding:
            self._previous[object_id] = (time.monotonic(), copy.deepcopy(previous))

    def readable(self, object_id):
        """False while a new object is still missing from reads."""
        born = self._born.get(object_id)
        return born is None or self._seeding or time.monotonic() - born >= self.lag()

    def age(self, object_id):
        """Seconds since the object was created through the API (None: seeded, or made before the last reset)."""
        created = self._created.get(object_id)
        return None if created is None else time.monotonic() - created

    def as_read(self, object_id, current):
        """What a read returns of an object: the previous version while an update has not reached reads."""
        entry = self._previous.get(object_id)
        if entry is not None and not self._seeding and time.monotonic() - entry[0] < self.lag():
            return entry[1]
        return current

    def new_id(self):
        """A deterministic, unique, PagerDuty-shaped ID (P + 6 characters)."""
        number = (next(self._ids) * 48271) % (36 ** 6)
        chars = []
        for dummy in range(6):
            number, index = divmod(number, 36)
            chars.append(_ID_ALPHABET[index])
        return 'P' + ''.join(chars)

    def _object(self, object_id, object_type, name, **fields):
        plural = {'escalation_policy': 'escalation_policies'}.get(object_type, object_type + 's')
        obj = {
            'id': object_id,
            'type': object_type,
            'summary': name,
            'self': '%s/%s/%s' % (self.base_url, plural, object_id),
            'html_url': 'https://%s.pagerduty.com/%s/%s' % (catalogue.SUBDOMAIN, plural, object_id),
            'name': name,
        }
        obj.update(fields)
        return obj

    @staticmethod
    def reference(obj, ref_type=None):
        return {key: obj.get(key) for key in ('id', 'summary', 'self', 'html_url')} | {
            'type': ref_type or obj['type'] + '_reference'}

    def add_vendor(self, name, generic_type, vendor_id=None):
        vendor_id = vendor_id or self.new_id()
        slug = re.sub(r'[^a-z0-9]+', '-', name.lower()).strip('-')
        self.vendors[vendor_id] = self._object(
            vendor_id, 'vendor', name, html_url=None,
            website_url='https://www.%s.example' % slug,
            long_name=None,
            logo_url='https://assets.pagerduty.example/logos/%s.png' % slug,
            thumbnail_url='https://assets.pagerduty.example/thumbnails/%s.png' % slug,
            description='Alerts from %s.' % name,
            integration_guide_url='https://www.pagerduty.com/docs/guides/%s-integration-guide/' % slug,
            connectable=False,
            generic_service_type=generic_type,
            alert_creation_default='create_alerts_and_incidents',
            alert_creation_editable=True,
            is_pd_cef=generic_type == 'events_api_v2',
        )
        return self.vendors[vendor_id]

    # -- shared request helpers ------------------------------------------------------------------

    @staticmethod
    def page(items, query, key):
        """Classic offset pagination with PagerDuty's 10,000 cap."""
        try:
            limit = int(query.get('limit', [DEFAULT_LIMIT])[0])
            offset = int(query.get('offset', [0])[0])
        except ValueError:
            raise invalid('limit and offset must be integers')
        limit = max(1, min(limit, MAX_LIMIT))
        if offset < 0:
            raise invalid('Offset must be greater than or equal to 0')
        if offset + limit > OFFSET_CAP:
            raise invalid('Offset + limit must be less than or equal to %d' % OFFSET_CAP)
        want_total = query.get('total', ['false'])[0] == 'true'
        chunk = items[offset:offset + limit]
        return {key: chunk, 'limit': limit, 'offset': offset, 'more': offset + limit < len(items),
                'total': len(items) if want_total else None}

    @staticmethod
    def matches_query(obj, query):
        text = query.get('query', [None])[0]
        return text is None or text.casefold() in (obj.get('name') or '').casefold()

    @staticmethod
    def includes(query):
        return set(query.get('include[]', []))

    @staticmethod
    def envelope(body, key, required=True):
        if not isinstance(body, dict) or not isinstance(body.get(key), dict):
            if required:
                raise invalid('The request body must be a JSON object with the %r key' % key)
            return {}
        return body[key]

    def list_vendors(self, query, body):
        items = [v for v in self._sorted(self.vendors) if self.matches_query(v, query)]
        return 200, self.page(items, query, 'vendors')

    def get_vendor(self, query, body, vendor_id):
        if vendor_id not in self.vendors:
            raise not_found(5001, 'Vendor Not Found')
        return 200, {'vendor': self.vendors[vendor_id]}

    @staticmethod
    def _sorted(objects):
        return sorted(objects.values(), key=lambda o: ((o.get('name') or '').casefold(), o['id']))

    # -- services --------------------------------------------------------------------------------

    def service_status(self, service):
        """The status PagerDuty reports: 'disabled' when disabled, otherwise derived from maintenance
        windows and open incidents (the Service schema's description of status)."""
        if service['status'] == 'disabled':
            return 'disabled'
        if self.in_maintenance(service['id']):
            return 'maintenance'
        statuses = {i['status'] for i in self.incidents.values() if i['service']['id'] == service['id']}
        if 'triggered' in statuses:
            return 'critical'
        if 'acknowledged' in statuses:
            return 'warning'
        return 'active'

    def service_view(self, service, includes, as_read=True):
        """A service as the API renders it, expanded per include[]; `as_read` applies the read lag."""
        if as_read:
            service = self.as_read(service['id'], service)
        view = copy.deepcopy(service)
        view['status'] = self.service_status(service)
        ep = self.escalation_policies.get(service['escalation_policy']['id'])
        if 'escalation_policies' in includes and ep:
            view['escalation_policy'] = copy.deepcopy(ep)
        team_refs = ep['teams'] if ep else []
        if 'teams' in includes:
            view['teams'] = [copy.deepcopy(self.teams[t['id']]) for t in team_refs if t['id'] in self.teams]
        else:
            view['teams'] = copy.deepcopy(team_refs)
        integrations = [i for i in self.integrations.values() if i['service']['id'] == service['id']]
        if as_read:
            integrations = [self.as_read(i['id'], i) for i in integrations if self.readable(i['id'])]
            integrations = [i for i in integrations if i['service']['id'] == service['id']]
        integrations.sort(key=lambda i: i['created_at'] + i['id'])
        if 'integrations' in includes:
            view['integrations'] = [self.integration_view(i, ()) for i in integrations]
        else:
            view['integrations'] = [self.reference(i, i['type'] + '_reference') for i in integrations]
        self.family_hooks('service_viewed', view, includes, as_read)
        return view

    def list_services(self, query, body):
        name = query.get('name', [None])[0]
        if name is not None:
            found = self.service_ids_by_name.get(name)
            items = [self.services[found]] if found else []
        else:
            items = list(self._sorted(self.services))
        items = [self.as_read(s['id'], s) for s in items if self.readable(s['id'])]
        items = [s for s in items if self.matches_query(s, query) and (name is None or s['name'] == name)]
        team_ids = set(query.get('team_ids[]', []))
        if team_ids:
            items = [s for s in items if team_ids & {t['id'] for t in self.service_view(s, ())['teams']}]
        includes = self.includes(query)
        result = self.page(items, query, 'services')
        result['services'] = [self.service_view(s, includes) for s in result['services']]
        return 200, result

    def _service(self, service_id):
        if service_id not in self.services:
            raise not_found(5002, 'Service Not Found')
        return self.services[service_id]

    def get_service(self, query, body, service_id):
        service = self._service(service_id)
        if not self.readable(service_id):
            raise not_found(5002, 'Service Not Found')
        return 200, {'service': self.service_view(service, self.includes(query))}

    def create_service(self, query, body):
        fields = self.envelope(body, 'service')
        if 'status' in fields and fields['status'] != 'active':
            raise invalid('Status must be active when creating a service; update it afterwards')
        service = {
            'id': None, 'type': 'service', 'name': None, 'description': None,
            'auto_resolve_timeout': None, 'acknowledgement_timeout': None,
            'created_at': now(), 'updated_at': now(), 'status': 'active',
            'escalation_policy': None, 'response_play': None,
            'incident_urgency_rule': {'type': 'constant', 'urgency': 'high'},
            'support_hours': None, 'scheduled_actions': [], 'addons': [],
            'alert_creation': 'create_alerts_and_incidents',
            # The description types the deprecated alert_grouping and alert_grouping_timeout, and
            # last_incident_timestamp, as not nullable: like it, they are left out while unset.
            'alert_grouping_parameters': {'type': None, 'config': None},
            'auto_pause_notifications_parameters': {'enabled': False, 'timeout': None, 'recommended_timeout': 300},
        }
        self._apply_service_fields(service, fields, creating=True)
        service_id = self.new_id()
        service.update(self._object(service_id, 'service', service['name']))
        service['html_url'] = 'https://%s.pagerduty.com/service-directory/%s' % (catalogue.SUBDOMAIN, service_id)
        self.services[service_id] = service
        self.service_ids_by_name[service['name']] = service_id
        self.note_created(service_id)
        self.family_hooks('service_written', service_id, fields)
        return 201, {'service': self.service_view(service, (), as_read=False)}

    def update_service(self, query, body, service_id):
        service = self._service(service_id)
        fields = self.envelope(body, 'service')
        updated = copy.deepcopy(service)
        self._apply_service_fields(updated, fields, creating=False)
        updated['summary'] = updated['name']
        updated['updated_at'] = now()
        del self.service_ids_by_name[service['name']]
        self.service_ids_by_name[updated['name']] = service_id
        self.note_updated(service_id, service)
        self.services[service_id] = updated
        self.family_hooks('service_written', service_id, fields)
        return 200, {'service': self.service_view(updated, (), as_read=False)}

    def delete_service(self, query, body, service_id):
        del self.service_ids_by_name[self._service(service_id)['name']]
        del self.services[service_id]
        for integration_id in [i for i, v in self.integrations.items() if v['service']['id'] == service_id]:
            del self.integrations[integration_id]
        for incident_id in [i for i, v in self.incidents.items() if v['service']['id'] == service_id]:
            del self.incidents[incident_id]
        self.family_hooks('service_deleted', service_id)
        return 204, None

    def family_hooks(self, event, *args):
        """Let every family that cares react: a family defines `<event>_<family>(*args)`."""
        for family in self.families():
            hook = getattr(self, '%s_%s' % (event, family), None)
            if hook is not None:
                hook(*args)

    def _apply_service_fields(self, service, fields, creating):
        """Validate the writable fields PagerDuty accepts and apply them; unknown fields are ignored."""
        errors = []
        if 'name' in fields or creating:
            name = fields.get('name')
            if not isinstance(name, str) or not name.strip():
                errors.append("Name can't be blank")
            elif _NON_PRINTABLE.search(name):
                errors.append('Name can not contain non-printable characters')
            elif self.service_ids_by_name.get(name, service.get('id')) != service.get('id'):
                errors.append('Name has already been taken')
            else:
                service['name'] = name
        if 'description' in fields:
            service['description'] = fields['description']
        if 'escalation_policy' in fields or creating:
            ref = fields.get('escalation_policy')
            if not isinstance(ref, dict) or not ref.get('id'):
                errors.append('Escalation policy must be specified')
            elif ref['id'] not in self.escalation_policies:
                errors.append('Escalation policy %s was not found' % ref['id'])
            else:
                service['escalation_policy'] = self.reference(self.escalation_policies[ref['id']])
        for timeout in ('auto_resolve_timeout', 'acknowledgement_timeout'):
            if timeout in fields:
                value = fields[timeout]
                if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
                    errors.append('%s must be a non-negative integer or null' % timeout)
                else:
                    service[timeout] = value or None
        if 'status' in fields and not creating:
            if fields['status'] not in ('active', 'disabled'):
                errors.append("Status must be 'active' or 'disabled'")
            else:
                service['status'] = fields['status']
        for key, check in (('support_hours', self._support_hours_errors),
                           ('incident_urgency_rule', self._urgency_rule_errors),
                           ('scheduled_actions', self._scheduled_actions_errors),
                           ('alert_grouping_parameters', self._alert_grouping_errors),
                           ('auto_pause_notifications_parameters', self._auto_pause_errors)):
            if key in fields:
                problems = check(fields[key])
                errors.extend(problems)
                if not problems:
                    service[key] = copy.deepcopy(fields[key])
        rule = service['incident_urgency_rule'] or {}
        if rule.get('type') == 'use_support_hours' and not service.get('support_hours'):
            errors.append('Support hours must be set when the incident urgency rule uses support hours')
        if service.get('scheduled_actions') and rule.get('type') != 'use_support_hours':
            errors.append('Scheduled actions are only allowed with an urgency rule that uses support hours')
        if 'auto_pause_notifications_parameters' in fields and not errors:
            params = service['auto_pause_notifications_parameters']
            params.setdefault('recommended_timeout', RECOMMENDED_AUTO_PAUSE_TIMEOUT)
            if not params.get('enabled'):
                params['timeout'] = None
            elif params.get('timeout') == 0:
                # 0 asks for the recommended timeout, which is what the service then holds (API changelog 2025-01-07).
                params['timeout'] = params['recommended_timeout']
        grouping = service.get('alert_grouping_parameters') or {}
        if 'alert_grouping_parameters' in fields and not errors and grouping.get('type') in ('intelligent', 'content_based'):
            config = grouping.setdefault('config', {}) or {}
            grouping['config'] = config
            config['recommended_time_window'] = RECOMMENDED_GROUPING_TIME_WINDOW
            if config.get('time_window') == 0:
                # Likewise 0 asks for the recommended time window, stored as its value.
                config['time_window'] = RECOMMENDED_GROUPING_TIME_WINDOW
        if errors:
            raise invalid(*errors)

    @staticmethod
    def _support_hours_errors(hours):
        if hours is None:
            return []
        if not isinstance(hours, dict):
            return ['Support hours must be an object']
        errors = []
        if hours.get('type', 'fixed_time_per_day') != 'fixed_time_per_day':
            errors.append("Support hours type must be 'fixed_time_per_day'")
        if not hours.get('time_zone'):
            errors.append('Support hours time zone must be specified')
        for key in ('start_time', 'end_time'):
            if not _TIME_OF_DAY.match(str(hours.get(key, ''))):
                errors.append('Support hours %s must be a time of day such as 09:00:00' % key)
        days = hours.get('days_of_week')
        if not isinstance(days, list) or not days or any(d not in range(1, 8) for d in days):
            errors.append('Support hours days of week must be a list of numbers 1 (Monday) to 7 (Sunday)')
        return errors

    @staticmethod
    def _urgency_errors(urgency, where):
        if not isinstance(urgency, dict) or urgency.get('type') != 'constant' or urgency.get('urgency') not in URGENCIES:
            return ['%s must be a constant urgency of %s' % (where, ', '.join(URGENCIES))]
        return []

    def _urgency_rule_errors(self, rule):
        if not isinstance(rule, dict):
            return ['Incident urgency rule must be an object']
        if rule.get('type') == 'constant':
            return self._urgency_errors(rule, 'Incident urgency rule')
        if rule.get('type') == 'use_support_hours':
            if rule.get('urgency') is not None:
                return ['Incident urgency rule urgency can not be set when using support hours']
            return (self._urgency_errors(rule.get('during_support_hours'), 'During support hours urgency')
                    + self._urgency_errors(rule.get('outside_support_hours'), 'Outside support hours urgency'))
        return ["Incident urgency rule type must be 'constant' or 'use_support_hours'"]

    @staticmethod
    def _scheduled_actions_errors(actions):
        if not isinstance(actions, list):
            return ['Scheduled actions must be a list']
        for action in actions:
            at = action.get('at') if isinstance(action, dict) else None
            if (not isinstance(at, dict) or action.get('type') != 'urgency_change' or action.get('to_urgency') != 'high'
                    or at.get('type') != 'named_time' or at.get('name') not in ('support_hours_start', 'support_hours_end')):
                return ['Scheduled actions must be urgency_change to high at support_hours_start or support_hours_end']
        return []

    @staticmethod
    def _alert_grouping_errors(params):
        if not isinstance(params, dict):
            return ['Alert grouping parameters must be an object']
        grouping = params.get('type')
        config = params.get('config') or {}
        if grouping is None:
            return [] if not config else ['Alert grouping config requires a type']
        if grouping not in GROUPING_CONFIG_FIELDS:
            return ['Alert grouping type must be one of time, intelligent, content_based']
        extra = set(config) - GROUPING_CONFIG_FIELDS[grouping] - {'recommended_time_window'}
        if extra:
            return ['Alert grouping config for %s does not accept %s' % (grouping, ', '.join(sorted(extra)))]
        errors = []
        if grouping == 'time' and not 0 <= config.get('timeout', 0) <= 1440:
            errors.append('Alert grouping timeout must be between 0 and 1440 minutes')
        window = config.get('time_window')
        if window is not None:
            allowed = window == 0 or 300 <= window <= 3600 or (grouping == 'content_based' and window == 86400)
            if not allowed:
                errors.append('Alert grouping time_window must be 0 or between 300 and 3600 seconds'
                              + (' (or 86400)' if grouping == 'content_based' else ''))
        if grouping == 'content_based':
            if config.get('aggregate') not in ('all', 'any'):
                errors.append("Alert grouping aggregate must be 'all' or 'any'")
            if not config.get('fields'):
                errors.append('Alert grouping fields must not be empty')
        return errors

    @staticmethod
    def _auto_pause_errors(params):
        if not isinstance(params, dict) or not isinstance(params.get('enabled', False), bool):
            return ['Auto pause notifications parameters must be an object with a boolean enabled']
        if params.get('timeout') is not None and params['timeout'] not in AUTO_PAUSE_TIMEOUTS:
            return ['Auto pause notifications timeout must be one of %s' % ', '.join(map(str, AUTO_PAUSE_TIMEOUTS))]
        return []

    # -- integrations ----------------------------------------------------------------------------

    def integration_view(self, integration, includes):
        view = copy.deepcopy(integration)
        if 'services' in includes and integration['service']['id'] in self.services:
            view['service'] = self.service_view(self.services[integration['service']['id']], ())
        if 'vendors' in includes and integration.get('vendor') and integration['vendor']['id'] in self.vendors:
            view['vendor'] = copy.deepcopy(self.vendors[integration['vendor']['id']])
        return view

    def _integration(self, service_id, integration_id):
        self._service(service_id)
        integration = self.integrations.get(integration_id)
        if integration is None or integration['service']['id'] != service_id:
            raise not_found(2100, 'Integration Not Found')
        return integration

    def get_integration(self, query, body, service_id, integration_id):
        integration = self._integration(service_id, integration_id)
        if not self.readable(integration_id):
            raise not_found(2100, 'Integration Not Found')
        integration = self.as_read(integration_id, integration)
        if integration['service']['id'] != service_id:  # an update that moved it has not reached reads
            raise not_found(2100, 'Integration Not Found')
        return 200, {'integration': self.integration_view(integration, self.includes(query))}

    def create_integration(self, query, body, service_id):
        service = self._service(service_id)
        fields = self.envelope(body, 'integration')
        transient = self.settings['integration_create_transient_400s']
        if transient and not self._seeding:
            self.settings['integration_create_transient_400s'] = transient - 1
            message = TRANSIENT_CREATE_ERRORS[transient % len(TRANSIENT_CREATE_ERRORS)]
            raise invalid(message % service_id if '%s' in message else message)
        count = sum(1 for i in self.integrations.values() if i['service']['id'] == service_id)
        if count >= MAX_INTEGRATIONS_PER_SERVICE:
            raise ApiFailure(400, 2019, ['A service can have at most %d integrations' % MAX_INTEGRATIONS_PER_SERVICE])
        vendor = None
        vendor_ref = fields.get('vendor')
        if vendor_ref is not None:
            if not isinstance(vendor_ref, dict) or vendor_ref.get('id') not in self.vendors:
                raise invalid('Vendor %s was not found' % (vendor_ref.get('id') if isinstance(vendor_ref, dict) else vendor_ref))
            vendor = self.vendors[vendor_ref['id']]
            # The server derives the type from the vendor, whatever type was sent.
            integration_type = catalogue.INTEGRATION_TYPE_OF_GENERIC_SERVICE_TYPE[vendor['generic_service_type']]
        else:
            integration_type = fields.get('type')
            if not integration_type:
                raise invalid('Type cannot be empty')
            if integration_type not in GENERIC_INTEGRATION_TYPES:
                raise invalid('Type %s is not a valid integration type' % integration_type)
        name = fields.get('name') or (vendor['name'] if vendor else DEFAULT_INTEGRATION_NAMES.get(integration_type, 'Integration'))
        integration_id = self.new_id()
        integration = self._object(integration_id, integration_type, name, created_at=now())
        integration['html_url'] = 'https://%s.pagerduty.com/services/%s/integrations/%s' % (
            catalogue.SUBDOMAIN, service_id, integration_id)
        integration['self'] = '%s/services/%s/integrations/%s' % (self.base_url, service_id, integration_id)
        integration['service'] = self.reference(service)
        if vendor:
            integration['vendor'] = self.reference(vendor)
        if integration_type == 'generic_email_inbound_integration':
            integration.update({'integration_email': None, 'email_incident_creation': 'on_new_email',
                                'email_filter_mode': 'all-email', 'email_parsers': [],
                                'email_parsing_fallback': 'open_new_incident',
                                'email_filters': [{'id': self.new_id(), 'subject_mode': 'always', 'body_mode': 'always',
                                                   'from_email_mode': 'always'}]})
            self._apply_email_fields(integration, fields, creating=True)
        else:
            ignored = [key for key in EMAIL_FIELD_NAMES if fields.get(key) is not None]
            if ignored:
                raise invalid('%s can only be set on email integrations' % ', '.join(ignored))
            integration['integration_key'] = secrets.token_hex(16)
        self.integrations[integration_id] = integration
        self.note_created(integration_id)
        return 201, {'integration': self.integration_view(integration, ())}

    def update_integration(self, query, body, service_id, integration_id):
        integration = copy.deepcopy(self._integration(service_id, integration_id))
        fields = self.envelope(body, 'integration')
        if 'type' in fields and fields['type'] not in (None, integration['type']) and not fields.get('vendor'):
            raise invalid('The type of an integration can not be changed')
        vendor_ref = fields.get('vendor')
        current_vendor = (integration.get('vendor') or {}).get('id')
        if vendor_ref is not None and (vendor_ref or {}).get('id') != current_vendor:
            raise invalid('The vendor of an integration can not be changed')
        if 'name' in fields:
            if not isinstance(fields['name'], str) or not fields['name'].strip():
                raise invalid("Name can't be blank")
            integration['name'] = integration['summary'] = fields['name']
        if integration['type'] == 'generic_email_inbound_integration':
            self._apply_email_fields(integration, fields, creating=False)
        elif any(fields.get(key) is not None for key in EMAIL_FIELD_NAMES):
            raise invalid('Email settings can only be set on email integrations')
        new_service = (fields.get('service') or {}).get('id')
        if new_service and new_service != service_id and not self.ignore_integration_service_changes:
            self.move_integration(integration, new_service)
        self.note_updated(integration_id, self.integrations[integration_id])
        self.integrations[integration_id] = integration
        return 200, {'integration': self.integration_view(integration, ())}

    def move_integration(self, integration, new_service_id):
        """Move as PagerDuty's web UI does: same ID and key, and the open incidents follow it."""
        target = self._service(new_service_id)
        if sum(1 for i in self.integrations.values() if i['service']['id'] == new_service_id) >= MAX_INTEGRATIONS_PER_SERVICE:
            raise ApiFailure(400, 2019, ['The destination service already has %d integrations' % MAX_INTEGRATIONS_PER_SERVICE])
        incidents = [i for i in self.incidents.values() if i.get('integration_id') == integration['id']]
        if sum(1 for i in incidents if i['status'] in OPEN_STATUSES) > MAX_OPEN_INCIDENTS_TO_MOVE:
            raise invalid('An integration with more than %d open incidents cannot be moved; resolve incidents first'
                          % MAX_OPEN_INCIDENTS_TO_MOVE)
        integration['service'] = self.reference(target)
        integration['self'] = '%s/services/%s/integrations/%s' % (self.base_url, new_service_id, integration['id'])
        integration['html_url'] = 'https://%s.pagerduty.com/services/%s/integrations/%s' % (
            catalogue.SUBDOMAIN, new_service_id, integration['id'])
        for incident in incidents:
            incident['service'] = self.reference(target)

    def delete_integration(self, query, body, service_id, integration_id):
        self._integration(service_id, integration_id)
        del self.integrations[integration_id]
        return 204, None

    def _apply_email_fields(self, integration, fields, creating):
        errors = []
        if 'integration_email' in fields or creating:
            email = fields.get('integration_email')
            domain = '@%s.pagerduty.com' % catalogue.SUBDOMAIN
            if not isinstance(email, str) or not email:
                errors.append('Integration email must be specified for an email integration')
            elif not email.lower().endswith(domain) or not re.match(r'^[A-Za-z0-9._+-]+@', email):
                errors.append('Integration email must be an address ending in %s' % domain)
            elif any(i.get('integration_email', '') and i['integration_email'].lower() == email.lower()
                     and i['id'] != integration['id'] for i in self.integrations.values()):
                errors.append('Integration email has already been taken')
            else:
                integration['integration_email'] = email
        for key, allowed in (('email_incident_creation', EMAIL_INCIDENT_CREATION),
                             ('email_filter_mode', EMAIL_FILTER_MODES),
                             ('email_parsing_fallback', EMAIL_PARSING_FALLBACK)):
            if key in fields:
                if fields[key] not in allowed:
                    errors.append('%s must be one of %s' % (key, ', '.join(allowed)))
                else:
                    integration[key] = fields[key]
        if 'email_filters' in fields:
            problems = self._email_filter_errors(fields['email_filters'])
            errors.extend(problems)
            if not problems:
                integration['email_filters'] = [dict(f, id=f.get('id') or self.new_id()) for f in fields['email_filters']]
        if 'email_parsers' in fields:
            problems = self._email_parser_errors(fields['email_parsers'])
            errors.extend(problems)
            if not problems:
                integration['email_parsers'] = [
                    dict(p, id=p.get('id') or index + 1, match_predicate=self._stored_predicate(p['match_predicate']))
                    for index, p in enumerate(fields['email_parsers'])]
        if errors:
            raise invalid(*errors)

    @staticmethod
    def _regex_error(pattern, label):
        try:
            re.compile(pattern)
        except (re.error, TypeError):
            return ['%s is not a valid regular expression' % label]
        return []

    def _email_filter_errors(self, filters):
        if not isinstance(filters, list) or not filters:
            return ['Email filters must be a non-empty list']
        errors = []
        for index, rule in enumerate(filters):
            for part in ('subject', 'body', 'from_email'):
                mode = rule.get(part + '_mode')
                if mode not in ('match', 'no-match', 'always'):
                    errors.append('Email filter %d %s_mode must be match, no-match or always' % (index, part))
                elif mode != 'always':
                    if not rule.get(part + '_regex'):
                        errors.append('Email filter %d %s_regex is required when %s_mode is %s' % (index, part, part, mode))
                    else:
                        errors.extend(self._regex_error(rule[part + '_regex'], 'Email filter %d %s_regex' % (index, part)))
        return errors

    def _predicate_errors(self, predicate, where):
        if not isinstance(predicate, dict):
            return ['%s must be an object' % where]
        kind = predicate.get('type')
        if kind in ('all', 'any', 'not'):
            children = predicate.get('children') or []
            if not children:
                return ['%s children must not be empty for type %s' % (where, kind)]
            return [e for child in children for e in self._predicate_errors(child, where + ' child')]
        if kind in ('contains', 'exactly', 'regex'):
            if not predicate.get('matcher') or predicate.get('part') not in ('body', 'subject', 'from_addresses'):
                return ['%s of type %s needs a matcher and a part of body, subject or from_addresses' % (where, kind)]
            return self._regex_error(predicate['matcher'], where + ' matcher') if kind == 'regex' else []
        return ['%s type must be one of all, any, not, contains, exactly, regex' % where]

    def _stored_predicate(self, predicate):
        """A predicate as PagerDuty stores it: every one has type, part and children."""
        stored = dict(predicate, children=[self._stored_predicate(c) for c in predicate.get('children') or []])
        stored.setdefault('part', 'body')
        return stored

    def _email_parser_errors(self, parsers):
        if not isinstance(parsers, list):
            return ['Email parsers must be a list']
        errors = []
        for index, parser in enumerate(parsers):
            where = 'Email parser %d' % index
            if parser.get('action') not in ('trigger', 'resolve'):
                errors.append('%s action must be trigger or resolve' % where)
            errors.extend(self._predicate_errors(parser.get('match_predicate'), where + ' match predicate'))
            extractors = parser.get('value_extractors') or []
            if sum(1 for e in extractors if e.get('value_name') == 'incident_key') != 1:
                errors.append('%s must have exactly one value extractor named incident_key' % where)
            for extractor in extractors:
                if extractor.get('type') not in ('entire', 'regex', 'between') or \
                        extractor.get('part') not in ('body', 'subject', 'from_addresses'):
                    errors.append('%s value extractor needs a type (entire, regex, between) and a part' % where)
                elif extractor['type'] == 'regex':
                    errors.extend(self._regex_error(extractor.get('regex'), where + ' value extractor regex'))
        return errors

    # -- incidents (seeded through /_sim/; counted by the move pre-check) ------------------------

    def add_incidents(self, service_id, integration_id, count, status, created_at=None):
        service = self._service(service_id)
        created = []
        for dummy in range(count):
            incident_id = self.new_id()
            self.incidents[incident_id] = self._object(
                incident_id, 'incident', 'Seeded incident %s' % incident_id, title='Seeded incident',
                status=status, urgency='high', created_at=created_at or now(), service=self.reference(service),
                integration_id=integration_id)
            created.append(incident_id)
        return created

    def incident_window(self, query):
        """(since, until) of an incident list: all time with date_range=all, else since/until, else the last month."""
        if query.get('date_range', [None])[0] == 'all':
            return None, None
        since, until = (parse_time(query.get(name, [None])[0]) for name in ('since', 'until'))
        for name, value in (('since', since), ('until', until)):
            if query.get(name) and value is None:
                raise invalid('%s must be an ISO 8601 date and time with a time zone' % name)
        until = until or utc_now()
        since = since or until - datetime.timedelta(days=INCIDENT_LIST_DEFAULT_DAYS)
        if until - since > datetime.timedelta(days=INCIDENT_LIST_MAX_DAYS):
            raise invalid('The date range may not exceed 6 months; send date_range=all to search all time')
        return since, until

    def list_incidents(self, query, body):
        service_ids = set(query.get('service_ids[]', []))
        statuses = set(query.get('statuses[]', [])) or set(OPEN_STATUSES) | {'resolved'}
        since, until = self.incident_window(query)
        incident_key = query.get('incident_key', [None])[0]
        items = [self.as_read(i['id'], i) for i in self.incidents.values() if self.readable(i['id'])]
        items = [i for i in items
                 if i['status'] in statuses and (not service_ids or i['service']['id'] in service_ids)
                 and (since is None or since <= parse_time(i['created_at']) <= until)
                 and (incident_key is None or self.incident_has_key(i, incident_key))]
        items.sort(key=lambda i: i['id'])
        result = self.page(items, query, 'incidents')
        result['incidents'] = [{k: v for k, v in i.items() if k != 'integration_id'} for i in result['incidents']]
        return 200, result

    # -- routing ---------------------------------------------------------------------------------

    def routes(self):
        """(method, path pattern, handler) for every endpoint served."""
        segment = r'([^/]+)'
        # The families' routes first: their paths are more specific than the core's /services/{id}.
        return [route for family in self.families() for route in getattr(self, 'routes_' + family)()] + [
            ('GET', r'/vendors', self.list_vendors),
            ('GET', r'/vendors/' + segment, self.get_vendor),
            ('GET', r'/incidents', self.list_incidents),
            ('GET', r'/services', self.list_services),
            ('POST', r'/services', self.create_service),
            ('GET', r'/services/' + segment, self.get_service),
            ('PUT', r'/services/' + segment, self.update_service),
            ('DELETE', r'/services/' + segment, self.delete_service),
            ('POST', r'/services/%s/integrations' % segment, self.create_integration),
            ('GET', r'/services/%s/integrations/%s' % (segment, segment), self.get_integration),
            ('PUT', r'/services/%s/integrations/%s' % (segment, segment), self.update_integration),
            ('DELETE', r'/services/%s/integrations/%s' % (segment, segment), self.delete_integration),
        ]
