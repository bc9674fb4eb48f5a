"""The simulator's V3 webhook subscriptions (tests/simulator/webhooks.py): their answers checked against PagerDuty's
OpenAPI description, and their behaviours (the signing secret shown once, header values redacted, what an update
may change, the read-after-write lag). Sources are in the webhooks section of tests/simulator/README.md."""

import pytest

from tests.unit.conftest import SPEC_AVAILABLE, real_api_description

pytestmark = pytest.mark.skipif(not SPEC_AVAILABLE, reason='PagerDuty OpenAPI description not beside the repository')

EVENTS = ['incident.acknowledged', 'incident.resolved', 'incident.triggered']


@pytest.fixture(scope='module')
def openapi(simulator_server):
    """The description of tests/unit/conftest.py, with `oauth_client` nullable: the API changelog (2025-07-23) says
    the field is present in webhook subscription answers, "set to `null` when no OAuth client is associated"."""
    pytest.importorskip('openapi_core')
    from openapi_core import Config, OpenAPI

    spec = real_api_description(simulator_server.url)
    spec['components']['schemas']['WebhookSubscription']['properties']['oauth_client']['nullable'] = True
    return OpenAPI.from_dict(spec, config=Config(spec_validator_cls=None))


@pytest.fixture
def account(simulator_server):
    return simulator_server.sim.pagerduty


@pytest.fixture
def service_id(sim):
    return sim.seed(services=[{'name': 'Checkout', 'escalation_policy': 'Platform On-Call'}])['services'][0]


def subscription(filter_type='account_reference', filter_id=None, url='https://example.com/pd', headers=(), **fields):
    sent_filter = {'type': filter_type}
    if filter_id is not None:
        sent_filter['id'] = filter_id
    body = {'type': 'webhook_subscription', 'description': 'Sends events somewhere', 'events': list(EVENTS),
            'filter': sent_filter,
            'delivery_method': {'type': 'http_delivery_method', 'url': url,
                                'custom_headers': [{'name': n, 'value': v} for n, v in headers]}}
    body.update(fields)
    return {'webhook_subscription': body}


def errors_of(response):
    assert response.status_code == 400, response.text
    assert response.json()['error']['code'] == 2001
    return response.json()['error']['errors']


def test_lifecycle(check, service_id):
    created = check('POST', '/webhook_subscriptions',
                    subscription('service_reference', service_id, headers=[('X-Token', 's3cret')]))
    assert created.status_code == 200
    sub = created.json()['webhook_subscription']
    assert sub['type'] == 'webhook_subscription' and sub['active'] is True and sub['oauth_client'] is None
    assert sub['filter'] == {'type': 'service_reference', 'id': service_id}
    assert sub['events'] == EVENTS and sub['description'] == 'Sends events somewhere'
    method = sub['delivery_method']
    assert method['type'] == 'http_delivery_method' and method['url'] == 'https://example.com/pd'
    assert method['temporarily_disabled'] is False and method['id']
    assert check('GET', '/webhook_subscriptions/' + sub['id']).json()['webhook_subscription']['id'] == sub['id']
    updated = check('PUT', '/webhook_subscriptions/' + sub['id'],
                    {'webhook_subscription': {'events': ['incident.triggered'], 'active': False,
                                              'description': 'Only triggers', 'filter': {'type': 'team_reference',
                                                                                         'id': 'PTEAM01'}}})
    assert updated.status_code == 200
    read = check('GET', '/webhook_subscriptions/' + sub['id']).json()['webhook_subscription']
    assert read['events'] == ['incident.triggered'] and read['active'] is False
    assert read['description'] == 'Only triggers' and read['filter'] == {'type': 'team_reference', 'id': 'PTEAM01'}
    assert check('POST', '/webhook_subscriptions/%s/ping' % sub['id'], {}).status_code == 202
    assert check('DELETE', '/webhook_subscriptions/' + sub['id']).status_code == 204
    assert check('GET', '/webhook_subscriptions/' + sub['id']).status_code == 404
    assert check('DELETE', '/webhook_subscriptions/' + sub['id']).status_code == 404
    assert check('PUT', '/webhook_subscriptions/' + sub['id'], {'webhook_subscription': {}}).status_code == 404
    assert check('POST', '/webhook_subscriptions/%s/ping' % sub['id'], {}).status_code == 404


