#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to oncall.pagerduty
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: pd_service_dependency
short_description: Say which services a PagerDuty service depends on
version_added: 0.2.0
description:
  - Make the supporting services of one technical or business service match what the task says, for
    PagerDuty's service graph. A business service depending on technical services shows what an
    incident on those services means for the business; technical services can depend on each other.
  - O(depends_on) is compared as a set of services, by ID, whatever the order or whether names or IDs
    are given. All that is missing is added in one request, and all that is to go is removed in one
    request.
  - The services that depend on O(service) are never changed by this task; list O(service) in their
    own O(depends_on) instead.
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
      - Sends no write; the result and the diff are those of the real run.
      - A service that does not exist yet is taken as created by an earlier task of the check run (the
        task warns); a real run fails when it is still missing.
  diff_mode:
    support: full
    details:
      - The diff shows the supporting services by name and type, before and after.
options:
  service:
    description:
      - The service whose dependencies these are (the dependent service), by exact name or by ID.
      - A technical or a business service. A name that both a technical and a business service have
        fails, listing both; set O(service_type) to say which.
    type: str
    required: true
  service_type:
    description:
      - Whether O(service) is a V(technical) service (what PagerDuty calls a service) or a V(business) service.
      - Not needed unless a name is ambiguous, but it saves requests (see the notes).
    type: str
    choices: [business, technical]
  depends_on:
    description:
      - The services O(service) depends on (its supporting services).
      - Each item is a service's exact name or ID, or a dictionary with C(name) (a name or ID) and
        C(type) (V(technical) or V(business)). A bare name that both a technical and a business
        service have fails, listing both; give the dictionary to say which.
      - A name not found fails before any write, with the closest names, unless O(state=absent) (then
        nothing can depend on it, and the task warns).
      - V([]) with O(mode=exclusive) removes every dependency of O(service).
    type: list
    elements: raw
    required: true
  mode:
    description:
      - With O(state=present), V(append) adds the services of O(depends_on) that are missing and leaves
        the other dependencies alone; V(exclusive) also removes the dependencies that O(depends_on)
        does not list.
      - V(exclusive) is refused with O(state=absent).
    type: str
    choices: [append, exclusive]
    default: append
  state:
    description:
      - V(present) makes O(service) depend on the services of O(depends_on) (see O(mode)).
      - V(absent) removes those dependencies; the others are left alone. A service that no longer exists
        (O(service) or an item of O(depends_on)) has no dependency to remove, and the task says so in a
        warning, rather than fail.
    type: str
    choices: [absent, present]
    default: present
notes:
  - PagerDuty refuses a service depending on itself, a cycle (a service depending, through others, on
    a service that depends on it), a chain of more than 100 services, and more than 2,000 dependencies
    of one service. The task checks, before any write, what it can see - itself, a dependency both
    ways, the 2,000 of O(service) - and reports PagerDuty's refusal of the rest.
  - When a supporting service is deleted, PagerDuty removes its dependencies by itself, but for a
    while may still list them. With O(mode=exclusive), such a dependency is not sent for removal (PagerDuty
    would not find the service); the task warns instead.
  - "Cost of a run that changes nothing: one request to find O(service) (by name or ID), one to read its
    dependencies, one per technical service of O(depends_on) given by name, and, when a business
    service is involved or a name is given without its type, one request per 100 business services to
    list them once (PagerDuty's list of business services has no name filter). An item given by the ID
    of a service it already depends on costs nothing."
  - When an associate or disassociate request gets no clear answer (a timeout, a dropped connection,
    a server error), the module reads the dependencies again and sends only what is still missing, so
    nothing is sent twice blindly.
seealso:
  - module: oncall.pagerduty.pd_business_service
  - module: oncall.pagerduty.pd_service
'''

EXAMPLES = r'''
- name: Draw the service graph
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/oncall.pagerduty.pagerduty:
      api_token: "{{ vault_pagerduty_api_token }}"
  tasks:
    - name: Online checkout depends on the cart and the payments API
      oncall.pagerduty.pd_service_dependency:
        service: Online Checkout
        service_type: business
        depends_on:
          - Shopping Cart
          - Payments API

    - name: The cart depends on exactly these, and on nothing else
      oncall.pagerduty.pd_service_dependency:
        service: Shopping Cart
        service_type: technical
        mode: exclusive
        depends_on:
          - Inventory DB
          - name: Identity
            type: business

    - name: The payments API no longer depends on the legacy gateway
      oncall.pagerduty.pd_service_dependency:
        service: Payments API
        depends_on:
          - Legacy Gateway
        state: absent
'''

RETURN = r'''
service:
  description:
    - The dependent service (V(id), V(name), V(type) V(technical) or V(business)).
    - Its V(id) is null in check mode when an earlier task of the run creates it; empty when
      O(state=absent) found no such service.
  returned: always
  type: dict
  sample: {"id": "PXXXXXX", "name": "Online Checkout", "type": "business"}
depends_on:
  description:
    - Every service O(service) depends on after the task (predicted in check mode), with V(id),
      V(name) and V(type), sorted by type and name.
    - With O(mode=append), a dependency the task did not list keeps a null V(name) (looking up each
      would cost a request on every run).
  returned: always
  type: list
  elements: dict
  sample: [{"id": "PCART01", "name": "Shopping Cart", "type": "technical"}]
associated:
  description: The supporting services the task added.
  returned: always
  type: list
  elements: dict
  sample: [{"id": "PCART01", "name": "Shopping Cart", "type": "technical"}]
disassociated:
  description: The supporting services the task removed.
  returned: always
  type: list
  elements: dict
  sample: []
'''

from ansible_collections.oncall.pagerduty.plugins.module_utils._module import run_module
from ansible_collections.oncall.pagerduty.plugins.module_utils._service_dependency import ServiceDependencyKind


def main():
    run_module(ServiceDependencyKind)


if __name__ == '__main__':
    main()
