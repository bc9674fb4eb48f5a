"""Every write of pd_webhook_subscription under every fault of the matrix (matrix.py): a task ends with exactly the
intended subscription, or fails clearly having changed nothing; never a duplicate."""

import pytest

from ansible_collections.oncall.pagerduty.plugins.modules import pd_webhook_subscription
from tests.reliability.matrix import FAULTS, Scenario, count_check, run_fault_case

WEBHOOKS = r'^/webhook_subscriptions'
URL = 'https://hooks.example.com/pagerduty'


def snapshot(sim, ctx):
    """The descriptions of the account's subscriptions to URL, read through the API after the task."""
    listing = sim.api('GET', '/webhook_subscriptions', filter_type='account', limit=100).json()['webhook_subscriptions']
    return [s['description'] for s in listing if s['delivery_method']['url'] == URL]


def seed(sim):
    sim.api('POST', '/webhook_subscriptions', {'webhook_subscription': {
        'type': 'webhook_subscription', 'events': ['incident.triggered'], 'description': 'old',
        'filter': {'type': 'account_reference'},
        'delivery_method': {'type': 'http_delivery_method', 'url': URL}}}).raise_for_status()
    return {}


SCENARIOS = [
    Scenario('pd_webhook_subscription create', pd_webhook_subscription, 'POST', WEBHOOKS + '$',
             lambda sim: {}, lambda ctx: dict(url=URL, description='new'),
             snapshot, lambda snap, ctx: count_check(len(snap), 1)[:2] + (snap == ['new'],)),
    Scenario('pd_webhook_subscription update', pd_webhook_subscription, 'PUT', WEBHOOKS + '/',
             seed, lambda ctx: dict(url=URL, description='new', events=['incident.triggered']),
             snapshot, lambda snap, ctx: count_check(len(snap), 1)[:2] + (snap == ['new'],)),
    Scenario('pd_webhook_subscription delete', pd_webhook_subscription, 'DELETE', WEBHOOKS + '/',
             seed, lambda ctx: dict(url=URL, state='absent'),
             snapshot, lambda snap, ctx: (0, 0, snap == [])),
]


@pytest.mark.parametrize('fault', list(FAULTS))
@pytest.mark.parametrize('scenario', SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_fault(sim, run_module, report, scenario, fault):
    run_fault_case(sim, run_module, report, scenario, fault)
