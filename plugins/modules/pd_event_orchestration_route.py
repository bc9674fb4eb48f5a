#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to oncall.pagerduty
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: pd_event_orchestration_route
short_description: Add, change or remove one route in a PagerDuty global orchestration's router, leaving the others as they are
version_added: 0.2.0
description:
  - Make one route of a global event orchestration's router match what the task says - the rule that sends the
    events it matches to O(service). Every other route stays exactly as it was, in its order, so each team's play
    can add its own route to one shared orchestration.
  - PagerDuty stores the router as one object with one list of rules. The module reads it, changes only this route,
    writes it back, and reads it again. When two plays write the router at the same moment, one write can replace the
    other's; the play whose route is gone merges it into the router as it is now and writes again, within O(retries)
    and O(retry_timeout), so that both routes end up in the router.
  - A route is identified by its O(label), which defaults to the name of O(service).
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
      - Sends no write; the result predicts the route and its place.
      - An orchestration or a service that does not exist yet is taken as created by an earlier task of the check run
        (the task warns); a real run fails when it is still missing.
  diff_mode:
    support: full
    details:
      - The diff holds the route's label, service, conditions and place (V(index)) as they change.
options:
  orchestration:
    description:
      - The global orchestration, by exact name or ID.
    type: str
    required: true
  service:
    description:
      - The service the route sends events to, by exact name or ID. Required with O(state=present).
      - PagerDuty allows one route per service in an orchestration; when another route (with another label) already
        goes to the service, the task fails and names it.
    type: str
  label:
    description:
      - The route's label; it identifies the route in the router. Defaults to the name of O(service).
      - One of O(label) and O(service) is required.
    type: str
  conditions:
    description:
      - When the route applies - it matches an event when any of its conditions holds. Each is a PCL expression (the
        PagerDuty Condition Language), given as the API takes it (a dictionary with the key C(expression)), or as the plain string.
      - Left as they are on an existing route when not set. A new route without conditions matches every event that
        reaches it (the task warns).
      - Checked before any write by the rules of PagerDuty's PCL Overview (the expression is true or false, the argument
        of C(matches regex) is an RE2 expression, its limits) and at most 25 conditions. Slips from other languages
        (V(!=), V(&&), V(||), double quotes, V(=), V(contains)) fail with the expression rewritten in PCL.
    type: list
    elements: raw
  position:
    description:
      - Where the route goes among the router's rules, which are tried in order - V(first), V(last), or a
        dictionary with the key C(before) and the label of another route, to place it before that route.
      - A new route goes last when this is not set. An existing route is moved only when it is not where O(position)
        says (V(before) holds anywhere before that route), and otherwise stays where it is.
    type: raw
  state:
    description:
      - V(present) adds or updates the route; V(absent) removes it (and only it).
    type: str
    choices: [absent, present]
    default: present
notes:
  - A run that changes nothing costs three requests - the orchestration (one per 100 orchestrations when it is given
    by name, one when by ID), its router, and the service.
  - A change costs at least one write and two reads of the router, one second apart; the second read catches another
    play's write that was still on its way. A write that arrives later still (a request held up in a network for
    longer) can remove the route again; running the task again puts it back.
  - PagerDuty evaluates the routes in order and sends an event to the first that matches; events no route matches go
    to the router's catch-all. The module warns when a route that matches every event comes before this one.
seealso:
  - module: oncall.pagerduty.pd_event_orchestration
  - module: oncall.pagerduty.pd_service_orchestration
'''

EXAMPLES = r'''
- name: Route the monitoring events of the checkout team to its service
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/oncall.pagerduty.pagerduty:
      api_token: "{{ vault_pagerduty_api_token }}"
  tasks:
    - name: Events about checkout go to the Checkout service
      oncall.pagerduty.pd_event_orchestration_route:
        orchestration: Monitoring
        service: Checkout
        conditions:
          - "event.custom_details.team matches 'checkout'"
          - expression: "event.source matches part 'checkout-'"

    - name: Critical database events go first, to the on-call DBA service
      oncall.pagerduty.pd_event_orchestration_route:
        orchestration: Monitoring
        service: Databases
        label: Critical database events
        conditions:
          - "event.severity matches 'critical' and event.component matches part 'postgres'"
        position: first

    - name: A service retired - its route goes, the others stay
      oncall.pagerduty.pd_event_orchestration_route:
        orchestration: Monitoring
        label: Legacy Billing
        state: absent
'''

RETURN = r'''
route:
  description:
    - The route as the router holds it after the change, or as predicted in check mode.
    - Empty after O(state=absent).
  returned: always
  type: dict
  contains:
    id:
      description: The rule's ID in the router (PagerDuty's; null in check mode for a new route).
      type: str
      sample: 1c26698b
    label:
      description: The route's label.
      type: str
      sample: Checkout
    service:
      description: The service it routes to (V(id), V(summary) its name).
      type: dict
      sample: {"id": "PCHKOUT", "summary": "Checkout"}
    conditions:
      description: Its conditions, as the API holds them.
      type: list
      elements: dict
      sample: [{"expression": "event.custom_details.team matches 'checkout'"}]
    disabled:
      description: Whether the route is disabled in PagerDuty (the module leaves this as it is).
      type: bool
      sample: false
    index:
      description: Its place among the router's rules, from V(0) (tried first).
      type: int
      sample: 2
orchestration:
  description: The orchestration the route is in (V(id), V(name)); empty when it does not exist.
  returned: always
  type: dict
  sample: {"id": "b02e973d-9620-4e0a-9edc-00fedf7d4694", "name": "Monitoring"}
router_writes:
  description: How many times the task wrote the router - more than V(1) when another play's write replaced it and the
    route was merged in again.
  returned: always
  type: int
  sample: 1
'''

from ansible_collections.oncall.pagerduty.plugins.module_utils._module import run_module
from ansible_collections.oncall.pagerduty.plugins.module_utils._orchestration_route import OrchestrationRouteResource


def main():
    run_module(OrchestrationRouteResource)


if __name__ == '__main__':
    main()
