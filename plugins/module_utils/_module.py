# -*- coding: utf-8 -*-
# Copyright: contributors to oncall.pagerduty
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The module entry point: AnsibleModule validates the options, the kind runs, the result goes back.

The in-process action plugins (plugins/plugin_utils/_in_process.py) run the same kinds without
starting a module; this file is what runs when a module is started (a remote host, async, or the
in-process path switched off).
"""

from __future__ import annotations

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.oncall.pagerduty.plugins.module_utils._resource import Task, TaskFailed

# The result says which path ran the task: here a started module, else the worker process itself.
EXECUTION_KEY = 'execution'


def run_module(kind_class):
    """main() of a module: run `kind_class` for the options of this task."""
    module = AnsibleModule(argument_spec=kind_class.full_argument_spec(), supports_check_mode=True,
                           **kind_class.option_rules)
    task = Task(module.params, check_mode=module.check_mode, diff=module._diff)
    try:
        result = kind_class(task).execute()
    except TaskFailed as failure:
        _report_warnings(module, task)
        module.fail_json(msg=failure.msg, **dict(failure.result, **{EXECUTION_KEY: 'module'}))
    _report_warnings(module, task)
    result[EXECUTION_KEY] = 'module'
    module.exit_json(**result)


def _report_warnings(module, task):
    for warning in task.warnings:
        module.warn(warning)
    for deprecation in task.deprecations:
        module.deprecate(deprecation['msg'], version=deprecation['version'],
                         collection_name=deprecation['collection_name'])
