#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to oncall.pagerduty
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: pd_integration
short_description: Create, update and delete the integrations of a PagerDuty service
version_added: 0.1.0
description:
  - Make an integration on a service match the task. The four kinds of integration are supported
    - Events API v2 or v1, email, and vendor-specific (Datadog, Postman, Amazon CloudWatch, ...).
  - Returns the integration's V(integration_key) (Events API kinds) or V(integration_email) (email),
    so the next task can hand it to the monitoring tool.
  - An integration is found by its exact O(name) on O(service), or by O(id). Settings the task does
    not set are left as they are.
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
      - Sends no write; the result predicts the integration (without a key, which only PagerDuty makes).
  diff_mode:
    support: full
    details:
      - The diff holds only the settings that change, and never the integration key.
options:
  service:
    description:
      - The service the integration belongs to, by exact name or by ID.
    type: str
    required: true
  name:
    description:
      - The integration's exact name on the service. It identifies the integration unless O(id) is given.
      - With O(id), the name the integration is renamed to.
      - When omitted to create an integration, it is named as PagerDuty's guide recommends,
        C(<monitoring tool>-<service name>) with spaces as hyphens (for example C(Datadog-Shopping-Cart)),
        and that name identifies it on later runs.
    type: str
  id:
    description:
      - The integration's ID on O(service); identifies it, so that O(name) can rename it.
    type: str
  state:
    description:
      - V(present) creates or updates the integration; V(absent) deletes it.
    type: str
    choices: [absent, present]
    default: present
  type:
    description:
      - The kind of a generic integration. V(events_api_v2), V(events_api_v1) and V(email), or one of
        PagerDuty's type names, such as V(aws_cloudwatch_inbound_integration).
      - Mutually exclusive with O(vendor). One of the two is required to create an integration.
    type: str
    choices:
      - events_api_v2
      - events_api_v1
      - email
      - aws_cloudwatch_inbound_integration
      - cloudkick_inbound_integration
      - event_transformer_api_inbound_integration
      - events_api_v2_inbound_integration
      - generic_email_inbound_integration
      - generic_events_api_inbound_integration
      - keynote_inbound_integration
      - nagios_inbound_integration
      - pingdom_inbound_integration
      - sql_monitor_inbound_integration
  vendor:
    description:
      - The monitoring tool of a vendor-specific integration, by exact name (regardless of case) or
        by ID; see M(oncall.pagerduty.pd_vendor_info).
      - When two vendors share the name, the task fails and lists their IDs; give the ID.
      - C(Events API v2) is an integration type, not a vendor; use O(type=events_api_v2).
      - Mutually exclusive with O(type).
    type: str
  recreate:
    description:
      - The type or vendor of an integration cannot be changed in place. With V(true), an
        integration of another type or vendor is deleted and created again, which gives it a
        new integration key; with V(false) such a task fails and changes nothing.
    type: bool
    default: false
  integration_email:
    description:
      - The address of an email integration, on the account's subdomain
        (C(something@your-subdomain.pagerduty.com)). Required to create one.
    type: str
  email_incident_creation:
    description: When an email opens an incident.
    type: str
    choices: [on_new_email, on_new_email_subject, only_if_no_open_incidents, use_rules]
  email_filter_mode:
    description: Which emails are accepted; with V(or-rules-email) or V(and-rules-email), O(email_filters) decide.
    type: str
    choices: [all-email, or-rules-email, and-rules-email]
  email_filters:
    description:
      - Rules on the subject, body and sender of emails. Each regular expression is checked before
        anything is sent.
    type: list
    elements: dict
    suboptions:
      subject_mode:
        description: V(match) or V(no-match) O(email_filters[].subject_regex), or V(always).
        type: str
        choices: [always, match, no-match]
        default: always
      subject_regex:
        description: Regular expression for the subject; required unless the mode is V(always).
        type: str
      body_mode:
        description: V(match) or V(no-match) O(email_filters[].body_regex), or V(always).
        type: str
        choices: [always, match, no-match]
        default: always
      body_regex:
        description: Regular expression for the body; required unless the mode is V(always).
        type: str
      from_email_mode:
        description: V(match) or V(no-match) O(email_filters[].from_email_regex), or V(always).
        type: str
        choices: [always, match, no-match]
        default: always
      from_email_regex:
        description: Regular expression for the sender; required unless the mode is V(always).
        type: str
  email_parsers:
    description:
      - Rules that trigger or resolve incidents from emails, in PagerDuty's form.
    type: list
    elements: dict
    suboptions:
      action:
        description: What a matching email does.
        type: str
        choices: [trigger, resolve]
        required: true
      match_predicate:
        description:
          - Which emails match, as PagerDuty's predicate object - V(type) one of V(all), V(any), V(not)
            (with V(children), a list of predicates) or V(contains), V(exactly), V(regex) (with
            V(matcher) and V(part), one of V(body), V(subject), V(from_addresses)).
        type: dict
        required: true
      value_extractors:
        description:
          - Values taken from the email; exactly one must have V(value_name=incident_key).
          - Each has V(type) (V(entire), V(regex), V(between)), V(part), V(value_name), and V(regex)
            or V(starts_after) and V(ends_before) as the type needs.
        type: list
        elements: dict
        required: true
  email_parsing_fallback:
    description: What an email that matches no parser does.
    type: str
    choices: [open_new_incident, discard]
