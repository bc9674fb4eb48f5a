#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to oncall.pagerduty
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: pd_service_orchestration
short_description: Set a PagerDuty service's event orchestration rules, and switch them on or off
version_added: 0.2.0
description:
  - Make a service's own event orchestration match what the task says - the rules that suppress, set the severity
    of, or otherwise change the service's events before they become alerts and incidents; and whether the service
    uses them (PagerDuty's active switch). Event Orchestration replaced Event Rules, which reached their end of life
    on 2025-01-31.
  - Every service has an orchestration. When O(sets) is given it is the whole of the service's rules - rules and sets
    not listed are removed; settings not given are left as they are.
  - Rules are compared as PagerDuty stores them. PagerDuty gives every rule an ID of its own, so rules are matched by
    their O(sets[].rules[].label) within a set; a rule that keeps its label keeps its ID.
  - Set IDs and rule references (C(route_to)), the names and values of actions, and PagerDuty's limit of 25 rules in
    a set are checked before any write.
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
      - Sends no write; the result predicts the orchestration.
      - A service that does not exist yet is taken as created by an earlier task of the check run (the task warns); a
        real run fails when it is still missing.
  diff_mode:
    support: full
    details:
      - The diff holds what changes - O(enabled), the catch-all, and the sets whose rules change - without rule IDs.
options:
  service:
    description:
      - The service, by exact name or ID.
    type: str
    required: true
  enabled:
    description:
      - Whether PagerDuty evaluates the service's events with these rules (the orchestration's C(active) switch).
      - Left as it is when not set. The task warns when the service has rules that are not active.
      - When both change, rules are written before the orchestration is switched on, and it is switched off before
        they are written, so events never meet half-written rules.
    type: bool
  sets:
    description:
      - The rule sets, as the API defines them. Events start in the set with O(sets[].id=start); a rule's
        C(route_to) action hands the events it matches to another set.
      - The whole of the service's rules - sets and rules not listed are removed. Left as they are when not set.
    type: list
    elements: dict
    suboptions:
      id:
        description:
          - The set's ID, unique in the orchestration; one set is V(start).
        type: str
        required: true
      rules:
        description:
          - The set's rules, at most 25, tried in order; the first whose conditions hold applies its actions. When none
            holds, the catch-all's actions apply.
        type: list
        elements: dict
        default: []
        suboptions:
          label:
            description:
              - What the rule is for. Required, and unique within its set - it identifies the rule, since PagerDuty gives
                rules IDs of its own.
            type: str
          conditions:
            description:
              - When the rule applies - when any of its conditions holds; none means always. Each is a PCL expression
                (the PagerDuty Condition Language), as the API takes it (a dictionary with the key C(expression)), or the plain string.
              - Checked before any write by the rules of PagerDuty's PCL Overview - the expression is true or false (not
                a bare path), the argument of C(matches regex) is an RE2 expression (no lookaround, no backreferences), reserved
                words are quoted in brackets, at most 2048 bytes, 32 levels of parentheses and 64 factors - and at most 25
                conditions in a rule. Slips from other languages (V(!=), V(&&), V(contains), double quotes...) fail with the
                expression rewritten in PCL.
              - C(now), C(trigger_count) and C(resetting_trigger_count) need Event Intelligence (AIOps); PagerDuty keeps such a
                rule on other plans without evaluating it, and the task passes PagerDuty's warning on.
            type: list
            elements: raw
          actions:
            description:
              - What the rule does, as the API names them - V(route_to) (another set's ID), V(suppress), V(suspend)
                (seconds), V(severity) (V(info), V(warning), V(error), V(critical)), V(event_action) (V(trigger),
                V(resolve)), V(priority) and V(escalation_policy) (IDs), V(annotate), V(variables), V(extractions),
                V(incident_custom_field_updates), V(automation_actions), V(pagerduty_automation_actions).
              - Unknown names and wrong value types fail before any write.
              - What an automation action (V(automation_actions), V(pagerduty_automation_actions)) leaves unset, such as
                V(trigger_types) or V(auto_send), is whatever PagerDuty holds for it (V([alert_triggered]) and V(false)
                for a new one), so a second run reports no change.
            type: dict
          disabled:
            description: Whether the rule is disabled (kept, but not evaluated).
            type: bool
            default: false
  catch_all:
    description:
      - What happens to events no rule of a set matches. Left as it is when not set.
    type: dict
    suboptions:
      actions:
        description:
          - The catch-all's actions, as for rules, except V(route_to). V({}) does nothing to the events.
        type: dict
        default: {}
  state:
    description:
      - V(present) makes the orchestration match the task.
      - V(absent) removes every rule, leaving an empty V(start) set and a catch-all without actions (the orchestration
        itself cannot be deleted). O(enabled) still applies.
    type: str
    choices: [absent, present]
    default: present
notes:
  - A run that changes nothing costs three requests - the service (by name or ID), its orchestration, and the active
    switch.
  - PagerDuty accepts rules that use features the account's plan lacks (nested sets, for one) and returns warnings;
    the task shows them as warnings.
seealso:
  - module: oncall.pagerduty.pd_event_orchestration_route
  - module: oncall.pagerduty.pd_event_orchestration
  - module: oncall.pagerduty.pd_service
'''

EXAMPLES = r'''
- name: The event rules of the checkout service
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/oncall.pagerduty.pagerduty:
      api_token: "{{ vault_pagerduty_api_token }}"
  tasks:
    - name: Quiet the load tests, raise payment failures, and switch the rules on
      oncall.pagerduty.pd_service_orchestration:
        service: Checkout
        enabled: true
        sets:
          - id: start
            rules:
              - label: Suppress load-test noise
                conditions:
                  - "event.source matches part 'loadtest'"
                actions:
                  suppress: true
              - label: Payment failures are critical
                conditions:
                  - expression: "event.summary matches part 'payment' and event.severity matches 'error'"
                actions:
                  severity: critical
                  route_to: payments
          - id: payments
            rules:
              - label: Note the runbook
                actions:
                  annotate: "Runbook: https://runbooks.example.com/payments"
        catch_all:
          actions: {}

    - name: Remove every rule of a service
      oncall.pagerduty.pd_service_orchestration:
        service: Legacy Billing
        state: absent
'''

RETURN = r'''
service_orchestration:
  description:
    - The orchestration after the change, or as predicted in check mode, as it is compared - without rule IDs, and
      without actions that are unset, false or empty.
  returned: always
  type: dict
  contains:
    service:
      description: The service (V(id), V(summary) its name).
      type: dict
      sample: {"id": "PCHKOUT", "summary": "Checkout"}
    enabled:
      description: Whether PagerDuty evaluates the service's events with these rules.
      type: bool
      sample: true
    sets:
      description: The rule sets, each with its V(id) and V(rules) (V(label), V(conditions), V(actions), V(disabled)).
      type: list
      elements: dict
      sample: [{"id": "start", "rules": [{"label": "Suppress load-test noise", "disabled": false,
                                          "conditions": [{"expression": "event.source matches part 'loadtest'"}],
                                          "actions": {"suppress": true}}]}]
    catch_all:
      description: The catch-all (V(actions)).
      type: dict
      sample: {"actions": {}}
'''

from ansible_collections.oncall.pagerduty.plugins.module_utils._module import run_module
from ansible_collections.oncall.pagerduty.plugins.module_utils._service_orchestration import ServiceOrchestrationResource


def main():
    run_module(ServiceOrchestrationResource)


if __name__ == '__main__':
    main()
