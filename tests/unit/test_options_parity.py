"""The in-process path validates options exactly as AnsibleModule does, for every option of every
module: the same inputs give the same parameters (and the same no_log values), or the same error.

Cases are made from each module's own argument spec, so a new option or module is covered by
being declared: a valid value, a value of the wrong type, one outside the choices, an unknown
option, a required option left out, and the environment fallbacks.
"""

import glob
import importlib
import json
import os

import pytest
from ansible.module_utils.basic import AnsibleModule

from ansible_collections.oncall.pagerduty.plugins.module_utils._option_shapes import shape_problem
from ansible_collections.oncall.pagerduty.plugins.plugin_utils._in_process import validate_options
from tests.conftest import REPO_ROOT, forget_warnings, module_args

MODULE_NAMES = sorted(os.path.basename(p)[:-3] for p in glob.glob(os.path.join(REPO_ROOT, 'plugins', 'action', 'pd_*.py')))
# Environment variables a fallback reads; cleared around each case so the machine's own settings do not leak in.
FALLBACK_VARIABLES = sorted({name for module in MODULE_NAMES
                             for spec in [importlib.import_module('ansible_collections.oncall.pagerduty.plugins.action.'
                                                                  + module).ActionModule.kind.full_argument_spec()]
                             for option in spec.values() if option.get('fallback')
                             for name in option['fallback'][1]})


def kind_of(name):
    return importlib.import_module('ansible_collections.oncall.pagerduty.plugins.action.' + name).ActionModule.kind


def sample(option):
    """A valid value for an option (the first choice, or one of its type)."""
    if option.get('choices'):
        return list(option['choices'])[0]
    kind = option.get('type', 'str')
    if kind == 'list':
        if option.get('options'):
            return [base_args(option['options'])]
        return [sample({'type': option.get('elements', 'str')})]
    if kind == 'dict':
        return base_args(option['options']) if option.get('options') else {'key': 'value'}
    return {'str': 'value', 'int': 7, 'bool': True, 'path': '/tmp/ca.pem', 'raw': 'value', 'float': 1.5}[kind]


def base_args(spec):
    """The required options of a spec, with valid values."""
    return {name: sample(option) for name, option in spec.items() if option.get('required')}


def wrong_type(option):
    return {'int': 'soon', 'bool': 'perhaps', 'dict': 'not a dict', 'list': {'a': 1}, 'float': 'x'}.get(option.get('type', 'str'))


def cases():
    """(module, label, args, environment) for every option of every module."""
    for name in MODULE_NAMES:
        spec = kind_of(name).full_argument_spec()
        base = base_args(spec)
        yield name, 'required options only', base, {}
        yield name, 'nothing at all', {}, {}
        yield name, 'an unknown option', dict(base, no_such_option=1), {}
        for option_name, option in sorted(spec.items()):
            yield name, '%s valid' % option_name, dict(base, **{option_name: sample(option)}), {}
            bad = wrong_type(option)
            if bad is not None:
                yield name, '%s of the wrong type' % option_name, dict(base, **{option_name: bad}), {}
            if option.get('choices'):
                yield name, '%s outside the choices' % option_name, dict(base, **{option_name: 'bogus-choice'}), {}
            if option.get('required'):
                yield name, '%s left out' % option_name, {k: v for k, v in base.items() if k != option_name}, {}
            if option.get('type') == 'int':
                yield name, '%s as a string' % option_name, dict(base, **{option_name: '42'}), {}
            if option.get('fallback'):
                variable = option['fallback'][1][0]
                value = 'http://fallback.example' if 'URL' in variable else ('eu' if 'REGION' in variable else 'from-env-1234')
                yield name, '%s from %s' % (option_name, variable), {k: v for k, v in base.items() if k != option_name}, \
                    {variable: value}
            for sub_name, sub in sorted((option.get('options') or {}).items()):
                if option.get('type') not in ('dict', 'list'):
                    continue
                container = sample(option)
                item = container[0] if isinstance(container, list) else container
                bad = wrong_type(sub) if sub.get('type') not in (None, 'str', 'raw') else None
                if sub.get('choices'):
                    bad = 'bogus-choice'
                if bad is None:
                    continue
                broken = dict(item, **{sub_name: bad})
                value = [broken] if isinstance(container, list) else broken
                yield name, '%s.%s invalid' % (option_name, sub_name), dict(base, **{option_name: value}), {}


CASES = list(cases())


def via_ansible_module(kind, args, name, capsys):
    """('ok', params, no_log values) or ('error', message, None), as a started module would see them."""
    forget_warnings()
    capsys.readouterr()
    # A started module refuses a value of the wrong shape before AnsibleModule sees it (_module.run_module).
    problem = shape_problem(kind.full_argument_spec(), args)
    if problem:
        return 'error', problem, None
    with module_args(dict(args, _ansible_module_name=name)):
        try:
            module = AnsibleModule(argument_spec=kind.full_argument_spec(), supports_check_mode=True, **kind.option_rules)
        except SystemExit:
            return 'error', json.loads(capsys.readouterr().out)['msg'], None
    params = {k: v for k, v in module.params.items() if not k.startswith('_ansible')}
    return 'ok', params, set(module.no_log_values)


def via_in_process(kind, args, name):
    forget_warnings()
    params, no_log_values, failure = validate_options(kind, args, name)
    if failure is not None:
        return 'error', failure, None
    return 'ok', params, set(no_log_values)


@pytest.mark.parametrize('name, label, args, environment', CASES, ids=['%s: %s' % (c[0], c[1]) for c in CASES])
def test_in_process_validation_equals_ansible_modules(monkeypatch, capsys, name, label, args, environment):
    for variable in FALLBACK_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    for variable, value in environment.items():
        monkeypatch.setenv(variable, value)
    kind = kind_of(name)
    expected = via_ansible_module(kind, args, name, capsys)
    assert via_in_process(kind, args, name) == expected


def test_every_module_has_cases():
    assert len(MODULE_NAMES) >= 7 and {c[0] for c in CASES} == set(MODULE_NAMES)
    assert len(CASES) > 250
