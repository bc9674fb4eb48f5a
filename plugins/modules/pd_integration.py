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
    so the next task can hand it to the monitoring tool, and RV(key_changed) when that key is new.
  - Rotates keys as PagerDuty's guide describes (a new integration, then the old one removed), on
    demand with O(rotate_key) or by age with O(max_key_age_days).
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
      - Sends no write; the result predicts the integration. A new integration's key does not exist
        yet, so the prediction holds a placeholder, V(CHECKMODEPLACEHOLDERKEY000000000), that the next
        task can template (M(oncall.pagerduty.pd_datadog_service) accepts it in check mode only).
      - A service that does not exist yet is taken as created by an earlier task of the check run
        (the task warns); a real run fails when it is still missing.
  diff_mode:
    support: full
    details:
      - The diff holds only the settings that change, and never the integration key.
options:
  service:
    description:
      - The service the integration belongs to, by exact name or by ID.
      - A name not found fails with the closest names in the account.
    type: str
    required: true
  name:
    description:
      - The integration's exact name on the service. It identifies the integration unless O(id) is given.
      - With O(id), the name the integration is renamed to.
      - When omitted to create an integration, it is named as PagerDuty's guide recommends,
        C(<monitoring tool>-<service name>) with spaces as hyphens (for example C(Datadog-Shopping-Cart)),
        and that name identifies it on later runs.
      - After the service is renamed, a derived name changes too; the task then finds the one
        integration of its kind whose name starts with C(<monitoring tool>-), renames it, and keeps
        its key. Several such integrations fail the task, listed.
    type: str
  new_name:
    description:
      - Rename the integration found by O(name) (or by its derived name).
      - A second run, when only O(new_name) exists, changes nothing. When neither exists the task fails.
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
      - The kind of a generic integration. Results show PagerDuty's name of the type in
        RV(integration.type) and this short name in RV(integration.type_alias).
      - Mutually exclusive with O(vendor). One of the two is required to create an integration.
    type: str
    choices:
      aws_cloudwatch: Amazon CloudWatch (C(aws_cloudwatch_inbound_integration)).
      cloudkick: Cloudkick (C(cloudkick_inbound_integration)).
      email: An email address on the account's subdomain (C(generic_email_inbound_integration)); needs O(integration_email).
      event_transformer_api: Custom Event Transformer (C(event_transformer_api_inbound_integration)).
      events_api_v1: Events API v1 (C(generic_events_api_inbound_integration)).
      events_api_v2: Events API v2 (C(events_api_v2_inbound_integration)), what most tools send to.
      keynote: Keynote (C(keynote_inbound_integration)).
      nagios: Nagios (C(nagios_inbound_integration)).
      pingdom: Pingdom (C(pingdom_inbound_integration)).
      sql_monitor: SQL Monitor (C(sql_monitor_inbound_integration)).
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
  rotate_key:
    description:
      - Give the integration a new key on this run. PagerDuty has no call that rotates a key, so, as
        its guide describes, an identical integration (name, kind, settings) is created and the old
        one deleted once the new one exists. The task always reports a change and
        RV(key_changed=true), and returns the new key.
      - Incidents already open stay on the service; only the key changes.
      - An email integration has no key; rotating one fails.
      - Mutually exclusive with O(max_key_age_days).
    type: bool
    default: false
  max_key_age_days:
    description:
      - Rotate the key, as O(rotate_key) does, only when the integration was created at least this
        many days ago; otherwise change nothing. A nightly job with this option enforces a key
        rotation policy and is idempotent.
    type: int
  return_key:
    description:
      - With V(false), the result leaves out V(integration_key). A task that does not need the key
        can then keep its output, diff and errors visible instead of using C(no_log).
    type: bool
    default: true
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
      - A part with a regular expression and no mode V(match)es it; a part with neither accepts
        V(always). A regular expression with mode V(always) fails, because PagerDuty would ignore it.
      - At least one rule; to accept every email leave O(email_filters) out and set
        O(email_filter_mode=all-email).
    type: list
    elements: dict
    suboptions:
      subject_mode:
        description: V(match) or V(no-match) O(email_filters[].subject_regex), or V(always).
        type: str
        choices: [always, match, no-match]
      subject_regex:
        description: Regular expression for the subject; required with V(match) and V(no-match).
        type: str
      body_mode:
        description: V(match) or V(no-match) O(email_filters[].body_regex), or V(always).
        type: str
        choices: [always, match, no-match]
      body_regex:
        description: Regular expression for the body; required with V(match) and V(no-match).
        type: str
      from_email_mode:
        description: V(match) or V(no-match) O(email_filters[].from_email_regex), or V(always).
        type: str
        choices: [always, match, no-match]
      from_email_regex:
        description: Regular expression for the sender; required with V(match) and V(no-match).
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
  - A create PagerDuty refuses for a passing reason (its account lock, or a service created a
    moment ago that its writes do not see yet) is retried a few times within the retry budget; a
    refusal of the input (a taken address, a wrong value) is not.
  - A taken O(integration_email) fails naming the integration and service that hold the address.
  - A create reads the service back once more, because PagerDuty does not keep integration names
    unique. When runs created the same integration at the same moment, every run keeps the oldest
    one and deletes the others, so one remains. A run that returned the key of a deleted one
    before the other run settled has a stale key. This can happen only when both were created in
    the same second, and a second run of the task returns the right one.
  - A rotation (O(rotate_key), O(max_key_age_days)) or a O(recreate) creates the new integration first, named
    C(<name> (replacing <old ID>)), deletes the old one, then gives the new one its name. A run stopped between
    these writes (a cancelled job, a killed process) leaves that name, and the next run of the task finishes the
    job, without rotating again; with O(state=absent) it deletes both. An email integration is deleted first
    instead (its address is unique), so a stopped run leaves none, and the next run creates it.
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
      no_log: true  # the result holds the integration key

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

    - name: Rotate the Datadog key when it is older than 90 days (a nightly job)
      oncall.pagerduty.pd_integration:
        service: Shopping Cart
        vendor: Datadog
        max_key_age_days: 90
      register: datadog_rotation
      no_log: true

    - name: Rename an integration
      oncall.pagerduty.pd_integration:
        service: Shopping Cart
        name: Deploy pipeline
        new_name: Deploys
        type: events_api_v2
        return_key: false

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
    type_alias:
      description: The short type name O(type) takes.
      type: str
      sample: events_api_v2
    integration_key:
      description:
        - The key the monitoring tool sends events with (Events API kinds and most vendors).
        - Never shown in a diff; use C(no_log) on the task, or O(return_key=false), to keep it out of logs.
        - In check mode, for an integration that does not exist yet, the placeholder
          V(CHECKMODEPLACEHOLDERKEY000000000).
      type: str
      returned: when PagerDuty returns it, unless O(return_key=false)
    predicted:
      description: True in check mode when the integration's service does not exist yet.
      type: bool
      returned: in check mode, on a service an earlier task creates
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
  description:
    - True when the task leaves an integration whose key is not the one before it, so the monitoring
      tool must be given the new key - after a create (also one that re-creates an integration
      somebody deleted in the web UI), a recreate and a rotation.
    - Always false for email integrations, which have no key.
  returned: always
  type: bool
replaced:
  description:
    - Why the integration was replaced by a new one, V(recreate) (another kind) or V(rotate) (a new key).
    - V(finished) when a replacement that a stopped run began was finished; see the notes.
  returned: when it was replaced
  type: str
'''

from ansible_collections.oncall.pagerduty.plugins.module_utils._integration import IntegrationResource
from ansible_collections.oncall.pagerduty.plugins.module_utils._module import run_module


def main():
    run_module(IntegrationResource)


if __name__ == '__main__':
    main()