notes:
  - A run that changes nothing costs one API request, whether the service and vendor are given by name or ID.
  - A create reads the service back once more, because PagerDuty does not keep integration names
    unique. When runs created the same integration at the same moment, every run keeps the oldest
    one and deletes the others, so one remains. A run that returned the key of a deleted one
    before the other run settled has a stale key. This can happen only when both were created in
    the same second, and a second run of the task returns the right one.
  - A service can have at most 250 integrations; a create beyond that fails before any request.
  - PagerDuty allows two integrations with one name on a service; the module then fails and lists
    their IDs, so give O(id).
seealso:
  - module: oncall.pagerduty.pd_service
  - module: oncall.pagerduty.pd_vendor_info
  - module: oncall.pagerduty.pd_integration_move
'''

EXAMPLES = r'''
- name: Wire monitoring to a service
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/oncall.pagerduty.pagerduty:
      api_token: "{{ vault_pagerduty_api_token }}"
  tasks:
    - name: Datadog alerts the shopping cart service (named Datadog-Shopping-Cart)
      oncall.pagerduty.pd_integration:
        service: Shopping Cart
        vendor: Datadog
      register: datadog

    - name: An Events API v2 integration for the deploy pipeline
      oncall.pagerduty.pd_integration:
        service: Shopping Cart
        name: Deploy pipeline
        type: events_api_v2
      register: events
      no_log: true  # the result holds the integration key

    - name: Alerts by email, only for subjects that say DOWN
      oncall.pagerduty.pd_integration:
        service: Shopping Cart
        name: Email alerts
        type: email
        integration_email: shopping-cart@your-subdomain.pagerduty.com
        email_incident_creation: use_rules
        email_filter_mode: or-rules-email
        email_filters:
          - subject_mode: match
            subject_regex: "\\bDOWN\\b"
        email_parsers:
          - action: trigger
            match_predicate:
              type: any
              children:
                - type: contains
                  part: subject
                  matcher: DOWN
            value_extractors:
              - type: regex
                part: subject
                value_name: incident_key
                regex: "host (\\S+)"
        email_parsing_fallback: discard

    - name: Remove an integration
      oncall.pagerduty.pd_integration:
        service: Shopping Cart
        name: Old Nagios
        state: absent
'''

RETURN = r'''
integration:
  description:
    - The integration as PagerDuty returns it after the change, or as predicted in check mode.
    - Empty after O(state=absent).
  returned: always
  type: dict
  contains:
    id:
      description: The integration's ID (null in check mode for a new one).
      type: str
    name:
      description: The integration's name.
      type: str
      sample: Datadog-Shopping-Cart
    type:
      description: PagerDuty's type name of the integration.
      type: str
      sample: events_api_v2_inbound_integration
    integration_key:
      description:
        - The key the monitoring tool sends events with (Events API kinds and most vendors).
        - Never shown in a diff; use C(no_log) on the task to keep it out of logs.
      type: str
      returned: when PagerDuty returns it
    integration_email:
      description: The address of an email integration.
      type: str
      returned: for email integrations
    vendor:
      description: A reference to the vendor of a vendor-specific integration (V(id), V(summary) its name).
      type: dict
      returned: for vendor-specific integrations
    service:
      description: A reference to the service.
      type: dict
key_changed:
  description: True when the integration was recreated (O(recreate=true)), so its key is new.
  returned: always
  type: bool
'''

import re

from ansible_collections.oncall.pagerduty.plugins.module_utils._client import ApiError
from ansible_collections.oncall.pagerduty.plugins.module_utils._integration import (
    EMAIL_FIELDS,
    EMAIL_TYPE,
    MAX_INTEGRATIONS_PER_SERVICE,
    integration_path,
)
from ansible_collections.oncall.pagerduty.plugins.module_utils._resource import ResourceModule
from ansible_collections.oncall.pagerduty.plugins.module_utils._service import find_service

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


class Integration(ResourceModule):
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
    module_kwargs = dict(
        mutually_exclusive=[('type', 'vendor')],
        supports_check_mode=True,
    )

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
            self._vendor = self.client.resolve('vendors', self.params['vendor'], 'vendor', 'vendor', case_sensitive=False)
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
        super().run()

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


def main():
    Integration().execute()


if __name__ == '__main__':
    main()
