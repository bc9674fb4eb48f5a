# -*- coding: utf-8 -*-
# Copyright: contributors to oncall.pagerduty
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""PagerDuty integrations: their options, validation, identity (given or derived name), desired
state, writes (recreate, key rotation, the settling of same-moment creates) and presentation.

Used by pd_integration, pd_integration_move and the catalogue.
"""

from __future__ import annotations

import datetime
import re

from ansible_collections.oncall.pagerduty.plugins.module_utils._client import PagerDutyError
from ansible_collections.oncall.pagerduty.plugins.module_utils._resource import (
    PREDICTED,
    STATE_OPTION,
    Collection,
    Field,
    Resource,
    doing,
    reference_name,
    without_empty,
)
from ansible_collections.oncall.pagerduty.plugins.module_utils._service import resolve_or_predict_service
from ansible_collections.oncall.pagerduty.plugins.module_utils._vendor import resolve_vendor

MAX_INTEGRATIONS_PER_SERVICE = 250
EMAIL_TYPE = 'generic_email_inbound_integration'
EMAIL_FIELDS = ('integration_email', 'email_incident_creation', 'email_filter_mode', 'email_parsers',
                'email_parsing_fallback', 'email_filters')

# The types a user writes, and PagerDuty's names for them.
TYPE_ALIASES = {
    'events_api_v2': 'events_api_v2_inbound_integration',
    'events_api_v1': 'generic_events_api_inbound_integration',
    'email': EMAIL_TYPE,
    'aws_cloudwatch': 'aws_cloudwatch_inbound_integration',
    'cloudkick': 'cloudkick_inbound_integration',
    'event_transformer_api': 'event_transformer_api_inbound_integration',
    'keynote': 'keynote_inbound_integration',
    'nagios': 'nagios_inbound_integration',
    'pingdom': 'pingdom_inbound_integration',
    'sql_monitor': 'sql_monitor_inbound_integration',
}
TYPE_NAMES = {full: alias for alias, full in TYPE_ALIASES.items()}
# What the derived name calls the monitoring tool of a generic integration.
TYPE_LABELS = {
    'events_api_v2_inbound_integration': 'Events API v2',
    'generic_events_api_inbound_integration': 'Events API v1',
    EMAIL_TYPE: 'Email',
}
# A vendor's generic service type -> the type of its integrations, where the two names differ.
VENDOR_TYPES = {'api': 'generic_events_api_inbound_integration', 'email': EMAIL_TYPE,
                'events_api_v2': 'events_api_v2_inbound_integration'}
NOT_VENDORS = {'events api v2': 'events_api_v2', 'events api v1': 'events_api_v1', 'events api': 'events_api_v2',
               'email': 'email'}
# In check mode a new integration has no key yet; this stands in for it, so that the next task
# (pd_datadog_service, or a template of the key) runs. 32 characters, as a key has.
CHECK_MODE_KEY = 'CHECKMODEPLACEHOLDERKEY000000000'
FILTER_PARTS = ('subject', 'body', 'from_email')

EMAIL_FILTER_OPTIONS = dict(
    subject_mode=dict(type='str', choices=['always', 'match', 'no-match']),
    subject_regex=dict(type='str'),
    body_mode=dict(type='str', choices=['always', 'match', 'no-match']),
    body_regex=dict(type='str'),
    from_email_mode=dict(type='str', choices=['always', 'match', 'no-match']),
    from_email_regex=dict(type='str'),
)
EMAIL_PARSER_OPTIONS = dict(
    action=dict(type='str', required=True, choices=['trigger', 'resolve']),
    match_predicate=dict(type='dict', required=True),
    value_extractors=dict(type='list', elements='dict', required=True),
)


def _without_ids(value):
    """Settings as a create takes them: the IDs PagerDuty gave filter and parser entries are its own."""
    if isinstance(value, list):
        return [_without_ids(v) for v in value]
    if isinstance(value, dict):
        return {k: _without_ids(v) for k, v in value.items() if k != 'id'}
    return value


def filter_rule(rule):
    """A filter rule as PagerDuty stores it: a regex without its mode means `match`."""
    stored = {}
    for part in FILTER_PARTS:
        mode, regex = rule[part + '_mode'], rule[part + '_regex']
        stored[part + '_mode'] = mode or ('match' if regex else 'always')
        if regex is not None:
            stored[part + '_regex'] = regex
    return stored


def vendor_to_api(kind, value, plan):
    """The vendor as a reference {id, summary}: the current integration's when it is of this vendor, else looked up."""
    current = plan.current
    vendor = current['vendor'] if current is not None and kind.kind_matches(current) else kind.resolve_vendor()
    return {'id': vendor['id'], 'summary': vendor.get('summary') or vendor.get('name')}


