#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to oncall.pagerduty
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: pd_datadog_service
short_description: Point Datadog at a PagerDuty service (the PagerDuty service object in Datadog)
version_added: 0.1.0
description:
  - Datadog's PagerDuty integration keeps a list of service objects, each a name and the
    integration key of a PagerDuty service. A Datadog monitor that mentions C(@pagerduty-<name>)
    opens incidents on that service.
  - This module creates, updates and deletes those service objects, so a playbook that creates a
    service and its Datadog integration with M(oncall.pagerduty.pd_integration) can also register
    the integration key in Datadog.
  - Datadog never returns a service object's key. With the default O(update_key=on_create) the
    key is sent when the object is created and an existing object is left alone, so the task is
    idempotent but cannot notice a key changed outside Ansible. With O(update_key=always) the key
    is sent on every run and the task always reports a change, like C(update_password) of
    M(ansible.builtin.user).
author:
  - oncall.pagerduty maintainers (@oncall)
extends_documentation_fragment:
  - oncall.pagerduty.pagerduty.transport
  - oncall.pagerduty.attributes
  - oncall.pagerduty.attributes.datadog_group
attributes:
  check_mode:
    support: full
    details:
      - Sends no write.
  diff_mode:
    support: full
    details:
      - The diff shows the service object's name; the key is never shown.
options:
  service_name:
    description:
      - The name of the service object; Datadog monitors notify it with C(@pagerduty-<service_name>).
      - Usually the PagerDuty service's name.
    type: str
    required: true
  service_key:
    description:
      - The integration key of the PagerDuty service's Datadog integration, from
        RV(oncall.pagerduty.pd_integration#module:integration.integration_key).
      - Required with O(state=present). Never logged and never shown in a diff.
      - Checked before any request - 32 letters and digits. In check mode the placeholder that
        M(oncall.pagerduty.pd_integration) predicts for a new integration is accepted; a real run
        refuses it.
    type: str
  state:
    description: V(present) creates (or updates) the service object; V(absent) deletes it.
    type: str
    choices: [absent, present]
    default: present
  update_key:
    description:
      - V(on_create) sends the key only when the service object is created.
      - V(always) sends it on every run, and the task reports a change every time, because Datadog
        cannot tell whether the key it holds is the same.
    type: str
    choices: [always, on_create]
    default: on_create
  api_key:
    description:
      - A Datadog API key.
      - If not set, the environment variable E(DD_API_KEY) is used.
    type: str
  app_key:
    description:
      - A Datadog application key whose user or service account has the C(manage_integrations) permission.
      - If not set, the environment variable E(DD_APP_KEY) is used.
    type: str
  site:
    description:
      - The Datadog site of the organization, for example V(datadoghq.com), V(us3.datadoghq.com),
        V(us5.datadoghq.com), V(datadoghq.eu), V(ap1.datadoghq.com), V(ap2.datadoghq.com) or V(ddog-gov.com).
      - If not set, the environment variable E(DD_SITE) is used.
      - Ignored when O(api_url) is set.
    type: str
    default: datadoghq.com
  api_url:
    description:
      - Base URL of the Datadog API, overriding O(site); for a proxy or the bundled simulator.
      - If not set, the environment variable E(DD_API_URL) is used.
    type: str
notes:
  - The PagerDuty integration tile must be installed in the Datadog organization first.
  - Datadog applies changes to this integration one at a time. In a loop, or across hosts, set the
    task keyword C(throttle) to 1.
  - This module is in the action group C(oncall.pagerduty.datadog), not C(oncall.pagerduty.pagerduty),
    because its credentials are Datadog's.
seealso:
  - module: oncall.pagerduty.pd_integration
'''

EXAMPLES = r'''
- name: Close the loop - PagerDuty service, its Datadog integration, and Datadog pointed at it
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/oncall.pagerduty.pagerduty:
      api_token: "{{ vault_pagerduty_api_token }}"
    group/oncall.pagerduty.datadog:
      api_key: "{{ vault_datadog_api_key }}"
      app_key: "{{ vault_datadog_app_key }}"
      site: datadoghq.eu
  tasks:
    - name: The PagerDuty service
      oncall.pagerduty.pd_service:
        name: Shopping Cart
        escalation_policy: Payments On-Call

    - name: Its Datadog integration
      oncall.pagerduty.pd_integration:
        service: Shopping Cart
        vendor: Datadog
      register: datadog_integration
      no_log: true

    - name: Datadog monitors notify @pagerduty-Shopping-Cart, always with the current key
      oncall.pagerduty.pd_datadog_service:
        service_name: Shopping-Cart
        service_key: "{{ datadog_integration.integration.integration_key }}"
        # A new key (a new integration, also one re-created after somebody deleted it, a recreate,
        # a rotation) is sent even though Datadog already has the service object.
        update_key: "{{ 'always' if datadog_integration.key_changed else 'on_create' }}"
      throttle: 1

    - name: Remove a service object
      oncall.pagerduty.pd_datadog_service:
        service_name: Old-Service
        state: absent
'''

RETURN = r'''
datadog_service:
  description:
    - The service object as Datadog returns it (its name; never the key), or as predicted in check mode.
    - Empty after O(state=absent).
  returned: always
  type: dict
  contains:
    service_name:
      description: The service object's name.
      type: str
      sample: Shopping-Cart
'''

from ansible_collections.oncall.pagerduty.plugins.module_utils._datadog import DatadogServiceResource
from ansible_collections.oncall.pagerduty.plugins.module_utils._module import run_module


def main():
    run_module(DatadogServiceResource)


if __name__ == '__main__':
    main()
