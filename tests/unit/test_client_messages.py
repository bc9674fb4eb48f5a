"""What a task says when it cannot reach the API, reaches the wrong address, or is given a credential that cannot
be sent; and which users it suggests for an email that does not exist. Run against the simulator."""

import socket

import pytest

from ansible_collections.oncall.pagerduty.plugins.module_utils._client import (
    DatadogClient,
    DatadogError,
    EventsClient,
    PagerDutyClient,
    PagerDutyError,
)
from ansible_collections.oncall.pagerduty.plugins.modules import (
    pd_datadog_service,
    pd_escalation_policy,
    pd_event,
    pd_maintenance_window,
    pd_service,
    pd_vendor_info,
)
from tests.simulator.datadog import DEFAULT_API_KEY, DEFAULT_APP_KEY

SERVICE = dict(name='Checkout', escalation_policy='Default')
DD_KEY = 'a' * 32
EVENT = dict(routing_key='R' * 32, summary='Disk full on db1', source='db1', severity='critical')


def closed_port_url():
    """An http URL on 127.0.0.1 where nothing listens (a port just given up by the system)."""
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        port = probe.getsockname()[1]
    return 'http://127.0.0.1:%d' % port


def fast(**options):
    return dict(dict(retries=1, retry_timeout=5, timeout=5), **options)


# -- nothing listens ---------------------------------------------------------------------------------

def test_a_refused_connection_names_the_url_and_what_to_check(sim, run_module):
    url = closed_port_url()
    result = run_module(pd_service, **fast(api_url=url, **SERVICE))
    assert result['failed']
    message = result['msg']
    assert 'connection to %s failed: nothing listens there (connection refused)' % url in message
    # (the proxy variable of an http:// URL is http_proxy; PagerDuty's URLs are https://, hence https_proxy)
    for advice in ('api_url', 'region', 'http_proxy', 'firewall'):
        assert advice in message, advice


@pytest.mark.parametrize('make, option', [
    (lambda url: DatadogClient('k', 'a', api_url=url, backoff_base=0.01), 'site'),
    (lambda url: EventsClient(events_url=url, backoff_base=0.01), 'events_url'),
])
def test_every_client_says_which_option_sets_the_refused_url(make, option):
    url = closed_port_url()
    client = make(url)
    with pytest.raises(Exception) as caught:
        client.post('/v2/enqueue', {})
    assert 'connection to %s failed: nothing listens there' % url in str(caught.value) and option in str(caught.value)
    assert client.request_count == 1


def test_a_refused_proxy_is_named_without_its_credentials(monkeypatch):
    proxy = closed_port_url().replace('http://', 'http://someone:hunter2@')
    monkeypatch.setenv('https_proxy', proxy)
    monkeypatch.delenv('no_proxy', raising=False)
    monkeypatch.delenv('NO_PROXY', raising=False)
    client = PagerDutyClient('t', backoff_base=0.01)
    with pytest.raises(PagerDutyError) as caught:
        client.get('/vendors')
    message = str(caught.value)
    assert 'proxy http://127.0.0.1:' in message and 'https_proxy' in message and 'no_proxy' in message
    assert 'hunter2' not in message and 'someone' not in message


# -- a name that does not resolve --------------------------------------------------------------------

def test_a_host_name_that_does_not_resolve_says_so(sim, run_module):
    result = run_module(pd_service, **fast(api_url='https://api.pagerduty.invalid', **SERVICE))
    assert result['failed']
    message = result['msg']
    assert "'api.pagerduty.invalid'" in message and 'does not resolve' in message
    for advice in ('api_url', 'DNS', 'proxy'):
        assert advice in message, advice


def test_datadog_and_events_hosts_that_do_not_resolve_name_their_options(sim, run_module):
    datadog = run_module(pd_datadog_service, **fast(api_url='https://api.datadoghq.invalid', service_name='Checkout',
                                                    service_key=DD_KEY))
    assert "'api.datadoghq.invalid'" in datadog['msg'] and 'does not resolve' in datadog['msg']
    assert 'api_url' in datadog['msg']
    event = run_module(pd_event, **fast(events_url='https://events.pagerduty.invalid', **EVENT))
    assert "'events.pagerduty.invalid'" in event['msg'] and 'events_url' in event['msg']


