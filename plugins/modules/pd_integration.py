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

from ansible_collections.oncall.pagerduty.plugins.module_utils._integration import IntegrationResource
from ansible_collections.oncall.pagerduty.plugins.module_utils._module import run_module


def main():
    run_module(IntegrationResource)


if __name__ == '__main__':
    main()
