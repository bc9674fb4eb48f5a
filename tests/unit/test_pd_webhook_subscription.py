"""pd_webhook_subscription runs in-process against the simulator; writes are read from the simulator's request log,
and what PagerDuty holds (secrets and header values included) from the simulated account itself."""

import json
import threading

import pytest

from ansible_collections.oncall.pagerduty.plugins.module_utils._webhook_subscription import (
    DEFAULT_EVENTS,
    WebhookSubscriptionResource,
)
from ansible_collections.oncall.pagerduty.plugins.modules import pd_webhook_subscription
from ansible_collections.oncall.pagerduty.plugins.plugin_utils._in_process import run_in_process

URL = 'https://chat-bridge.example.com/pagerduty'
TOKEN = 'bridge-token-value-42'
BRIDGE = dict(url=URL, service='Checkout', description='To chat', custom_headers=[dict(name='X-Token', value=TOKEN)])


@pytest.fixture
def account(simulator_server, sim):
    sim.seed(services=[{'name': 'Checkout', 'escalation_policy': 'Default'}])
    sim.clear_requests()
    return simulator_server.sim.pagerduty


def subscriptions(account):
    return list(account.webhook_subscriptions.values())


def test_check_mode_predicts_the_create_which_returns_the_secret_once(sim, run_module, account):
    checked = run_module(pd_webhook_subscription, check_mode=True, diff=True, **BRIDGE)
    assert checked['changed'] and checked['webhook_subscription']['id'] is None and 'secret' not in checked
    assert sim.writes() == [] and subscriptions(account) == []
    created = run_module(pd_webhook_subscription, diff=True, **BRIDGE)
    assert created['changed'] and created['diff'] == checked['diff']
    [subscription] = subscriptions(account)
    assert created['secret'] == account.webhook_secret(subscription['id'])
    assert subscription['filter'] == {'type': 'service_reference', 'id': subscription['filter']['id']}
    assert sorted(subscription['events']) == sorted(DEFAULT_EVENTS)
    assert subscription['delivery_method']['custom_headers'] == [{'name': 'X-Token', 'value': TOKEN}]
    # Neither the secret nor a header value is in the result's object or the diff.
    shown = json.dumps([created['webhook_subscription'], created['diff']])
    assert TOKEN not in shown and created['secret'] not in shown
    sim.clear_requests()
    again = run_module(pd_webhook_subscription, diff=True, **BRIDGE)
    assert not again['changed'] and 'secret' not in again and sim.writes() == []


def test_events_compare_as_a_set_and_only_changes_are_sent(sim, run_module, account):
    run_module(pd_webhook_subscription, events=['incident.triggered', 'incident.resolved'], **BRIDGE)
    sim.clear_requests()
    same = run_module(pd_webhook_subscription, events=['incident.resolved', 'incident.triggered'], **BRIDGE)
    assert not same['changed'] and sim.writes() == []
    changed = run_module(pd_webhook_subscription, diff=True, events=['incident.triggered'], active=False, **BRIDGE)
    assert changed['changed'] and changed['diff']['after'] == {'events': ['incident.triggered'], 'active': False}
    [write] = sim.writes()
    assert write['method'] == 'PUT' and write['body'] == {'webhook_subscription': {
        'type': 'webhook_subscription', 'events': ['incident.triggered'], 'active': False}}


def test_the_scope_is_part_of_the_identity(sim, run_module, account):
    service = run_module(pd_webhook_subscription, **BRIDGE)
    team = run_module(pd_webhook_subscription, url=URL, team='Platform')
    whole = run_module(pd_webhook_subscription, url=URL)
    ids = {service['webhook_subscription']['id'], team['webhook_subscription']['id'], whole['webhook_subscription']['id']}
    assert len(ids) == 3 and len(subscriptions(account)) == 3
    assert whole['webhook_subscription']['filter']['type'] == 'account_reference'
    sim.clear_requests()
    assert not run_module(pd_webhook_subscription, url=URL, team='PTEAM01')['changed'] and sim.writes() == []


