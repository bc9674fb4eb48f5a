"""The simulator's maintenance windows checked against PagerDuty's OpenAPI description (the `openapi` and
`check` fixtures of tests/unit/conftest.py). A create needs the From header, which `check` does not send, so
creates go through `with_sender`, validated the same way."""

import datetime

import pytest

from tests.unit.conftest import SPEC_AVAILABLE

pytestmark = pytest.mark.skipif(not SPEC_AVAILABLE, reason='PagerDuty OpenAPI description not beside the repository')

UTC = datetime.timezone.utc


def at(minutes):
    return (datetime.datetime.now(UTC) + datetime.timedelta(minutes=minutes)).strftime('%Y-%m-%dT%H:%M:%SZ')


@pytest.fixture
def with_sender(openapi, sim):
    """with_sender(method, path, body, sender) -> the response, validated against the description."""
    from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse

    def call(method, path, body, sender='ada@example.com'):
        headers = {'Authorization': 'Token token=%s' % sim.token, 'Accept': 'application/vnd.pagerduty+json;version=2'}
        if sender is not None:
            headers['From'] = sender
        response = sim.http.request(method, sim.url + path, json=body, headers=headers, timeout=30)
        openapi.validate_response(RequestsOpenAPIRequest(response.request), RequestsOpenAPIResponse(response))
        return response

    return call


@pytest.fixture
def services(sim):
    created = sim.seed(services=[{'name': 'Checkout', 'escalation_policy': 'Platform On-Call'},
                                 {'name': 'Orders DB', 'escalation_policy': 'Default'}])['services']
    return [{'id': service_id, 'type': 'service_reference'} for service_id in created]


def window(services, start, end, description='Deploy'):
    return {'maintenance_window': {'type': 'maintenance_window', 'start_time': start, 'end_time': end,
                                   'description': description, 'services': services}}


def status(sim, service):
    """A service's status, unchecked: the core's service responses have their own conformance test."""
    return sim.api('GET', '/services/' + service['id']).json()['service']['status']


def test_maintenance_window_lifecycle(check, with_sender, sim, services):
    ongoing = with_sender('POST', '/maintenance_windows', window(services, at(-5), at(30))).json()['maintenance_window']
    assert ongoing['created_by']['id'] == 'PUSR001' and [t['id'] for t in ongoing['teams']] == ['PTEAM01']
    future = with_sender('POST', '/maintenance_windows', window(services[1:], at(60), at(90), 'Migration')).json()
    future = future['maintenance_window']
    assert check('GET', '/maintenance_windows/' + ongoing['id'], **{'include[]': 'services'}).status_code == 200
    listing = check('GET', '/maintenance_windows', filter='open', query='deploy', total='true',
                    **{'service_ids[]': services[0]['id']}).json()
    assert [w['id'] for w in listing['maintenance_windows']] == [ongoing['id']] and listing['total'] == 1
    assert check('GET', '/maintenance_windows', filter='future', **{'team_ids[]': 'PTEAM01'}).json()['maintenance_windows'] == []
    assert status(sim, services[0]) == 'maintenance'
    assert check('PUT', '/maintenance_windows/' + future['id'],
                 {'maintenance_window': {'type': 'maintenance_window', 'end_time': at(120)}}).status_code == 200
    assert check('DELETE', '/maintenance_windows/' + future['id']).status_code == 204      # future: deleted
    assert check('GET', '/maintenance_windows/' + future['id']).status_code == 404
    assert check('DELETE', '/maintenance_windows/' + ongoing['id']).status_code == 204     # ongoing: ended
    assert check('GET', '/maintenance_windows', filter='past').json()['maintenance_windows'][0]['id'] == ongoing['id']
    assert status(sim, services[0]) == 'active'


def test_maintenance_window_refusals(check, with_sender, services):
    missing_sender = with_sender('POST', '/maintenance_windows', window(services, at(0), at(30)), sender=None)
    assert missing_sender.status_code == 400 and missing_sender.json()['error']['code'] == 2016
    stranger = with_sender('POST', '/maintenance_windows', window(services, at(0), at(30)), sender='who@example.com')
    assert stranger.status_code == 400 and stranger.json()['error']['message'] == 'Requester User Not Found'
    over = with_sender('POST', '/maintenance_windows', window(services, at(-60), at(-30)))
    assert over.status_code == 400 and over.json()['error']['errors'] == ['End time must be in the future']
    started = with_sender('POST', '/maintenance_windows', window(services, at(-5), at(30))).json()['maintenance_window']
    moved = check('PUT', '/maintenance_windows/' + started['id'],
                  {'maintenance_window': {'type': 'maintenance_window', 'start_time': at(10)}})
    assert moved.status_code == 400
    assert moved.json()['error']['errors'] == ['Start time cannot be modified for maintenance windows that have already started']
    check('DELETE', '/maintenance_windows/' + started['id'])
    past = check('DELETE', '/maintenance_windows/' + started['id'])
    assert past.status_code == 405 and past.json()['error']['code'] == 5003
    assert check('GET', '/maintenance_windows', filter='sometime').status_code == 400