# The two-way mapping of an integration's settings; its name is its identity (see IntegrationResource.desired).
INTEGRATION_FIELDS = (
    Field('name'),
    Field('type', dict(type='str', choices=sorted(TYPE_ALIASES)), to_api=lambda kind, value, plan: TYPE_ALIASES[value],
          from_api=lambda value: TYPE_NAMES.get(value, value)),
    Field('vendor', to_api=vendor_to_api, from_api=reference_name, reference=True),
    Field('integration_email'),
    Field('email_incident_creation', dict(type='str', choices=['on_new_email', 'on_new_email_subject',
                                                               'only_if_no_open_incidents', 'use_rules'])),
    Field('email_filter_mode', dict(type='str', choices=['all-email', 'or-rules-email', 'and-rules-email'])),
    Field('email_filters', dict(type='list', elements='dict', options=EMAIL_FILTER_OPTIONS),
          to_api=lambda kind, value, plan: [filter_rule(rule) for rule in value], from_api=_without_ids),
    Field('email_parsers', dict(type='list', elements='dict', options=EMAIL_PARSER_OPTIONS),
          from_api=_without_ids),
    Field('email_parsing_fallback', dict(type='str', choices=['open_new_incident', 'discard'])),
)
# What renames, replaces or rotates an integration: options, not fields of it.
REPLACEMENT_OPTIONS = dict(
    new_name=dict(type='str'),
    recreate=dict(type='bool', default=False),
    rotate_key=dict(type='bool', default=False, no_log=False),
    max_key_age_days=dict(type='int', no_log=False),
)
INTEGRATION_OPTIONS_SPEC = dict({f.option: dict(f.spec) for f in INTEGRATION_FIELDS}, **REPLACEMENT_OPTIONS)


def integrations_of(service):
    """The collection of a service's integrations (PagerDuty keeps their names unique within nothing)."""
    return Collection(integration_path(service.get('id')), 'integration', name_filter=None, unique_names=False)


def integration_path(service_id, integration_id=None):
    base = '/services/%s/integrations' % service_id
    return base if integration_id is None else '%s/%s' % (base, integration_id)


def copy_of(integration, service_id, name=None):
    """The body that creates an integration identical to `integration` on another service (or the same one)."""
    body = {'name': name or integration['name'], 'service': {'id': service_id, 'type': 'service_reference'}}
    if integration.get('vendor'):
        body['vendor'] = {'id': integration['vendor']['id'], 'type': 'vendor_reference'}
    else:
        body['type'] = integration['type']
    for field in EMAIL_FIELDS:
        if integration.get(field) not in (None, []):  # PagerDuty takes email_parsers with one item at least
            body[field] = _without_ids(integration[field])
    return body


def present_integration(integration, return_key=True):
    """The integration as results show it: with the short type a user writes, and the key only if asked."""
    if not integration:
        return integration
    shown = dict(integration)
    if shown.get('type'):
        shown['type_alias'] = TYPE_NAMES.get(shown['type'], shown['type'].replace('_inbound_integration', ''))
    if not return_key:
        shown.pop('integration_key', None)
    return shown


def type_of_vendor(vendor):
    """The type PagerDuty gives an integration of `vendor`: from the vendor's generic service type
    (the Terraform provider's vendor data source maps it the same way)."""
    generic = vendor.get('generic_service_type') or 'api'
    return VENDOR_TYPES.get(generic, generic + '_inbound_integration')


