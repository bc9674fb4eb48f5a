"""Service custom fields: their definitions (/services/custom_fields), their options, and the values on services.

A family of endpoints mixed into PagerDutyAccount (see pagerduty.py): `reset_custom_fields()` sets up its
state, `routes_custom_fields()` lists its (method, path pattern, handler) routes. Behaviour and sources are in
README.md (Service custom fields).
"""

import copy
import itertools
import re

from .api import invalid, not_found, now, parse_time

DATA_TYPES = ('boolean', 'integer', 'float', 'string', 'datetime', 'url')
FIELD_TYPES = ('single_value', 'single_value_fixed', 'multi_value', 'multi_value_fixed')
FIXED_TYPES = ('single_value_fixed', 'multi_value_fixed')
MULTI_TYPES = ('multi_value', 'multi_value_fixed')
_FIELD_NAME = re.compile(r'^[a-z0-9_]+$')
_URL = re.compile(r'^https?://[^\s/$.?#][^\s]*$', re.IGNORECASE)
MAX_NAME = 50
MAX_DESCRIPTION = 1000
MAX_VALUE = 200
MAX_VALUES = 10
UPDATABLE = ('description', 'display_name', 'enabled', 'field_options')
IMMUTABLE = ('name', 'data_type', 'field_type')


def values_key(service_id):
    """The key under which the read lag keeps a service's values (they change as one object)."""
    return 'custom-field-values:%s' % service_id


