#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to oncall.pagerduty
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: pd_user_info
short_description: Read PagerDuty users
version_added: 0.3.0
description:
  - Read the users of a PagerDuty account. Find the one with an email, those whose name or email contains a
    text, the one with an ID, the members of a team, or all of them.
  - Never writes.
author:
  - oncall.pagerduty maintainers (@oncall)
extends_documentation_fragment:
  - oncall.pagerduty.pagerduty
  - oncall.pagerduty.pagerduty.transport
  - oncall.pagerduty.attributes
  - oncall.pagerduty.attributes.pagerduty_group
  - oncall.pagerduty.attributes.info_module
options:
  email:
    description:
      - The user's email, compared whole and without regard to case.
      - Mutually exclusive with O(query) and O(id).
    type: str
  query:
    description:
      - Part of a name or an email; every user whose name or email contains it is returned.
      - Mutually exclusive with O(email) and O(id).
    type: str
  id:
    description:
      - The user's ID. A user that does not exist gives an empty list.
    type: str
  team:
    description:
      - A team, by name or ID; only its members are returned. Combines with O(email) and O(query).
      - In check mode, a team that an earlier task of the run only predicts (M(oncall.pagerduty.pd_team)) has no
        members yet; the list is empty.
    type: str
notes:
  - Without options, every user of the account is returned, a page of 100 per request.
seealso:
  - module: oncall.pagerduty.pd_user
  - module: oncall.pagerduty.pd_team_membership
'''

EXAMPLES = r'''
- name: The user with an email
  oncall.pagerduty.pd_user_info:
    email: grace@example.com
  register: found

- name: Say whether they exist
  ansible.builtin.debug:
    msg: "{{ (found.users | length == 1) | ternary(found.users[0].id, 'no such user') }}"

- name: The members of a team
  oncall.pagerduty.pd_user_info:
    team: Platform
  register: platform

- name: Their emails
  ansible.builtin.debug:
    msg: "{{ platform.users | map(attribute='email') | list }}"
'''

RETURN = r'''
users:
  description:
    - The users found, as PagerDuty returns them, ordered by email.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The user's ID.
      type: str
      sample: PXXXXXX
    email:
      description: The user's email.
      type: str
      sample: grace@example.com
    name:
      description: The user's name.
      type: str
      sample: Grace Hopper
    role:
      description: The user's role in the account.
      type: str
      sample: admin
    time_zone:
      description: The user's time zone.
      type: str
      sample: Europe/Paris
    teams:
      description: The teams the user is a member of, as references.
      type: list
      elements: dict
'''

from ansible_collections.oncall.pagerduty.plugins.module_utils._module import run_module
from ansible_collections.oncall.pagerduty.plugins.module_utils._user import UserInfo


def main():
    run_module(UserInfo)


if __name__ == '__main__':
    main()
