#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to oncall.pagerduty
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: pd_business_service
short_description: Create, update, rename and delete PagerDuty business services
version_added: 0.2.0
description:
  - Make a PagerDuty business service match what the task says. Create it, change the settings the
    task sets (and only those), rename it, or delete it.
  - Business services model what the business offers (checkout, sign-up) on top of the technical
    services that support it. Say what supports a business service, and what it supports, with
    M(oncall.pagerduty.pd_service_dependency).
  - A business service is found by its exact O(name), or by O(id). PagerDuty lets two business
    services share a name; a name that several have fails, listing them, and O(id) picks one.
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
      - Sends no write; the result predicts the business service PagerDuty would return.
      - A team that does not exist yet is taken as created by an earlier task of the check run (the
        task warns); a real run fails when it is still missing.
  diff_mode:
    support: full
    details:
      - The diff holds only the settings that change; a team shows as its ID and name.
options:
  name:
    description:
      - The business service's exact name. It identifies the business service unless O(id) is given.
      - With O(id), the name the business service is renamed to.
      - Must not be blank, contain non-printable characters, or start or end with a space.
    type: str
  new_name:
    description:
      - Rename the business service found by O(name) to this name. A second run, when only
        O(new_name) exists, changes nothing; when neither exists the task fails rather than create one.
    type: str
  id:
    description:
      - The business service's ID. Identifies it, so that O(name) can rename it.
      - One of O(name) and O(id) is required.
    type: str
  description:
    description:
      - What the business service is. V('') clears it.
    type: str
  point_of_contact:
    description:
      - Who owns the business service, as free text (a person, a role, a channel). V('') clears it.
    type: str
  team:
    description:
      - The team that owns the business service, by exact name or by ID. A name not found fails with
        the closest names.
      - V('') removes the team.
    type: str
  state:
    description:
      - V(present) creates or updates the business service; V(absent) deletes it, and with it every
        dependency it has (on supporting services, and of the services it supports).
    type: str
    choices: [absent, present]
    default: present
notes:
  - PagerDuty's list of business services has no name filter, so finding one by O(name) reads the whole
    list, one request per 100 business services (an account has at most 5,000). A run that changes
    nothing costs those requests, or one with O(id); one more when O(team) is given by name.
  - When a create's answer is lost (a timeout, a dropped connection or a server error), the module
    reads the business service back by name before anything else and adopts it if the create went
    through, so a retry never makes a duplicate.
seealso:
  - module: oncall.pagerduty.pd_service_dependency
  - module: oncall.pagerduty.pd_team
'''

EXAMPLES = r'''
- name: Model what the business offers
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/oncall.pagerduty.pagerduty:
      api_token: "{{ vault_pagerduty_api_token }}"
  tasks:
    - name: A business service for online checkout, owned by the payments team
      oncall.pagerduty.pd_business_service:
        name: Online Checkout
        description: Customers can pay for their basket
        point_of_contact: "#payments-oncall"
        team: Payments

    - name: It depends on the technical services that make it work
      oncall.pagerduty.pd_service_dependency:
        service: Online Checkout
        service_type: business
        depends_on:
          - Shopping Cart
          - Payments API

    - name: No team owns it any more
      oncall.pagerduty.pd_business_service:
        name: Online Checkout
        team: ""

    - name: Rename a business service
      oncall.pagerduty.pd_business_service:
        name: Online Checkout
        new_name: Checkout

    - name: Delete a business service, and its dependencies with it
      oncall.pagerduty.pd_business_service:
        name: Checkout
        state: absent
'''

RETURN = r'''
business_service:
  description:
    - The business service as PagerDuty returns it after the change, or as predicted in check mode
      (where a new business service's V(id) is null).
    - A description or point of contact never set shows as V('').
    - Empty after O(state=absent).
  returned: always
  type: dict
  contains:
    id:
      description: The business service's ID.
      type: str
      sample: PXXXXXX
    name:
      description: The business service's name.
      type: str
      sample: Online Checkout
    description:
      description: Its description.
      type: str
      sample: Customers can pay for their basket
    point_of_contact:
      description: Its owner, as free text.
      type: str
      sample: "#payments-oncall"
    team:
      description:
        - A reference to the owning team (V(id); V(summary), its name, when the task knows it), or null.
      type: dict
      sample: {"id": "PTEAM02", "type": "team_reference", "summary": "Payments"}
  sample:
    id: PXXXXXX
    type: business_service
    name: Online Checkout
    description: Customers can pay for their basket
    point_of_contact: "#payments-oncall"
    team: {"id": "PTEAM02", "type": "team_reference", "summary": "Payments"}
'''

from ansible_collections.oncall.pagerduty.plugins.module_utils._business_service import BusinessServiceResource
from ansible_collections.oncall.pagerduty.plugins.module_utils._module import run_module


def main():
    run_module(BusinessServiceResource)


if __name__ == '__main__':
    main()