class CustomFieldEndpoints:
    family = 'custom_fields'

    def reset_custom_fields(self):
        self.custom_fields = {}
        self.custom_field_values = {}   # service id -> {field id: value}
        self._field_sequence = itertools.count(1)

    def routes_custom_fields(self):
        segment = r'([^/]+)'
        fields = r'/services/custom_fields'
        return [
            ('GET', fields, self.list_custom_fields),
            ('POST', fields, self.create_custom_field),
            ('GET', fields + '/' + segment, self.get_custom_field),
            ('PUT', fields + '/' + segment, self.update_custom_field),
            ('DELETE', fields + '/' + segment, self.delete_custom_field),
            ('GET', '%s/%s/field_options' % (fields, segment), self.list_field_options),
            ('POST', '%s/%s/field_options' % (fields, segment), self.create_field_option),
            ('GET', '%s/%s/field_options/%s' % (fields, segment, segment), self.get_field_option),
            ('PUT', '%s/%s/field_options/%s' % (fields, segment, segment), self.update_field_option),
            ('DELETE', '%s/%s/field_options/%s' % (fields, segment, segment), self.delete_field_option),
            ('GET', r'/services/%s/custom_fields/values' % segment, self.get_custom_field_values),
            ('PUT', r'/services/%s/custom_fields/values' % segment, self.set_custom_field_values),
        ]

    def service_deleted_custom_fields(self, service_id):
        self.custom_field_values.pop(service_id, None)

    # -- views -----------------------------------------------------------------------------------

    def custom_field_view(self, field, includes):
        view = {k: copy.deepcopy(v) for k, v in field.items() if k not in ('field_options', 'sequence')}
        if 'field_options' in includes:
            view['field_options'] = copy.deepcopy(field['field_options'])
        return view

    def _custom_field(self, field_id):
        field = self.custom_fields.get(field_id)
        if field is None or not self.readable(field_id):
            raise not_found(2100, 'Field Not Found')
        return field

    def _custom_field_option(self, field, option_id):
        for option in field['field_options']:
            if option['id'] == option_id:
                return option
        raise not_found(2100, 'Field Option Not Found')

    def _custom_field_new_option(self, value):
        stamp = now()
        return {'id': self.new_id(), 'type': 'field_option', 'data': {'data_type': 'string', 'value': value},
                'created_at': stamp, 'updated_at': stamp}

    # -- validation of definitions ---------------------------------------------------------------

    @staticmethod
    def _custom_field_option_value_errors(option, where):
        data = option.get('data') if isinstance(option, dict) else None
        if not isinstance(data, dict):
            return ['%s must have data with data_type and value' % where], None
        if data.get('data_type') != 'string':
            return ["%s data_type must be 'string'" % where], None
        value = data.get('value')
        if not isinstance(value, str) or not value.strip():
            return ['%s value must be a non-blank string' % where], None
        if len(value) > MAX_VALUE:
            return ['%s value must be at most %d characters' % (where, MAX_VALUE)], None
        return [], value

    def _custom_field_options_errors(self, field_type, data_type, options):
        """Errors of a field_options list for a field of these types."""
        if options is None:
            return []
        if not isinstance(options, list):
            return ['Field options must be a list']
        if options and field_type not in FIXED_TYPES:
            return ['Field options can only be set on fields of field_type single_value_fixed or multi_value_fixed']
        errors, seen = [], set()
        for index, option in enumerate(options):
            problems, value = self._custom_field_option_value_errors(option, 'Field option %d' % index)
            errors.extend(problems)
            if value is not None:
                if value in seen:
                    errors.append('Field option values must be unique within the field (%r is listed twice)' % value)
                seen.add(value)
        return errors

    def _custom_field_text_errors(self, fields, field_id):
        errors = []
        if 'display_name' in fields:
            display = fields['display_name']
            if not isinstance(display, str) or not display.strip():
                errors.append("Display name can't be blank")
            elif len(display) > MAX_NAME:
                errors.append('Display name must be at most %d characters' % MAX_NAME)
            elif any(f['display_name'] == display and f['id'] != field_id for f in self.custom_fields.values()):
                errors.append('Display name has already been taken')
        if 'description' in fields:
            description = fields['description']
            if description is not None and (not isinstance(description, str) or len(description) > MAX_DESCRIPTION):
                errors.append('Description must be a string of at most %d characters, or null' % MAX_DESCRIPTION)
        if 'enabled' in fields and not isinstance(fields['enabled'], bool):
            errors.append('Enabled must be true or false')
        return errors

    # -- definitions -----------------------------------------------------------------------------

    def list_custom_fields(self, query, body):
        includes = self.includes(query)
        fields = [self.as_read(f['id'], f) for f in sorted(self.custom_fields.values(), key=lambda f: f['sequence'])
                  if self.readable(f['id'])]
        return 200, {'fields': [self.custom_field_view(f, includes) for f in fields]}

    def get_custom_field(self, query, body, field_id):
        field = self.as_read(field_id, self._custom_field(field_id))
        return 200, {'field': self.custom_field_view(field, self.includes(query))}

    def create_custom_field(self, query, body):
        fields = self.envelope(body, 'field')
        errors = []
        name = fields.get('name')
        if not isinstance(name, str) or not name:
            errors.append("Name can't be blank")
        elif len(name) > MAX_NAME or not _FIELD_NAME.match(name):
            errors.append('Name may only contain lowercase letters, digits and underscores, at most %d characters'
                          % MAX_NAME)
        elif any(f['name'] == name for f in self.custom_fields.values()):
            errors.append('Name has already been taken')
        if 'display_name' not in fields:
            errors.append("Display name can't be blank")
        data_type, field_type = fields.get('data_type'), fields.get('field_type')
        if data_type not in DATA_TYPES:
            errors.append('Data type must be one of %s' % ', '.join(DATA_TYPES))
        if field_type not in FIELD_TYPES:
            errors.append('Field type must be one of %s' % ', '.join(FIELD_TYPES))
        elif field_type in FIXED_TYPES + MULTI_TYPES and data_type in DATA_TYPES and data_type != 'string':
            errors.append('Field type %s requires data_type string' % field_type)
        errors.extend(self._custom_field_text_errors(fields, None))
        errors.extend(self._custom_field_options_errors(field_type, data_type, fields.get('field_options')))
        if errors:
            raise invalid(*errors)
        field_id = self.new_id()
        stamp = now()
        field = {'id': field_id, 'type': 'field', 'name': name, 'display_name': fields['display_name'],
                 'summary': fields['display_name'], 'description': fields.get('description'),
                 'data_type': data_type, 'field_type': field_type,
                 # Not documented: a field created without `enabled` is enabled here.
                 'enabled': fields.get('enabled', True),
                 'self': '%s/services/custom_fields/%s' % (self.base_url, field_id),
                 'created_at': stamp, 'updated_at': stamp, 'sequence': next(self._field_sequence),
                 'field_options': [self._custom_field_new_option(o['data']['value']) for o in fields.get('field_options') or []]}
        self.custom_fields[field_id] = field
        self.note_created(field_id)
        return 201, {'field': self.custom_field_view(field, {'field_options'})}

    def update_custom_field(self, query, body, field_id):
        current = self._custom_field(field_id)
        fields = self.envelope(body, 'field')
        errors = ['%s cannot be changed once the field is created' % key.replace('_', ' ').capitalize()
                  for key in IMMUTABLE if key in fields and fields[key] != current[key]]
        errors.extend(self._custom_field_text_errors(fields, field_id))
        options = fields.get('field_options')
        errors.extend(self._custom_field_options_errors(current['field_type'], current['data_type'], options))
        if isinstance(options, list):
            known = {o['id'] for o in current['field_options']}
            errors.extend('Field option %s was not found' % o['id'] for o in options
                          if isinstance(o, dict) and o.get('id') and o['id'] not in known)
        if errors:
            raise invalid(*errors)
        updated = copy.deepcopy(current)
        for key in ('description', 'display_name', 'enabled'):
            if key in fields:
                updated[key] = fields[key]
        updated['summary'] = updated['display_name']
        if options is not None:
            # An upsert: listed options with an ID are updated, without one created, the others deleted
            # (PagerDuty's API changelog, 2025-04-01).
            kept = []
            for option in options:
                if option.get('id'):
                    existing = copy.deepcopy(self._custom_field_option(current, option['id']))
                    if existing['data']['value'] != option['data']['value']:
                        self._custom_field_rename_option_value(field_id, existing['data']['value'], option['data']['value'])
                        existing['data']['value'] = option['data']['value']
                        existing['updated_at'] = now()
                    kept.append(existing)
                else:
                    kept.append(self._custom_field_new_option(option['data']['value']))
            kept_ids = {o['id'] for o in kept}
            for option in current['field_options']:
                if option['id'] not in kept_ids:
                    self._custom_field_forget_option_value(field_id, option['data']['value'])
            updated['field_options'] = kept
        updated['updated_at'] = now()
        self.note_updated(field_id, current)
        self.custom_fields[field_id] = updated
        return 200, {'field': self.custom_field_view(updated, {'field_options'})}

    def delete_custom_field(self, query, body, field_id):
        self._custom_field(field_id)
        del self.custom_fields[field_id]
        for values in self.custom_field_values.values():
            values.pop(field_id, None)
        return 204, None

    # -- options ---------------------------------------------------------------------------------

    def _custom_field_fixed(self, field_id):
        field = self._custom_field(field_id)
        if field['field_type'] not in FIXED_TYPES:
            raise invalid('Field options can only be set on fields of field_type single_value_fixed or multi_value_fixed')
        return field

    def list_field_options(self, query, body, field_id):
        field = self.as_read(field_id, self._custom_field(field_id))
        return 200, {'field_options': copy.deepcopy(field['field_options'])}

    def get_field_option(self, query, body, field_id, option_id):
        field = self.as_read(field_id, self._custom_field(field_id))
        return 200, {'field_option': copy.deepcopy(self._custom_field_option(field, option_id))}

    def create_field_option(self, query, body, field_id):
        field = self._custom_field_fixed(field_id)
        errors, value = self._custom_field_option_value_errors(self.envelope(body, 'field_option'), 'Field option')
        if not errors and value in [o['data']['value'] for o in field['field_options']]:
            errors = ['Field option values must be unique within the field (%r exists)' % value]
        if errors:
            raise invalid(*errors)
        updated = copy.deepcopy(field)
        option = self._custom_field_new_option(value)
        updated['field_options'].append(option)
        self.note_updated(field_id, field)
        self.custom_fields[field_id] = updated
        return 201, {'field_option': copy.deepcopy(option)}

    def update_field_option(self, query, body, field_id, option_id):
        field = self._custom_field_fixed(field_id)
        errors, value = self._custom_field_option_value_errors(self.envelope(body, 'field_option'), 'Field option')
        if not errors and value in [o['data']['value'] for o in field['field_options'] if o['id'] != option_id]:
            errors = ['Field option values must be unique within the field (%r exists)' % value]
        if errors:
            raise invalid(*errors)
        updated = copy.deepcopy(field)
        option = self._custom_field_option(updated, option_id)
        self._custom_field_rename_option_value(field_id, option['data']['value'], value)
        option['data']['value'] = value
        option['updated_at'] = now()
        self.note_updated(field_id, field)
        self.custom_fields[field_id] = updated
        return 200, {'field_option': copy.deepcopy(option)}

    def delete_field_option(self, query, body, field_id, option_id):
        field = self._custom_field(field_id)
        option = self._custom_field_option(field, option_id)
        updated = copy.deepcopy(field)
        updated['field_options'] = [o for o in field['field_options'] if o['id'] != option_id]
        self._custom_field_forget_option_value(field_id, option['data']['value'])
        self.note_updated(field_id, field)
        self.custom_fields[field_id] = updated
        return 204, None

    def _custom_field_rename_option_value(self, field_id, old, new):
        """Services that hold an option's value hold its new value when the option changes."""
        for values in self.custom_field_values.values():
            value = values.get(field_id)
            if value == old:
                values[field_id] = new
            elif isinstance(value, list) and old in value:
                values[field_id] = [new if v == old else v for v in value]

    def _custom_field_forget_option_value(self, field_id, old):
        """A deleted option's value is cleared from the services that held it."""
        for values in self.custom_field_values.values():
            value = values.get(field_id)
            if value == old:
                values[field_id] = None
            elif isinstance(value, list) and old in value:
                values[field_id] = [v for v in value if v != old] or None

    # -- values on services ----------------------------------------------------------------------

    def _custom_field_values_view(self, values):
        """Every enabled field with the service's value (null when unset), as the values endpoints answer."""
        listed = []
        for field in sorted(self.custom_fields.values(), key=lambda f: f['sequence']):
            if not field['enabled'] or not self.readable(field['id']):
                continue
            listed.append({'id': field['id'], 'type': 'field_value', 'name': field['name'],
                           'display_name': field['display_name'], 'description': field['description'],
                           'data_type': field['data_type'], 'field_type': field['field_type'],
                           'value': copy.deepcopy(values.get(field['id']))})
        return {'custom_fields': listed}

    def _custom_field_readable_service(self, service_id):
        self._service(service_id)
        if not self.readable(service_id):
            raise not_found(5002, 'Service Not Found')

    def get_custom_field_values(self, query, body, service_id):
        self._custom_field_readable_service(service_id)
        values = self.as_read(values_key(service_id), self.custom_field_values.get(service_id, {}))
        return 200, self._custom_field_values_view(values)

    def set_custom_field_values(self, query, body, service_id):
        self._custom_field_readable_service(service_id)
        items = body.get('custom_fields') if isinstance(body, dict) else None
        if not isinstance(items, list):
            raise invalid('The request body must be a JSON object with the custom_fields list')
        by_name = {f['name']: f for f in self.custom_fields.values()}
        errors, changes = [], {}
        for index, item in enumerate(items):
            if not isinstance(item, dict) or 'value' not in item or not (item.get('id') or item.get('name')):
                errors.append('Custom field %d needs an id or a name, and a value' % index)
                continue
            field = self.custom_fields.get(item.get('id')) if item.get('id') else by_name.get(item['name'])
            label = item.get('name') or item.get('id')
            if field is None or not self.readable(field['id']):
                errors.append('Custom field %s was not found' % label)
            elif not field['enabled']:
                errors.append('Custom field %s is disabled' % label)
            else:
                problem = self.custom_field_value_problem(field, item['value'])
                if problem:
                    errors.append('Custom field %s: %s' % (label, problem))
                else:
                    changes[field['id']] = copy.deepcopy(item['value'])
        # All or nothing (the description of the update model: "All updates succeed or none are applied").
        if errors:
            raise invalid(*errors)
        current = self.custom_field_values.get(service_id, {})
        self.note_updated(values_key(service_id), current)
        self.custom_field_values[service_id] = dict(current, **changes)
        return 201, self._custom_field_values_view(self.custom_field_values[service_id])

    @staticmethod
    def custom_field_scalar_problem(data_type, value):
        """Why `value` is not of `data_type`, or None."""
        if data_type == 'boolean':
            return None if isinstance(value, bool) else 'must be true or false'
        if data_type == 'integer':
            return None if isinstance(value, int) and not isinstance(value, bool) else 'must be an integer'
        if data_type == 'float':
            return None if isinstance(value, (int, float)) and not isinstance(value, bool) else 'must be a number'
        if not isinstance(value, str):
            return 'must be a string'
        if len(value) > MAX_VALUE:
            return 'must be at most %d characters' % MAX_VALUE
        if data_type == 'url' and not _URL.match(value):
            return 'must be an http or https URL'
        if data_type == 'datetime' and parse_time(value) is None:
            return 'must be an ISO 8601 date and time with a time zone'
        return None

    def custom_field_value_problem(self, field, value):
        """Why `value` cannot be the field's value, or None; null clears it."""
        if value is None:
            return None
        options = [o['data']['value'] for o in field['field_options']]
        if field['field_type'] in MULTI_TYPES:
            if not isinstance(value, list):
                return 'must be a list of values'
            if len(value) > MAX_VALUES:
                return 'can have at most %d values' % MAX_VALUES
            if len(set(map(str, value))) != len(value):
                return 'values must be unique'
            for item in value:
                problem = self.custom_field_scalar_problem(field['data_type'], item)
                if problem:
                    return 'each value %s' % problem
                if field['field_type'] == 'multi_value_fixed' and item not in options:
                    return '%r is not one of the options (%s)' % (item, ', '.join(options))
            return None
        problem = self.custom_field_scalar_problem(field['data_type'], value)
        if problem:
            return problem
        if field['field_type'] == 'single_value_fixed' and value not in options:
            return '%r is not one of the options (%s)' % (value, ', '.join(options))
        return None
