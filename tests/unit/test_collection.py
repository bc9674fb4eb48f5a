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
