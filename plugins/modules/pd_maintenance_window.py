#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to oncall.pagerduty
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: pd_maintenance_window
short_description: Put PagerDuty services in maintenance, now or at a scheduled time
version_added: 0.2.0
description:
  - Make sure a maintenance window covers the given services, from now for a number of minutes or
    between two times, or end it early. While a window is ongoing, its services open no incidents
    and PagerDuty reports their status as V(maintenance).
  - A window is identified by its O(description) on exactly the set of O(services), among the windows that
    are ongoing or in the future. A second run of the same task inside the window changes nothing, so a
    deploy play can run it at every start without opening another window.
  - Past windows are never an error and never a difference. A task whose times are over does nothing (it
    warns), and O(state=absent) with no ongoing or future window is V(ok).
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
      - Sends no write; the result predicts the window (with a null V(id) for a new one).
      - A service that does not exist yet is taken as created by an earlier task of the check run (the task
        warns); a real run fails when it is still missing.
  diff_mode:
    support: full
    details:
      - The diff holds the window's description, services (by name) and times, or only the times that change.
options:
  services:
    description:
      - The services the window covers, by exact name or by ID. A name that is not found fails with the closest names.
      - Part of the window's identity, with O(description) - a window on another set of services is another window.
    type: list
    elements: str
    required: true
  description:
    description:
      - What the window is for, for example V(Deploy of checkout 2.4).
      - Identifies the window with O(services). Give windows that should exist side by side (say, two nights of the same
        migration) their own descriptions.
    type: str
    required: true
  start:
    description:
      - When the window starts, V(now) or an ISO 8601 date and time with a time zone, such as V(2025-05-01T22:00:00+02:00)
        or V(2025-05-01T20:00:00Z). A time without a zone fails, rather than be read in a zone the task did not mean.
      - A start in the past makes PagerDuty start the window when it receives it.
      - V(now) means PagerDuty's time, read from its answers, so the controller's clock does not matter. An ongoing window
        meets V(now) (and any start in the past), so a second run inside the window changes nothing.
      - PagerDuty cannot move the start of a window that has started; a task that asks for a later start of an ongoing
        window fails before any write and says how to go on.
    type: str
    default: now
  end:
    description:
      - When the window ends, an ISO 8601 date and time with a time zone, after O(start).
      - One of O(end) and O(duration_minutes) is required with O(state=present).
      - A window can be ended early or extended while it is ongoing.
    type: str
  duration_minutes:
    description:
      - The length of the window in minutes, from O(start).
      - With O(start=now), an ongoing window is measured from its real start, within a minute, so the task keeps its end
        where the first run put it. Changing O(duration_minutes) moves the end of the ongoing window.
    type: int
  teams:
    description:
      - The teams the window belongs to, by name or ID.
      - PagerDuty gives a window the teams of its services, and its teams cannot be set, so this is not sent. It is
        checked against the teams of the services (those of their escalation policies) and a difference fails before
        any write.
    type: list
    elements: str
  from_email:
    description:
      - The email address of a user of the PagerDuty account, sent in the C(From) header that PagerDuty requires to
        create a window. The window records that user as its creator.
      - If not set, the environment variable E(PAGERDUTY_FROM_EMAIL) is used.
      - Only creating a window needs it; changing, ending and deleting windows do not.
      - Before a create, also in check mode, the task checks that a user has this email, and fails naming the
        closest emails when none has.
    type: str
  state:
    description:
      - V(present) makes sure the window exists with the times asked.
      - V(absent) ends an ongoing window now and deletes a future one (every ongoing or future window with this
        description on these services); O(start), O(end) and O(duration_minutes) are not used.
    type: str
    choices: [absent, present]
    default: present
notes:
  - A run that changes nothing costs one API request, whichever way the services are named; creating a window costs
    one more request per service named (to find its ID) and one to read the new window back.
  - Times in the result are in UTC; PagerDuty renders them in the account's time zone, and this module compares times as
    moments, never as text.
  - When the answer to a create is lost (a timeout, a dropped connection, a server error), the module looks for the
    window before anything else and adopts it, so a retry never opens a second window.
  - A window that ends while the task runs (between its read and its write) is not an error - the task creates the
    window it asks for, or, with O(state=absent), has nothing left to end.
seealso:
  - module: oncall.pagerduty.pd_service
  - module: oncall.pagerduty.pd_event
'''

EXAMPLES = r'''
- name: Deploy a service in maintenance
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/oncall.pagerduty.pagerduty:
      api_token: "{{ vault_pagerduty_api_token }}"
  tasks:
    - name: Keep the checkout services quiet while they roll
      oncall.pagerduty.pd_maintenance_window:
        services:
          - Checkout
          - Checkout Workers
        description: Deploy of checkout
        duration_minutes: 30
        from_email: deploy-bot@example.com

    - name: Schedule the database migration for Saturday night
      oncall.pagerduty.pd_maintenance_window:
        services: [Orders DB]
        description: Orders DB migration
        start: "2025-05-03T22:00:00+02:00"
        end: "2025-05-04T02:00:00+02:00"
        from_email: dba-oncall@example.com

    - name: The deploy is done, end the window now
      oncall.pagerduty.pd_maintenance_window:
        services:
          - Checkout
          - Checkout Workers
        description: Deploy of checkout
        state: absent
'''

RETURN = r'''
maintenance_window:
  description:
    - The window as PagerDuty returns it after the change, or as predicted in check mode (where a new window's V(id) is
      null). Its times are in UTC.
    - Empty with O(state=absent), and when the times asked are over.
  returned: always
  type: dict
  contains:
    id:
      description: The window's ID.
      type: str
      sample: PW98YIO
    description:
      description: The window's description.
      type: str
      sample: Deploy of checkout
    start_time:
      description: When the window starts (or started), in UTC.
      type: str
      sample: "2025-05-03T20:00:00Z"
    end_time:
      description: When the window ends, in UTC.
      type: str
      sample: "2025-05-04T00:00:00Z"
    services:
      description: References to the services (V(id), V(summary) their name).
      type: list
      elements: dict
    teams:
      description: References to the teams of the services.
      type: list
      elements: dict
    created_by:
      description: A reference to the user named by O(from_email).
      type: dict
    html_url:
      description: The window's page in PagerDuty.
      type: str
ended:
  description: With O(state=absent), the IDs of the ongoing windows that were ended now.
  returned: when O(state=absent)
  type: list
  elements: str
  sample: [PW98YIO]
deleted:
  description: With O(state=absent), the IDs of the future windows that were deleted.
  returned: when O(state=absent)
  type: list
  elements: str
  sample: []
'''

from ansible_collections.oncall.pagerduty.plugins.module_utils._maintenance_window import MaintenanceWindowResource
from ansible_collections.oncall.pagerduty.plugins.module_utils._module import run_module


def main():
    run_module(MaintenanceWindowResource)


if __name__ == '__main__':
    main()
