# -*- coding: utf-8 -*-
# Copyright: contributors to oncall.pagerduty
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Service custom fields: their definitions (name, display name, data and field type, options, enabled) and the
values services hold.

Used by pd_service_custom_field. pd_service and pd_service_info call read_custom_field_values(),
desired_custom_field_values() and write_custom_field_values() for a service's `custom_fields`.
"""

from __future__ import annotations

import datetime
import difflib
import re

from ansible_collections.oncall.pagerduty.plugins.module_utils._lookup import Lookups
from ansible_collections.oncall.pagerduty.plugins.module_utils._resource import STATE_OPTION, Collection, Field, Resource

DATA_TYPES = ['boolean', 'datetime', 'float', 'integer', 'string', 'url']
FIELD_TYPES = ['multi_value', 'multi_value_fixed', 'single_value', 'single_value_fixed']
FIXED_TYPES = ('single_value_fixed', 'multi_value_fixed')
MULTI_TYPES = ('multi_value', 'multi_value_fixed')
FIELDS_PATH = '/services/custom_fields'
WITH_OPTIONS = {'include[]': ['field_options']}
_FIELD_NAME = re.compile(r'^[a-z0-9_]+$')
_URL = re.compile(r'^https?://[^\s/$.?#][^\s]*$', re.IGNORECASE)
# PagerDuty's limits (the OpenAPI description's maxLength and maxItems).
MAX_NAME = 50
MAX_DESCRIPTION = 1000
MAX_VALUE = 200
MAX_VALUES = 10
CUSTOM_FIELDS = Collection(FIELDS_PATH, 'field', plural='fields', name_filter=None, name_limit=MAX_NAME,
                           label='service custom field')
TRUE_WORDS = ('true', 'yes', 'on', '1')
FALSE_WORDS = ('false', 'no', 'off', '0')


# -- definitions -----------------------------------------------------------------------------------

def list_fields(client):
    """Every service custom field of the account, with its options (one request: the list is not paginated)."""
    return Lookups.of(client).remembered('custom_fields', (), lambda: read_fields(client))


def read_fields(client):
    """The account's service custom fields, read now."""
    data = client.get(FIELDS_PATH, WITH_OPTIONS)
    return [] if data is None else client.enveloped(data, 'fields', 'GET', FIELDS_PATH, listing=True)


def option_values(field):
    """The values of a field's options (as PagerDuty returns them, or already as values)."""
    return [o if isinstance(o, str) else (o.get('data') or {}).get('value') for o in field.get('field_options') or []]


def present_field(field):
    """The field as results show it: its options as their values (for the fixed field types only)."""
    if not field:
        return field
    shown = dict(field)
    shown.pop('field_options', None)
    if field.get('field_type') in FIXED_TYPES:
        shown['field_options'] = option_values(field)
    return shown


# -- values ----------------------------------------------------------------------------------------

