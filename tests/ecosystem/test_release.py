"""The release artefact: the tarball ansible-galaxy builds holds the collection and nothing of the
build or test machinery, installs into an empty collections path, and runs the demo from there."""

import json
import os
import socket
import subprocess
import sys
import tarfile
import urllib.request

import pytest
import yaml

from tests.conftest import REPO_ROOT

sys.path.insert(0, os.path.join(REPO_ROOT, 'tests', 'tools'))
from playbook_runs import ansible_playbook  # noqa: E402

NEVER_SHIPPED = ('.venv', '.build', '.git', '.ci', 'tests/output', '.pytest_cache', 'Makefile')


def tool(name):
    return os.path.join(os.path.dirname(sys.executable), name)


@pytest.fixture(scope='module')
def tarball(tmp_path_factory):
    output = tmp_path_factory.mktemp('dist')
    subprocess.run([tool('ansible-galaxy'), 'collection', 'build', '--output-path', str(output), REPO_ROOT],
                   check=True, capture_output=True)
    built = list(output.iterdir())
    assert len(built) == 1
    return built[0]


def test_tarball_holds_the_collection_and_no_build_or_test_output(tarball):
    version = yaml.safe_load(open(os.path.join(REPO_ROOT, 'galaxy.yml')))['version']
    assert tarball.name == 'oncall-pagerduty-%s.tar.gz' % version
    with tarfile.open(tarball) as archive:
        names = archive.getnames()
        manifest = json.load(archive.extractfile('MANIFEST.json'))
    assert manifest['collection_info']['version'] == version
    for expected in ('plugins/modules/pd_service.py', 'plugins/module_utils/_client.py', 'meta/runtime.yml', 'README.md',
                     'examples/demo.yml', 'CHANGELOG.rst', 'playbooks/simulator.yml', 'tests/simulator/server.py'):
        assert expected in names
    shipped_junk = [n for n in names if n.startswith(NEVER_SHIPPED) or '__pycache__' in n]
    assert shipped_junk == []


def test_installed_copy_runs_the_demo_twice_with_no_change_the_second_time(tarball, sim, tmp_path):
    collections = tmp_path / 'collections'
    subprocess.run([tool('ansible-galaxy'), 'collection', 'install', '-p', str(collections), str(tarball)],
                   check=True, capture_output=True)
    installed = collections / 'ansible_collections' / 'oncall' / 'pagerduty'
    assert (installed / 'MANIFEST.json').exists()
    env = sim.playbook_env(datadog=True, collections_path=str(collections))
    first = ansible_playbook([str(installed / 'examples' / 'demo.yml')], env=env, cwd=str(tmp_path))
    second = ansible_playbook([str(installed / 'examples' / 'demo.yml')], env=env, cwd=str(tmp_path))
    assert first[0] == 0 and first[2]['changed'] > 0, first[1][-3000:]
    assert second[0] == 0 and second[2]['changed'] == 0, second[1][-3000:]


def test_installed_copy_starts_the_simulator_with_one_command(tarball, tmp_path):
    collections = tmp_path / 'collections'
    subprocess.run([tool('ansible-galaxy'), 'collection', 'install', '-p', str(collections), str(tarball)],
                   check=True, capture_output=True)
    with socket.socket() as probe:  # a free port
        probe.bind(('127.0.0.1', 0))
        port = probe.getsockname()[1]
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(collections), TMPDIR=str(tmp_path), ANSIBLE_LOCALHOST_WARNING='0')
    started = ansible_playbook(['oncall.pagerduty.simulator', '-e', 'simulator_port=%d' % port], env=env, cwd=str(tmp_path))
    try:
        assert started[0] == 0, started[1][-3000:]
        with urllib.request.urlopen('http://127.0.0.1:%d/_sim/health' % port, timeout=5) as answer:
            assert json.load(answer) == {'status': 'ok'}
        assert 'PAGERDUTY_API_URL=http://127.0.0.1:%d' % port in started[1]
    finally:
        stopped = ansible_playbook(['oncall.pagerduty.simulator', '-e', 'simulator_port=%d' % port,
                                    '-e', 'simulator_state=stopped'], env=env, cwd=str(tmp_path))
    assert stopped[0] == 0 and stopped[2]['changed'] > 0, stopped[1][-3000:]


def test_version_and_changelog_agree():
    """galaxy.yml holds a released version, or the next one while its changes are fragments."""
    version = yaml.safe_load(open(os.path.join(REPO_ROOT, 'galaxy.yml')))['version']
    changes = yaml.safe_load(open(os.path.join(REPO_ROOT, 'changelogs', 'changelog.yaml')))
    with open(os.path.join(REPO_ROOT, 'CHANGELOG.rst')) as handle:
        changelog = handle.read()
    if version in changes['releases']:
        assert 'v%s' % version in changelog
        return
    released = max(changes['releases'], key=lambda v: tuple(int(p) for p in v.split('.')))
    assert tuple(int(p) for p in version.split('.')) > tuple(int(p) for p in released.split('.'))
    assert os.listdir(os.path.join(REPO_ROOT, 'changelogs', 'fragments')), 'an unreleased version has fragments'
