# -*- coding: utf-8 -*-
# Copyright: contributors to oncall.pagerduty
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Run a module's kind inside the worker process, without starting a module.

Our tasks talk to an API from the controller, so on a local connection starting a module (building
its payload, a new Python, the imports) is nearly all of a task's cost and buys nothing. Every
module of the collection has an action plugin of its name built on ``InProcessAction``:

- on a local connection, when the task is not async and the path is not switched off, it
  validates the options exactly as AnsibleModule does (the same validator, with the task's
  ``environment:`` applied to environment fallbacks), runs the kind in this process, and masks
  no_log values in the result as AnsibleModule does;
- otherwise it executes the module as ansible.builtin.normal does.

Switch: the variable ``oncall_pagerduty_in_process`` (false forces the module path, e.g. in a
task's ``vars:``), or the environment variable ``ONCALL_PAGERDUTY_IN_PROCESS=0`` on the controller.
The result's ``execution`` says which path ran: ``in_process`` or ``module``.

Check mode writes nothing, so a later task cannot find what an earlier one only predicted (a service it
renames, a team it creates). Each check-mode task returns its predictions, and those of the tasks before
it, in the fact ``oncall_pagerduty_predictions``, stamped with the ansible-playbook run they belong to; the
next task of the same host and run gives them to its kind (in process directly, to a started module in the
environment variable ``ONCALL_PAGERDUTY_PREDICTIONS``), whose look-ups consult them.
"""

from __future__ import annotations

import contextlib
import json
import os

from ansible.module_utils.common import warnings as module_warnings
from ansible.module_utils.common.arg_spec import ModuleArgumentSpecValidator
from ansible.module_utils.common.parameters import remove_values
from ansible.module_utils.errors import UnsupportedError
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase
from ansible.utils.vars import merge_hash

from ansible_collections.oncall.pagerduty.plugins.module_utils._module import (
    EXECUTION_KEY,
    PREDICTIONS_ENVIRONMENT,
    PREDICTIONS_FACT,
    prediction_facts,
)
from ansible_collections.oncall.pagerduty.plugins.module_utils._option_shapes import permissive_spec, shape_problem
from ansible_collections.oncall.pagerduty.plugins.module_utils._resource import Task, TaskFailed

SWITCH_VARIABLE = 'oncall_pagerduty_in_process'
SWITCH_ENVIRONMENT = 'ONCALL_PAGERDUTY_IN_PROCESS'
# Predictions larger than this are not handed to a started module (an environment variable has its limits).
MAX_PREDICTIONS_IN_ENVIRONMENT = 64 * 1024


def current_run():
    """The ansible-playbook run this worker belongs to: its parent process and when that started (where the system
    says), so that predictions a fact cache kept from another run are never taken for this one's."""
    parent = os.getppid()
    try:
        with open('/proc/%d/stat' % parent) as stat:
            started = stat.read().rsplit(')', 1)[1].split()[19]
    except (OSError, IndexError):
        started = ''
    return '%d:%s' % (parent, started)


# The predictions of a check-mode task's loop items so far, by (run, task, host): Ansible sets the facts of a loop's
# items once the loop ends, so without this each item would see only the tasks before the loop, and the fact the loop
# leaves (its last item's) would hold none of the other items' predictions. A worker process runs one task's items,
# one after another.
_LOOP_PREDICTIONS = {}


class InProcessAction(ActionBase):
    """The action plugin of a module whose behaviour is the kind `kind`."""

    kind = None
    _supports_check_mode = True
    _supports_async = True

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        earlier = self.earlier_predictions(task_vars)
        if not self.runs_in_process(task_vars):
            return self.stamped(self.run_module(tmp, task_vars, earlier), task_vars)
        result = super().run(tmp, task_vars)
        environment = {}
        self._compute_environment_string(environment)
        with task_environment(environment):
            result.update(self.run_kind(earlier))
        return self.stamped(result, task_vars)

    # -- check mode: predictions from task to task ------------------------------------------------

    def earlier_predictions(self, task_vars):
        """What earlier tasks of this check run predicted (None outside check mode or another run's)."""
        if not self._task.check_mode:
            return None
        key = self.loop_key(task_vars)
        if key in _LOOP_PREDICTIONS:  # an earlier item of this loop: its predictions hold the tasks' before it
            return _LOOP_PREDICTIONS[key]
        fact = (task_vars.get('ansible_facts') or {}).get(PREDICTIONS_FACT) or {}
        if not isinstance(fact, dict) or fact.get('run') != current_run():
            return None
        return fact.get('collections')

    def stamped(self, result, task_vars):
        """The result, its predictions stamped with the run they belong to (and kept for the loop's next item)."""
        fact = (result.get('ansible_facts') or {}).get(PREDICTIONS_FACT)
        if isinstance(fact, dict):
            fact['run'] = current_run()
            _LOOP_PREDICTIONS[self.loop_key(task_vars)] = fact.get('collections')
        return result

    def loop_key(self, task_vars):
        return current_run(), self._task._uuid, task_vars.get('inventory_hostname')

    # -- which path ------------------------------------------------------------------------------

    def runs_in_process(self, task_vars):
        if self._task.async_val:
            return False
        if getattr(self._connection, 'transport', None) != 'local':
            return False
        switch = task_vars.get(SWITCH_VARIABLE)
        if switch is not None and not boolean(self._templar.template(switch), strict=False):
            return False
        return boolean(os.environ.get(SWITCH_ENVIRONMENT, 'true'), strict=False)

    def run_module(self, tmp, task_vars, earlier=None):
        """What ansible.builtin.normal does: execute the module on the task's host (async capable); in check mode
        with what earlier tasks predicted in its environment."""
        result = super().run(tmp, task_vars)
        wrap_async = self._task.async_val and not getattr(self._connection, 'has_native_async', False)
        handed = json.dumps(earlier) if earlier else None
        saved = self._task.environment
        if handed and len(handed) <= MAX_PREDICTIONS_IN_ENVIRONMENT:
            self._task.environment = (list(saved) if isinstance(saved, list) else [saved] if saved else []) + \
                [{PREDICTIONS_ENVIRONMENT: handed}]
        try:
            result = merge_hash(result, self._execute_module(task_vars=task_vars, wrap_async=wrap_async))
        finally:
            self._task.environment = saved
        if not wrap_async:
            self._remove_tmp_path(self._connection._shell.tmpdir)
        return result

    # -- the in-process path ---------------------------------------------------------------------

    def run_kind(self, earlier=None):
        return run_in_process(self.kind, self._task.args, check_mode=bool(self._task.check_mode),
                              diff=bool(self._task.diff), name=self._task.action, predictions=earlier)


def run_in_process(kind, args, check_mode=False, diff=False, name=None, predictions=None):
    """The result of `kind` for task options `args`, as the in-process path gives it.

    What a module's AnsibleModule does around its code is done here the same way: the options are
    validated with its validator and messages, the result carries invocation, warnings and
    deprecations, and no_log values are masked in all of it.
    """
    params, no_log_values, failure = validate_options(kind, args, name or 'the module')
    if failure is not None:
        return remove_values(dict(failed=True, msg=failure, **{EXECUTION_KEY: 'in_process'}), no_log_values)
    task = Task(params, check_mode=check_mode, diff=diff, predictions=predictions)
    try:
        result = kind(task).execute()
    except TaskFailed as failed:
        result = dict(failed.result, failed=True, msg=failed.msg)
    result.update(prediction_facts(task))
    result.setdefault('changed', False)
    result['invocation'] = {'module_args': params}
    if task.warnings:
        result['warnings'] = list(task.warnings)
    if task.deprecations:
        result['deprecations'] = [dict(d) for d in task.deprecations]
    result[EXECUTION_KEY] = 'in_process'
    return remove_values(result, no_log_values)


def validate_options(kind, args, name):
    """(params, no_log values, failure message or None): the options as AnsibleModule would make them.

    The same validator AnsibleModule uses, with its failure messages; warnings and deprecations it
    records (aliases, for instance) are shown as the module's would be.
    """
    spec = kind.full_argument_spec()
    # The options as the task gave them, before Ansible converts them (see _option_shapes).
    problem = shape_problem(spec, args)
    if problem:
        spec, option_rules = permissive_spec(spec), {}
    else:
        option_rules = kind.option_rules
    validator = ModuleArgumentSpecValidator(spec, **option_rules)
    try:
        validated = validator.validate(dict(args))
    finally:
        _forward_recorded_warnings()
    try:
        error = validated.errors[0]
    except IndexError:
        error = None
    if error is not None:
        msg = validated.errors.msg
        if isinstance(error, UnsupportedError):
            msg = 'Unsupported parameters for (%s) module: %s' % (name, msg)
        return None, validated._no_log_values, msg
    if problem:
        return None, validated._no_log_values, problem
    return validated.validated_parameters, validated._no_log_values, None


def _forward_recorded_warnings():
    """Show what the validator recorded for a module's result, and forget it.

    ansible-core 2.19 and later show such warnings on the controller at once; older versions keep
    them in module-level lists, which would grow from one loop item to the next in a worker.
    """
    recorded = getattr(module_warnings, '_global_warnings', None)
    if not isinstance(recorded, list):
        return
    from ansible.utils.display import Display

    display = Display()
    for message in module_warnings.get_warning_messages():
        display.warning(message)
    for deprecation in module_warnings.get_deprecation_messages():
        display.deprecated(deprecation['msg'], version=deprecation.get('version'), date=deprecation.get('date'),
                           collection_name=deprecation.get('collection_name'))
    del module_warnings._global_warnings[:]
    del module_warnings._global_deprecations[:]


@contextlib.contextmanager
def task_environment(environment):
    """The task's ``environment:`` in os.environ while the kind runs (environment fallbacks read it),
    restored afterwards: the loop items of a task share this process."""
    saved = {name: os.environ.get(name) for name in environment}
    try:
        for name, value in environment.items():
            os.environ[str(name)] = str(value)
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
