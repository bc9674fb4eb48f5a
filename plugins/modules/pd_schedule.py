#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to oncall.pagerduty
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: pd_schedule
short_description: Create, change and delete PagerDuty on-call schedules and their layers
version_added: 0.3.0
description:
  - Make a PagerDuty on-call schedule match what the task says. Create it, change its layers, time zone,
    description or teams, rename it, or delete it.
  - A schedule is found by its exact O(name), or by O(id). An existing schedule with the name is adopted, never
    duplicated.
  - Layers are matched by name. A change of a layer's users keeps whoever is on call now on call, and every handoff
    at its time; only a new O(layers[].rotation_virtual_start) phase or O(layers[].rotation_turn_length_seconds)
    changes the rotation itself.
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
      - Sends no write; the result predicts the schedule PagerDuty would return.
      - Users and teams that earlier tasks of the same check run create are taken as created.
  diff_mode:
    support: full
    details:
      - The diff shows the settings that change; layers in the task's terms, users by email.
options:
  name:
    description:
      - The schedule's exact name. It identifies the schedule unless O(id) is given.
      - With O(id), the name the schedule is renamed to.
    type: str
  new_name:
    description:
      - Rename the schedule found by O(name) to this name.
    type: str
  id:
    description:
      - The schedule's ID. One of O(name) and O(id) is required.
    type: str
  description:
    description:
      - The schedule's description.
    type: str
  time_zone:
    description:
      - The schedule's time zone, a name of the IANA time zone database such as V(Europe/Paris). Restrictions are
        times of day in it. Required to create a schedule.
    type: str
  teams:
    description:
      - The teams the schedule belongs to, by name or ID.
    type: list
    elements: str
  layers:
    description:
      - The schedule's layers, from the base layer up; a layer further down the list takes precedence where both
        have somebody on call, as in the web app. Required to create a schedule.
      - Layers are matched by O(layers[].name). A layer of the schedule that the list leaves out is ended now
        (PagerDuty keeps a layer's past; it ends layers, it does not delete them). Ended layers are left alone.
      - PagerDuty keeps layers in the order they were made, and adds a new layer on top. A task that lists the
        schedule's layers in another order, or a new layer below one the schedule has, fails before any write.
    type: list
    elements: dict
    suboptions:
      name:
        description: The layer's name, which identifies it in the schedule.
        type: str
        required: true
      users:
        description:
          - The users who take turns, in order, by email or ID.
          - A new list keeps whoever is on call now on call (when they are still in it), by moving the rotation's
            virtual start by whole turns; the handoff times do not move.
        type: list
        elements: str
        required: true
      rotation_turn_length_seconds:
        description: How long each turn lasts, in seconds, such as V(86400) (a day) or V(604800) (a week).
        type: int
        required: true
      rotation_virtual_start:
        description:
          - A moment at which the first user's turn begins (ISO 8601 with an offset); it sets the handoff time.
            Defaults to the layer's start.
          - On an existing layer, a moment a whole number of turns away from the layer's is the same rotation and
            changes nothing; another changes the rotation itself.
        type: str
      start:
        description:
          - When a new layer begins (ISO 8601 with an offset); now by default.
          - PagerDuty moves a start in the past to the moment of every write; on an existing layer only a start in
            the future is sent.
        type: str
      end:
        description:
          - When the layer ends (ISO 8601 with an offset). A new layer without one runs on; an existing layer's end is
            left as it is.
        type: str
      restrictions:
        description: When the layer is on call; without restrictions, always.
        type: list
        elements: dict
        suboptions:
          type:
            description: V(daily_restriction) repeats every day, V(weekly_restriction) every week.
            type: str
            required: true
            choices: [daily_restriction, weekly_restriction]
          start_time_of_day:
            description: When it begins, HH:MM or HH:MM:SS in the schedule's time zone.
            type: str
            required: true
          duration_seconds:
            description: How long it lasts, under a day (daily) or a week (weekly).
            type: int
            required: true
          start_day_of_week:
            description: The day a weekly restriction begins, 1 (Monday) to 7 (Sunday).
            type: int
  state:
    description:
      - V(present) creates or updates the schedule; V(absent) deletes it.
      - PagerDuty deletes only a schedule that no escalation policy uses; the task fails before any write otherwise,
        naming the policies.
    type: str
    choices: [absent, present]
    default: present
notes:
  - A run that changes nothing costs one API request, which finds the schedule with its layers, and one for each
    user a layer names by email (a layer's users come without their emails; the ID of a user on the layer costs nothing).
seealso:
  - module: oncall.pagerduty.pd_escalation_policy
  - module: oncall.pagerduty.pd_user
'''

EXAMPLES = r'''
- name: The storefront's on-call rotation, a week each, handing off on Mondays at 09:00 Paris time
  oncall.pagerduty.pd_schedule:
    name: Storefront Primary
    time_zone: Europe/Paris
    teams: [Storefront Team]
    layers:
      - name: Weekly
        users: [grace@example.com, alan@example.com, hedy@example.com]
        rotation_turn_length_seconds: 604800
        rotation_virtual_start: "2026-01-05T09:00:00+01:00"
      - name: Nights
        users: [katherine@example.com]
        rotation_turn_length_seconds: 86400
        restrictions:
          - type: daily_restriction
            start_time_of_day: "20:00"
            duration_seconds: 43200

- name: An escalation policy that pages whoever is on call
  oncall.pagerduty.pd_escalation_policy:
    name: Storefront On-Call
    rules:
      - escalation_delay_in_minutes: 30
        targets:
          - type: schedule
            name: Storefront Primary
'''

RETURN = r'''
schedule:
  description:
    - The schedule as PagerDuty returns it after the change, or as predicted in check mode (where a new schedule's
      V(id) is null). Its V(schedule_layers) are listed as PagerDuty reads them, the newest first, ended ones
      included.
    - Empty after O(state=absent).
  returned: always
  type: dict
  contains:
    id:
      description: The schedule's ID.
      type: str
      sample: PXXXXXX
    name:
      description: The schedule's name.
      type: str
    time_zone:
      description: The schedule's time zone.
      type: str
    schedule_layers:
      description: The layers, with their users as references.
      type: list
      elements: dict
'''

from ansible_collections.oncall.pagerduty.plugins.module_utils._module import run_module
from ansible_collections.oncall.pagerduty.plugins.module_utils._schedule import ScheduleResource


def main():
    run_module(ScheduleResource)


if __name__ == '__main__':
    main()
