#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to oncall.pagerduty
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: pd_service
short_description: Create, update, disable and delete PagerDuty services
version_added: 0.1.0
description:
  - Make a PagerDuty service match what the task says. Create it, change the settings the task
    sets (and only those), disable or re-enable it, rename it, or delete it.
  - A service is found by its exact O(name), or by O(id). An existing service with the name is
    adopted, never duplicated, also when another run creates it at the same moment.
  - Settings the task does not set are left as they are.
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
      - Sends no write; the result predicts the service PagerDuty would return.
      - An escalation policy that does not exist yet is taken as created by an earlier task of the
        check run (the task warns); a real run fails when it is still missing.
      - A change PagerDuty would refuse fails in check mode too.
  diff_mode:
    support: full
    details:
      - The diff holds only the settings that change.
options:
  name:
    description:
      - The service's exact name. It identifies the service unless O(id) is given.
      - With O(id), the name the service is renamed to.
      - Must not be blank, contain non-printable characters, or start or end with a space.
    type: str
  new_name:
    description:
      - Rename the service found by O(name) to this name. A second run, when only O(new_name)
        exists, changes nothing; when neither exists the task fails rather than create a service.
      - Integrations whose names M(oncall.pagerduty.pd_integration) derived from the old name are
        found again by that module after the rename.
    type: str
  id:
    description:
      - The service's ID. Identifies the service, so that O(name) can rename it.
      - One of O(name) and O(id) is required.
    type: str
  state:
    description:
      - V(present) creates or updates the service; V(absent) deletes it (and its integrations).
    type: str
    choices: [absent, present]
    default: present
  description:
    description: The service's description.
    type: str
  escalation_policy:
    description:
      - The escalation policy, by exact name or by ID. A name not found fails with the closest names.
      - Required to create a service.
      - The service belongs to the teams of its escalation policy.
    type: str
  teams:
    description:
      - The teams the service belongs to, by name or ID; V([]) for none.
      - PagerDuty gives a service the teams of its escalation policy and ignores teams sent with a
        service, so this is not sent. It is checked against the policy the service will have, and a
        difference fails before any write, saying which teams the policy has - give the service a
        policy of those teams, or set the policy's teams with M(oncall.pagerduty.pd_escalation_policy).
    type: list
    elements: str
  status:
    description:
      - V(disabled) stops new incidents from triggering on the service; V(active) enables it.
      - PagerDuty reports an enabled service's status from its incidents and maintenance windows
        (V(warning), V(critical), V(maintenance)); V(active) accepts each of them as enabled, so it
        changes nothing on a service with open incidents. RV(service.status) shows the real status.
      - PagerDuty only creates active services, so creating a disabled one is a create then an update.
    type: str
    choices: [active, disabled]
  auto_resolve_timeout:
    description:
      - Seconds after which an open incident is resolved automatically. V(0) disables it.
      - PagerDuty reports a disabled timeout as null; results and diffs show it as V(0).
    type: int
  acknowledgement_timeout:
    description:
      - Seconds after which an acknowledged incident triggers again. V(0) disables it.
    type: int
  incident_urgency_rule:
    description:
      - The urgency of the service's incidents.
    type: dict
    suboptions:
      type:
        description:
          - V(constant) gives every incident O(incident_urgency_rule.urgency).
          - V(use_support_hours) gives them O(incident_urgency_rule.during_support_hours) inside
            O(support_hours) and O(incident_urgency_rule.outside_support_hours) outside them.
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
    description:
      - The service's support hours; required for an urgency rule of type V(use_support_hours).
    type: dict
    suboptions:
      time_zone:
        description:
          - The time zone of the hours, for example V(Europe/Paris) or V(America/Lima).
          - Checked against the IANA time zone database before any request (with a warning instead
            when the Python running the task has no time zone database).
        type: str
        required: true
      start_time:
        description:
          - When support hours start, V(HH:MM) or V(HH:MM:SS).
          - Quote the time in YAML (V("09:00")); unquoted, YAML 1.1 may read it as a number, which
            the task refuses with a hint.
        type: str
        required: true
      end_time:
        description: When support hours end, V(HH:MM) or V(HH:MM:SS), after O(support_hours.start_time).
        type: str
        required: true
      days_of_week:
        description: The days with support hours, V(1) (Monday) to V(7) (Sunday).
        type: list
        elements: int
        required: true
  scheduled_actions:
    description:
      - Raise the urgency of open incidents to high when support hours start or end.
      - Only with an urgency rule of type V(use_support_hours). V([]) removes them; a task that makes
        the rule V(constant) on a service that has them must set V([]) too, or it fails before any write.
    type: list
    elements: dict
    suboptions:
      at:
        description: When the action runs.
        type: str
        choices: [support_hours_start, support_hours_end]
        required: true
      to_urgency:
        description: The urgency incidents change to; PagerDuty allows only V(high).
        type: str
        choices: [high]
        default: high
  alert_grouping_parameters:
    description:
      - How alerts are grouped into incidents (on plans with alert grouping).
      - Sent only when set. When an Alert Grouping Setting holds the service's grouping (PagerDuty then
        shows a reference to the setting in place of the parameters), the task leaves the grouping as
        it is and warns, because parameters sent through the service would take it out of that setting;
        manage it with M(oncall.pagerduty.pd_alert_grouping_setting).
    type: dict
    suboptions:
      type:
        description:
          - V(time) groups alerts within O(alert_grouping_parameters.config.timeout) minutes,
            V(intelligent) groups similar alerts, V(content_based) groups alerts with equal fields.
          - V(none) turns grouping off.
        type: str
        choices: [content_based, intelligent, none, time]
        required: true
      config:
        description: The settings of the grouping type.
        type: dict
        suboptions:
          timeout:
            description:
              - With V(time), minutes to group alerts for, V(1) to V(1440); V(0) groups until the incident is resolved.
            type: int
          time_window:
            description:
              - With V(intelligent) or V(content_based), seconds in the rolling window, V(300) to V(3600);
                V(0) uses PagerDuty's recommendation; V(content_based) also accepts V(86400).
              - PagerDuty stores its recommendation in place of V(0); a service that holds it is not a change.
            type: int
          aggregate:
            description: With V(content_based) (required), whether V(all) or V(any) of O(alert_grouping_parameters.config.fields) must match.
            type: str
            choices: [all, any]
          fields:
            description: With V(content_based) (required), the alert fields compared.
            type: list
            elements: str
  auto_pause_notifications_parameters:
    description:
      - Pause notifications of alerts that are likely transient (on plans with this feature).
    type: dict
    suboptions:
      enabled:
        description: Whether notifications are paused.
        type: bool
        required: true
      timeout:
        description:
          - Seconds to pause for, with O(auto_pause_notifications_parameters.enabled=true); V(0) uses PagerDuty's recommendation.
          - PagerDuty stores its recommendation in place of V(0); a service that holds it is not a change.
        type: int
        choices: [0, 120, 180, 300, 600, 900]
  alert_creation:
    description:
      - Deprecated by PagerDuty, because every service now creates alerts and incidents.
      - V(create_alerts_and_incidents) is accepted and never reported as a change.
        V(create_incidents) is refused, because PagerDuty no longer offers it.
    type: str
    choices: [create_alerts_and_incidents, create_incidents]
  custom_fields:
    description:
      - The service's custom field values, field name (not display name) to value, for fields defined
        with M(oncall.pagerduty.pd_service_custom_field).
      - Only the fields listed are managed; a field the service holds but the option does not list is
        left as it is. V(null) clears a value.
      - Each value is checked against its field (data type, single or multiple values, fixed options,
        enabled) before anything is written; a field that does not exist fails the task, except in
        check mode, which warns and assumes that an earlier task creates it.
      - All changed values are written in one request, then read back until PagerDuty shows them.
    type: dict
