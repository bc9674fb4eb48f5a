"""Fixtures of the unit tests: the simulator's responses checked against PagerDuty's OpenAPI description.

The description is reference material kept beside the repository (shared/reference), not in it;
tests/tools/api_descriptions.py loads it and adjusts it where the real API is known to differ.
"""

import json
import os
import sys

import pytest

from tests.conftest import COLLECTIONS_PATH, REPO_ROOT

sys.path.insert(0, os.path.join(REPO_ROOT, 'tests', 'tools'))
from api_descriptions import SPEC_AVAILABLE, real_api_description  # noqa: E402
from playbook_runs import ansible_playbook  # noqa: E402


def pytest_collection_modifyitems(items):
    """The simulator's own tests (test_simulator_*.py) check its answers and behaviours one request at a time, and
    turn on the lag or the passing refusals themselves where they test them: reads there follow writes."""
    for item in items:
        if os.path.basename(str(item.fspath)).startswith('test_simulator_'):
            item.add_marker(pytest.mark.reads_follow_writes('the simulator checked request by request'))


def openapi_of(description):
    """An openapi-core validator of `description` (a dict), or the test skipped where openapi-core is missing."""
    pytest.importorskip('openapi_core')
    from openapi_core import Config, OpenAPI

    return OpenAPI.from_dict(description, config=Config(spec_validator_cls=None))


def conforming(openapi, response):
    """`response` (of requests), after checking it against the description `openapi` validates."""
    from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse

    openapi.validate_response(RequestsOpenAPIRequest(response.request), RequestsOpenAPIResponse(response))
    return response


@pytest.fixture(scope='module')
def openapi(simulator_server):
    if not SPEC_AVAILABLE:
        pytest.skip('PagerDuty OpenAPI description not beside the repository')
    return openapi_of(real_api_description(simulator_server.url))


@pytest.fixture
def check(openapi, sim):
    """check(method, path, body=None, **query) -> the response, after validating it against the description."""

    def call(method, path, body=None, token=None, **query):
        return conforming(openapi, sim.api(method, path, body, token=token, **query))

    return call


# -- real ansible-playbook runs of task lists -------------------------------------------------------

HEADER = '''
- name: In process
  hosts: localhost
  connection: local
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  module_defaults:
    group/oncall.pagerduty.pagerduty:
      api_url: "%(url)s"
  tasks:
'''


@pytest.fixture
def play(sim, tmp_path):
    """play(tasks_yaml, **environment) -> (returncode, output, {register name: result}).

    Each task registers its result; a last task writes them all to a file for the test to read.
    """

    def run(tasks, registered, extra_args=(), **environment):
        playbook = tmp_path / 'play.yml'
        results_file = tmp_path / 'results.json'
        if results_file.exists():
            results_file.unlink()
        dump = """
    - name: Keep the results for the test
      ansible.builtin.copy:
        content: "{{ {%s} | to_json }}"
        dest: "%s"
        mode: "0600"
      check_mode: false
""" % (', '.join("'%s': %s" % (name, name) for name in registered), results_file)
        playbook.write_text(HEADER % {'url': sim.url} + tasks + dump)
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS_PATH, ANSIBLE_LOCALHOST_WARNING='0',
                   ANSIBLE_FORCE_COLOR='0', **environment)
        for variable in ('PAGERDUTY_API_TOKEN', 'PAGERDUTY_TOKEN', 'ONCALL_PAGERDUTY_IN_PROCESS'):
            if variable not in environment:
                env.pop(variable, None)
        code, output, dummy = ansible_playbook(list(extra_args) + [str(playbook)], env=env, cwd=str(tmp_path))
        results = json.loads(results_file.read_text()) if results_file.exists() else {}
        return code, output, results

    return run
