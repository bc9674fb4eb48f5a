"""Fixtures of the unit tests: the simulator's responses checked against PagerDuty's OpenAPI description.

The description is reference material kept beside the repository (shared/reference), not in it.
Where the real API is known to differ from the description, the check follows the real API and
says so at the place where it adjusts the description (see shared/reference/pagerduty-api-facts.md).
"""

import json
import os
import sys

import pytest

from tests.conftest import COLLECTIONS_PATH, REPO_ROOT

sys.path.insert(0, os.path.join(REPO_ROOT, 'tests', 'tools'))
from playbook_runs import ansible_playbook  # noqa: E402

SPEC_PATH = os.path.join(os.path.dirname(REPO_ROOT), 'shared', 'reference', 'pagerduty-rest-openapiv3.json')

SPEC_AVAILABLE = os.path.exists(SPEC_PATH)


def real_api_description(base_url):
    with open(SPEC_PATH) as handle:
        spec = json.load(handle)
    spec['servers'] = [{'url': base_url}]
    # Real API: GET /vendors/{id} returns {"vendor": {...}}; the description says an array.
    vendor = spec['paths']['/vendors/{id}']['get']['responses']['200']['content']['application/json']['schema']
    vendor['properties']['vendor'] = {'$ref': '#/components/schemas/Vendor'}
    # Real API: include[] expands references into full objects (the description says so for
    # integrations, but types all three as references only).
    service = spec['components']['schemas']['Service']['allOf'][1]['properties']
    for field, reference, full in (('escalation_policy', 'EscalationPolicyReference', 'EscalationPolicy'),
                                   ('teams', 'TeamReference', 'Team'),
                                   ('integrations', 'IntegrationReference', 'Integration')):
        either = {'anyOf': [{'$ref': '#/components/schemas/' + reference}, {'$ref': '#/components/schemas/' + full}]}
        if service[field].get('type') == 'array':
            service[field]['items'] = either
        else:
            service[field] = either
    # Real API: DELETE of an integration exists (204); the description omits it.
    spec['paths']['/services/{id}/integrations/{integration_id}']['delete'] = {
        'parameters': [{'name': 'id', 'in': 'path', 'required': True, 'schema': {'type': 'string'}},
                       {'name': 'integration_id', 'in': 'path', 'required': True, 'schema': {'type': 'string'}}],
        'responses': {'204': {'description': 'deleted'}}}
    return spec


@pytest.fixture(scope='module')
def openapi(simulator_server):
    if not SPEC_AVAILABLE:
        pytest.skip('PagerDuty OpenAPI description not beside the repository')
    pytest.importorskip('openapi_core')
    from openapi_core import Config, OpenAPI

    return OpenAPI.from_dict(real_api_description(simulator_server.url), config=Config(spec_validator_cls=None))


@pytest.fixture
def check(openapi, sim):
    """check(method, path, body=None, **query) -> the response, after validating it against the description."""
    from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse

    def call(method, path, body=None, token=None, **query):
        response = sim.api(method, path, body, token=token, **query)
        openapi.validate_response(RequestsOpenAPIRequest(response.request), RequestsOpenAPIResponse(response))
        return response

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