notes:
  - A run that changes nothing costs one API request when O(escalation_policy) is unset, is the
    service's current policy, or is given by ID; otherwise one more to find the policy by name.
  - When a create's answer is lost (a timeout, a dropped connection or a server error), the module
    reads the service back by name before anything else and adopts it if the create went through,
    so a retry never makes a duplicate.
  - O(custom_fields) adds one request to read the service's values; when a value differs, one to
    check the fields, one to write and one to read back.
seealso:
  - module: oncall.pagerduty.pd_service_info
  - module: oncall.pagerduty.pd_integration
  - module: oncall.pagerduty.pd_service_custom_field
  - module: oncall.pagerduty.pd_alert_grouping_setting
'''

EXAMPLES = r'''
- name: Provision the services of a new environment
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/oncall.pagerduty.pagerduty:
      api_token: "{{ vault_pagerduty_api_token }}"
  tasks:
    - name: A service for the shopping cart, paged around the clock
      oncall.pagerduty.pd_service:
        name: Shopping Cart
        description: Checkout and basket API
        escalation_policy: Platform On-Call
        auto_resolve_timeout: 14400
        acknowledgement_timeout: 1800
        incident_urgency_rule:
          type: constant
          urgency: high

    - name: A service that pages urgently only in office hours
      oncall.pagerduty.pd_service:
        name: Reporting
        escalation_policy: Default
        incident_urgency_rule:
          type: use_support_hours
          during_support_hours: high
          outside_support_hours: low
        support_hours:
          time_zone: Europe/Paris
          start_time: "09:00"
          end_time: "18:00"
          days_of_week: [1, 2, 3, 4, 5]
        scheduled_actions:
          - at: support_hours_start

    - name: Group alerts for five minutes and pause transient ones
      oncall.pagerduty.pd_service:
        name: Shopping Cart
        alert_grouping_parameters:
          type: time
          config:
            timeout: 5
        auto_pause_notifications_parameters:
          enabled: true
          timeout: 300

    - name: Disable a service during a migration
      oncall.pagerduty.pd_service:
        name: Legacy Billing
        status: disabled

    - name: Rename a service found by its ID
      oncall.pagerduty.pd_service:
        id: PXXXXXX
        name: Billing (legacy)

    - name: Rename a service found by its name
      oncall.pagerduty.pd_service:
        name: Shopping Cart
        new_name: Basket

    - name: Tag a service with custom field values (fields made with pd_service_custom_field)
      oncall.pagerduty.pd_service:
        name: Shopping Cart
        custom_fields:
          tier: gold
          regions: [eu-west-1, us-east-1]

    - name: Delete a service
      oncall.pagerduty.pd_service:
        name: Legacy Billing
        state: absent
