"""Fixtures of the unit tests: the simulator's responses checked against PagerDuty's OpenAPI description.

The description is reference material kept beside the repository (shared/reference), not in it.
Where the real API is known to differ from the description, the check follows the real API and
says so at the place where it adjusts the description (see shared/reference/pagerduty-api-facts.md).
"""

import json
import os

import pytest

from tests.conftest import REPO_ROOT

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
