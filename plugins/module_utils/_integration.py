# -*- coding: utf-8 -*-
# Copyright: contributors to oncall.pagerduty
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""PagerDuty integrations: their options, validation, identity (given or derived name), desired
state, writes (with recreate and the settling of same-moment creates) and presentation.

Used by pd_integration, pd_integration_move and the catalogue.
"""

from __future__ import annotations

import re

from ansible_collections.oncall.pagerduty.plugins.module_utils._client import ApiError
from ansible_collections.oncall.pagerduty.plugins.module_utils._resource import Resource
from ansible_collections.oncall.pagerduty.plugins.module_utils._service import find_service
from ansible_collections.oncall.pagerduty.plugins.module_utils._vendor import resolve_vendor

MAX_INTEGRATIONS_PER_SERVICE = 250
EMAIL_TYPE = 'generic_email_inbound_integration'
EMAIL_FIELDS = ('integration_email', 'email_incident_creation', 'email_filter_mode', 'email_parsers',
                'email_parsing_fallback', 'email_filters')


def integration_path(service_id, integration_id=None):
    base = '/services/%s/integrations' % service_id
    return base if integration_id is None else '%s/%s' % (base, integration_id)


def _without_ids(value):
    """Settings as a create takes them: the IDs PagerDuty gave filter and parser entries are its own."""
    if isinstance(value, list):
        return [_without_ids(v) for v in value]
    if isinstance(value, dict):
        return {k: _without_ids(v) for k, v in value.items() if k != 'id'}
    return value


def copy_of(integration, service_id, name=None):
    """The body that creates an integration identical to `integration` on another service."""
    body = {'name': name or integration['name'], 'service': {'id': service_id, 'type': 'service_reference'}}
    if integration.get('vendor'):
        body['vendor'] = {'id': integration['vendor']['id'], 'type': 'vendor_reference'}
    else:
        body['type'] = integration['type']
    for field in EMAIL_FIELDS:
        if integration.get(field) is not None:
            body[field] = _without_ids(integration[field])
    return body


TYPE_ALIASES = {
    'events_api_v2': 'events_api_v2_inbound_integration',
    'events_api_v1': 'generic_events_api_inbound_integration',
    'email': 'generic_email_inbound_integration',
}
# What the derived name calls the monitoring tool of a generic integration.
TYPE_LABELS = {
    'events_api_v2_inbound_integration': 'Events API v2',
    'generic_events_api_inbound_integration': 'Events API v1',
    'generic_email_inbound_integration': 'Email',
}
NOT_VENDORS = {'events api v2': 'events_api_v2', 'events api v1': 'events_api_v1', 'events api': 'events_api_v2',
               'email': 'email'}


class IntegrationResource(Resource):
    result_key = 'integration'
    secret_fields = ('integration_key',)
    argument_spec = dict(
        service=dict(type='str', required=True),
        name=dict(type='str'),
        id=dict(type='str'),
        state=dict(type='str', default='present', choices=['absent', 'present']),
        type=dict(type='str', choices=sorted(TYPE_ALIASES) + sorted(set(TYPE_ALIASES.values()) | {
            'aws_cloudwatch_inbound_integration', 'cloudkick_inbound_integration',
            'event_transformer_api_inbound_integration', 'keynote_inbound_integration', 'nagios_inbound_integration',
            'pingdom_inbound_integration', 'sql_monitor_inbound_integration'})),
        vendor=dict(type='str'),
        recreate=dict(type='bool', default=False),
        integration_email=dict(type='str'),
        email_incident_creation=dict(type='str', choices=['on_new_email', 'on_new_email_subject',
                                                          'only_if_no_open_incidents', 'use_rules']),
        email_filter_mode=dict(type='str', choices=['all-email', 'or-rules-email', 'and-rules-email']),
        email_filters=dict(type='list', elements='dict', options=dict(
            subject_mode=dict(type='str', default='always', choices=['always', 'match', 'no-match']),
            subject_regex=dict(type='str'),
            body_mode=dict(type='str', default='always', choices=['always', 'match', 'no-match']),
            body_regex=dict(type='str'),
            from_email_mode=dict(type='str', default='always', choices=['always', 'match', 'no-match']),
            from_email_regex=dict(type='str'),
        )),
        email_parsers=dict(type='list', elements='dict', options=dict(
            action=dict(type='str', required=True, choices=['trigger', 'resolve']),
            match_predicate=dict(type='dict', required=True),
            value_extractors=dict(type='list', elements='dict', required=True),
        )),
        email_parsing_fallback=dict(type='str', choices=['open_new_incident', 'discard']),
    )
    option_rules = dict(mutually_exclusive=[('type', 'vendor')])
    settable_fields = ('name', 'type', 'vendor', 'service') + EMAIL_FIELDS

    # -- validation before any request -----------------------------------------------------------

    def validate(self):
        params = self.params
        self.fail_if_blank('service', 'name', 'id', 'vendor')
        vendor = (params['vendor'] or '').strip().casefold()
        if vendor in NOT_VENDORS:
            self.fail('vendor: %r is an integration type, not a vendor; use type: %s instead'
                      % (params['vendor'], NOT_VENDORS[vendor]))
        email_options = [o for o in EMAIL_FIELDS if params[o] is not None]
        if email_options and params['type'] is not None and self.wanted_type() != EMAIL_TYPE:
            self.fail('%s: only for email integrations (type: email), not type %s' % (', '.join(email_options), params['type']))
        for index, rule in enumerate(params['email_filters'] or []):
            for part in ('subject', 'body', 'from_email'):
                where = 'email_filters[%d].%s_regex' % (index, part)
                if rule[part + '_mode'] != 'always' and not rule[part + '_regex']:
                    self.fail('%s: required when %s_mode is %s' % (where, part, rule[part + '_mode']))
                self.check_regex(rule[part + '_regex'], where)
        for index, parser in enumerate(params['email_parsers'] or []):
            self.validate_predicate(parser['match_predicate'], 'email_parsers[%d].match_predicate' % index)
            self.validate_extractors(parser['value_extractors'], 'email_parsers[%d].value_extractors' % index)

    def check_regex(self, pattern, where):
        if pattern is None:
            return
        try:
            re.compile(pattern)
        except re.error as err:
            self.fail('%s: %r is not a valid regular expression (%s)' % (where, pattern, err))

    def validate_predicate(self, predicate, where):
        kind = predicate.get('type') if isinstance(predicate, dict) else None
        if kind in ('all', 'any', 'not'):
            children = predicate.get('children')
            if not isinstance(children, list) or not children:
                self.fail('%s: type %s needs children, a list of predicates' % (where, kind))
            for index, child in enumerate(children):
                self.validate_predicate(child, '%s.children[%d]' % (where, index))
        elif kind in ('contains', 'exactly', 'regex'):
            if not predicate.get('matcher') or predicate.get('part') not in ('body', 'subject', 'from_addresses'):
                self.fail('%s: type %s needs a matcher and a part (body, subject or from_addresses)' % (where, kind))
            if kind == 'regex':
                self.check_regex(predicate['matcher'], where + '.matcher')
        else:
            self.fail('%s: type must be one of all, any, not, contains, exactly, regex, got %r' % (where, kind))

    def validate_extractors(self, extractors, where):
        if sum(1 for e in extractors if e.get('value_name') == 'incident_key') != 1:
            self.fail('%s: exactly one value extractor must have value_name incident_key' % where)
        for index, extractor in enumerate(extractors):
            at = '%s[%d]' % (where, index)
            if extractor.get('type') not in ('entire', 'regex', 'between'):
                self.fail('%s.type: must be one of entire, regex, between, got %r' % (at, extractor.get('type')))
            if extractor.get('part') not in ('body', 'subject', 'from_addresses'):
                self.fail('%s.part: must be one of body, subject, from_addresses, got %r' % (at, extractor.get('part')))
            if extractor['type'] == 'regex':
                if not extractor.get('regex'):
                    self.fail('%s.regex: required with type regex' % at)
                self.check_regex(extractor['regex'], at + '.regex')

    def wanted_type(self):
        value = self.params['type']
        return TYPE_ALIASES.get(value, value)

    # -- finding ---------------------------------------------------------------------------------

    def find(self):
        params = self.params
        # One request: the service with its integrations as full objects.
        self.service = find_service(self.client, params['service'], 'service', includes=('integrations',))
        if self.service is None:
            if params['state'] == 'absent':
                return None  # no service, so no integration on it
            self.fail('service: no service is named or identified by %r' % params['service'])
        integrations = self.service.get('integrations') or []
        if params['id']:
            found = [i for i in integrations if i.get('id') == params['id']]
            if not found and params['state'] == 'present':
                self.fail('id: service %r has no integration with the ID %r' % (self.service['name'], params['id']))
            return found[0] if found else None
        name = self.identity_name(integrations)
        found = [i for i in integrations if i.get('name') == name]
        if len(found) > 1:
            self.fail('name: service %r has %d integrations named %r: %s. Give the one you mean with id.'
                      % (self.service['name'], len(found), name, ', '.join(i['id'] for i in found)))
        return found[0] if found else None

    def identity_name(self, integrations):
        """The name the integration is known by: the given one, or the derived one."""
        if self.params['name']:
            return self.params['name']
        tool = self.tool_name(integrations)
        if tool is None:
            self.fail('name: required unless type or vendor says which monitoring tool the integration is for')
        return ('%s-%s' % (tool, self.service['name'])).replace(' ', '-')

    def tool_name(self, integrations):
        """The monitoring tool's name for a derived integration name, without a vendor lookup when
        an integration of that vendor is already on the service."""
        vendor = self.params['vendor']
        if vendor:
            for integration in integrations:
                ref = integration.get('vendor') or {}
                if vendor == ref.get('id') or vendor.casefold() == (ref.get('summary') or '').casefold():
                    return ref.get('summary')
            return self.resolve_vendor()['name']
        if self.params['type']:
            wanted = self.wanted_type()
            return TYPE_LABELS.get(wanted, wanted.replace('_inbound_integration', '').replace('_', ' ').title())
        return None

    def resolve_vendor(self):
        if getattr(self, '_vendor', None) is None:
            self.doing = 'find the vendor %r' % self.params['vendor']
            self._vendor = resolve_vendor(self.client, self.params['vendor'], self.option('vendor'))
        return self._vendor

    # -- desired state ---------------------------------------------------------------------------

    def desired(self, current):
        params = self.params
        desired = {'name': params['name'] if params['name'] else self.identity_name(self.service.get('integrations') or [])}
        for option in EMAIL_FIELDS:
            if params[option] is not None:
                desired[option] = params[option]
        if desired.get('email_filters') is not None:
            desired['email_filters'] = [{k: v for k, v in rule.items() if v is not None} for rule in desired['email_filters']]
        if current is not None and self.kind_differs(current):
            if not params['recreate']:
                self.fail('%s: integration %r is %s; the kind of an integration cannot be changed in place. '
                          'Set recreate: true to delete it and create it again (its integration key will change).'
                          % ('vendor' if params['vendor'] else 'type', current['name'], self.describe_kind(current)))
            self.replace = current
        return desired

    def kind_differs(self, current):
        vendor_ref = current.get('vendor') or {}
        if self.params['vendor']:
            value = self.params['vendor']
            return not (value == vendor_ref.get('id') or value.casefold() == (vendor_ref.get('summary') or '').casefold())
        if self.params['type']:
            return bool(vendor_ref) or current.get('type') != self.wanted_type()
        return False

    @staticmethod
    def describe_kind(integration):
        vendor = integration.get('vendor')
        if vendor:
            return 'a %s integration (vendor %s)' % (vendor.get('summary'), vendor.get('id'))
        return 'of type %s' % integration.get('type')

    def check_create(self, desired):
        if not self.params['type'] and not self.params['vendor']:
            self.fail('type or vendor: one is required to create integration %r on service %r'
                      % (desired['name'], self.service['name']))
        is_email = self.params['type'] and self.wanted_type() == EMAIL_TYPE
        if is_email and not self.params['integration_email']:
            self.fail('integration_email: required to create an email integration')
        existing = len(self.service.get('integrations') or []) - (1 if getattr(self, 'replace', None) else 0)
        if existing >= MAX_INTEGRATIONS_PER_SERVICE:
            self.fail('service: %r already has %d integrations, the most PagerDuty allows on one service'
                      % (self.service['name'], MAX_INTEGRATIONS_PER_SERVICE))

    def predict_create(self, desired):
        predicted = dict(desired, id=None, service={'id': self.service['id'], 'summary': self.service['name']})
        if self.params['vendor']:
            vendor = self.resolve_vendor()
            predicted['vendor'] = {'id': vendor['id'], 'summary': vendor['name']}
        else:
            predicted['type'] = self.wanted_type()
        return predicted

    # -- writes ----------------------------------------------------------------------------------

    def path(self, integration_id=None):
        return integration_path(self.service['id'], integration_id)

    def create(self, desired):
        body = dict(desired)
        if self.params['vendor']:
            body['vendor'] = {'id': self.resolve_vendor()['id'], 'type': 'vendor_reference'}
        else:
            body['type'] = self.wanted_type()
        body['service'] = {'id': self.service['id'], 'type': 'service_reference'}
        created = self.client.post(self.path(), {'integration': body})['integration']
        return self.settle_concurrent_creates(created)

    def settle_concurrent_creates(self, created):
        """The one integration left after runs that created it at the same moment.

        PagerDuty does not keep integration names unique, so two runs creating the same integration
        each make one. After a create the service is read back; of the integrations with this name
        and kind, every run keeps the same one (the oldest, then the lowest ID) and deletes the rest.
        """
        self.doing = 'check for integrations created at the same moment as %r' % created['name']
        service = find_service(self.client, self.service['id'], 'service', includes=('integrations',)) or {}
        twins = [i for i in service.get('integrations') or []
                 if i.get('name') == created['name'] and same_kind(i, created)]
        if len(twins) <= 1:
            return created
        keep = min(twins, key=lambda i: (i.get('created_at') or '', i['id']))
        for twin in twins:
            if twin['id'] != keep['id']:
                self.doing = 'delete integration %s, a duplicate created at the same moment' % twin['id']
                self.client.delete(self.path(twin['id']))
        return keep

    def update(self, current, changes):
        return self.client.put(self.path(current['id']), {'integration': changes})['integration']

    def delete(self, current):
        self.client.delete(self.path(current['id']))

    # -- the run, with recreate ------------------------------------------------------------------

    def run(self):
        self.replace = None
        return super().run()

    def ensure_updated(self, current, desired, changed):
        if self.replace is None:
            return super().ensure_updated(current, desired, changed)
        return self.recreate(current, desired)

    def recreate(self, current, desired):
        """Replace `current` with an integration of the wanted kind.

        An email address must be unique, so an email integration is deleted first; any other is
        created first, so that a failure midway leaves the old one in place.
        """
        self.check_create(desired)
        if self.check_mode:
            predicted = self.predict_create(desired)
            return self.exit(changed=True, key_changed=True, diff=self.diff(self.visible(current), self.visible(predicted)),
                             integration=predicted)
        delete_first = current.get('type') == EMAIL_TYPE or self.params['integration_email'] is not None
        if delete_first:
            self.doing = 'delete integration %r to recreate it' % current['name']
            self.delete(current)
        self.doing = 'create the replacement of integration %r' % current['name']
        try:
            created = self.create(desired)
        except ApiError as err:
            created = self.adopt_after_failed_create(err, desired, find=lambda: self.find_replacement(current))
        if not delete_first:
            self.doing = 'delete integration %r after creating its replacement' % current['name']
            self.delete(current)
        return self.exit(changed=True, key_changed=True, diff=self.diff(self.visible(current), self.visible(created)),
                         integration=created)

    def find_replacement(self, current):
        """The integration that replaces `current`: its name, the wanted kind, another ID."""
        service = find_service(self.client, self.service['id'], 'service', includes=('integrations',)) or {}
        made = [i for i in service.get('integrations') or []
                if i.get('name') == current['name'] and i['id'] != current['id'] and not self.kind_differs(i)]
        return made[0] if made else None

    def exit(self, **result):
        result.setdefault('key_changed', False)
        return super().exit(**result)


def same_kind(one, other):
    """Both of one vendor, or both generic of one type."""
    return ((one.get('vendor') or {}).get('id'), one.get('type')) == ((other.get('vendor') or {}).get('id'), other.get('type'))