'''

RETURN = r'''
service:
  description:
    - The service as PagerDuty returns it after the change, or as predicted in check mode
      (where a new service's V(id) is null).
    - Disabled timeouts are shown as V(0).
    - Empty after O(state=absent).
  returned: always
  type: dict
  contains:
    id:
      description: The service's ID.
      type: str
      sample: PXXXXXX
    name:
      description: The service's name.
      type: str
      sample: Shopping Cart
    status:
      description:
        - V(disabled), or for an enabled service its state - V(active), V(warning) (acknowledged
          incidents), V(critical) (triggered incidents) or V(maintenance) (in a maintenance window).
      type: str
      sample: active
    escalation_policy:
      description: A reference to the escalation policy (V(id), V(summary) its name).
      type: dict
    html_url:
      description: The service's page in PagerDuty.
      type: str
    auto_resolve_timeout:
      description: Seconds; V(0) when disabled.
      type: int
      sample: 14400
    acknowledgement_timeout:
      description: Seconds; V(0) when disabled.
      type: int
      sample: 1800
    incident_urgency_rule:
      description: The urgency rule, in PagerDuty's form.
      type: dict
      sample: {"type": "constant", "urgency": "high"}
    custom_fields:
      description:
        - The service's custom field values, field name to value (V(null) for a field without one).
      returned: when O(custom_fields) is set
      type: dict
      sample: {"tier": "gold", "regions": ["eu-west-1"]}
  sample:
    id: PXXXXXX
    type: service
    name: Shopping Cart
    status: active
    escalation_policy: {"id": "PPLATEP", "type": "escalation_policy_reference", "summary": "Platform On-Call"}
    auto_resolve_timeout: 14400
    acknowledgement_timeout: 1800
'''

from ansible_collections.oncall.pagerduty.plugins.module_utils._module import run_module
from ansible_collections.oncall.pagerduty.plugins.module_utils._service import ServiceResource


def main():
    run_module(ServiceResource)


if __name__ == '__main__':
    main()