def test_secret_only_in_the_answer_of_the_create(check, account):
    created = check('POST', '/webhook_subscriptions', subscription()).json()['webhook_subscription']
    secret = created['delivery_method']['secret']
    assert isinstance(secret, str) and len(secret) >= 32 and secret == account.webhook_secret(created['id'])
    other = check('POST', '/webhook_subscriptions', subscription()).json()['webhook_subscription']
    assert other['delivery_method']['secret'] != secret
    path = '/webhook_subscriptions/' + created['id']
    assert check('GET', path).json()['webhook_subscription']['delivery_method']['secret'] is None
    listed = check('GET', '/webhook_subscriptions').json()['webhook_subscriptions']
    assert [s['delivery_method']['secret'] for s in listed] == [None, None]
    updated = check('PUT', path, {'webhook_subscription': {'description': 'renamed'}}).json()['webhook_subscription']
    assert updated['delivery_method']['secret'] is None
    assert check('POST', path + '/enable', {}).json()['webhook_subscription']['delivery_method']['secret'] is None


def test_custom_header_values_are_redacted(check):
    created = check('POST', '/webhook_subscriptions',
                    subscription(headers=[('X-Foo', 'foo'), ('Authorization', 'Bearer abc')])).json()
    headers = created['webhook_subscription']['delivery_method']['custom_headers']
    assert headers == [{'name': 'X-Foo', 'value': '-- redacted --'}, {'name': 'Authorization', 'value': '-- redacted --'}]
    sub_id = created['webhook_subscription']['id']
    read = check('GET', '/webhook_subscriptions/' + sub_id).json()['webhook_subscription']
    assert read['delivery_method']['custom_headers'] == headers
    listed = check('GET', '/webhook_subscriptions').json()['webhook_subscriptions'][0]
    assert listed['delivery_method']['custom_headers'] == headers
    duplicate = check('POST', '/webhook_subscriptions', subscription(headers=[('X-Foo', 'a'), ('x-foo', 'b')]))
    assert 'unique' in errors_of(duplicate)[0]


def test_an_update_cannot_change_the_delivery_method(check, account):
    sub = check('POST', '/webhook_subscriptions', subscription(headers=[('X-Foo', 'foo')])).json()['webhook_subscription']
    sent = subscription(url='https://elsewhere.example.com/hook', headers=[('X-Bar', 'bar')], description='moved')
    answer = check('PUT', '/webhook_subscriptions/' + sub['id'], sent)
    assert answer.status_code == 200
    method = answer.json()['webhook_subscription']['delivery_method']
    assert method['url'] == 'https://example.com/pd' and [h['name'] for h in method['custom_headers']] == ['X-Foo']
    assert account.webhook_subscriptions[sub['id']]['delivery_method']['custom_headers'][0]['value'] == 'foo'
    assert answer.json()['webhook_subscription']['description'] == 'moved'


def test_refusals(check, service_id):
    def refused(**changes):
        body = subscription()
        body['webhook_subscription'].update(changes)
        return errors_of(check('POST', '/webhook_subscriptions', body))

    assert refused(events=[]) == ['Events must be a list of at least one event type']
    assert refused(events=['incident.triggered', 'incident.triggered']) == ['Events must not repeat an event type']
    assert refused(filter={'type': 'user_reference', 'id': 'PUSR001'})[0].startswith('Filter type must be one of')
    assert refused(filter={'type': 'service_reference'}) == ['Filter id must be specified for a service_reference filter']
    assert refused(filter={'type': 'service_reference', 'id': 'PNOPE01'}) == ['Service PNOPE01 was not found']
    assert refused(filter={'type': 'team_reference', 'id': 'PNOPE01'}) == ['Team PNOPE01 was not found']
    assert refused(active='yes') == ['Active must be true or false']
    assert refused(type='webhook') == ['Type must be webhook_subscription']
    assert refused(delivery_method={'type': 'http_delivery_method'}) == ['Delivery method url must be specified']
    assert refused(delivery_method={'type': 'http_delivery_method', 'url': 'example.com/x'}) == [
        'Delivery method url must be an http or https URL']
    assert refused(delivery_method={'type': 'email', 'url': 'https://example.com'}) == [
        'Delivery method type must be http_delivery_method']
    # Every problem at once, and nothing made.
    assert len(refused(events=[], filter=None, delivery_method=None)) == 3
    assert check('GET', '/webhook_subscriptions').json()['webhook_subscriptions'] == []
    sub = check('POST', '/webhook_subscriptions', subscription('service_reference', service_id)).json()
    changed = check('PUT', '/webhook_subscriptions/' + sub['webhook_subscription']['id'],
                    {'webhook_subscription': {'filter': {'type': 'team_reference', 'id': 'PNOPE01'}}})
    assert errors_of(changed) == ['Team PNOPE01 was not found']


