#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to oncall.pagerduty
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: pd_vendor_info
short_description: Find vendors in PagerDuty's integration catalogue
version_added: 0.1.0
description:
  - Look up the vendors (monitoring tools such as Datadog, Postman or Amazon CloudWatch) that
    vendor-specific integrations are made from, by exact name, by part of the name, by ID, or
    list the whole catalogue.
  - An exact name is matched whole and regardless of case, so V(Sentry) does not find
    V(IPSentry) and V(Events API v2) does not find V(PRTG Notification For PagerDuty Events API v2).
  - PagerDuty's catalogue has vendors that share a name. An exact name returns all of them; give
    the ID of the one you mean to M(oncall.pagerduty.pd_integration).
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
      - The vendor's exact name, compared without regard to case.
      - Mutually exclusive with O(query) and O(id).
    type: str
  query:
    description:
      - Part of the vendor's name; every vendor whose name contains it is returned.
      - Mutually exclusive with O(name) and O(id).
    type: str
  id:
    description:
      - The vendor's ID. An unknown ID returns an empty list.
      - Mutually exclusive with O(name) and O(query).
    type: str
notes:
  - With none of O(name), O(query) and O(id), the whole catalogue is listed, several pages of 100.
  - By O(name) the module asks PagerDuty to narrow the catalogue first, so it costs one API
    request when the matches fit in one page.
seealso:
  - module: oncall.pagerduty.pd_integration
'''

EXAMPLES = r'''
- name: Look up vendors with credentials set once for the whole play
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/oncall.pagerduty.pagerduty:
      api_token: "{{ pagerduty_api_token }}"
  tasks:
    - name: Find the Datadog vendor
      oncall.pagerduty.pd_vendor_info:
        name: datadog
      register: datadog

    - name: Show its ID
      ansible.builtin.debug:
        msg: "Datadog is vendor {{ datadog.vendors[0].id }}"

    - name: Find every vendor with CloudWatch in its name
      oncall.pagerduty.pd_vendor_info:
        query: CloudWatch
      register: cloudwatch

    - name: Read one vendor by ID
      oncall.pagerduty.pd_vendor_info:
        id: PZQ6AUS
      register: by_id
'''

RETURN = r'''
vendors:
  description:
    - The vendors found, sorted by name, with every field the API returns.
    - Empty when nothing matched.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The vendor's ID, to give to M(oncall.pagerduty.pd_integration) as O(oncall.pagerduty.pd_integration#module:vendor).
      type: str
      sample: PAM4FGS
    name:
      description: The vendor's short name.
      type: str
      sample: Datadog
    generic_service_type:
      description: The kind of integration made from this vendor.
      type: str
      sample: events_api_v2
    description:
      description: What the vendor is and what its integrations are for.
      type: str
    website_url:
      description: The vendor's website.
      type: str
    integration_guide_url:
      description: PagerDuty's integration guide for the vendor.
      type: str
    summary:
      description: A short description of the vendor, as PagerDuty shows it.
      type: str
    type:
      description: Always V(vendor).
      type: str
  sample:
    - id: PAM4FGS
      type: vendor
      name: Datadog
      summary: Datadog
      generic_service_type: events_api_v2
      website_url: https://www.datadoghq.com
'''

from ansible_collections.oncall.pagerduty.plugins.module_utils._module import run_module
from ansible_collections.oncall.pagerduty.plugins.module_utils._vendor import VendorInfo


def main():
    run_module(VendorInfo)


if __name__ == '__main__':
    main()
