"""pd_datadog_service in-process against the simulator's Datadog endpoints."""

import json
import re

import pytest

from ansible_collections.oncall.pagerduty.plugins.module_utils._client import DatadogClient, DatadogError
from ansible_collections.oncall.pagerduty.plugins.modules import pd_datadog_service
from tests.simulator.datadog import DEFAULT_API_KEY, DEFAULT_APP_KEY

KEY = 'a3f1c0de5b7e4d2a9c8b6f1e0d2c4b6a'


def objects(sim):
    return sim.datadog()['services']


def test_create_then_second_run_is_ok(sim, run_module):
    created = run_module(pd_datadog_service, diff=True, service_name='Shopping Cart', service_key=KEY)
    assert created['changed'] and created['datadog_service'] == {'service_name': 'Shopping Cart'}
    assert objects(sim) == {'Shopping Cart': KEY}
    assert sim.requests()[0]['path'] == '/api/v1/integration/pagerduty/configuration/services/Shopping%20Cart'
    sim.clear_requests()
    again = run_module(pd_datadog_service, service_name='Shopping Cart', service_key=KEY)
    assert not again['changed'] and [r['method'] for r in sim.requests()] == ['GET']


def test_update_key_always_sends_it_and_reports_a_change(sim, run_module):
    run_module(pd_datadog_service, service_name='cart', service_key=KEY)
    result = run_module(pd_datadog_service, diff=True, service_name='cart', service_key='b' * 32, update_key='always')
    assert result['changed'] and objects(sim) == {'cart': 'b' * 32}
    assert 'b' * 32 not in json.dumps(result)
    assert run_module(pd_datadog_service, service_name='cart', service_key='b' * 32, update_key='always')['changed']


def test_on_create_leaves_an_existing_key_alone(sim, run_module):
    run_module(pd_datadog_service, service_name='cart', service_key=KEY)
    assert not run_module(pd_datadog_service, service_name='cart', service_key='c' * 32)['changed']
    assert objects(sim) == {'cart': KEY}


def test_check_mode_of_always_writes_nothing(sim, run_module):
    run_module(pd_datadog_service, service_name='cart', service_key=KEY)
    sim.clear_requests()
    assert run_module(pd_datadog_service, check_mode=True, service_name='cart', service_key=KEY, update_key='always')['changed']
    assert sim.writes() == [] and objects(sim) == {'cart': KEY}


def test_tile_not_set_up_says_so(sim, run_module):
    sim.datadog(tile_installed=False)
    result = run_module(pd_datadog_service, service_name='cart', service_key=KEY)
    assert result['failed'] and 'install the PagerDuty integration tile' in result['msg']


def test_missing_permission_says_so(sim, run_module):
    sim.datadog(can_manage_integrations=False)
    result = run_module(pd_datadog_service, service_name='cart', service_key=KEY)
    assert result['failed'] and 'manage_integrations permission' in result['msg'] and result['status'] == 403


def test_bad_keys_say_so_and_never_echo_the_keys(sim, run_module):
    result = run_module(pd_datadog_service, api_key='wrong-api-key', app_key='wrong-app-key', service_name='cart', service_key=KEY)
    assert result['failed'] and 'check api_key and app_key' in result['msg']
    assert 'wrong-api-key' not in json.dumps(result) and KEY not in json.dumps(result)


def test_the_key_never_reaches_the_output_or_the_request_log(sim, run_module):
    result = run_module(pd_datadog_service, diff=True, service_name='cart', service_key=KEY)
    assert KEY not in json.dumps(result)
    assert KEY not in json.dumps(sim.requests())
    assert sim.requests()[-1]['body']['service_key'] == '<redacted>'


def test_client_waits_as_long_as_datadogs_rate_limit_header_asks(sim):
    path = '/api/v1/integration/pagerduty/configuration/services/a'
    sim.rate_limit(1, window_seconds=30)
    slept = []
    client = DatadogClient(DEFAULT_API_KEY, DEFAULT_APP_KEY, api_url=sim.url, sleep=slept.append, retry_timeout=20)
    assert client.get(path) is None  # the one request the window allows
    with pytest.raises(DatadogError) as caught:
        client.get(path)
    assert caught.value.status == 429 and 'Rate limit of 1 requests in 30 seconds reached' in str(caught.value)
    # X-RateLimit-Reset asks for about 30 s, more than retry_timeout leaves: the task fails at once, saying so.
    waited = float(re.search(r'waiting ([0-9.]+) more seconds would exceed retry_timeout=20', str(caught.value)).group(1))
    assert 25 <= waited <= 30.5 and slept == []


def test_a_rate_limit_wait_beyond_retry_timeout_fails_at_once(sim):
    sim.rate_limit(1, window_seconds=30)
    slept = []
    client = DatadogClient(DEFAULT_API_KEY, DEFAULT_APP_KEY, api_url=sim.url, sleep=slept.append, retry_timeout=5)
    client.get('/api/v1/integration/pagerduty/configuration/services/a')
    with pytest.raises(DatadogError) as caught:
        client.get('/api/v1/integration/pagerduty/configuration/services/a')
    assert 'would exceed retry_timeout=5' in str(caught.value) and slept == []


def test_site_chooses_the_api_host():
    assert DatadogClient('k', 'a', site='datadoghq.eu').base_url == 'https://api.datadoghq.eu'
    assert DatadogClient('k', 'a').base_url == 'https://api.datadoghq.com'


def test_a_value_that_is_not_an_integration_key_fails_without_showing_it(sim, run_module):
    result = run_module(pd_datadog_service, service_name='cart', service_key='https://events.pagerduty.com/x')
    assert result['failed'] and result['msg'].startswith('service_key: is not a PagerDuty integration key')
    assert 'events.pagerduty.com' not in result['msg'] and sim.datadog()['services'] == {}


def test_the_check_mode_placeholder_key_passes_check_mode_only(sim, run_module):
    from ansible_collections.oncall.pagerduty.plugins.module_utils._integration import CHECK_MODE_KEY

    check = run_module(pd_datadog_service, check_mode=True, service_name='cart', service_key=CHECK_MODE_KEY)
    assert check['changed'] and not check.get('failed') and sim.datadog()['services'] == {}
    real = run_module(pd_datadog_service, service_name='cart', service_key=CHECK_MODE_KEY)
    assert real['failed'] and 'placeholder pd_integration returns in check mode' in real['msg']
    assert sim.datadog()['services'] == {}


@pytest.mark.parametrize('site', ['datadoghq.co', 'app.datadoghq.com', 'us4.datadoghq.com'])
def test_a_site_that_is_not_datadogs_fails_locally(sim, run_module, site):
    result = run_module(pd_datadog_service, api_url=None, site=site, service_name='cart', service_key=KEY)
    assert result['failed'] and result['msg'].startswith("site: '%s' is not a Datadog site; use one of datadoghq.com" % site)
