#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to oncall.pagerduty
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: pd_team
short_description: Create, rename and delete PagerDuty teams
version_added: 0.2.0
description:
  - Make a PagerDuty team match what the task says. Create it, change its description, rename it, or
    delete it.
  - A team is found by its exact O(name), or by O(id). An existing team with the name is adopted,
    never duplicated.
  - Escalation policies belong to a team through their own O(oncall.pagerduty.pd_escalation_policy#module:teams),
    and services belong to the teams of their escalation policy.
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
      - Sends no write; the result predicts the team PagerDuty would return.
      - A delete that PagerDuty would refuse (see O(state)) fails in check mode too.
  diff_mode:
    support: full
    details:
      - The diff holds only the settings that change.
options:
  name:
    description:
      - The team's exact name. It identifies the team unless O(id) is given.
      - With O(id), the name the team is renamed to.
      - At most 100 characters; must not be blank, contain non-printable characters, or start or end
        with a space.
    type: str
  new_name:
    description:
      - Rename the team found by O(name) to this name. A second run, when only O(new_name) exists,
        changes nothing; when neither exists the task fails rather than create a team.
    type: str
  id:
    description:
      - The team's ID. Identifies the team, so that O(name) can rename it.
      - One of O(name) and O(id) is required.
    type: str
  description:
    description:
      - The team's description, at most 1024 characters.
    type: str
  state:
    description:
      - V(present) creates or updates the team; V(absent) deletes it.
      - PagerDuty deletes only a team that no escalation policy or schedule belongs to. Before
        deleting, the task looks for them and, if there are any, fails without a write, naming them.
        Remove the team from a policy with M(oncall.pagerduty.pd_escalation_policy) (O(oncall.pagerduty.pd_escalation_policy#module:teams=[])).
    type: str
    choices: [absent, present]
    default: present
notes:
  - A run that changes nothing costs one API request. Deleting a team costs two more, to find the
    escalation policies and schedules that belong to it.
  - Accounts whose plan does not include teams get an error saying so (HTTP 402).
seealso:
  - module: oncall.pagerduty.pd_escalation_policy
  - module: oncall.pagerduty.pd_service
'''

EXAMPLES = r'''
- name: Set up the teams of a new account
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/oncall.pagerduty.pagerduty:
      api_token: "{{ vault_pagerduty_api_token }}"
  tasks:
    - name: A team for the platform engineers
      oncall.pagerduty.pd_team:
        name: Platform
        description: Platform engineering

    - name: Rename a team
      oncall.pagerduty.pd_team:
        name: Payments
        new_name: Payments and Billing

    - name: Delete a team nothing belongs to any more
      oncall.pagerduty.pd_team:
        name: Legacy
        state: absent
'''

RETURN = r'''
team:
  description:
    - The team as PagerDuty returns it after the change, or as predicted in check mode (where a
      new team's V(id) is null).
    - Empty after O(state=absent).
  returned: always
  type: dict
  contains:
    id:
      description: The team's ID.
      type: str
      sample: PXXXXXX
    name:
      description: The team's name.
      type: str
      sample: Platform
    description:
      description: The team's description; V('') when it has none.
      type: str
      sample: Platform engineering
    html_url:
      description: The team's page in PagerDuty.
      type: str
  sample:
    id: PXXXXXX
    type: team
    name: Platform
    summary: Platform
    description: Platform engineering
    default_role: manager
'''

from ansible_collections.oncall.pagerduty.plugins.module_utils._module import run_module
from ansible_collections.oncall.pagerduty.plugins.module_utils._team import TeamResource


def main():
    run_module(TeamResource)


if __name__ == '__main__':
    main()
