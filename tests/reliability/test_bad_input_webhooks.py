"""Wrong input to pd_webhook_subscription: each case fails with a message that names the option and the problem,
with no traceback, and with nothing written (no write in the request log succeeded, and the account's
subscriptions are as they were)."""

import copy

import pytest

from ansible_collections.oncall.pagerduty.plugins.modules import pd_webhook_subscription
from tests.reliability.bad_input import case_id, check_bad_input

URL = 'https://hooks.example.com/pagerduty'

CASES = [
    (pd_webhook_subscription, dict(), 'missing required arguments: url'),
    (pd_webhook_subscription, dict(url='hooks.example.com'), "url: 'hooks.example.com' is not a URL PagerDuty can"),
    (pd_webhook_subscription, dict(url=' '), 'url: must not be blank'),
    (pd_webhook_subscription, dict(url=URL, service='Cart', team='Platform'), 'mutually exclusive: service|team'),
    (pd_webhook_subscription, dict(url=URL, service='Crat'), "service: no service is named or identified by 'Crat'"),
    (pd_webhook_subscription, dict(url=URL, team='Platfrom'), "team: no team is named or identified by 'Platfrom'"),
    (pd_webhook_subscription, dict(url=URL, events='incident.triggered, incident.resolved'), 'events: must be a list'),
    (pd_webhook_subscription, dict(url=URL, events=[]), 'events: list at least one event type'),
    (pd_webhook_subscription, dict(url=URL, custom_headers=[dict(name='X-Token')]), 'missing required arguments: value'),
    (pd_webhook_subscription, dict(url=URL, service='Cart', custom_headers=[dict(name='Other', value='v')]),
     'custom_headers: PagerDuty does not change the headers of a subscription'),
    (pd_webhook_subscription, dict(url=URL, active='maybe'), 'active'),
]


@pytest.fixture
def world(sim, monkeypatch):
    """Service Cart with a subscription of URL that sends an X-Token header; no credentials in the environment."""
    for variable in ('PAGERDUTY_API_TOKEN', 'PAGERDUTY_TOKEN', 'PAGERDUTY_API_URL', 'PAGERDUTY_REGION'):
        monkeypatch.delenv(variable, raising=False)
    [cart] = sim.seed(services=[{'name': 'Cart', 'escalation_policy': 'Default'}])['services']
    sim.api('POST', '/webhook_subscriptions', {'webhook_subscription': {
        'type': 'webhook_subscription', 'events': ['incident.triggered'], 'filter': {'type': 'service_reference', 'id': cart},
        'delivery_method': {'type': 'http_delivery_method', 'url': URL,
                            'custom_headers': [{'name': 'X-Token', 'value': 'secret-1'}]}}}).raise_for_status()
    before = sim.state()
    sim.clear_requests()
    return before


def subscriptions(simulator_server):
    with simulator_server.sim.lock:
        return copy.deepcopy(simulator_server.sim.pagerduty.webhook_subscriptions)


@pytest.mark.parametrize('module, options, message', CASES, ids=[case_id(c) for c in CASES])
def test_bad_input(sim, world, run_module, report, simulator_server, module, options, message):
    before = subscriptions(simulator_server)
    check_bad_input(sim, world, run_module, report, module, options, message)
    assert subscriptions(simulator_server) == before
