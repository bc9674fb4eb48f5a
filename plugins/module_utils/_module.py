# -*- coding: utf-8 -*-
# Copyright: contributors to oncall.pagerduty
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The module entry point: AnsibleModule validates the options, the kind runs, the result goes back.

The in-process action plugins (plugins/plugin_utils/_in_process.py) run the same kinds without
starting a module; this file is what runs when a module is started (a remote host, async, or the
in-process path switched off).
"""

from __future__ import annotations

import json
import os

from ansible.module_utils.basic import AnsibleModule, _load_params

from ansible_collections.oncall.pagerduty.plugins.module_utils._option_shapes import permissive_spec, shape_problem
from ansible_collections.oncall.pagerduty.plugins.module_utils._resource import Task, TaskFailed

# The result says which path ran the task: here a started module, else the worker process itself.
EXECUTION_KEY = 'execution'
# Check mode: the fact that carries what earlier tasks of the run predicted (see _resource.Predictions), and the
# environment variable in which the action plugin hands it to a started module.
PREDICTIONS_FACT = 'oncall_pagerduty_predictions'
PREDICTIONS_ENVIRONMENT = 'ONCALL_PAGERDUTY_PREDICTIONS'


def run_module(kind_class):
    """main() of a module: run `kind_class` for the options of this task."""
    spec = kind_class.full_argument_spec()
    # The options as the task gave them, before Ansible converts them (see _option_shapes).
    problem = shape_problem(spec, _load_params())
    if problem:
        AnsibleModule(argument_spec=permissive_spec(spec), supports_check_mode=True).fail_json(
            msg=problem, **{EXECUTION_KEY: 'module'})
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True, **kind_class.option_rules)
    earlier = predictions_from_environment() if module.check_mode else None
    task = Task(module.params, check_mode=module.check_mode, diff=module._diff, predictions=earlier)
    try:
        result = kind_class(task).execute()
    except TaskFailed as failure:
        _report_warnings(module, task)
        module.fail_json(msg=failure.msg, **dict(failure.result, **{EXECUTION_KEY: 'module'}))
    _report_warnings(module, task)
    result[EXECUTION_KEY] = 'module'
    result.update(prediction_facts(task))
    module.exit_json(**result)


def predictions_from_environment():
    """What earlier tasks of a check run predicted, as the action plugin handed it over (None: nothing)."""
    try:
        return json.loads(os.environ.get(PREDICTIONS_ENVIRONMENT) or 'null')
    except ValueError:
        return None


def prediction_facts(task):
    """Check mode: the result's facts that carry the run's predictions to the next task ({} when there are none)."""
    if not task.check_mode:
        return {}
    predictions = task.predictions.export()
    return {'ansible_facts': {PREDICTIONS_FACT: {'collections': predictions}}} if predictions else {}


def _report_warnings(module, task):
    for warning in task.warnings:
        module.warn(warning)
    for deprecation in task.deprecations:
        module.deprecate(deprecation['msg'], version=deprecation['version'],
                         collection_name=deprecation['collection_name'])