def test_other_header_names_need_a_replacement_and_rotate_secret_makes_one(sim, run_module, account):
    first = run_module(pd_webhook_subscription, **BRIDGE)
    sim.clear_requests()
    other = dict(BRIDGE, custom_headers=[dict(name='Authorization', value='Bearer new')])
    refused = run_module(pd_webhook_subscription, **other)
    assert refused['failed'] and refused['msg'].startswith('custom_headers: PagerDuty does not change the headers')
    assert 'x-token' in refused['msg'] and sim.writes() == []
    rotated = run_module(pd_webhook_subscription, rotate_secret=True, **other)
    assert rotated['changed'] and rotated['secret'] != first['secret']
    assert [w['method'] for w in sim.writes()] == ['DELETE', 'POST']
    [subscription] = subscriptions(account)
    assert subscription['id'] == rotated['webhook_subscription']['id'] != first['webhook_subscription']['id']
    assert subscription['delivery_method']['custom_headers'] == [{'name': 'Authorization', 'value': 'Bearer new'}]
    assert rotated['secret'] == account.webhook_secret(subscription['id'])


def test_absent_deletes_once(sim, run_module, account):
    run_module(pd_webhook_subscription, **BRIDGE)
    result = run_module(pd_webhook_subscription, url=URL, service='Checkout', state='absent')
    assert result['changed'] and subscriptions(account) == []
    assert not run_module(pd_webhook_subscription, url=URL, service='Checkout', state='absent')['changed']


def test_two_subscriptions_of_one_url_and_scope_fail_naming_them(sim, run_module, account):
    body = {'webhook_subscription': {'type': 'webhook_subscription', 'events': ['incident.triggered'],
                                     'filter': {'type': 'account_reference'},
                                     'delivery_method': {'type': 'http_delivery_method', 'url': URL}}}
    made = [sim.api('POST', '/webhook_subscriptions', body).json()['webhook_subscription']['id'] for dummy in range(2)]
    sim.clear_requests()
    result = run_module(pd_webhook_subscription, url=URL)
    assert result['failed'] and result['msg'].startswith('url: 2 webhook subscriptions of the account deliver to this URL')
    assert all(i in result['msg'] for i in made) and sim.writes() == []


@pytest.mark.parametrize('options, message', [
    (dict(url='chat-bridge.example.com'), "url: 'chat-bridge.example.com' is not a URL PagerDuty can deliver to"),
    (dict(url=URL, events=[]), 'events: list at least one event type'),
    (dict(url=URL, events=['incident.triggered', 'incident.triggered']), 'events: incident.triggered listed twice'),
    (dict(url=URL, custom_headers=[dict(name='A', value='1'), dict(name='a', value='2')]),
     'custom_headers: header names must differ'),
    (dict(url=URL, service='Checkout', team='Platform'), 'parameters are mutually exclusive: service|team'),
])
def test_bad_input_fails_before_any_request(sim, run_module, options, message):
    result = run_module(pd_webhook_subscription, **options)
    assert result['failed'] and message in result['msg'], result['msg']
    assert sim.requests() == []


def test_runs_creating_one_subscription_at_once_end_with_one_and_only_its_creator_has_the_secret(sim, account):
    runs = 4
    sim.fault(method='POST', path='^/webhook_subscriptions$', times=runs, action='delay', seconds=0.3)
    start = threading.Barrier(runs)
    results = []

    def run():
        start.wait()
        results.append(run_in_process(WebhookSubscriptionResource, dict(BRIDGE, api_url=sim.url, api_token=sim.token)))

    threads = [threading.Thread(target=run) for dummy in range(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(results) == runs and not [r['msg'] for r in results if r.get('failed')]
    [subscription] = subscriptions(account)
    assert {r['webhook_subscription']['id'] for r in results} == {subscription['id']}
    # The secret of the one that remains, from the run that made it; the others' secrets went with their twins.
    assert [r['secret'] for r in results if 'secret' in r] == [account.webhook_secret(subscription['id'])]
