"""The collection's metadata and documentation agree with its code."""

import glob
import os
import subprocess
import sys

import pytest
import yaml

from ansible_collections.oncall.pagerduty.plugins.module_utils._client import COLLECTION_VERSION
from tests.conftest import REPO_ROOT

MODULES = sorted(os.path.basename(p)[:-3] for p in glob.glob(os.path.join(REPO_ROOT, 'plugins', 'modules', 'pd_*.py')))


def load_yaml(*parts):
    with open(os.path.join(REPO_ROOT, *parts)) as handle:
        return yaml.safe_load(handle)


def test_user_agent_version_is_the_collection_version():
    assert COLLECTION_VERSION == load_yaml('galaxy.yml')['version']


def test_action_groups_hold_every_module_by_its_credentials():
    """module_defaults hands a group's defaults to each of its modules, so a group must hold only
    modules that take the same credentials: the Datadog module has a group of its own."""
    groups = load_yaml('meta', 'runtime.yml')['action_groups']
    assert sorted(groups['datadog']) == ['pd_datadog_service']
    assert sorted(groups['pagerduty']) == [m for m in MODULES if m != 'pd_datadog_service']


def test_every_module_has_an_integration_target():
    targets = os.path.join(REPO_ROOT, 'tests', 'integration', 'targets')
    # A target is a role (tasks/main.yml) or, where it needs its own environment, a script (runme.sh).
    assert [m for m in MODULES if not any(os.path.isfile(os.path.join(targets, m, entry))
                                          for entry in (os.path.join('tasks', 'main.yml'), 'runme.sh'))] == []


def test_the_readme_lists_every_module():
    with open(os.path.join(REPO_ROOT, 'README.md')) as handle:
        readme = handle.read()
    assert [m for m in MODULES if '| `oncall.pagerduty.%s` |' % m not in readme] == []


@pytest.mark.parametrize('module', MODULES)
def test_ansible_doc_renders_the_module(module, tmp_path):
    """What a user runs; also catches YAML that parses but is not valid documentation."""
    link = tmp_path / 'ansible_collections' / 'oncall' / 'pagerduty'
    link.parent.mkdir(parents=True)
    link.symlink_to(REPO_ROOT)
    ansible_doc = os.path.join(os.path.dirname(sys.executable), 'ansible-doc')
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(tmp_path), ANSIBLE_NOCOLOR='1')
    process = subprocess.run([ansible_doc, '-t', 'module', 'oncall.pagerduty.' + module],
                             capture_output=True, text=True, env=env, check=False)
    assert process.returncode == 0, process.stderr
    assert 'oncall.pagerduty.%s' % module in process.stdout and 'EXAMPLES' in process.stdout


# -- keys only where asked: every documented task that registers a key hides it ----------------------

KEY_MODULES = {'pd_integration': 'return_key', 'pd_integration_move': 'return_key',
               'pd_event_orchestration': 'return_key', 'pd_service_catalog': 'return_keys'}
TASK_LISTS = ('tasks', 'pre_tasks', 'post_tasks', 'handlers', 'block', 'rescue', 'always')


def documented_yaml():
    """(where, YAML text) of every playbook or task list a user may copy: README, the guides, the modules'
    EXAMPLES and examples/."""
    import glob
    import importlib
    import re
    import textwrap

    readme = open(os.path.join(REPO_ROOT, 'README.md')).read()
    for index, block in enumerate(re.findall(r'```yaml\n(.*?)```', readme, re.S)):
        yield 'README.md block %d' % index, block
    for guide in sorted(glob.glob(os.path.join(REPO_ROOT, 'docs', 'docsite', 'rst', '*.rst'))):
        text = open(guide).read()
        for index, block in enumerate(re.findall(r'^\.\. code-block:: yaml\n\n((?:(?: {4}.*)?\n)+)', text, re.M)):
            yield '%s block %d' % (os.path.basename(guide), index), textwrap.dedent(block)
    for path in sorted(glob.glob(os.path.join(REPO_ROOT, 'plugins', 'modules', '*.py'))):
        name = os.path.basename(path)[:-3]
        module = importlib.import_module('ansible_collections.oncall.pagerduty.plugins.modules.' + name)
        yield '%s EXAMPLES' % name, module.EXAMPLES
    for path in sorted(glob.glob(os.path.join(REPO_ROOT, 'examples', '*.yml'))):
        yield os.path.relpath(path, REPO_ROOT), open(path).read()


def tasks_of(data):
    """Every task in a playbook or a task list, at any depth of blocks."""
    for item in data if isinstance(data, list) else []:
        if not isinstance(item, dict):
            continue
        nested = [key for key in TASK_LISTS if isinstance(item.get(key), list)]
        if 'hosts' not in item:
            yield item
        for key in nested:
            yield from tasks_of(item[key])


def test_every_documented_task_that_registers_a_key_hides_it():
    import yaml

    exposed = []
    for where, text in documented_yaml():
        for task in tasks_of(yaml.safe_load(text)):
            for key, args in task.items():
                module = str(key).rsplit('.', 1)[-1]
                if not isinstance(args, dict) or 'register' not in task or task.get('no_log') is True:
                    continue
                keyless = args.get('type') == 'email' or args.get('state') in ('absent', 'gathered', 'deleted')
                if module in KEY_MODULES and args.get(KEY_MODULES[module]) is not False and not keyless:
                    exposed.append('%s: %r' % (where, task.get('name')))
                if module == 'pd_service_info' and args.get('return_keys') is True:
                    exposed.append('%s: %r' % (where, task.get('name')))
    assert exposed == [], 'tasks that register a key without no_log: true or return_key: false: %s' % exposed