# -- an address where the API is not ---------------------------------------------------------------

def test_a_404_on_a_collection_says_the_api_url_is_probably_wrong(sim, run_module):
    wrong = sim.url + '/wrongpath'
    result = run_module(pd_service, **fast(api_url=wrong, **SERVICE))
    assert result['failed']
    message = result['msg']
    assert 'api_url %s is probably wrong' % wrong in message
    assert 'https://api.pagerduty.com' in message and 'https://api.eu.pagerduty.com' in message
    assert 'HTTP 404' in message and 'PagerDuty error code 2100' in message
    listing = run_module(pd_vendor_info, **fast(api_url=wrong, query='data'))
    assert 'api_url %s is probably wrong' % wrong in listing['msg']


def test_only_a_404_that_names_no_object_is_blamed_on_the_url(sim):
    client = PagerDutyClient(sim.token, api_url=sim.url + '/wrongpath', backoff_base=0.01)
    # An object's path: not found still means absent, whatever the address.
    assert client.get('/services/PNOPE00') is None
    assert client.get_object('vendors', 'vendor', 'datadog') is None
    assert client.delete('/services/PNOPE00') is False
    service = {'service': {'type': 'service', 'name': 'web',
                           'escalation_policy': {'id': 'PDEFEP1', 'type': 'escalation_policy_reference'}}}
    for call in (lambda: list(client.paginate('/vendors', 'vendors')), lambda: client.post('/services', service),
                 lambda: client.get('/services/custom_fields')):
        with pytest.raises(PagerDutyError) as caught:
            call()
        assert caught.value.status == 404 and 'probably wrong' in str(caught.value)
    # At the right address, a 404 that says what is missing is about that object.
    right = PagerDutyClient(sim.token, api_url=sim.url, backoff_base=0.01)
    sim.fault(method='POST', path='^/service_dependencies/associate$', times=1, action='status', status=404,
              body={'error': {'code': 2100, 'message': 'Not Found',
                              'errors': ['Business/Technical Service not found or lack permissions against']}})
    with pytest.raises(PagerDutyError) as missing:
        right.post('/service_dependencies/associate', {'relationships': []})
    assert 'probably wrong' not in str(missing.value) and 'Service not found' in str(missing.value)
    assert right.get('/services/PNOPE00') is None


def test_datadog_and_events_at_a_wrong_path_name_their_base_urls(sim, run_module):
    wrong = sim.url + '/wrongpath'
    datadog = run_module(pd_datadog_service, **fast(api_url=wrong, service_name='Checkout', service_key=DD_KEY))
    assert 'api_url %s is probably wrong' % wrong in datadog['msg'] and 'https://api.<site>' in datadog['msg']
    event = run_module(pd_event, **fast(events_url=wrong, **EVENT))
    assert 'events_url %s is probably wrong' % wrong in event['msg']
    assert 'https://events.pagerduty.com' in event['msg'] and 'https://events.eu.pagerduty.com' in event['msg']
    assert {w['status'] for w in sim.writes()} == {404}


def test_a_datadog_404_that_says_what_is_missing_keeps_its_own_advice(sim, run_module):
    sim.datadog(tile_installed=False)
    result = run_module(pd_datadog_service, **fast(service_name='Checkout', service_key=DD_KEY))
    assert 'install the PagerDuty integration tile' in result['msg'] and 'probably wrong' not in result['msg']


def test_an_api_url_that_cannot_be_parsed_fails_naming_the_option(sim, run_module):
    result = run_module(pd_vendor_info, api_url='http://127.0.0.1:port', name='Datadog')
    assert result['failed'] and result['msg'].startswith('api_url: http://127.0.0.1:port is not a usable http(s) URL')


@pytest.mark.parametrize('url', ['http://someone:s3cret@', 'http://someone:s3cret@host:port'])
def test_an_unusable_url_is_named_without_its_credentials(url):
    with pytest.raises(PagerDutyError) as caught:
        PagerDutyClient('t', api_url=url)
    assert caught.value.option == 'api_url' and 'is not a usable http(s) URL' in str(caught.value)
    assert 's3cret' not in str(caught.value) and 'someone' not in str(caught.value)


