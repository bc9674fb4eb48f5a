#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to oncall.pagerduty
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: pd_escalation_policy
short_description: Create, update, rename and delete PagerDuty escalation policies
version_added: 0.2.0
description:
  - Make a PagerDuty escalation policy match what the task says. Create it, change the settings the
    task sets (and only those), rename it, or delete it.
  - A policy is found by its exact O(name), or by O(id). An existing policy with the name is adopted,
    never duplicated.
  - Its rules target users, found by their email, and on-call schedules, found by their exact name
    (or either by ID). This collection does not create users or schedules, so one that does not
    exist fails the task, in check mode too, listing the closest ones.
  - The policy is compared as PagerDuty keeps it. The order of the rules matters; the order of the
    targets in a rule does not, since PagerDuty keeps them in an order of its own. A second run with
    the same task reports no change.
  - Services get a policy with M(oncall.pagerduty.pd_service) (O(oncall.pagerduty.pd_service#module:escalation_policy)),
    and belong to the teams of their policy.
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
      - Sends no write; the result predicts the policy PagerDuty would return.
      - A team that does not exist yet is taken as created by an earlier task of the check run (the
        task warns); a real run fails when it is still missing. Users and schedules must exist.
      - A delete that PagerDuty would refuse (see O(state)) fails in check mode too.
  diff_mode:
    support: full
    details:
      - The diff holds only the settings that change, with teams by name and targets by email or
        schedule name.
options:
  name:
    description:
      - The policy's exact name. It identifies the policy unless O(id) is given.
      - With O(id), the name the policy is renamed to.
      - Must not be blank, contain non-printable characters, or start or end with a space.
    type: str
  new_name:
    description:
      - Rename the policy found by O(name) to this name. A second run, when only O(new_name) exists,
        changes nothing; when neither exists the task fails rather than create a policy.
    type: str
  id:
    description:
      - The policy's ID. Identifies the policy, so that O(name) can rename it.
      - One of O(name) and O(id) is required.
    type: str
  state:
    description:
      - V(present) creates or updates the policy; V(absent) deletes it.
      - PagerDuty deletes only a policy that no service uses. When services use it, the task fails
        before any write, naming them; give them another policy with M(oncall.pagerduty.pd_service) first.
    type: str
    choices: [absent, present]
    default: present
  description:
    description: The policy's description.
    type: str
  num_loops:
    description:
      - How many times the policy repeats after its last rule, V(0) (the default when created) to V(9).
    type: int
  on_call_handoff_notifications:
    description:
      - When on-call handoff notifications go to the users of the policy - V(if_has_services) (the
        default when created) only while services use it, or V(always).
    type: str
    choices: [always, if_has_services]
  teams:
    description:
      - The team the policy belongs to, by name or ID; V([]) for none. Services that use the policy
        belong to its team.
      - PagerDuty allows one team per policy, so the list holds at most one.
    type: list
    elements: str
  rules:
    description:
      - The escalation rules, in order; the whole list replaces the policy's rules when it differs.
      - Required to create a policy (PagerDuty needs at least one rule).
    type: list
    elements: dict
    suboptions:
      escalation_delay_in_minutes:
        description:
          - Minutes before an unacknowledged incident escalates from this rule to the next, at least V(1).
        type: int
        required: true
      targets:
        description:
          - Who is notified at this rule, 1 to 10 targets. Their order does not matter.
        type: list
        elements: dict
        required: true
        suboptions:
          type:
            description: V(user) or V(schedule) (whoever is on call in it).
            type: str
            choices: [schedule, user]
            required: true
          email:
            description:
              - With V(user), the user's email (compared without regard to case). Give this or
                O(rules[].targets[].id).
            type: str
          name:
            description:
              - With V(schedule), the schedule's exact name. Give this or O(rules[].targets[].id).
            type: str
          id:
            description: The user's or schedule's ID, instead of its email or name.
            type: str
notes:
  - The policy is read with its targets (their emails and names), so a run that changes nothing
    costs one API request when the task names the policy and gives targets and teams the policy
    already has. Each other target or team costs one more request to find it.
  - Deleting a policy costs no extra request; the policy says which services use it.
  - When a create's answer is lost (a timeout, a dropped connection or a server error), the module
    reads the policy back by name before anything else and adopts it if the create went through, so
    a retry never makes a duplicate.
seealso:
  - module: oncall.pagerduty.pd_team
  - module: oncall.pagerduty.pd_service
'''

EXAMPLES = r'''
- name: On-call for a new environment
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/oncall.pagerduty.pagerduty:
      api_token: "{{ vault_pagerduty_api_token }}"
  tasks:
    - name: The team that owns the services
      oncall.pagerduty.pd_team:
        name: Platform

    - name: Page the primary schedule, then the secondary and the team lead
      oncall.pagerduty.pd_escalation_policy:
        name: Platform On-Call
        description: Platform services, around the clock
        teams: [Platform]
        num_loops: 2
        rules:
          - escalation_delay_in_minutes: 15
            targets:
              - type: schedule
                name: Platform Primary
          - escalation_delay_in_minutes: 30
            targets:
              - type: schedule
                name: Platform Secondary
              - type: user
                email: lead@example.com

    - name: A service paged through the policy
      oncall.pagerduty.pd_service:
        name: Shopping Cart
        escalation_policy: Platform On-Call

    - name: Rename a policy
      oncall.pagerduty.pd_escalation_policy:
        name: Platform On-Call
        new_name: Platform (24x7)

    - name: Delete a policy no service uses any more
      oncall.pagerduty.pd_escalation_policy:
        name: Legacy On-Call
        state: absent
'''

RETURN = r'''
escalation_policy:
  description:
    - The policy as PagerDuty returns it after the change, or as predicted in check mode (where a
      new policy's V(id) is null).
    - Empty after O(state=absent).
  returned: always
  type: dict
  contains:
    id:
      description: The policy's ID.
      type: str
      sample: PXXXXXX
    name:
      description: The policy's name.
      type: str
      sample: Platform On-Call
    num_loops:
      description: How many times the policy repeats.
      type: int
      sample: 2
    on_call_handoff_notifications:
      description: V(if_has_services) or V(always).
      type: str
    teams:
      description: The policy's team, as references (V(id), V(summary) its name).
      type: list
      elements: dict
    escalation_rules:
      description:
        - The rules in order, each with its V(id), V(escalation_delay_in_minutes) and V(targets).
        - Each target is V(type) (V(user) or V(schedule)), V(id), V(summary), and the user's V(email)
          or the schedule's V(name), sorted by type and ID.
      type: list
      elements: dict
    services:
      description: References to the services that use the policy.
      type: list
      elements: dict
  sample:
    id: PXXXXXX
    type: escalation_policy
    name: Platform On-Call
    description: Platform services, around the clock
    num_loops: 2
    on_call_handoff_notifications: if_has_services
    teams: [{"id": "PTEAM01", "summary": "Platform"}]
    escalation_rules:
      - id: PRULE01
        escalation_delay_in_minutes: 15
        targets: [{"type": "schedule", "id": "PSCHED1", "summary": "Platform Primary", "name": "Platform Primary"}]
    services: []
'''

from ansible_collections.oncall.pagerduty.plugins.module_utils._escalation_policy import EscalationPolicyResource
from ansible_collections.oncall.pagerduty.plugins.module_utils._module import run_module


def main():
    run_module(EscalationPolicyResource)


if __name__ == '__main__':
    main()
