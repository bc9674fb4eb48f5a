#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to oncall.pagerduty
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: pd_user
short_description: Create, adopt, update and delete PagerDuty users
version_added: 0.3.0
description:
  - Make a PagerDuty user match what the task says. Create the user, change their name, role, time zone, job
    title, description or colour, or delete them.
  - A user is found by O(email), without regard to case. An existing user with the email is adopted and
    changed where the task differs, never created twice (PagerDuty keeps one user per email); the email stays
    as PagerDuty has it.
  - Options left out are left as they are. A new user needs O(name).
  - PagerDuty sends a new user an invitation to the email address.
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
      - Sends no write; the result predicts the user PagerDuty would return.
      - Later tasks of the same check run that name the user by email (M(oncall.pagerduty.pd_team_membership),
        M(oncall.pagerduty.pd_escalation_policy)) find the predicted user.
      - A delete that PagerDuty would refuse (see O(state)) fails in check mode too.
  diff_mode:
    support: full
    details:
      - The diff holds only the settings that change.
options:
  email:
    description:
      - The user's email address. It identifies the user, without regard to case.
      - To change a user's email, change it in PagerDuty; the task then finds the user by the new one.
    type: str
    required: true
  name:
    description:
      - The user's name, at most 100 characters. Required to create a user.
    type: str
  role:
    description:
      - The user's role in the account. V(observer) and V(restricted_access) need PagerDuty's advanced
        permissions, V(read_only_user) and V(read_only_limited_user) its read-only users; PagerDuty refuses
        them otherwise.
      - A new user without O(role) is a V(user).
      - The account owner's role is V(owner), which only a transfer of ownership in the web app changes; a task
        that gives the owner another role fails before any write.
    type: str
    choices: [admin, limited_user, observer, read_only_limited_user, read_only_user, restricted_access, user]
  time_zone:
    description:
      - The user's time zone, a name of the IANA time zone database, such as V(Europe/Paris). A new user without
        one has the account's.
    type: str
  job_title:
    description:
      - The user's job title, at most 100 characters; V('') clears it.
    type: str
  description:
    description:
      - The user's bio; V('') clears it.
    type: str
  color:
    description:
      - The colour of the user's shifts in schedules, such as V(green) or V(purple).
    type: str
  state:
    description:
      - V(present) creates or updates the user; V(absent) deletes them.
      - PagerDuty deletes only a user who is on no schedule and no escalation policy, and never the account
        owner. Before deleting, the task looks for the schedules and policies that hold the user and, if there
        are any, fails without a write, naming them.
    type: str
    choices: [absent, present]
    default: present
notes:
  - A run that changes nothing costs one API request. Deleting a user costs a few more, to find the schedules
    and escalation policies that hold them.
  - Team membership is M(oncall.pagerduty.pd_team_membership)'s; contact methods and notification rules are left
    to the user.
seealso:
  - module: oncall.pagerduty.pd_user_info
  - module: oncall.pagerduty.pd_team_membership
  - module: oncall.pagerduty.pd_escalation_policy
'''

EXAMPLES = r'''
- name: The people of a new environment
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/oncall.pagerduty.pagerduty:
      api_token: "{{ vault_pagerduty_api_token }}"
  tasks:
    - name: A responder, adopted if PagerDuty has the email already
      oncall.pagerduty.pd_user:
        email: grace@example.com
        name: Grace Hopper
        role: user
        time_zone: Europe/Paris
        job_title: Site reliability engineer

    - name: Make an existing user an admin, whatever their name
      oncall.pagerduty.pd_user:
        email: alan@example.com
        role: admin

    - name: Somebody who left
      oncall.pagerduty.pd_user:
        email: former.colleague@example.com
        state: absent
'''

RETURN = r'''
user:
  description:
    - The user as PagerDuty returns them after the change, or as predicted in check mode (where a new user's
      V(id) is null).
    - Empty after O(state=absent).
  returned: always
  type: dict
  contains:
    id:
      description: The user's ID.
      type: str
      sample: PXXXXXX
    email:
      description: The user's email, as PagerDuty keeps it.
      type: str
      sample: grace@example.com
    name:
      description: The user's name.
      type: str
      sample: Grace Hopper
    role:
      description: The user's role.
      type: str
      sample: user
    time_zone:
      description: The user's time zone.
      type: str
      sample: Europe/Paris
    job_title:
      description: The user's job title; V('') when they have none.
      type: str
    description:
      description: The user's bio; V('') when they have none.
      type: str
    color:
      description: The colour of the user's shifts.
      type: str
      sample: green
    teams:
      description: The teams the user is a member of, as references.
      type: list
      elements: dict
    html_url:
      description: The user's page in PagerDuty.
      type: str
'''

from ansible_collections.oncall.pagerduty.plugins.module_utils._module import run_module
from ansible_collections.oncall.pagerduty.plugins.module_utils._user import UserResource


def main():
    run_module(UserResource)


if __name__ == '__main__':
    main()