def is_taken(err):
    """True when PagerDuty refused a write because a unique value (an email address) is taken."""
    return err.status == 400 and any('already been taken' in str(e) for e in err.errors)


def has_key(integration):
    """Email integrations have an address instead of a key."""
    return integration.get('type') != EMAIL_TYPE


def key_changed(before, after):
    """True when the integration left behind has a key, and not the one before: a key to hand to the tool."""
    after_key = (after or {}).get('integration_key')
    return bool(after_key) and after_key != (before or {}).get('integration_key')


def same_kind(one, other):
    """Both of one vendor, or both generic of one type."""
    return ((one.get('vendor') or {}).get('id'), one.get('type')) == ((other.get('vendor') or {}).get('id'), other.get('type'))


def key_age_days(integration, now=None):
    """Whole days since the integration (so its key) was created, or None when PagerDuty does not say."""
    created = integration.get('created_at')
    if not created:
        return None
    try:
        moment = datetime.datetime.strptime(created.replace('Z', '+0000')[:24], '%Y-%m-%dT%H:%M:%S%z')
    except ValueError:
        return None
    now = now or datetime.datetime.now(datetime.timezone.utc)
    return (now - moment).days


class IntegrationResource(Resource):
    """An integration of a service, found by its exact name (given or derived) on the service, or its ID."""

    result_key = 'integration'
    secret_fields = ('integration_key',)
    fields = INTEGRATION_FIELDS
    options = dict(
        service=dict(type='str', required=True),
        id=dict(type='str'),
        state=STATE_OPTION,
        return_key=dict(type='bool', default=True, no_log=False),
        **REPLACEMENT_OPTIONS
    )
    option_rules = dict(mutually_exclusive=[('type', 'vendor')])

    def __init__(self, task, client=None):
        super().__init__(task, client)
        self.vendor = None   # the vendor, looked up once

    @classmethod
    def gathered_of(cls, integration):
        """One integration in the input format, its fields' mapping back (an item of a catalogue service's
        integrations): a vendor's integration is given by its vendor, not its type, and one whose name a task
        would refuse as new input (a space at either end) by its ID."""
        item = {}
        for field in INTEGRATION_FIELDS:
            if not (field.api == 'type' and integration.get('vendor')):
                item[field.option] = field.from_api(integration.get(field.api))
        name = integration.get('name') or ''
        if name != name.strip() or not name.strip():
            del item['name']
            item['id'] = integration.get('id')
        return without_empty(item)

    def gathered(self, obj):
        return self.gathered_of(obj)

    # -- validation before any request -----------------------------------------------------------

    def validate(self):
        params = self.params
        self.fail_if_blank('service', 'id', 'vendor')
        for option in ('name', 'new_name'):
            self.check_name(option, params[option])
        vendor = (params['vendor'] or '').strip().casefold()
        if vendor in NOT_VENDORS:
            self.fail('%s: %r is an integration type, not a vendor; use type: %s instead'
                      % (self.option('vendor'), params['vendor'], NOT_VENDORS[vendor]))
        if params['rotate_key'] and params['max_key_age_days'] is not None:
            self.fail('%s: rotate_key rotates the key now, max_key_age_days when it is old; give one of them'
                      % self.option('rotate_key'))
        email_options = [o for o in EMAIL_FIELDS if params[o] is not None]
        if email_options and params['type'] is not None and params['type'] != 'email':
            self.fail('%s: only for email integrations (type: email), not type %s'
                      % (', '.join(self.option(o) for o in email_options), params['type']))
        if params['max_key_age_days'] is not None and params['max_key_age_days'] < 1:
            self.fail('%s: must be 1 or more days, got %d' % (self.option('max_key_age_days'), params['max_key_age_days']))
        if params['type'] == 'email' and (params['rotate_key'] or params['max_key_age_days'] is not None):
            self.fail('%s: an email integration has an address, not a key, so there is no key to rotate; remove '
                      'the option' % self.option('rotate_key' if params['rotate_key'] else 'max_key_age_days'))
        if params['email_filters'] == []:
            self.fail('%s: must list at least one rule; to accept every email, set email_filter_mode: all-email '
                      'and leave email_filters out' % self.option('email_filters'))
        for index, rule in enumerate(params['email_filters'] or []):
            for part in FILTER_PARTS:
                where = self.option('email_filters[%d].%s' % (index, part))
                mode, regex = rule[part + '_mode'], rule[part + '_regex']
                if mode in ('match', 'no-match') and not regex:
                    self.fail('%s_regex: required when %s_mode is %s' % (where, part, mode))
                if mode == 'always' and regex:
                    self.fail('%s_mode: always ignores %s_regex %r, so the filter would not filter; set %s_mode: '
                              'match (or no-match), or remove %s_regex' % (where, part, regex, part, part))
                self.check_regex(regex, where + '_regex')
        for index, parser in enumerate(params['email_parsers'] or []):
            self.validate_predicate(parser['match_predicate'], self.option('email_parsers[%d].match_predicate' % index))
            self.validate_extractors(parser['value_extractors'], self.option('email_parsers[%d].value_extractors' % index))

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
            self.fail('%s: type must be one of all, any, not, contains, exactly, regex, got %s' % (where, kind or 'none'))

    def validate_extractors(self, extractors, where):
        if sum(1 for e in extractors if e.get('value_name') == 'incident_key') != 1:
            self.fail('%s: exactly one value extractor must have value_name incident_key' % where)
        for index, extractor in enumerate(extractors):
            at = '%s[%d]' % (where, index)
            if extractor.get('type') not in ('entire', 'regex', 'between'):
                self.fail('%s.type: must be one of entire, regex, between, got %s' % (at, extractor.get('type') or 'none'))
            if extractor.get('part') not in ('body', 'subject', 'from_addresses'):
                self.fail('%s.part: must be one of body, subject, from_addresses, got %s' % (at, extractor.get('part') or 'none'))
            if extractor['type'] == 'regex':
                if not extractor.get('regex'):
                    self.fail('%s.regex: required with type regex' % at)
                self.check_regex(extractor['regex'], at + '.regex')

    def wanted_type(self):
        return TYPE_ALIASES.get(self.params['type'])

    def is_email(self):
        return self.params['type'] == 'email'

    # -- finding ---------------------------------------------------------------------------------

    def collection_of(self, plan):
        return integrations_of((plan.context.get('service') if plan else None) or {})

    def label(self):
        return 'integration'

    def locate(self):
        """The service, with its integrations as full objects (one request); None when it does not exist and the
        task removes the integration."""
        value = self.params['service']
        option = self.option('service')
        if self.state() == 'absent':
            with doing('find the service %r' % value):
                found = self.lookups.find('services', value, option, 'service', filter_param='name',
                                          query={'include[]': ['integrations']})
                service = self.as_predicted('services', value, found, lambda object_id: None)
            return {'service': service}
        service = resolve_or_predict_service(self, value, option, includes=('integrations',))
        return {'service': dict(service, integrations=list(service.get('integrations') or []))}

    def find(self, plan):
        service = plan.context['service']
        if service is None:
            return None  # no service, so no integration on it
        return self.find_on_service(plan, service.get('integrations') or [])

    def find_on_service(self, plan, integrations):
        """The integration among the service's, by ID, by name, by its new name, or by its derived name."""
        params = self.params
        service = plan.context['service']
        if params['id']:
            found = [i for i in integrations if i.get('id') == params['id']]
            if not found and self.state() == 'present':
                self.fail('%s: service %r has no integration with the ID %r'
                          % (self.option('id'), service['name'], params['id']))
            return found[0] if found else None
        name = self.identity_name(plan, integrations)
        found = self.named(plan, integrations, name)
        if not found and params['new_name']:
            found = self.named(plan, integrations, params['new_name'])  # renamed by an earlier run
            if not found and self.state() == 'present':
                self.fail('%s: service %r has no integration named %r to rename to %r, nor one named %r yet'
                          % (self.option('name'), service['name'], name, params['new_name'], params['new_name']))
        if not found and not params['name'] and self.tool_name(integrations):
            found = self.derived_after_rename(plan, integrations)
        return found[0] if found else None

    def leftover_replacement(self, plan):
        service = plan.context.get('service')
        if not service or self.params['id']:
            return None
        integrations = service.get('integrations') or []
        names = [self.params['new_name'], self.identity_name(plan, integrations)]
        for name in [n for n in names if n]:
            found = self.traced(plan, integrations, name)
            if found is not None:
                return found
        return None

    def named(self, plan, integrations, name):
        found = [i for i in integrations if i.get('name') == name]
        if len(found) > 1:
            self.fail('%s: service %r has %d integrations named %r: %s. Give the one you mean with id.'
                      % (self.option('name'), plan.context['service']['name'], len(found), name,
                         ', '.join(i['id'] for i in found)))
        return found

    def derived_after_rename(self, plan, integrations):
        """The integration a derived name stood for before its service was renamed.

        Its name is still `<tool>-<old service name>`: an integration of this kind whose name starts
        with the tool's part. Exactly one is it; several are an error that lists them.
        """
        prefix = ('%s-' % self.tool_name(integrations)).replace(' ', '-')
        candidates = [i for i in integrations if (i.get('name') or '').startswith(prefix) and self.kind_matches(i)]
        if len(candidates) > 1:
            self.fail('%s: service %r has no integration named %r but %d of its kind that look derived: %s. Give '
                      'the name (or id) of the one you mean.'
                      % (self.option('name'), plan.context['service']['name'], self.identity_name(plan, integrations),
                         len(candidates), ', '.join('%r (%s)' % (i['name'], i['id']) for i in candidates)))
        return candidates

    def identity_name(self, plan, integrations):
        """The name the integration is known by: the given one, or the derived one."""
        if self.params['name']:
            return self.params['name']
        tool = self.tool_name(integrations)
        if tool is None:
            self.fail('%s: required unless type or vendor says which monitoring tool the integration is for'
                      % self.option('name'))
        return ('%s-%s' % (tool, plan.context['service']['name'])).replace(' ', '-')

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
            return TYPE_LABELS.get(self.wanted_type(), self.params['type'].replace('_', ' ').title())
        return None

    def resolve_vendor(self):
        if self.vendor is None:
            with doing('find the vendor %r' % self.params['vendor']):
                self.vendor = resolve_vendor(self.client, self.params['vendor'], self.option('vendor'))
        return self.vendor

    def kind_matches(self, integration):
        """True when `integration` is of the type or vendor the task asks for (or the task does not say)."""
        vendor_ref = integration.get('vendor') or {}
        if self.params['vendor']:
            value = self.params['vendor']
            return value == vendor_ref.get('id') or value.casefold() == (vendor_ref.get('summary') or '').casefold()
        if self.params['type']:
            return not vendor_ref and integration.get('type') == self.wanted_type()
        return True

    @staticmethod
    def describe_kind(integration):
        vendor = integration.get('vendor')
        if vendor:
            return 'a %s integration (vendor %s)' % (vendor.get('summary'), vendor.get('id'))
        return 'of type %s' % TYPE_NAMES.get(integration.get('type'), integration.get('type'))

    def twins(self, plan):
        """The service's integrations of this name and kind, other than the one this run replaces."""
        service = plan.context['service']
        with doing('read the integrations of the service %r' % service['name']):
            found = self.client.get_object('services', 'service', service['id'], {'include[]': ['integrations']}) or {}
        return self.twins_among(plan, found.get('integrations') or [])

    def twins_among(self, plan, integrations):
        """Of a service's integrations (as a read shows them), those of this name and kind, other than the one this
        run replaces."""
        replaced = (plan.current or {}).get('id') if plan.action == 'replace' else None
        name = self.untraced(plan.desired['name'])
        return [i for i in integrations
                if self.untraced(i.get('name') or '') == name and i['id'] != replaced and self.same_kind_as_wanted(plan, i)]

    def same_kind_as_wanted(self, plan, integration):
        wanted = plan.desired
        if wanted.get('vendor'):
            return (integration.get('vendor') or {}).get('id') == wanted['vendor']['id']
        if wanted.get('type'):
            return not integration.get('vendor') and integration.get('type') == wanted['type']
        return True

    # -- desired state ---------------------------------------------------------------------------

    def desired(self, plan):
        """The fields the task sets (Resource.desired), named as the task says: given, renamed, kept when only the
        ID is given, or derived from the tool and the service."""
        params = self.params
        current = plan.current
        desired = super().desired(plan)
        if params['new_name'] or params['name']:
            name = params['new_name'] or params['name']
        elif params['id'] and current is not None:
            name = current['name']  # identified by its ID, without a name: it keeps its own
        else:
            name = self.identity_name(plan, plan.context['service'].get('integrations') or [])
        desired.pop('name', None)
        return dict({'name': name}, **desired)

    def replacement(self, plan):
        """Whether this run replaces the integration (another kind, or a key to rotate), and why. A rotation
        makes its twin: the same settings, with whatever the task changes."""
        params = self.params
        current = plan.current
        if not self.kind_matches(current):
            if not params['recreate']:
                self.fail('%s: integration %r is %s; the kind of an integration cannot be changed in place. '
                          'Set recreate: true to delete it and create it again (its integration key will change).'
                          % (self.option('vendor' if params['vendor'] else 'type'), current['name'],
                             self.describe_kind(current)))
            return 'recreate'
        if (params['rotate_key'] or params['max_key_age_days'] is not None) and not has_key(current):
            self.fail('%s: integration %r is an email integration: it has an address, not a key, so there is no '
                      'key to rotate' % (self.option('rotate_key' if params['rotate_key'] else 'max_key_age_days'),
                                         current['name']))
        rotate = params['rotate_key']
        if not rotate and params['max_key_age_days'] is not None:
            age = key_age_days(current)
            if age is None:
                self.fail('%s: PagerDuty does not say when integration %r was created, so its key age is unknown; '
                          'use rotate_key instead' % (self.option('max_key_age_days'), current['name']))
            rotate = age >= params['max_key_age_days']
        if not rotate:
            return None
        twin = dict(copy_of(current, plan.context['service']['id'], plan.desired['name']), **plan.desired)
        twin.pop('service', None)
        if current.get('vendor'):
            twin['vendor'] = {'id': current['vendor']['id'], 'summary': current['vendor'].get('summary')}
        plan.desired = twin
        return 'rotate'

    def replacement_first(self, plan):
        """An email address must be unique, so an email integration is deleted first; any other is created first,
        so that a failure midway leaves the old one (and its key) working."""
        if plan.current.get('type') == EMAIL_TYPE or self.params['integration_email'] is not None:
            return 'delete'
        return 'create'

    def check_create(self, plan):
        desired = plan.desired
        service = plan.context['service']
        if 'vendor' not in desired and 'type' not in desired:
            self.required_to_create('%s: one is required to create integration %r on service %r'
                                    % (self.option('type') + ' or ' + self.option('vendor'), desired['name'],
                                       service['name']))
        if self.is_email() and not self.params['integration_email']:
            self.required_to_create('%s: required to create an email integration' % self.option('integration_email'))
        existing = len(service.get('integrations') or []) - (1 if plan.current is not None else 0)
        if existing >= MAX_INTEGRATIONS_PER_SERVICE:
            self.fail('%s: %r already has %d integrations, the most PagerDuty allows on one service'
                      % (self.option('service'), service['name'], MAX_INTEGRATIONS_PER_SERVICE))

    def check_update(self, plan):
        """PagerDuty keeps no integration name unique: a rename is never refused for it."""

    def warn_look_alike(self, plan):
        name = plan.desired['name']
        alike = [i for i in plan.context['service'].get('integrations') or []
                 if (i.get('name') or '').casefold() == name.casefold() and i.get('name') != name]
        if alike:
            self.warn('%s: service %r has no integration named %r exactly, so one is created; %s differ%s only in '
                      'case. To manage that one instead, give its exact name or its id.'
                      % (self.option('name'), plan.context['service']['name'], name,
                         ', '.join('%r (%s)' % (i['name'], i['id']) for i in alike), 's' if len(alike) == 1 else ''))

    def predict_create(self, plan):
        service = plan.context['service']
        predicted = dict(plan.desired, id=None, service={'id': service['id'], 'summary': service['name']})
        if 'vendor' in plan.desired:
            predicted['type'] = type_of_vendor(self.resolve_vendor())
        if predicted.get('type') != EMAIL_TYPE:
            predicted['integration_key'] = CHECK_MODE_KEY
        return predicted

    # -- writes ----------------------------------------------------------------------------------

    def body(self, fields):
        body = dict(fields)
        if 'vendor' in body:
            body['vendor'] = {'id': body['vendor']['id'], 'type': 'vendor_reference'}
        return {'integration': body}

    def create(self, plan, desired):
        body = self.body(desired)
        if body['integration'].get('email_parsers') == []:
            del body['integration']['email_parsers']  # no parsers: left out, as a list of them has one at least
        body['integration']['service'] = {'id': plan.context['service']['id'], 'type': 'service_reference'}
        try:
            # A passing refusal (an account lock, a service created a moment ago) is retried a few times.
            return self.client.post(self.collection_of(plan).path, body, transient_refusals=True, envelope='integration')
        except PagerDutyError as err:
            self.explain_taken_email(plan, err)
            raise

    def update(self, plan, current, changes):
        try:
            return self.client.put(integration_path(plan.context['service']['id'], current['id']),
                                   self.body(changes), envelope='integration')
        except PagerDutyError as err:
            self.explain_taken_email(plan, err)
            raise

    def read_back(self, plan, obj):
        return self.client.get(integration_path(plan.context['service']['id'], obj['id']), envelope='integration')

    def is_name_conflict(self, err):
        """An email integration's address is unique in an account: a create refused because it is taken, by no
        integration elsewhere (explain_taken_email), was beaten by a run creating the same one at the same moment."""
        return bool(self.params['integration_email']) and is_taken(err)

    def explain_taken_email(self, plan, err):
        """A taken address fails with the integration and service that hold it, unless it is this very integration
        (same service and name: another run created it a moment ago; then the engine adopts it)."""
        address = self.params['integration_email']
        if not address or not is_taken(err):
            return
        with doing('find the integration that holds %r' % address):
            for service in self.client.paginate('/services', 'services', {'include[]': ['integrations']}):
                for integration in service.get('integrations') or []:
                    if (integration.get('integration_email') or '').casefold() != address.casefold():
                        continue
                    if service['id'] == plan.context['service']['id'] and integration['name'] == plan.desired['name']:
                        return
                    self.fail('%s: %r is already the address of integration %r (%s) on service %r (%s); addresses '
                              'are unique in an account. Choose another address, or move that integration with '
                              'oncall.pagerduty.pd_integration_move.'
                              % (self.option('integration_email'), address, integration['name'], integration['id'],
                                 service['name'], service['id']), status=err.status)

    # -- the result: keys only where asked -------------------------------------------------------

    def present(self, obj):
        return present_integration(obj, return_key=True)

    def shown(self, fields):
        """The vendor by name: a diff holds no IDs or links."""
        return {k: reference_name(v) if k == 'vendor' else v for k, v in fields.items()}

    def result_fields(self, plan):
        # A new integration (also one re-created after somebody deleted it), a recreate or a rotation.
        if plan.reason == 'finish':  # a stopped run's replacement, finished: its key is new to the task
            fields = {'key_changed': key_changed(plan.context['replaced'] or {}, plan.result), 'replaced': 'finished'}
            return fields
        fields = {'key_changed': key_changed(plan.current, plan.result)}
        if plan.action == 'replace':
            fields['replaced'] = plan.reason
        return fields

    def reported(self, plan, obj):
        shown = present_integration(obj, return_key=self.params['return_key']) if obj else obj
        if shown and ((plan.context.get('service') or {}).get(PREDICTED)):
            shown = dict(shown, **{PREDICTED: True})
        return shown
