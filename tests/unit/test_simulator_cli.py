"""`python -m tests.simulator`: its help and its first words say which credentials it accepts and how to point
the collection at it, since a user who starts it has nothing else to read."""

import os
import re
import subprocess
import sys

from tests.conftest import REPO_ROOT
from tests.simulator import DEFAULT_READONLY_TOKEN, DEFAULT_TOKEN, SimulatorServer
from tests.simulator.__main__ import credentials_from_environment, export_lines
from tests.simulator.datadog import DEFAULT_API_KEY, DEFAULT_APP_KEY
from tests.tools.simulator import SIM_USER_EMAIL

SIMULATOR_VARIABLES = ('SIM_TOKEN', 'SIM_READONLY_TOKEN', 'SIM_DD_API_KEY', 'SIM_DD_APP_KEY', 'SIM_HOST', 'SIM_PORT')


def simulator_help(**variables):
    env = {k: v for k, v in os.environ.items() if k not in SIMULATOR_VARIABLES}
    env.update(variables)
    process = subprocess.run([sys.executable, '-m', 'tests.simulator', '--help'], cwd=REPO_ROOT, env=env,
                             capture_output=True, text=True, timeout=60, check=False)
    assert process.returncode == 0, process.stderr
    return process.stdout


def test_help_names_the_tokens_keys_and_the_seed_user_email():
    text = simulator_help()
    for credential in (DEFAULT_TOKEN, DEFAULT_READONLY_TOKEN, DEFAULT_API_KEY, DEFAULT_APP_KEY):
        assert credential in text
    for variable in ('SIM_TOKEN', 'SIM_READONLY_TOKEN', 'SIM_DD_API_KEY', 'SIM_DD_APP_KEY'):
        assert variable in text
    assert 'read-only' in text
    assert 'PAGERDUTY_FROM_EMAIL=%s' % SIM_USER_EMAIL in text
    for line in ('export PAGERDUTY_API_URL=http://127.0.0.1:8080 PAGERDUTY_API_TOKEN=%s' % DEFAULT_TOKEN,
                 'export PAGERDUTY_EVENTS_URL=http://127.0.0.1:8080',
                 'export DD_API_URL=http://127.0.0.1:8080 DD_API_KEY=%s DD_APP_KEY=%s' % (DEFAULT_API_KEY, DEFAULT_APP_KEY)):
        assert line in text


def test_help_shows_the_tokens_the_environment_sets():
    text = simulator_help(SIM_TOKEN='team-token', SIM_READONLY_TOKEN='team-ro', SIM_PORT='8099')
    assert 'team-token  (from SIM_TOKEN)' in text and 'team-ro  (from SIM_READONLY_TOKEN)' in text
    assert 'export PAGERDUTY_API_URL=http://127.0.0.1:8099 PAGERDUTY_API_TOKEN=team-token' in text


def test_the_credentials_it_names_are_those_a_server_accepts(monkeypatch):
    for variable, value in (('SIM_TOKEN', 'a'), ('SIM_READONLY_TOKEN', ''), ('SIM_DD_API_KEY', 'c')):
        monkeypatch.setenv(variable, value)
    monkeypatch.delenv('SIM_DD_APP_KEY', raising=False)
    server = SimulatorServer()
    try:
        full, readonly, api_key, app_key = credentials_from_environment(os.environ)
        assert server.sim.tokens == {full: 'full', readonly: 'read'}
        assert (server.sim.datadog.api_key, server.sim.datadog.app_key) == (api_key, app_key)
    finally:
        server.httpd.server_close()


def test_it_prints_its_url_first_then_how_to_use_it():
    env = {k: v for k, v in os.environ.items() if k not in SIMULATOR_VARIABLES}
    process = subprocess.Popen([sys.executable, '-m', 'tests.simulator', '--port', '0'], cwd=REPO_ROOT, env=env,
                               stdout=subprocess.PIPE, text=True)
    try:
        first = process.stdout.readline()
        assert first.startswith('PagerDuty simulator listening on http://127.0.0.1:')
        url = first.split()[4]
        lines = [process.stdout.readline().strip() for dummy in range(10)]
    finally:
        process.terminate()
        process.wait(10)
    assert 'export PAGERDUTY_API_URL=%s PAGERDUTY_API_TOKEN=%s' % (url, DEFAULT_TOKEN) in lines
    assert 'export PAGERDUTY_EVENTS_URL=%s PAGERDUTY_FROM_EMAIL=%s' % (url, SIM_USER_EMAIL) in lines
    assert 'export DD_API_URL=%s DD_API_KEY=%s DD_APP_KEY=%s' % (url, DEFAULT_API_KEY, DEFAULT_APP_KEY) in lines


def read(*parts):
    with open(os.path.join(REPO_ROOT, *parts)) as handle:
        return handle.read()


def test_the_guide_and_the_readme_show_the_export_lines_it_prints():
    """The examples need every variable of these lines against the simulator (deploy.yml PAGERDUTY_FROM_EMAIL,
    the event senders PAGERDUTY_EVENTS_URL, the Datadog steps DD_*): the docs must not show fewer."""
    lines = export_lines('http://127.0.0.1:8080', credentials_from_environment({}))
    guide = read('docs', 'docsite', 'rst', 'guide_simulator.rst')
    readme = read('tests', 'simulator', 'README.md')
    for line in lines:
        assert '$ ' + line in guide
        assert '    ' + line in readme


def test_the_simulator_playbook_prints_the_same_variables():
    playbook = read('playbooks', 'simulator.yml')
    for variable in ('PAGERDUTY_API_URL', 'PAGERDUTY_API_TOKEN', 'PAGERDUTY_EVENTS_URL', 'PAGERDUTY_FROM_EMAIL',
                     'DD_API_URL', 'DD_API_KEY', 'DD_APP_KEY'):
        assert re.search(r'"export [^"]*\b%s=' % variable, playbook), variable
    assert 'PAGERDUTY_FROM_EMAIL=%s' % SIM_USER_EMAIL in playbook
