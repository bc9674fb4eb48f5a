# -*- coding: utf-8 -*-
# Copyright: contributors to oncall.pagerduty
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """The attributes of the collection's modules."""

    DOCUMENTATION = r'''
options: {}
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
'''

    # The modules that take the PagerDuty credentials.
    PAGERDUTY_GROUP = r'''
options: {}
attributes:
  action_group:
    description: Use C(group/oncall.pagerduty.pagerduty) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - oncall.pagerduty.pagerduty
'''

    # The Datadog module's credentials are Datadog's, so it has an action group of its own.
    DATADOG_GROUP = r'''
options: {}
attributes:
  action_group:
    description: Use C(group/oncall.pagerduty.datadog) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - oncall.pagerduty.datadog
'''

    INFO_MODULE = r'''
options: {}
attributes:
  check_mode:
    support: full
    details:
      - This action does not modify state.
  diff_mode:
    support: N/A
    details:
      - This action does not modify state.
'''
