#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to oncall.pagerduty
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: pd_alert_grouping_setting
short_description: Manage PagerDuty Alert Grouping Settings and the services they group
version_added: 0.2.0
description:
  - Make a PagerDuty Alert Grouping Setting match what the task says - its name, description, grouping
    type and config, and the services whose alerts it groups - or delete it.
  - This is where PagerDuty configures alert grouping today. Grouping set on the service
    (O(oncall.pagerduty.pd_service#module:alert_grouping_parameters)) is deprecated by PagerDuty and cannot
    express settings that group several services or the V(content_based_intelligent) type; see the
    service configuration guide for moving to this module.
  - A setting is found by its exact O(name), or by O(id). PagerDuty does not keep setting names unique;
    several settings of one name fail the task, listing their IDs.
  - O(services) are compared as a set. With O(services_mode=exclusive) the setting holds exactly them; with
    O(services_mode=append) they are added to the ones it holds, so that several plays can each attach
    their own service to one shared setting.
  - A service can be in one setting only. A service another setting holds fails the task, naming that
    setting, unless O(move_services=true) moves it here.
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
      - Sends no write; the result predicts the setting PagerDuty would return, and RV(moved_services) the moves.
      - A service that does not exist yet is taken as created by an earlier task of the check run (the task
        warns); a real run fails when it is still missing.
  diff_mode:
    support: full
    details:
      - The diff holds only the settings that change; services are shown by name.
options:
  name:
    description:
      - The setting's exact name. It identifies the setting unless O(id) is given.
      - With O(id), the name the setting is renamed to.
    type: str
  new_name:
    description:
      - Rename the setting found by O(name) to this name. A second run, when only O(new_name) exists,
        changes nothing.
    type: str
  id:
    description:
      - The setting's ID. Identifies the setting, so that O(name) can rename it.
      - One of O(name) and O(id) is required.
    type: str
  state:
    description:
      - V(present) creates or updates the setting; V(absent) deletes it, which leaves its services without
        alert grouping.
    type: str
    choices: [absent, present]
    default: present
  description:
    description: The setting's description.
    type: str
  type:
    description:
      - How alerts are grouped. Required to create a setting.
      - V(time) groups the alerts of O(config.timeout) seconds into one incident; a time setting holds one service.
      - V(intelligent) groups alerts PagerDuty finds similar, compared on O(config.iag_fields); it may group
        several services.
      - V(content_based) groups alerts whose O(config.fields) are equal (V(all) or V(any) of them, O(config.aggregate));
        it may group up to 250 services.
      - V(content_based_intelligent) groups alerts with equal fields that PagerDuty also finds similar; it may group
        several services, as PagerDuty's own Terraform provider allows (the API reference's one-service note is
        out of date).
      - Changing the type of an existing setting sends the whole config of the new type.
    type: str
    choices: [content_based, content_based_intelligent, intelligent, time]
  config:
    description:
      - The settings of the grouping type; each key is checked against the type before any request.
      - Keys the task does not set are left as they are.
    type: dict
    suboptions:
      timeout:
        description:
          - With V(time), seconds to group alerts for, V(60) to V(86400); V(0) groups until the incident is resolved.
          - Seconds, where O(oncall.pagerduty.pd_service#module:alert_grouping_parameters.config.timeout) took
            minutes.
        type: int
      time_window:
        description:
          - With V(intelligent), V(content_based) or V(content_based_intelligent), seconds in the rolling window,
            V(300) to V(3600); V(content_based) also accepts V(86400).
          - V(0) uses PagerDuty's recommendation, which PagerDuty stores in its place; a setting that holds it is
            not a change.
        type: int
      aggregate:
        description:
          - With V(content_based) or V(content_based_intelligent) (required to create or change to them), whether
            V(all) or V(any) of O(config.fields) must be equal.
        type: str
        choices: [all, any]
      fields:
        description:
          - With V(content_based) or V(content_based_intelligent) (required to create or change to them), the alert
            fields compared, for example V(summary) or V(custom_details.host). Compared as a set.
        type: list
        elements: str
      iag_fields:
        description:
          - With V(intelligent), the alert fields PagerDuty compares, at most five; PagerDuty uses V(summary) when
            it is not set. Compared as a set.
        type: list
        elements: str
  services:
    description:
      - The services whose alerts the setting groups, by exact name or ID. Required to create a setting.
      - Compared as a set, see O(services_mode). Leave it unset to leave the services as they are.
    type: list
    elements: str
  services_mode:
    description:
      - V(exclusive) makes the setting hold exactly O(services), taking others out (they are left without
        grouping).
      - V(append) adds O(services) and never takes one out. After its write the task reads the setting back and
        adds its services again if another task writing the setting at the same moment dropped them; for a
        task that many hosts run in parallel against one setting, the task keyword C(throttle) set to V(1) removes that
        race entirely.
    type: str
    choices: [append, exclusive]
    default: exclusive
  move_services:
    description:
      - A service can be in one setting only. V(false) fails the task, before any write, when another setting
        holds a service of O(services), naming that setting.
      - V(true) takes such services out of the settings that hold them, then adds them here. A setting left
        with no service is deleted (as one that PagerDuty made for grouping set on the service). If this
        task's own write then fails, the services are put back.
    type: bool
    default: false
notes:
  - PagerDuty cannot filter settings by name, so a task that names its setting reads the account's settings,
    one request per 100 settings; with O(id) a run that changes nothing costs one request, plus one when
    services are added (to find the settings that hold them).
  - Services named in O(services) are looked up only when the setting does not hold them already.
  - When a create's answer is lost, the module reads the settings again before anything else and adopts the
    setting if the create went through, so a retry never makes a duplicate.
  - Grouping sent through the service (O(oncall.pagerduty.pd_service#module:alert_grouping_parameters)) takes the
    service out of its setting; leave that option unset for services grouped here.
seealso:
  - module: oncall.pagerduty.pd_service
  - name: Alert Grouping Settings API
    description: PagerDuty's API reference for Alert Grouping Settings.
    link: https://developer.pagerduty.com/api-reference/587edbc8ff416-create-an-alert-grouping-setting
'''

EXAMPLES = r'''
- name: Group the alerts of the checkout services together
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/oncall.pagerduty.pagerduty:
      api_token: "{{ vault_pagerduty_api_token }}"
  tasks:
    - name: One content-based setting for checkout, cart and payments
      oncall.pagerduty.pd_alert_grouping_setting:
        name: Checkout alerts
        description: Alerts about one host group into one incident
        type: content_based
        config:
          aggregate: all
          fields: [custom_details.host]
          time_window: 900
        services: [Checkout, Shopping Cart, Payments]

    - name: Attach this play's service to the shared setting, leaving the others
      oncall.pagerduty.pd_alert_grouping_setting:
        name: Checkout alerts
        services: [Checkout Workers]
        services_mode: append

    - name: Group a service's alerts for five minutes, moving it from the setting that holds it
      oncall.pagerduty.pd_alert_grouping_setting:
        name: Reporting - five minutes
        type: time
        config:
          timeout: 300
        services: [Reporting]
        move_services: true

    - name: Intelligent grouping on two fields, with PagerDuty's recommended window
      oncall.pagerduty.pd_alert_grouping_setting:
        name: Search intelligent grouping
        type: intelligent
        config:
          time_window: 0
          iag_fields: [summary, source]
        services: [Search]

    - name: Delete a setting
      oncall.pagerduty.pd_alert_grouping_setting:
        name: Legacy grouping
        state: absent
'''

RETURN = r'''
alert_grouping_setting:
  description:
    - The setting as PagerDuty returns it after the change, or as predicted in check mode (where a new
      setting's V(id) is null).
    - Empty after O(state=absent).
  returned: always
  type: dict
  contains:
    id:
      description: The setting's ID.
      type: str
      sample: PXXXXXX
    name:
      description: The setting's name.
      type: str
      sample: Checkout alerts
    type:
      description: The grouping type.
      type: str
      sample: content_based
    config:
      description:
        - The config of the type; V(fields) and V(iag_fields) sorted. V(recommended_time_window) is PagerDuty's
          recommendation for the window.
      type: dict
      sample: {"aggregate": "all", "fields": ["custom_details.host"], "time_window": 900, "recommended_time_window": 300}
    services:
      description: The services it groups, as V(id) and V(summary) (the name), by ID.
      type: list
      elements: dict
      sample: [{"id": "PXXXXX1", "summary": "Checkout"}]
moved_services:
  description:
    - The services this task took from other settings (O(move_services=true)), or would in check mode.
    - V(from_deleted) says that the setting they came from was deleted, having no service left.
  returned: always
  type: list
  elements: dict
  sample: [{"service": "Reporting", "service_id": "PXXXXX2", "from": "Reporting", "from_id": "PXXXXX3", "from_deleted": true}]
'''

from ansible_collections.oncall.pagerduty.plugins.module_utils._alert_grouping_setting import AlertGroupingSettingResource
from ansible_collections.oncall.pagerduty.plugins.module_utils._module import run_module


def main():
    run_module(AlertGroupingSettingResource)


if __name__ == '__main__':
    main()
