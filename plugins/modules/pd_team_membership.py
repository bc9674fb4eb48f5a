#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to oncall.pagerduty
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: pd_team_membership
short_description: Manage the members of a PagerDuty team and their team roles
version_added: 0.3.0
description:
  - Make the members of a PagerDuty team, and their roles in it, match what the task says.
  - With O(mode=append) (the default) the listed users become members with their roles and other members stay;
    with O(mode=exclusive) the listed users are the team's only members. O(state=absent) removes the listed
    users from the team.
  - Each membership is written on its own, so plays that add their own members to one team at the same moment
    keep each other's members.
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
      - Sends no write; the result predicts the members after the run.
      - A team or user that an earlier task of the same check run creates (M(oncall.pagerduty.pd_team),
        M(oncall.pagerduty.pd_user)) is taken as created.
      - A removal that PagerDuty would refuse (see O(state)) fails in check mode too.
  diff_mode:
    support: full
    details:
      - The diff shows the memberships the task is about, as O(members) lists them (with O(mode=exclusive), every
        member of the team).
options:
  team:
    description:
      - The team, by its exact name or its ID.
    type: str
    required: true
  members:
    description:
      - The users and their roles in the team.
    type: list
    elements: dict
    required: true
    suboptions:
      user:
        description:
          - The user, by email (without regard to case) or ID.
        type: str
        required: true
      role:
        description:
          - The user's role in the team. A V(manager) manages the team's objects, a V(responder) works on its
            incidents, an V(observer) sees them.
          - A member listed without a role is made a V(responder), whatever their role was.
        type: str
        choices: [observer, responder, manager]
        default: responder
  mode:
    description:
      - V(append) adds the listed users and sets their roles, leaving other members as they are.
      - V(exclusive) also removes the members the task does not list. Only with O(state=present).
    type: str
    choices: [append, exclusive]
    default: append
  state:
    description:
      - V(present) makes the listed users members with their roles; V(absent) removes them from the team.
      - PagerDuty keeps on a team every member whom an escalation policy of the team pages directly. Before
        removing members, the task looks for such policies and, if there are any, fails without a write, naming
        them; take the member off the policy (M(oncall.pagerduty.pd_escalation_policy)) first.
      - PagerDuty adds no user whose account role is V(read_only_user) to a team; such a user fails before any
        write too.
    type: str
    choices: [absent, present]
    default: present
notes:
  - A run that changes nothing costs one request for the team and one for its members (a page of 100). Each
    user that is not a member yet costs one more to find; each change one write, then a read of the members.
seealso:
  - module: oncall.pagerduty.pd_team
  - module: oncall.pagerduty.pd_user
  - module: oncall.pagerduty.pd_user_info
'''

EXAMPLES = r'''
- name: The platform team's people
  oncall.pagerduty.pd_team_membership:
    team: Platform
    members:
      - user: grace@example.com
        role: manager
      - user: alan@example.com

- name: Exactly these members, nobody else
  oncall.pagerduty.pd_team_membership:
    team: Payments
    mode: exclusive
    members:
      - user: katherine@example.com
        role: manager
      - user: hedy@example.com

- name: Somebody moved to another team
  oncall.pagerduty.pd_team_membership:
    team: Platform
    members:
      - user: alan@example.com
    state: absent
'''

RETURN = r'''
team:
  description: The team, by ID and name (a team that check mode predicts has a null V(id)).
  returned: always
  type: dict
  sample: {id: PXXXXXX, name: Platform}
members:
  description: Every member of the team after the run (predicted in check mode), by email.
  returned: always
  type: list
  elements: dict
  contains:
    user:
      description: The member's email.
      type: str
      sample: grace@example.com
    id:
      description: The member's user ID (null for a user that check mode predicts).
      type: str
    name:
      description: The member's name.
      type: str
    role:
      description: The member's role in the team.
      type: str
      sample: manager
added:
  description: The memberships the run added or whose role it changed, as O(members) lists them.
  returned: always
  type: list
  elements: dict
  sample: [{user: alan@example.com, role: responder}]
removed:
  description: The memberships the run removed.
  returned: always
  type: list
  elements: dict
'''

from ansible_collections.oncall.pagerduty.plugins.module_utils._module import run_module
from ansible_collections.oncall.pagerduty.plugins.module_utils._team_membership import TeamMembershipKind


def main():
    run_module(TeamMembershipKind)


if __name__ == '__main__':
    main()
