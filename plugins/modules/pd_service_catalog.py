#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to oncall.pagerduty
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: pd_service_catalog
short_description: Manage many PagerDuty services and their integrations in one task, as a plan
version_added: 0.2.0
description:
  - The whole service catalogue of a team in one task. The module reads the services in bulk
    (pages of 100), makes a plan of every create, update, rotation and delete of a service or an
    integration before it writes anything, and then writes in parallel. The plan is the same in
    check mode and in the real run, and is returned as RV(plan).
  - Follows Ansible's resource-module states. V(merged) creates and updates what is listed;
    V(replaced) also makes each listed service's integrations exactly the listed ones;
    V(overridden) also deletes every service inside O(scope) that is not listed; V(deleted) deletes
    the listed services; V(gathered) writes nothing and returns the services of O(scope) in the
    format of O(services), so an existing account can be adopted - gather, commit the YAML, manage it.
  - Each item of O(services) takes the options of M(oncall.pagerduty.pd_service), and its
    O(services[].integrations) those of M(oncall.pagerduty.pd_integration); each is planned by the same kind
    as that module's task, so an item behaves as the task would, with the same validation, guarantees
    and messages (which name the item, for example C(services[3].support_hours.time_zone)).
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
      - Reads, plans and returns the plan without a single write. Services the plan creates are
        predicted, and so are their integrations (with the placeholder key of M(oncall.pagerduty.pd_integration)).
  diff_mode:
    support: full
    details:
      - One diff per service that changes, with its settings and its integrations, like a plan a
        person reviews. Keys never appear.