def test_a_redirect_is_an_error_naming_where_it_points(sim):
    sim.fault(method='GET', path='^/vendors$', times=1, action='status', status=301,
              headers={'Location': 'https://api.pagerduty.com/vendors'}, body={})
    client = PagerDutyClient(sim.token, api_url=sim.url, backoff_base=0.01)
    with pytest.raises(PagerDutyError) as caught:
        list(client.paginate('/vendors', 'vendors'))
    assert caught.value.status == 301
    assert 'with a redirect to https://api.pagerduty.com/vendors' in str(caught.value)
    assert 'api_url %s is probably wrong' % sim.url in str(caught.value)


# -- credentials that cannot be sent ---------------------------------------------------------------

def test_a_token_with_a_trailing_line_break_works(sim, run_module):
    result = run_module(pd_vendor_info, api_token=sim.token + '\n', name='Datadog')
    assert not result.get('failed') and [v['id'] for v in result['vendors']] == ['PAM4FGS']
    datadog = run_module(pd_datadog_service, api_key=' %s\n' % DEFAULT_API_KEY, app_key='%s\r\n' % DEFAULT_APP_KEY,
                         service_name='Checkout', service_key=DD_KEY)
    assert datadog['changed'] and not datadog.get('failed')


@pytest.mark.parametrize('token', ['sim-secret\rtoken', 'sim-secret\ntoken', 'sim-secret\x00token', 'sim-secret\u2019'])
def test_a_token_that_cannot_be_a_header_fails_without_showing_it(sim, run_module, token):
    result = run_module(pd_vendor_info, api_token=token, name='Datadog')
    assert result['failed'] and 'api_token' in result['msg'] and 'HTTP header' in result['msg']
    assert 'secret' not in str(result) and 'Traceback' not in str(result)
    assert sim.requests() == []


def test_a_datadog_key_that_cannot_be_a_header_fails_without_showing_it(sim):
    with pytest.raises(DatadogError) as caught:
        DatadogClient('dd-secret\rkey', 'app')
    assert caught.value.option == 'api_key' and 'secret' not in str(caught.value)
    with pytest.raises(DatadogError) as blank:
        DatadogClient('key', ' \n')
    assert blank.value.option == 'app_key' and 'blank' in str(blank.value)


def test_a_header_given_per_request_is_checked_too_and_not_shown(sim):
    client = PagerDutyClient(sim.token, api_url=sim.url, from_email='ada@example.com\r\nX-Evil: 1')
    with pytest.raises(PagerDutyError) as caught:
        client.post('/maintenance_windows', {}, headers=client.from_header())
    assert 'From header' in str(caught.value) and 'Evil' not in str(caught.value)
    assert sim.requests() == []


# -- users suggested for an email that does not exist ------------------------------------------------

def test_a_misspelt_local_part_suggests_the_user_of_the_same_domain(sim, run_module):
    rules = [dict(escalation_delay_in_minutes=5, targets=[dict(type='user', email='grase@example.com')])]
    result = run_module(pd_escalation_policy, name='Ops', rules=rules)
    assert result['failed'] and result['msg'] == (
        "rules[0].targets[0].email: no user has the email 'grase@example.com'; "
        "did you mean 'grace@example.com' (Grace Hopper, PUSR002)?")
    assert sim.writes() == []


def test_a_misspelt_from_email_suggests_the_close_user(sim, run_module):
    sim.seed(services=[{'name': 'Checkout', 'escalation_policy': 'Default'}])
    result = run_module(pd_maintenance_window, services=['Checkout'], description='Deploy', duration_minutes=30,
                        from_email='grase@example.com')
    assert result['failed'] and "'grace@example.com' (Grace Hopper, PUSR002)" in result['msg']
    assert 'ada@example.com' not in result['msg'] and sim.writes() == []


def test_a_user_found_at_once_costs_one_request(sim, run_module):
    rules = [dict(escalation_delay_in_minutes=5, targets=[dict(type='user', email='grace@example.com')])]
    run_module(pd_escalation_policy, check_mode=True, name='Ops', rules=rules)
    assert [r['query'].get('query') for r in sim.requests() if r['path'] == '/users'] == [['grace@example.com']]
