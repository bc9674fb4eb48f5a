# -*- coding: utf-8 -*-
# Copyright: contributors to oncall.pagerduty
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""pd_schedule in the worker process on a local connection, else as a module (see plugin_utils/_in_process.py)."""

from __future__ import annotations

from ansible_collections.oncall.pagerduty.plugins.module_utils._schedule import ScheduleResource
from ansible_collections.oncall.pagerduty.plugins.plugin_utils._in_process import InProcessAction


class ActionModule(InProcessAction):
    kind = ScheduleResource
