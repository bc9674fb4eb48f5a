#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to oncall.pagerduty
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: pd_service_info
short_description: Read PagerDuty services
version_added: 0.1.0
description:
  - Read services by exact name, by part of the name, by team, or by ID, or list them all,
    optionally with the full objects of their integrations.
author:
  - oncall.pagerduty maintainers (@oncall)
extends_documentation_fragment:
  - oncall.pagerduty.pagerduty
  - oncall.pagerduty.pagerduty.transport
  - oncall.pagerduty.attributes
  - oncall.pagerduty.attributes.pagerduty_group
  - oncall.pagerduty.attributes.info_module
options:
  name:
    description:
      - The service's exact name.
      - Mutually exclusive with O(query) and O(id).
    type: str
  query:
    description:
      - Part of the name; every service whose name contains it is returned.
      - Mutually exclusive with O(name) and O(id).
    type: str
  id:
    description:
      - The service's ID. An unknown ID returns an empty list.
      - Mutually exclusive with O(name), O(query) and O(team_ids).
    type: str
  team_ids:
    description:
      - Only services of these teams (the account needs the teams feature).
    type: list
    elements: str
  include_integrations:
    description:
      - Return each service's integrations as full objects (with their V(integration_email), and their
        V(integration_key) only with O(return_keys=true)) instead of references. Costs no extra request.
    type: bool
    default: false
  return_keys:
    description:
      - Return the integrations' keys (V(integration_key)) with O(include_integrations=true).
      - Keys are secrets. Without this option no key is returned, so the result can be shown at any
        verbosity; with it, register the result with C(no_log) set to V(true).
      - Before version 0.3.0, keys were returned whenever integrations were.
    version_added: 0.3.0
    type: bool
    default: false
  include_custom_fields:
    description:
      - Return each service's custom field values as RV(services[].custom_fields).
      - PagerDuty serves them one service at a time, so this costs one request per service returned.
    type: bool
    default: false
notes:
  - Without any filter every service is listed. PagerDuty returns at most 10,000 results for one
    listing; past that the module warns and returns the first 10,000, so filter large accounts.
seealso:
  - module: oncall.pagerduty.pd_service
'''

EXAMPLES = r'''
- name: Read services
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/oncall.pagerduty.pagerduty:
      api_token: "{{ vault_pagerduty_api_token }}"
  tasks:
    - name: Read one service and its integrations (without their keys)
      oncall.pagerduty.pd_service_info:
        name: Shopping Cart
        include_integrations: true
      register: cart

    - name: Show the names of its Events API v2 integrations
      ansible.builtin.debug:
        msg: "{{ cart.services[0].integrations | selectattr('type', 'equalto', 'events_api_v2_inbound_integration')
                 | map(attribute='name') | list }}"

    - name: Read its integration keys, to hand one to a monitoring tool
      oncall.pagerduty.pd_service_info:
        name: Shopping Cart
        include_integrations: true
        return_keys: true
      register: cart_keys
      no_log: true  # the result holds the keys

    - name: List the services of the Platform team whose names mention "cart"
      oncall.pagerduty.pd_service_info:
        query: cart
        team_ids: [PTEAM01]
      register: platform_carts
'''

RETURN = r'''
services:
  description:
    - The services found, sorted by name, as PagerDuty returns them; disabled timeouts are shown as V(0).
    - Empty when nothing matched.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The service's ID.
      type: str
    name:
      description: The service's name.
      type: str
    status:
      description: The service's status.
      type: str
    escalation_policy:
      description: A reference to its escalation policy.
      type: dict
    integrations:
      description:
        - References to its integrations, or with O(include_integrations=true) the full integration objects,
          with their V(integration_key) only when O(return_keys=true).
      type: list
      elements: dict
    custom_fields:
      description: The service's custom field values, field name to value (V(null) for a field without one).
      returned: when O(include_custom_fields=true)
      type: dict
      sample: {"tier": "gold"}
'''

from ansible_collections.oncall.pagerduty.plugins.module_utils._module import run_module
from ansible_collections.oncall.pagerduty.plugins.module_utils._service import ServiceInfo


def main():
    run_module(ServiceInfo)


if __name__ == '__main__':
    main()