def test_what_is_accepted(check):
    """What PagerDuty publishes no rule against: plain http URLs (its delivery docs describe http:// endpoints),
    event types beyond the documented list, and an account filter with or without an ID."""
    plain = check('POST', '/webhook_subscriptions', subscription(url='http://example.com:8080/pd'))
    assert plain.status_code == 200
    body = subscription(events=['incident.triggered', 'incident.some_future_event'])
    assert check('POST', '/webhook_subscriptions', body).status_code == 200
    minimal = {'webhook_subscription': {'delivery_method': {'url': 'https://example.com/pd'},
                                        'events': ['incident.triggered'], 'filter': {'type': 'account_reference'}}}
    made = check('POST', '/webhook_subscriptions', minimal).json()['webhook_subscription']
    assert made['active'] is True and made['description'] == '' and made['delivery_method']['custom_headers'] == []
    linked = check('POST', '/webhook_subscriptions', subscription(oauth_client_id='AGMEB7F7YJYELCPG4Y5YWMYGXE')).json()
    assert linked['webhook_subscription']['oauth_client'] == {'id': 'AGMEB7F7YJYELCPG4Y5YWMYGXE',
                                                              'type': 'oauth_client_reference'}


def test_list_filters_and_pagination(check, service_id):
    made = {}
    for name, sent in (('account', subscription()), ('service', subscription('service_reference', service_id)),
                       ('team', subscription('team_reference', 'PTEAM01')),
                       ('other team', subscription('team_reference', 'PTEAM02'))):
        made[name] = check('POST', '/webhook_subscriptions', sent).json()['webhook_subscription']['id']

    def listed(**query):
        answer = check('GET', '/webhook_subscriptions', **query)
        assert answer.status_code == 200, answer.text
        return [s['id'] for s in answer.json()['webhook_subscriptions']]

    assert listed() == [made['account'], made['service'], made['team'], made['other team']]
    assert listed(filter_type='service', filter_id=service_id) == [made['service']]
    assert listed(filter_type='team', filter_id='PTEAM02') == [made['other team']]
    assert listed(filter_type='account') == [made['account']]
    assert listed(filter_type='service', filter_id='PNOPE01') == []
    assert errors_of(check('GET', '/webhook_subscriptions', filter_type='team'))
    assert errors_of(check('GET', '/webhook_subscriptions', filter_type='user', filter_id='PUSR001'))
    page = check('GET', '/webhook_subscriptions', limit=2, offset=1, total='true').json()
    assert [s['id'] for s in page['webhook_subscriptions']] == [made['service'], made['team']]
    assert page['more'] is True and page['total'] == 4 and page['limit'] == 2 and page['offset'] == 1


def test_enable_clears_a_temporary_disablement(check, account):
    sub_id = check('POST', '/webhook_subscriptions', subscription()).json()['webhook_subscription']['id']
    account.disable_webhook_temporarily(sub_id)
    path = '/webhook_subscriptions/' + sub_id
    assert check('GET', path).json()['webhook_subscription']['delivery_method']['temporarily_disabled'] is True
    enabled = check('POST', path + '/enable', {})
    assert enabled.status_code == 200
    assert enabled.json()['webhook_subscription']['delivery_method']['temporarily_disabled'] is False
    assert check('GET', path).json()['webhook_subscription']['delivery_method']['temporarily_disabled'] is False
    assert check('POST', '/webhook_subscriptions/PNOPE01/enable', {}).status_code == 404


def test_enable_and_ping_without_a_body(sim):
    sub_id = sim.api('POST', '/webhook_subscriptions', subscription()).json()['webhook_subscription']['id']
    assert sim.api('POST', '/webhook_subscriptions/%s/enable' % sub_id).status_code == 200
    assert sim.api('POST', '/webhook_subscriptions/%s/ping' % sub_id).status_code == 202


def test_read_lag(check, sim):
    old = check('POST', '/webhook_subscriptions', subscription()).json()['webhook_subscription']
    sim.settings(read_after_write_lag_seconds=30)
    new = check('POST', '/webhook_subscriptions', subscription(description='new'))
    # The answer of a write shows the subscription as written, secret included.
    assert new.status_code == 200 and new.json()['webhook_subscription']['delivery_method']['secret']
    new_id = new.json()['webhook_subscription']['id']
    assert check('GET', '/webhook_subscriptions/' + new_id).status_code == 404
    assert [s['id'] for s in check('GET', '/webhook_subscriptions').json()['webhook_subscriptions']] == [old['id']]
    # Writes see the latest state: the hidden subscription can be updated at once.
    assert check('PUT', '/webhook_subscriptions/' + new_id,
                 {'webhook_subscription': {'active': False}}).json()['webhook_subscription']['active'] is False
    answer = check('PUT', '/webhook_subscriptions/' + old['id'], {'webhook_subscription': {'description': 'changed'}})
    assert answer.json()['webhook_subscription']['description'] == 'changed'
    assert check('GET', '/webhook_subscriptions/' + old['id']).json()['webhook_subscription']['description'] == \
        'Sends events somewhere'
    sim.settings(read_after_write_lag_seconds=0)
    assert check('GET', '/webhook_subscriptions/' + old['id']).json()['webhook_subscription']['description'] == 'changed'
    assert check('GET', '/webhook_subscriptions/' + new_id).json()['webhook_subscription']['active'] is False
