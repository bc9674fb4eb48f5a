#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to oncall.pagerduty
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: pd_service_custom_field
short_description: Define the custom fields of PagerDuty services
version_added: 0.2.0
description:
  - Make a service custom field - a definition of metadata every service of the account can hold, such as
    its owner, tier or runbook - match what the task says, or delete it.
  - Services hold the values; set them with the C(custom_fields) option of M(oncall.pagerduty.pd_service),
    which checks each value against the field defined here before any request.
  - A field is found by its O(name), which is unique in the account and cannot change.
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
      - Sends no write; the result predicts the field PagerDuty would return.
  diff_mode:
    support: full
    details:
      - The diff holds only the settings that change.
options:
  name:
    description:
      - The field's name, its identity - lowercase letters, digits and underscores, at most 50 characters.
      - PagerDuty cannot rename a field; the display name is what people read.
    type: str
    required: true
  display_name:
    description:
      - The name people read, at most 50 characters, unique in the account. Required to create a field.
    type: str
  description:
    description: What the field holds, at most 1000 characters.
    type: str
  data_type:
    description:
      - The kind of value the field holds. Required to create a field.
      - PagerDuty cannot change it once the field exists; a different value fails the task, saying how to
        replace the field.
      - The fixed and multi-value field types hold text only (V(string)).
    type: str
    choices: [boolean, datetime, float, integer, string, url]
  field_type:
    description:
      - V(single_value) holds one value, V(multi_value) a list of up to ten.
      - V(single_value_fixed) and V(multi_value_fixed) take their values from O(field_options).
      - Required to create a field; PagerDuty cannot change it once the field exists.
    type: str
    choices: [multi_value, multi_value_fixed, single_value, single_value_fixed]
  field_options:
    description:
      - The values a field of a fixed O(field_type) can take, at most 200 characters each; required to create
        such a field. Compared as a set.
      - Options the list leaves out are deleted, and PagerDuty clears them from the services that hold them;
        the task warns when it removes options.
    type: list
    elements: str
  enabled:
    description:
      - Whether services can hold values of the field. A new field is enabled unless this says V(false).
      - PagerDuty takes no values for a disabled field.
    type: bool
  state:
    description:
      - V(present) creates or updates the field; V(absent) deletes it, and with it its values on every service.
    type: str
    choices: [absent, present]
    default: present
notes:
  - A run costs one request when nothing changes (PagerDuty lists every field in one answer).
  - When a create's answer is lost, the module reads the fields again and adopts the field if the create went
    through, so a retry never makes a duplicate.
seealso:
  - module: oncall.pagerduty.pd_service
  - module: oncall.pagerduty.pd_service_info
  - name: Service custom fields API
    description: PagerDuty's API reference for service custom fields.
    link: https://developer.pagerduty.com/api-reference/
'''

EXAMPLES = r'''
- name: Ownership metadata on every service
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/oncall.pagerduty.pagerduty:
      api_token: "{{ vault_pagerduty_api_token }}"
  tasks:
    - name: The team that owns a service
      oncall.pagerduty.pd_service_custom_field:
        name: owner_team
        display_name: Owner team
        description: The team accountable for the service
        data_type: string
        field_type: single_value

    - name: A tier from a fixed list
      oncall.pagerduty.pd_service_custom_field:
        name: tier
        display_name: Tier
        data_type: string
        field_type: single_value_fixed
        field_options: [tier-1, tier-2, tier-3]

    - name: The runbook of a service
      oncall.pagerduty.pd_service_custom_field:
        name: runbook
        display_name: Runbook
        data_type: url
        field_type: single_value

    - name: Stop taking values for a field, keeping the ones services hold
      oncall.pagerduty.pd_service_custom_field:
        name: runbook
        enabled: false

    - name: Delete a field and its values
      oncall.pagerduty.pd_service_custom_field:
        name: legacy_owner
        state: absent
'''

RETURN = r'''
custom_field:
  description:
    - The field as PagerDuty returns it after the change, or as predicted in check mode (where a new field's
      V(id) is null).
    - Empty after O(state=absent).
  returned: always
  type: dict
  contains:
    id:
      description: The field's ID.
      type: str
      sample: PXXXXXX
    name:
      description: The field's name.
      type: str
      sample: tier
    display_name:
      description: The name people read.
      type: str
      sample: Tier
    data_type:
      description: The kind of value.
      type: str
      sample: string
    field_type:
      description: One value or a list, free or from the options.
      type: str
      sample: single_value_fixed
    field_options:
      description: The option values, for the fixed field types only.
      type: list
      elements: str
      sample: [tier-1, tier-2, tier-3]
    enabled:
      description: Whether services can hold values of the field.
      type: bool
      sample: true
'''

from ansible_collections.oncall.pagerduty.plugins.module_utils._custom_field import ServiceCustomFieldResource
from ansible_collections.oncall.pagerduty.plugins.module_utils._module import run_module


def main():
    run_module(ServiceCustomFieldResource)


if __name__ == '__main__':
    main()