options:
  services:
    description:
      - The services, each with the options of M(oncall.pagerduty.pd_service) (less
        O(oncall.pagerduty.pd_service#module:state)) and its O(services[].integrations).
      - Unset options leave the setting as it is, as with M(oncall.pagerduty.pd_service).
      - Required, and not empty, for every state but V(gathered), which takes none.
    type: list
    elements: dict
    suboptions:
      name:
        description:
          - The service's exact name; it identifies the service, unless O(services[].id) does (then it renames
            the service, as with M(oncall.pagerduty.pd_service)).
          - One of O(services[].name) and O(services[].id) is required.
        type: str
      id:
        description:
          - The service's ID. Identifies the service; O(state=gathered) names a service by its ID when a task
            would refuse its name (a space at either end), so that the output can be fed back.
          - Mutually exclusive with O(services[].new_name).
        version_added: 0.3.0
        type: str
      new_name:
        description: Rename the service found by O(services[].name); see M(oncall.pagerduty.pd_service).
        type: str
      description:
        description: The service's description.
        type: str
      escalation_policy:
        description:
          - The escalation policy, by exact name or by ID. Required to create a service.
          - Each distinct policy is looked up once, and only when a service must be written with it.
        type: str
      teams:
        description:
          - The teams the service belongs to, checked against its escalation policy's; see
            O(oncall.pagerduty.pd_service#module:teams).
        type: list
        elements: str
      status:
        description: V(active) (enabled, whatever its incidents) or V(disabled).
        type: str
        choices: [active, disabled]
      auto_resolve_timeout:
        description: Seconds after which an open incident is resolved; V(0) disables it.
        type: int
      acknowledgement_timeout:
        description: Seconds after which an acknowledged incident triggers again; V(0) disables it.
        type: int
      incident_urgency_rule:
        description: The urgency rule, as O(oncall.pagerduty.pd_service#module:incident_urgency_rule).
        type: dict
        suboptions:
          type:
            description: V(constant) or V(use_support_hours).
            type: str
            choices: [constant, use_support_hours]
            required: true
          urgency:
            description: The urgency, with V(constant).
            type: str
            choices: [high, low, severity_based]
          during_support_hours:
            description: The urgency inside support hours, with V(use_support_hours).
            type: str
            choices: [high, low, severity_based]
          outside_support_hours:
            description: The urgency outside support hours, with V(use_support_hours).
            type: str
            choices: [high, low, severity_based]
      support_hours:
        description: The support hours, as O(oncall.pagerduty.pd_service#module:support_hours).
        type: dict
        suboptions:
          time_zone:
            description: An IANA time zone, for example V(Europe/Paris).
            type: str
            required: true
          start_time:
            description: V(HH:MM) or V(HH:MM:SS), quoted in YAML.
            type: str
            required: true
          end_time:
            description: V(HH:MM) or V(HH:MM:SS), after O(services[].support_hours.start_time).
            type: str
            required: true
          days_of_week:
            description: Days with support hours, V(1) (Monday) to V(7) (Sunday).
            type: list
            elements: int
            required: true
      scheduled_actions:
        description: Urgency changes at support hours, as O(oncall.pagerduty.pd_service#module:scheduled_actions).
        type: list
        elements: dict
        suboptions:
          at:
            description: When the action runs.
            type: str
            choices: [support_hours_start, support_hours_end]
            required: true
          to_urgency:
            description: The urgency incidents change to.
            type: str
            choices: [high]
            default: high
      alert_grouping_parameters:
        description: Alert grouping on the service, as O(oncall.pagerduty.pd_service#module:alert_grouping_parameters).
        type: dict
        suboptions:
          type:
            description: V(time), V(intelligent), V(content_based), or V(none) to turn grouping off.
            type: str
            choices: [content_based, intelligent, none, time]
            required: true
          config:
            description: The settings of the grouping type.
            type: dict
            suboptions:
              timeout:
                description: With V(time), minutes, V(0) to V(1440).
                type: int
              time_window:
                description: With V(intelligent) or V(content_based), seconds; V(0) is PagerDuty's recommendation.
                type: int
              aggregate:
                description: With V(content_based), V(all) or V(any).
                type: str
                choices: [all, any]
              fields:
                description: With V(content_based), the alert fields compared.
                type: list
                elements: str
      auto_pause_notifications_parameters:
        description: Auto-pause of transient alerts, as O(oncall.pagerduty.pd_service#module:auto_pause_notifications_parameters).
        type: dict
        suboptions:
          enabled:
            description: Whether notifications are paused.
            type: bool
            required: true
          timeout:
            description: Seconds to pause for; V(0) is PagerDuty's recommendation.
            type: int
            choices: [0, 120, 180, 300, 600, 900]
      alert_creation:
        description: Deprecated by PagerDuty; see O(oncall.pagerduty.pd_service#module:alert_creation).
        type: str
        choices: [create_alerts_and_incidents, create_incidents]
      custom_fields:
        description:
          - The service's custom field values, field name to value; see O(oncall.pagerduty.pd_service#module:custom_fields).
        type: dict
      depends_on:
        description:
          - The services this service depends on (its supporting services), each a name or ID, or
            C({name, type}) with type V(technical) or V(business); see M(oncall.pagerduty.pd_service_dependency).
          - A listed service may depend on another listed service, also one the run creates.
          - With O(state=merged) the missing dependencies are added; with O(state=replaced) and
            O(state=overridden) the list is exact. Leaving O(services[].depends_on) out leaves them as they are.
          - All the catalogue's dependency changes are sent in one associate and one disassociate
            request, after the services are written.
        type: list
        elements: raw
      integrations:
        description:
          - The service's integrations, each with the options of M(oncall.pagerduty.pd_integration)
            (less O(oncall.pagerduty.pd_integration#module:service), O(oncall.pagerduty.pd_integration#module:state)
            and O(oncall.pagerduty.pd_integration#module:return_key)).
          - With O(state=replaced) or O(state=overridden), the service ends with exactly these
            integrations; V([]) removes them all, and leaving O(services[].integrations) out leaves
            them as they are.
        type: list
        elements: dict
        suboptions:
          name:
            description:
              - The integration's exact name; omitted, it is derived as C(<tool>-<service name>), as
                M(oncall.pagerduty.pd_integration) does.
            type: str
          id:
            description:
              - The integration's ID. Identifies it among the service's integrations; O(state=gathered) names an
                integration by its ID when a task would refuse its name.
            version_added: 0.3.0
            type: str
          new_name:
            description: Rename the integration found by O(services[].integrations[].name).
            type: str
          type:
            description: The kind of a generic integration; see O(oncall.pagerduty.pd_integration#module:type).
            type: str
            choices: [aws_cloudwatch, cloudkick, email, event_transformer_api, events_api_v1, events_api_v2, keynote,
                      nagios, pingdom, sql_monitor]
          vendor:
            description: The monitoring tool of a vendor-specific integration, by name (any case) or ID.
            type: str
          recreate:
            description: Replace an integration of another type or vendor (its key changes).
            type: bool
            default: false
          rotate_key:
            description: Give the integration a new key on this run (always a change).
            type: bool
            default: false
          max_key_age_days:
            description: Give the integration a new key when it is at least this many days old.
            type: int
          integration_email:
            description: The address of an email integration.
            type: str
          email_incident_creation:
            description: When an email opens an incident.
            type: str
            choices: [on_new_email, on_new_email_subject, only_if_no_open_incidents, use_rules]
          email_filter_mode:
            description: Which emails are accepted.
            type: str
            choices: [all-email, or-rules-email, and-rules-email]
          email_filters:
            description: Rules on the subject, body and sender; see O(oncall.pagerduty.pd_integration#module:email_filters).
            type: list
            elements: dict
            suboptions:
              subject_mode:
                description: V(match), V(no-match) or V(always).
                type: str
                choices: [always, match, no-match]
              subject_regex:
                description: Regular expression for the subject.
                type: str
              body_mode:
                description: V(match), V(no-match) or V(always).
                type: str
                choices: [always, match, no-match]
              body_regex:
                description: Regular expression for the body.
                type: str
              from_email_mode:
                description: V(match), V(no-match) or V(always).
                type: str
                choices: [always, match, no-match]
              from_email_regex:
                description: Regular expression for the sender.
                type: str
          email_parsers:
            description: Rules that trigger or resolve incidents from emails; see O(oncall.pagerduty.pd_integration#module:email_parsers).
            type: list
            elements: dict
            suboptions:
              action:
                description: What a matching email does.
                type: str
                choices: [trigger, resolve]
                required: true
              match_predicate:
                description: Which emails match, as PagerDuty's predicate object.
                type: dict
                required: true
              value_extractors:
                description: Values taken from the email; exactly one has V(value_name=incident_key).
                type: list
                elements: dict
                required: true
          email_parsing_fallback:
            description: What an email that matches no parser does.
            type: str
            choices: [open_new_incident, discard]
  state:
    description:
      - V(merged) creates and updates the listed services and integrations; it deletes nothing.
      - V(replaced) is V(merged), and each listed service that lists O(services[].integrations)
        ends with exactly those (the others on it are deleted).
      - V(overridden) is V(replaced), and every service inside O(scope) that is not listed is
        deleted. Services outside the scope are never touched.
      - V(deleted) deletes the listed services (with their integrations).
      - V(gathered) writes nothing and returns the services inside O(scope) as RV(services), in the
        format of O(services).
    type: str
    choices: [deleted, gathered, merged, overridden, replaced]
    default: merged
  scope:
    description:
      - Which services the catalogue owns. Required with O(state=overridden) (where it must not be
        empty) and O(state=gathered) (where V({}) is the whole account).
      - When several are given, a service is in scope only if it meets all of them.
      - The scope is a promise. With O(state=overridden), O(state=replaced) or O(state=deleted), a listed service outside the
        scope - by its name, or by its teams (a new service's are its escalation policy's) - fails the task before
        any write, naming the service and the part of the scope it is outside. O(state=merged) may list any
        service.
    type: dict
    suboptions:
      teams:
        description: Teams, by exact name or ID; a service is in scope when it belongs to one of them (through its escalation policy).
        type: list
        elements: str
      name_prefix:
        description: The start of the service's name (a prefix, not a substring).
        type: str
      name_regex:
        description: A regular expression the service's name matches (anywhere unless anchored with V(^) and V($)).
        type: str
  max_deletions:
    description:
      - When the plan would delete more services and integrations than this, the task fails before
        any write, saying how many and which.
    type: int
    default: 10
  parallel_writes:
    description:
      - How many services are written at the same time (each service before its integrations).
        They share one retry budget and wait together when PagerDuty rate-limits them.
      - With O(state=gathered), how many services' custom field values and dependencies (which PagerDuty
        serves one service at a time) are read at the same time.
      - V(1) to V(16).
    type: int
    default: 4
  return_keys:
    description: With V(false), RV(services) leaves out the integration keys.
    type: bool
    default: true
notes:
  - A run that changes nothing costs one request per 100 services read (plus one to count them when
    listed services are not in O(scope)), whatever the number of services and integrations listed.
    Escalation policies and vendors are looked up once per distinct name, only when a write needs them.
    PagerDuty reads dependencies and custom field values one service at a time, so each item that
    lists O(services[].depends_on) or O(services[].custom_fields) adds one request for each (and
    V(gathered) two per service).
  - When a write fails, the task fails after the other services' writes are done, and says in
    RV(done) and RV(not_done) what was and was not changed. A create whose answer was lost is read
    back before it is ever sent again, as in M(oncall.pagerduty.pd_service).
  - A purge deletes only what the whole scope could be read for; when the listing cannot be read
    whole (a failed page, PagerDuty's 10,000 results), nothing is deleted.
seealso:
  - module: oncall.pagerduty.pd_service
  - module: oncall.pagerduty.pd_integration
'''

EXAMPLES = r'''
- name: The payments team's services, as code
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/oncall.pagerduty.pagerduty:
      api_token: "{{ vault_pagerduty_api_token }}"
  tasks:
    - name: Every payments service and its integrations; remove the ones no longer listed
      oncall.pagerduty.pd_service_catalog:
        state: overridden
        scope:
          teams: [Payments]
          name_prefix: "payments-"
        max_deletions: 3
        services:
          - name: payments-api
            escalation_policy: Payments On-Call
            auto_resolve_timeout: 14400
            integrations:
              - vendor: Datadog
              - name: Deploys
                type: events_api_v2
          - name: payments-worker
            escalation_policy: Payments On-Call
            integrations:
              - vendor: Datadog
                max_key_age_days: 90
      register: catalogue
      no_log: true  # the result holds the integration keys

    - name: Show what was planned, without keys
      ansible.builtin.debug:
        msg: "{{ catalogue.plan }}"

    - name: Adopt an existing account - gather its services in the format of services
      oncall.pagerduty.pd_service_catalog:
        state: gathered
        scope:
          name_prefix: "shop-"
      register: gathered

    - name: Write them down, to manage them with state merged from then on
      ansible.builtin.copy:
        content: "{{ {'services': gathered.services} | to_nice_yaml }}"
        dest: shop_services.yml
        mode: "0644"
'''

RETURN = r'''
plan:
  description:
    - Every action of the run, in the order of the writes, the same in check mode and in the real
      run. Empty when nothing changes.
  returned: always, but with O(state=gathered)
  type: list
  elements: dict
  contains:
    action:
      description: V(create), V(update), V(delete), V(rotate) (a new key) or V(recreate) (another kind).
      type: str
    kind:
      description: V(service), V(integration) or V(dependency).
      type: str
    depends_on:
      description: The supporting service of a dependency.
      type: str
      returned: for dependencies
    service:
      description: The service's name.
      type: str
    integration:
      description: The integration's name.
      type: str
      returned: for integrations
    fields:
      description: The settings that change (for a create, the settings it sets).
      type: list
      elements: str
      returned: for creates and updates
  sample:
    - {action: create, kind: service, service: payments-api, fields: [auto_resolve_timeout, escalation_policy, name]}
    - {action: create, kind: integration, service: payments-api, integration: Datadog-payments-api, fields: [name, vendor]}
    - {action: delete, kind: service, service: payments-legacy}
services:
  description:
    - With O(state=gathered), the services of O(scope) in the format of O(services) (settings a user
      can set, references by name, no keys).
    - Otherwise every listed service as the run leaves it, with all its integrations (their keys
      unless O(return_keys=false)), as M(oncall.pagerduty.pd_service) and
      M(oncall.pagerduty.pd_integration) return them; predicted in check mode.
  returned: always
  type: list
  elements: dict
done:
  description: When the task failed, the entries of RV(plan) that were carried out.
  returned: on failure after writes began
  type: list
  elements: dict
not_done:
  description: When the task failed, the entries of RV(plan) that were not.
  returned: on failure after writes began
  type: list
  elements: dict
'''

from ansible_collections.oncall.pagerduty.plugins.module_utils._catalog import ServiceCatalog
from ansible_collections.oncall.pagerduty.plugins.module_utils._module import run_module


def main():
    run_module(ServiceCatalog)


if __name__ == '__main__':
    main()
