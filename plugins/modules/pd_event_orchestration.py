#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to oncall.pagerduty
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: pd_event_orchestration
short_description: Create, update and delete PagerDuty global event orchestrations, and return their routing key
version_added: 0.2.0
description:
  - Make a global event orchestration match what the task says - the object whose routing key monitoring tools send
    events to, and whose router sends each event on to a service. Event Orchestration replaced Event Rules, which
    reached their end of life on 2025-01-31.
  - An orchestration is found by its exact O(name). PagerDuty does not keep names unique; when several orchestrations
    have the name, the task fails and lists them.
  - Returns the orchestration's routing key (that of the default integration PagerDuty creates with it) in
    RV(orchestration.routing_key), for the monitoring tools and for M(oncall.pagerduty.pd_event).
  - Its routes are managed one by one with M(oncall.pagerduty.pd_event_orchestration_route), so that each team adds
    its own.
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
      - Sends no write. A new orchestration is predicted with the placeholder routing key
        V(R0CHECKMODEPLACEHOLDERKEY0000000), so that later tasks of the check run can use it.
      - A delete that O(force) would be needed for fails in check mode too.
  diff_mode:
    support: full
    details:
      - The diff holds only the settings that change; never the routing key.
options:
  name:
    description:
      - The orchestration's exact name; it identifies the orchestration.
      - Must not be blank, or start or end with a space.
    type: str
    required: true
  description:
    description: What the orchestration is for.
    type: str
  team:
    description:
      - The team that owns the orchestration, by exact name or ID. Without a team, only account admins can change it.
      - Left as it is when not set.
    type: str
  force:
    description:
      - With O(state=absent), delete the orchestration even though it still routes events somewhere.
      - An orchestration routes somewhere when its router has a rule, enabled or disabled, that routes to a service
        (C(route_to) a service, or C(dynamic_route_to)), or when its catch-all routes to a service rather than to
        C(unrouted). Deleting it then makes its routing keys drop every event, so without O(force=true) the task
        fails and lists the routes.
    type: bool
    default: false
  return_key:
    description:
      - With V(false), the result leaves out the routing key, so that the task's output need not be C(no_log).
    type: bool
    default: true
  state:
    description:
      - V(present) creates or updates the orchestration; V(absent) deletes it (see O(force)).
    type: str
    choices: [absent, present]
    default: present
notes:
  - PagerDuty's list of orchestrations cannot be filtered by name, so finding one reads the list (one request per 100
    orchestrations) and then the orchestration itself, for its routing key; a run that changes nothing costs two
    requests, and one more when O(team) is given by name.
  - When a create's answer is lost, the module reads the list again before anything else and adopts the orchestration
    if the create went through, so a retry never makes a second one.
  - The routing key is a secret - anybody with it can open incidents. Set C(no_log) on the task, or O(return_key=false).
seealso:
  - module: oncall.pagerduty.pd_event_orchestration_route
  - module: oncall.pagerduty.pd_service_orchestration
  - module: oncall.pagerduty.pd_event
'''

EXAMPLES = r'''
- name: A company-wide orchestration for monitoring events
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/oncall.pagerduty.pagerduty:
      api_token: "{{ vault_pagerduty_api_token }}"
  tasks:
    - name: The orchestration every monitoring tool sends to
      oncall.pagerduty.pd_event_orchestration:
        name: Monitoring
        description: Routes monitoring events to the service that owns them
        team: Platform
      register: monitoring
      no_log: true  # the result holds the routing key

    - name: Hand the routing key to the monitoring tools
      ansible.builtin.set_fact:
        monitoring_routing_key: "{{ monitoring.orchestration.routing_key }}"
      no_log: true

    - name: Retire an orchestration whose routes were removed
      oncall.pagerduty.pd_event_orchestration:
        name: Legacy Monitoring
        state: absent

    - name: Retire an orchestration that still routes events
      oncall.pagerduty.pd_event_orchestration:
        name: Old Monitoring
        state: absent
        force: true
'''

RETURN = r'''
orchestration:
  description:
    - The orchestration as PagerDuty returns it after the change, or as predicted in check mode (where a new one's
      V(id) is null).
    - Empty after O(state=absent).
  returned: always
  type: dict
  contains:
    id:
      description: The orchestration's ID (a UUID).
      type: str
      sample: b02e973d-9620-4e0a-9edc-00fedf7d4694
    name:
      description: The orchestration's name.
      type: str
      sample: Monitoring
    description:
      description: Its description.
      type: str
    team:
      description: A reference to the team that owns it (V(id)), or null.
      type: dict
    routing_key:
      description:
        - The routing key events are sent with (to the Events API v2), of the orchestration's first integration.
        - Never shown in a diff. V(R0CHECKMODEPLACEHOLDERKEY0000000) in check mode for a new orchestration.
      type: str
      returned: unless O(return_key=false)
      sample: R028DIE06SNKNO6V5ACSLRV7Y0TUVG7T
    integrations:
      description: The orchestration's integrations (V(id), V(label), V(parameters.routing_key)), without the keys when
        O(return_key=false).
      type: list
      elements: dict
    routes:
      description: How many services its router sends events to.
      type: int
      sample: 3
  sample:
    id: b02e973d-9620-4e0a-9edc-00fedf7d4694
    name: Monitoring
    description: Routes monitoring events to the service that owns them
    team: {"id": "PTEAM01", "type": "team_reference"}
    routing_key: R028DIE06SNKNO6V5ACSLRV7Y0TUVG7T
    routes: 0
'''

from ansible_collections.oncall.pagerduty.plugins.module_utils._event_orchestration import EventOrchestrationResource
from ansible_collections.oncall.pagerduty.plugins.module_utils._module import run_module


def main():
    run_module(EventOrchestrationResource)


if __name__ == '__main__':
    main()
