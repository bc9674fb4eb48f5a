"""The simulator's Datadog endpoints (tests/simulator/datadog.py) checked against Datadog's description of its
PagerDuty integration API (shared/reference/datadog-pagerduty-integration-openapi.yaml), responses and errors."""

import os

import pytest

from api_descriptions import DATADOG_SPEC_PATH, datadog_api_description
from tests.simulator.datadog import DEFAULT_API_KEY, DEFAULT_APP_KEY
from tests.unit.conftest import conforming, openapi_of

pytestmark = pytest.mark.skipif(not os.path.exists(DATADOG_SPEC_PATH),
                                reason="Datadog's OpenAPI description not beside the repository")

SERVICES = '/api/v1/integration/pagerduty/configuration/services'


@pytest.fixture(scope='module')
def datadog_openapi(simulator_server):
    return openapi_of(datadog_api_description(simulator_server.url))


@pytest.fixture
def call(datadog_openapi, sim):
    """call(method, path, body=None, **headers) -> the response, after validating it against the description."""

    def send(method, path, body=None, app_key=DEFAULT_APP_KEY):
        headers = {'DD-API-KEY': DEFAULT_API_KEY, 'DD-APPLICATION-KEY': app_key}
        return conforming(datadog_openapi, sim.http.request(method, sim.url + path, json=body, headers=headers, timeout=30))

    return send


def test_service_object_lifecycle_conforms(call):
    assert call('POST', SERVICES, {'service_name': 'checkout', 'service_key': 'k' * 32}).status_code == 201
    assert call('GET', SERVICES + '/checkout').json() == {'service_name': 'checkout'}
    assert call('PUT', SERVICES + '/checkout', {'service_key': 'n' * 32}).status_code == 200
    assert call('DELETE', SERVICES + '/checkout').status_code == 204


def test_refusals_conform(call, sim):
    call('POST', SERVICES, {'service_name': 'checkout', 'service_key': 'k' * 32})
    assert call('POST', SERVICES, {'service_name': 'checkout', 'service_key': 'k' * 32}).status_code == 400
    assert call('GET', SERVICES + '/absent').status_code == 404
    assert call('PUT', SERVICES + '/absent', {'service_key': 'n' * 32}).status_code == 404
    assert call('DELETE', SERVICES + '/absent').status_code == 404
    assert call('GET', SERVICES + '/checkout', app_key='wrong').status_code == 403
    sim.rate_limit(1)
    call('GET', SERVICES + '/checkout')
    assert call('GET', SERVICES + '/checkout').status_code == 429