def parse_datetime(value):
    """An aware datetime from ISO 8601 text with a zone (Z or an offset), else None."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text[-1:] in ('Z', 'z'):
        text = text[:-1] + '+00:00'
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def values_equal(one, other):
    """True when two values of a field are the same value: lists as sets, times as instants."""
    if isinstance(one, list) and isinstance(other, list):
        return sorted(map(str, one)) == sorted(map(str, other))
    if isinstance(one, bool) or isinstance(other, bool):
        return one is other
    moments = parse_datetime(one), parse_datetime(other)
    if None not in moments:
        return moments[0] == moments[1]
    return one == other


def scalar(data_type, value):
    """(the value as the field's data type takes it, or None; a problem, or None). Converts only what loses nothing."""
    if data_type == 'boolean':
        if isinstance(value, bool):
            return value, None
        word = str(value).strip().lower() if isinstance(value, str) else None
        if word in TRUE_WORDS or word in FALSE_WORDS:
            return word in TRUE_WORDS, None
        return None, 'must be true or false'
    if data_type == 'integer':
        if isinstance(value, int) and not isinstance(value, bool):
            return value, None
        if isinstance(value, str) and re.match(r'^\s*-?\d+\s*$', value):
            return int(value), None
        if isinstance(value, float) and value.is_integer():
            return int(value), None
        return None, 'must be a whole number'
    if data_type == 'float':
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return value, None
        try:
            return float(value), None
        except (TypeError, ValueError):
            return None, 'must be a number'
    if isinstance(value, datetime.datetime):
        value = value.isoformat()
    elif isinstance(value, datetime.date):
        return None, 'must be a date and a time with a time zone, such as %sT00:00:00Z (quote it in YAML)' % value
    elif isinstance(value, (int, float)) and not isinstance(value, bool) and data_type == 'string':
        value = str(value)
    if not isinstance(value, str):
        return None, 'must be text'
    if len(value) > MAX_VALUE:
        return None, 'must be at most %d characters, got %d' % (MAX_VALUE, len(value))
    if data_type == 'url' and not _URL.match(value):
        return None, '%r is not an http or https URL' % value
    if data_type == 'datetime' and parse_datetime(value) is None:
        return None, '%r is not an ISO 8601 date and time with a time zone, such as 2025-05-01T09:00:00Z' % value
    return value, None


def checked_value(field, value):
    """(the value to send, a problem or None) for `field`; None clears the field's value."""
    if value is None:
        return None, None
    options = option_values(field)
    if field['field_type'] in MULTI_TYPES:
        items = value if isinstance(value, list) else [value]
        if len(items) > MAX_VALUES:
            return None, 'holds at most %d values, got %d' % (MAX_VALUES, len(items))
        converted = []
        for item in items:
            item, problem = scalar(field['data_type'], item)
            if problem:
                return None, 'each value %s' % problem
            if field['field_type'] == 'multi_value_fixed' and item not in options:
                return None, '%r is not one of its options (%s)' % (item, ', '.join(options) or 'none')
            if item in converted:
                return None, '%r is listed twice' % item
            converted.append(item)
        return converted, None
    if isinstance(value, list):
        return None, 'holds one value (field_type %s), got a list' % field['field_type']
    value, problem = scalar(field['data_type'], value)
    if problem:
        return None, problem
    if field['field_type'] == 'single_value_fixed' and value not in options:
        return None, '%r is not one of its options (%s)' % (value, ', '.join(options) or 'none')
    return value, None


def values_of(client, answer, method, service_id):
    """{field name: value} from an answer of /services/{id}/custom_fields/values."""
    if answer is None:
        return {}
    fields = client.enveloped(answer, 'custom_fields', method, values_path(service_id), listing=True)
    return {f['name']: f.get('value') for f in fields if f.get('name')}


def values_path(service_id):
    return '/services/%s/custom_fields/values' % service_id


def read_custom_field_values(client, service_id):
    """The service's custom field values as {field name: value} (null for a field it has no value for)."""
    return values_of(client, client.get(values_path(service_id)), 'GET', service_id)


def desired_custom_field_values(client, values, option, current_values, predict_missing=False, warn=None):
    """What to send for `values` ({field name: value}): the fields whose value differs from `current_values`.

    Each value is checked against its field's definition (data type, field type, options, enabled) first, with
    one request for the definitions; a problem raises the client's error naming `option.<field>`, before any
    write. `current_values` is None for a service that does not exist yet (every value is then sent). With
    `predict_missing` (check mode), a field that does not exist yet is taken as created by an earlier task:
    `warn` says so and its value is kept as given. Returns {} when nothing differs.

    When the service already holds every value as given, nothing can be wrong with them (PagerDuty took them, and
    a field disabled since is not among the service's values), so no request is made at all.
    """
    if not values:
        return {}
    if current_values is not None and all(name in current_values and values_equal(value, current_values[name])
                                          for name, value in values.items()):
        return {}
    fields = {f['name']: f for f in list_fields(client)}
    changes = {}
    for name in sorted(values):
        where = '%s.%s' % (option, name)
        field = fields.get(name)
        if field is None:
            if predict_missing:
                if warn:
                    warn('%s: no service custom field is named %r yet. Check mode assumes that an earlier task of this '
                         'run creates it; a real run fails if it still does not exist then.' % (where, name))
                changes[name] = values[name]
                continue
            raise client.error_class(unknown_field_message(where, name, fields.values()), option=where)
        if not field.get('enabled', True):
            raise client.error_class('%s: the field %r is disabled, so PagerDuty takes no value for it; enable it with '
                                     'oncall.pagerduty.pd_service_custom_field (enabled: true) first' % (where, name),
                                     option=where)
        value, problem = checked_value(field, values[name])
        if problem:
            raise client.error_class('%s: %s (the field is %s, %s)' % (where, problem, field['data_type'], field['field_type']),
                                     option=where)
        current = None if current_values is None else current_values.get(name)
        if current_values is None or not values_equal(value, current):
            changes[name] = value
    return changes


def unknown_field_message(where, name, fields):
    message = '%s: no service custom field is named %r' % (where, name)
    by_display = [f for f in fields if (f.get('display_name') or '').casefold() == name.casefold()]
    close = by_display or [f for n in difflib.get_close_matches(name, [f['name'] for f in fields], n=3, cutoff=0.6)
                           for f in fields if f['name'] == n]
    if close:
        named = ['%r (display name %r)' % (f['name'], f.get('display_name')) for f in close]
        message += '; did you mean %s?' % ' or '.join(named)
    else:
        message += '; create it with oncall.pagerduty.pd_service_custom_field first'
    return message


def write_custom_field_values(client, service_id, changes):
    """Set `changes` ({field name: value}) on the service in one request (all or none are applied); returns the
    values the answer gives. The caller waits until reads show them (values_shown)."""
    body = {'custom_fields': [{'name': name, 'value': value} for name, value in sorted(changes.items())]}
    return values_of(client, client.put(values_path(service_id), body), 'PUT', service_id)


def values_shown(changes, read):
    """True when `read` ({field name: value}) holds every value of `changes`."""
    return all(values_equal(value, read.get(name)) for name, value in changes.items())


# -- the kind --------------------------------------------------------------------------------------

class ServiceCustomFieldResource(Resource):
    """A service custom field, found by its name (unique in an account, fixed once created)."""

    result_key = 'custom_field'
    collection = CUSTOM_FIELDS
    fields = (
        Field('name', dict(type='str', required=True)),
        Field('display_name'),
        Field('description'),
        Field('data_type', dict(type='str', choices=DATA_TYPES)),
        Field('field_type', dict(type='str', choices=FIELD_TYPES)),
        Field('field_options', dict(type='list', elements='str')),
        Field('enabled', dict(type='bool')),
    )
    options = dict(state=STATE_OPTION)

    def __init__(self, task, client=None):
        super().__init__(task, client)
        self.fields_read = []   # every field of the account, as the look-up read them
        self.found = None       # the field as PagerDuty returned it (its options with their IDs)

    # -- validation before any request -----------------------------------------------------------

    def validate(self):
        params = self.params
        self.fail_if_blank('name', 'display_name')
        name = params['name']
        if len(name) > MAX_NAME or not _FIELD_NAME.match(name):
            self.fail('%s: %r may hold only lowercase letters, digits and underscores, at most %d characters (for '
                      'example %r); the display name is what people read' % (
                          self.option('name'), name, MAX_NAME, re.sub(r'[^a-z0-9_]+', '_', name.lower()).strip('_')[:MAX_NAME]))
        self.check_name('display_name', params['display_name'], MAX_NAME)
        for option, limit in (('description', MAX_DESCRIPTION),):
            value = params[option]
            if value is not None and len(value) > limit:
                self.fail('%s: at most %d characters, got %d' % (self.option(option), limit, len(value)))
        options = params['field_options']
        if options is not None:
            for index, value in enumerate(options):
                if not value.strip():
                    self.fail('%s[%d]: must not be blank' % (self.option('field_options'), index))
                if len(value) > MAX_VALUE:
                    self.fail('%s[%d]: at most %d characters, got %d' % (self.option('field_options'), index, MAX_VALUE,
                                                                         len(value)))
                if options.index(value) != index:
                    self.fail('%s: %r is listed twice' % (self.option('field_options'), value))
        self.check_types(params['data_type'], params['field_type'])

    def check_types(self, data_type, field_type):
        """Options are strings, and a list of values is a list of strings (PagerDuty's description of them)."""
        if field_type in FIXED_TYPES + MULTI_TYPES and data_type not in (None, 'string'):
            self.fail('%s: field_type %s takes data_type string only, got %s'
                      % (self.option('data_type'), field_type, data_type))
        if self.params['field_options'] and field_type is not None and field_type not in FIXED_TYPES:
            self.fail('%s: only fields of field_type single_value_fixed or multi_value_fixed have options, and this '
                      'one is %s' % (self.option('field_options'), field_type))

    # -- finding ---------------------------------------------------------------------------------

    def find(self, plan):
        self.fields_read = list_fields(self.client)
        self.found = next((f for f in self.fields_read if f.get('name') == self.params['name']), None)
        return self.as_predicted(CUSTOM_FIELDS.key, self.params['name'], self.found, lambda field_id: None)

    def twins(self, plan):
        return [f for f in read_fields(self.client) if f.get('name') == self.params['name']]

    def present(self, obj):
        return present_field(obj)

    # -- desired state ---------------------------------------------------------------------------

    def desired(self, plan):
        params = self.params
        current = plan.current
        if current is not None:
            for option in ('data_type', 'field_type'):
                if params[option] is not None and params[option] != current[option]:
                    self.fail('%s: the field %r is %s, and PagerDuty cannot change a field\'s %s once it is created. '
                              'Delete it (state: absent) and create it again - its values on services are lost - or '
                              'create a field of another name.' % (self.option(option), current['name'],
                                                                   current[option], option))
            self.check_types(current['data_type'], current['field_type'])
        desired = {}
        for option in ('display_name', 'description', 'enabled'):
            if params[option] is not None:
                desired[option] = params[option]
        if current is None:
            desired.update(name=params['name'], data_type=params['data_type'], field_type=params['field_type'])
            desired.setdefault('enabled', True)
            if params['field_type'] in FIXED_TYPES:
                desired['field_options'] = list(params['field_options'] or [])
        elif params['field_options'] is not None:
            kept = current.get('field_options') or []
            wanted = params['field_options']
            desired['field_options'] = kept if set(wanted) == set(kept) else list(wanted)
            dropped = [value for value in kept if value not in wanted]
            if dropped:
                self.warn('%s: removing %s clears %s from the services that hold %s'
                          % (self.option('field_options'), ', '.join(repr(v) for v in dropped),
                             'it' if len(dropped) == 1 else 'them', 'it' if len(dropped) == 1 else 'them'))
        display = desired.get('display_name')
        taken = [f for f in self.fields_read if f.get('display_name') == display and f.get('name') != params['name']]
        if display is not None and taken:
            self.fail('%s: %r is the display name of the field %r already, and display names are unique in an account'
                      % (self.option('display_name'), display, taken[0]['name']))
        return desired

    def check_create(self, plan):
        desired = plan.desired
        for option in ('display_name', 'data_type', 'field_type'):
            if desired.get(option) is None:
                self.required_to_create('%s: required to create the custom field %r'
                                        % (self.option(option), self.params['name']))
        if desired.get('field_type') in FIXED_TYPES and not desired.get('field_options'):
            self.fail('%s: a field of field_type %s takes its values from its options; list them'
                      % (self.option('field_options'), desired['field_type']))

    def check_update(self, plan):
        """Field names cannot change, so a rename is never asked for."""

    def warn_look_alike(self, plan):
        """Field names are lower case by rule: no look-alike in another case can exist."""

    # -- writes ----------------------------------------------------------------------------------

    def options_body(self, values):
        """Options as a write takes them: an existing option keeps its ID (an upsert keeps the values services hold)."""
        ids = {(o.get('data') or {}).get('value'): o.get('id') for o in (self.found or {}).get('field_options') or []}
        body = []
        for value in values:
            option = {'data': {'data_type': 'string', 'value': value}}
            if ids.get(value):
                option['id'] = ids[value]
            body.append(option)
        return body

    def body(self, fields):
        body = dict(fields)
        if 'field_options' in body:
            body['field_options'] = self.options_body(body['field_options'])
        return {'field': body}

    def predict_create(self, plan):
        return dict(plan.desired, id=None, type='field')

    def read_back(self, plan, obj):
        return self.client.get_object('services/custom_fields', 'field', obj['id'], WITH_OPTIONS)

    def is_name_conflict(self, err):
        return err.status == 400 and any(str(e).lower().startswith('name has already been taken') for e in err.errors)
