#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to oncall.pagerduty
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: pd_integration_move
short_description: Move an integration to another PagerDuty service, keeping its key
version_added: 0.1.0
description:
  - Move an integration from one service to another, as PagerDuty's web UI allows. Its incidents
    follow it and, with the default O(strategy=in_place), its integration key stays the same, so
    the monitoring tools that send to it need no change.
  - Teams use it to consolidate monitoring under the right service, and to silence an integration
    for a while by moving it to a disabled service.
  - Before anything changes, the module checks the destination's room for integrations, the open
    incidents that PagerDuty would refuse to move, and how the destination's settings differ from
    the source's.
  - Idempotent; an integration that is already on O(to_service) is left alone.
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
      - Runs every pre-check and predicts the move without a write.
  diff_mode:
    support: full
    details:
      - The diff shows the change of service (and of name, with O(new_name)).
options:
  integration:
    description:
      - The integration to move, by exact name (on O(from_service)) or by ID.
    type: str
    required: true
  from_service:
    description:
      - The service the integration is on, by exact name or by ID.
      - Required when O(integration) is a name. Without it, an integration ID is searched for on
        every service (one request per 100 services).
    type: str
  to_service:
    description:
      - The destination service, by exact name or by ID.
    type: str
    required: true
  new_name:
    description:
      - Rename the integration as part of the move.
    type: str
  strategy:
    description:
      - V(in_place) moves the integration itself and then reads it back under O(to_service) to
        verify that it moved with the same key. PagerDuty's public API does not document moving;
        if the API does not move it, the task fails and nothing has changed.
      - V(recreate) creates an identical integration (type or vendor, name, email settings) on
        O(to_service) and deletes the original. The key changes (the result says
        RV(key_changed=true)) and incidents stay on the old service. For an email integration,
        whose address must be unique, the original's address is first changed to a temporary
        one and restored if the copy cannot be created, so a failure leaves the original or the
        complete copy, never neither.
    type: str
    choices: [in_place, recreate]
    default: in_place
  on_settings_mismatch:
    description:
      - What to do when the destination's escalation policy, urgency rule, support hours, alert
        grouping, timeouts or status differ from the source's. Incidents from the integration will
        follow the destination's settings.
      - V(warn) moves and warns, listing each difference; V(fail) fails before anything changes.
      - The differences are returned as RV(settings_differences) either way.
    type: str
    choices: [fail, warn]
    default: warn
  return_key:
    description:
      - Return RV(integration.integration_key), the integration's key (a new one after
        O(strategy=recreate)), for the next task to hand to the monitoring tool.
      - A key is a secret. Register the result with C(no_log) set to V(true) when the key is returned, or
        set this option to V(false) when no later task needs it; the key never appears in a diff either way.
    version_added: 0.3.0
    type: bool
    default: true
notes:
  - PagerDuty refuses to move an integration with more than 8,000 open (triggered or acknowledged)
    incidents. The API cannot count incidents per integration, so the module counts the source
    service's open incidents (one request), an upper bound; over 8,000 it warns before moving,
    and if PagerDuty refuses it reports the limit and that nothing changed. Resolving incidents
    first is the remedy.
  - A service can hold at most 250 integrations; a full destination fails before any change.
  - A moved integration on a disabled destination raises no incidents; the module warns.
  - When the integration is already on O(to_service), a run costs one request (by ID) or two (by name).
  - With O(strategy=recreate), the copy is made like any new integration - runs that make it at the same moment
    end with one copy, and a copy whose create answer was lost is found before it is made again.
  - With O(strategy=recreate), the copy is created as C(<name> (replacing <original ID>)), the original is
    deleted, then the copy takes its name; an email integration's address is first moved aside on the original
    (C(<local>+moving-<ID>@<domain>)). A run stopped between any two of these writes (a cancelled job, a killed
    process) leaves what the next run of the task recognises and finishes, without a second copy.
seealso:
  - module: oncall.pagerduty.pd_integration
'''

EXAMPLES = r'''
- name: Consolidate and silence integrations
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/oncall.pagerduty.pagerduty:
      api_token: "{{ vault_pagerduty_api_token }}"
  tasks:
    - name: Move the Datadog integration to the service that owns checkout now (its key stays)
      oncall.pagerduty.pd_integration_move:
        integration: Datadog-Shopping-Cart
        from_service: Shopping Cart
        to_service: Checkout
        new_name: Datadog-Checkout
        on_settings_mismatch: fail
        return_key: false

    - name: Park a noisy integration on a disabled service for the maintenance window
      oncall.pagerduty.pd_integration_move:
        integration: PXXXXXX
        from_service: Shop Web
        to_service: Parking (disabled)
        return_key: false

    - name: Move an integration by recreating it where PagerDuty does not move it (the key changes)
      oncall.pagerduty.pd_integration_move:
        integration: Nagios
        from_service: Legacy
        to_service: Platform
        strategy: recreate
      register: moved
      no_log: true  # the result holds the new key

    - name: Hand the new key to the monitoring tool
      ansible.builtin.template:
        src: nagios-pagerduty.cfg.j2  # uses moved.integration.integration_key
        dest: /etc/nagios/conf.d/pagerduty.cfg
        mode: "0600"
      when: moved.key_changed
      no_log: true
'''

RETURN = r'''
integration:
  description: The integration on O(to_service) after the move, or as predicted in check mode.
  returned: always
  type: dict
  contains:
    id:
      description: The integration's ID (a new one after O(strategy=recreate)).
      type: str
    name:
      description: The integration's name.
      type: str
    service:
      description: A reference to the service it is on.
      type: dict
    integration_key:
      description: The integration's key, when it has one; never shown in a diff.
      type: str
      returned: when O(return_key=true) and the integration has a key
moved:
  description: Whether this run moved the integration (or would have, in check mode).
  returned: always
  type: bool
key_changed:
  description: Whether the integration key changed (only with O(strategy=recreate)).
  returned: always
  type: bool
settings_differences:
  description: The settings in which O(to_service) differs from the service the integration was on.
  returned: always
  type: list
  elements: dict
  contains:
    setting:
      description: The setting's name, as in M(oncall.pagerduty.pd_service).
      type: str
      sample: escalation_policy
    from_service:
      description: Its value on the source service.
      type: raw
    to_service:
      description: Its value on the destination service.
      type: raw
open_incidents:
  description:
    - The source service's open incidents, an upper bound of the integration's.
    - Null when they were not counted (the integration had already moved, or O(strategy=recreate)).
  returned: always
  type: int
'''

from ansible_collections.oncall.pagerduty.plugins.module_utils._integration_move import IntegrationMove
from ansible_collections.oncall.pagerduty.plugins.module_utils._module import run_module


def main():
    run_module(IntegrationMove)


if __name__ == '__main__':
    main()
