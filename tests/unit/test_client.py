"""The shared client against the simulator: headers, retries, errors, pagination and lookups."""

import threading

import pytest

from ansible_collections.oncall.pagerduty.plugins.module_utils._client import (
    COLLECTION_VERSION,
    PAGERDUTY_REGIONS,
    PagerDutyClient,
    PagerDutyError,
)
from ansible_collections.oncall.pagerduty.plugins.module_utils._lookup import Lookups, rank_close_emails


@pytest.fixture
def client(sim):
    return make_client(sim)


def make_client(sim, token=None, **options):
    options.setdefault('backoff_base', 0.01)
    options.setdefault('timeout', 5)
    return PagerDutyClient(token or sim.token, api_url=sim.url, **options)


def service_body(name='web'):
    return {'service': {'type': 'service', 'name': name,
                        'escalation_policy': {'id': 'PDEFEP1', 'type': 'escalation_policy_reference'}}}


# -- headers and regions -------------------------------------------------------------------------

def test_sends_pagerduty_headers(sim, client):
    client.get('/vendors/PAM4FGS')
    headers = sim.requests()[0]['headers']
    assert headers['accept'] == 'application/vnd.pagerduty+json;version=2'
    assert headers['user-agent'] == 'oncall.pagerduty/%s' % COLLECTION_VERSION
    assert headers['content-type'] == 'application/json'
    assert 'authorization' not in headers  # the simulator never records the token


def test_regions_map_to_pagerduty_hosts():
    assert PagerDutyClient('t', region='us').base_url == 'https://api.pagerduty.com'
    assert PagerDutyClient('t', region='eu').base_url == 'https://api.eu.pagerduty.com'
    assert PagerDutyClient('t', region='eu', api_url='https://proxy.example/pd/').base_url == 'https://proxy.example/pd'
    assert set(PAGERDUTY_REGIONS) == {'us', 'eu'}


# -- errors --------------------------------------------------------------------------------------

def test_missing_object_reads_as_none(client):
    assert client.get('/services/PNOPE00') is None


def test_bad_token_is_a_401_error(sim):
    with pytest.raises(PagerDutyError) as caught:
        make_client(sim, token='wrong').get('/vendors')
    assert caught.value.status == 401
    assert caught.value.code == 2006


def test_read_only_token_cannot_write(sim):
    with pytest.raises(PagerDutyError) as caught:
        make_client(sim, token=sim.readonly_token).post('/services', service_body())
    assert caught.value.status == 403
    assert 'read-only' in str(caught.value)
    assert sim.state()['services'] == []


def test_validation_error_carries_code_and_details(client):
    client.post('/services', service_body('dup'))
    with pytest.raises(PagerDutyError) as caught:
        client.post('/services', service_body('dup'))
    err = caught.value
    assert (err.status, err.code, err.method, err.path) == (400, 2001, 'POST', '/services')
    assert err.errors == ['Name has already been taken']
    assert not err.ambiguous
    assert str(err) == ('Invalid Input Provided: Name has already been taken '
                        '(HTTP 400, PagerDuty error code 2001, POST /services)')


def test_delete_of_missing_object_reports_already_gone(client):
    assert client.delete('/services/PNOPE00') is False


# -- retries -------------------------------------------------------------------------------------

def test_rate_limited_request_waits_for_ratelimit_reset(sim):
    slept = []
    client = make_client(sim, sleep=slept.append)
    sim.fault(method='GET', path='^/vendors$', times=2, action='status', status=429,
              headers={'ratelimit-reset': '3'}, body={'error': {'code': 2020, 'message': 'Rate Limit Exceeded'}})
    assert client.request('GET', '/vendors')[0] == 200
    assert len(slept) == 2 and all(3 <= s <= 3.5 for s in slept)
    assert [r['status'] for r in sim.requests()] == [429, 429, 200]


def test_rate_limited_post_is_retried_because_it_was_not_processed(sim):
    client = make_client(sim)
    sim.fault(method='POST', path='^/services$', times=1, action='status', status=429)
    client.post('/services', service_body())
    assert [r['status'] for r in sim.requests()] == [429, 201]
    assert len(sim.state()['services']) == 1


def test_rate_limit_without_headers_backs_off_exponentially(sim):
    slept = []
    client = make_client(sim, sleep=slept.append, backoff_base=1.0)
    sim.fault(method='GET', path='^/vendors$', times=3, action='status', status=429)
    client.request('GET', '/vendors')
    assert len(slept) == 3
    for attempt, seconds in enumerate(slept):
        assert 0.5 * 2 ** attempt <= seconds <= 2 ** attempt


def test_requests_pace_themselves_by_the_rate_limit_headers_instead_of_running_into_429(sim):
    # ratelimit-remaining says when the window is nearly used up: the client waits for ratelimit-reset.
    sim.rate_limit(8, window_seconds=1)
    client = make_client(sim)
    for dummy in range(12):
        client.get('/vendors/PAM4FGS')
    statuses = [r['status'] for r in sim.requests()]
    assert statuses == [200] * 12
    report = client.rate_limit_report()[0]
    assert report['requests'] == 0 and report['seconds_waited'] > 0


class FakeClock:
    """A clock that only sleeps move; each sleep is noted."""

    def __init__(self, now=100.0):
        self.now, self.slept = now, []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


def answer_with_rate_limit_headers(sim, status, remaining, reset):
    body = {'vendors': [], 'limit': 25, 'offset': 0, 'more': False} if status == 200 else None
    sim.fault(method='GET', path='^/vendors$', action='status', status=status, body=body,
              headers={'ratelimit-limit': '32', 'ratelimit-remaining': str(remaining), 'ratelimit-reset': str(reset)})


@pytest.mark.parametrize('status', [200, 429])
def test_the_window_end_is_narrowed_down_from_whole_second_resets(sim, status):
    # ratelimit-reset counts whole seconds, rounded up: answers at two moments of one window place its end
    # closer than either, and a client that must wait for the reset waits only until then.
    clock = FakeClock()
    client = make_client(sim, clock=clock, sleep=clock.sleep)
    answer_with_rate_limit_headers(sim, 200, 20, 2)
    client.get('/vendors')  # at 100.0: the window ends in (101.0, 102.0]
    clock.now = 100.7
    answer_with_rate_limit_headers(sim, 200, 10, 1)
    client.get('/vendors')  # at 100.7: in (100.7, 101.7]
    clock.now = 100.8
    answer_with_rate_limit_headers(sim, status, 0, 1)  # used up: "1 s", which is at most 0.9 s
    client.get('/vendors')
    if status == 200:
        client.get('/vendors/PAM4FGS')  # paced: held until the window's end
    assert len(clock.slept) == 1 and 0.9 <= clock.slept[0] <= 0.95, clock.slept
    assert [r['status'] for r in sim.requests()] == [200, 200, status, 200]


def test_a_window_end_already_past_is_not_used_for_the_next_window(sim):
    clock = FakeClock()
    client = make_client(sim, clock=clock, sleep=clock.sleep)
    answer_with_rate_limit_headers(sim, 200, 20, 1)
    client.get('/vendors')  # the window ends by 101.0
    clock.now = 101.5  # a new window: its answers say afresh when it ends
    answer_with_rate_limit_headers(sim, 200, 2, 2)
    client.get('/vendors')
    client.get('/vendors/PAM4FGS')
    assert clock.slept == [2.0]


def test_a_write_answered_with_warnings_keeps_them_for_the_task(sim, client):
    # PagerDuty takes a write that uses a feature the plan lacks with 200 and `warnings` (API changelog 2023-04-11).
    warnings = [{'feature': 'dynamic_route_to', 'feature_type': 'actions', 'rule_id': '763110d0',
                 'message': 'This rule uses Dynamic Routing, which is an action not available on your account plan.',
                 'warning_type': 'forbidden_feature'},
                {'message': 'x' * 1000}, 'not an object', {'message': 12}]
    sim.fault(method='PUT', path='/router$', action='status', status=200,
              body={'orchestration_path': {'type': 'router'}, 'warnings': warnings})
    client.put('/event_orchestrations/E1/router', {'orchestration_path': {}}, envelope='orchestration_path')
    assert client.warnings[0] == ('PagerDuty took PUT /event_orchestrations/E1/router with a warning: This rule uses '
                                  'Dynamic Routing, which is an action not available on your account plan. (rule 763110d0)')
    assert len(client.warnings) == 4 and all(len(w) < 500 for w in client.warnings)
    assert client.warnings[2].endswith('with a warning: not an object')
    assert client.warnings[3].endswith('with a warning: a JSON object: {"message": 12}'), client.warnings


@pytest.mark.parametrize('status', [500, 502, 503, 504, 408])
def test_server_errors_are_retried_for_reads(sim, client, status):
    sim.fault(method='GET', path='^/vendors/', times=2, action='status', status=status)
    assert client.get('/vendors/PAM4FGS')['vendor']['name'] == 'Datadog'
    assert [r['status'] for r in sim.requests()] == [status, status, 200]


@pytest.mark.parametrize('status', [500, 503])
def test_server_error_on_post_is_not_replayed_and_is_ambiguous(sim, client, status):
    sim.fault(method='POST', path='^/services$', times=1, action='status', status=status)
    with pytest.raises(PagerDutyError) as caught:
        client.post('/services', service_body())
    assert caught.value.ambiguous
    assert len(sim.requests()) == 1


def test_dropped_connection_on_read_is_retried(sim, client):
    sim.fault(method='GET', path='^/vendors/', times=1, action='drop')
    assert client.get('/vendors/PAM4FGS')['vendor']['id'] == 'PAM4FGS'
    assert len(sim.requests()) == 2


def test_post_that_commits_then_drops_is_ambiguous_and_not_replayed(sim, client):
    sim.fault(method='POST', path='^/services$', times=1, action='commit_then_drop')
    with pytest.raises(PagerDutyError) as caught:
        client.post('/services', service_body())
    assert caught.value.ambiguous and caught.value.status is None
    assert len(sim.requests()) == 1
    assert len(sim.state()['services']) == 1  # it was created: the caller must re-read, not re-send


def test_slow_response_times_out_and_read_is_retried(sim):
    client = make_client(sim, timeout=1)
    sim.fault(method='GET', path='^/vendors/', times=1, action='delay', seconds=2)
    assert client.get('/vendors/PAM4FGS')['vendor']['id'] == 'PAM4FGS'
    assert len(sim.requests()) == 2


def test_put_that_commits_then_drops_is_safely_replayed(sim, client):
    service = client.post('/services', service_body())['service']
    sim.fault(method='PUT', path='^/services/', times=1, action='commit_then_drop')
    client.put('/services/%s' % service['id'], {'service': {'description': 'new'}})
    assert [r['method'] for r in sim.requests()] == ['POST', 'PUT', 'PUT']
    assert sim.state()['services'][0]['description'] == 'new'


def test_retry_count_is_bounded(sim):
    client = make_client(sim, retries=2)
    sim.fault(method='GET', path='^/vendors/', times=10, action='status', status=503)
    with pytest.raises(PagerDutyError) as caught:
        client.get('/vendors/PAM4FGS')
    assert 'gave up retrying: no retries left (retries=2)' in str(caught.value)
    assert len(sim.requests()) == 3


def test_wait_longer_than_retry_timeout_fails_at_once(sim):
    slept = []
    client = make_client(sim, retry_timeout=10, sleep=slept.append)
    sim.fault(method='GET', path='^/vendors$', times=1, action='status', status=429, headers={'ratelimit-reset': '60'})
    with pytest.raises(PagerDutyError) as caught:
        client.request('GET', '/vendors')
    assert caught.value.status == 429
    assert 'would exceed retry_timeout=10' in str(caught.value)
    assert slept == []


def test_a_rate_limit_wait_refused_by_the_budget_holds_no_other_thread(sim):
    """The catalogue's parallel writes share a client: a reset the task will not wait for stops nobody."""
    slept = []
    client = make_client(sim, retry_timeout=10, sleep=slept.append)
    sim.fault(method='GET', path='^/vendors$', times=1, action='status', status=429, headers={'ratelimit-reset': '60'})
    with pytest.raises(PagerDutyError):
        client.request('GET', '/vendors')
    answers = []
    other = threading.Thread(target=lambda: answers.append(client.request('GET', '/vendors')[0]))
    other.start()
    other.join()
    assert answers == [200] and slept == []


def test_client_errors_are_never_retried(sim, client):
    sim.fault(method='GET', path='^/vendors/', times=1, action='status', status=400)
    with pytest.raises(PagerDutyError):
        client.get('/vendors/PAM4FGS')
    assert len(sim.requests()) == 1


def test_refused_connection_fails_fast_with_the_url():
    client = PagerDutyClient('t', api_url='http://127.0.0.1:9', backoff_base=0.01)
    with pytest.raises(PagerDutyError) as caught:
        client.get('/vendors')
    assert 'connection to http://127.0.0.1:9 failed: nothing listens there (connection refused)' in str(caught.value)
    assert 'api_url (or region)' in str(caught.value)
    assert client.request_count == 1


# -- pagination ----------------------------------------------------------------------------------

def test_paginate_reads_every_page_at_100(sim, client):
    vendors = list(client.paginate('/vendors', 'vendors'))
    pages = sim.requests()
    assert len(vendors) == len({v['id'] for v in vendors}) > 300
    assert len(pages) == -(-len(vendors) // 100)
    assert all(p['query']['limit'] == ['100'] for p in pages)
    assert [p['query']['offset'] for p in pages] == [[str(100 * i)] for i in range(len(pages))]


def test_paginate_stops_at_the_offset_cap_and_says_so(sim, client):
    sim.seed(vendors={'count': 10100})
    vendors = list(client.paginate('/vendors', 'vendors'))
    assert len(vendors) == 10000
    assert all(int(r['query']['offset'][0]) + 100 <= 10000 for r in sim.requests())
    assert client.last_listing_truncated
    assert 'at most 10000 results' in client.warnings[0]


# -- lookups -------------------------------------------------------------------------------------

def test_find_by_name_is_exact_and_narrowed_by_the_server(sim, client):
    assert [v['name'] for v in Lookups.of(client).find_by_name('vendors', 'sentry', case_sensitive=False)] == ['Sentry']
    assert sim.requests()[0]['query']['query'] == ['sentry']
    assert Lookups.of(client).find_by_name('vendors', 'Events API v2', case_sensitive=False) == []


def test_resolve_by_name_and_by_id(sim, client):
    assert Lookups.of(client).resolve('escalation_policies', 'Platform On-Call', 'escalation_policy', 'escalation_policy')['id'] == 'PPLATEP'
    assert Lookups.of(client).resolve('escalation_policies', 'PPLATEP', 'escalation_policy', 'escalation_policy')['name'] == 'Platform On-Call'
    assert Lookups.of(client).resolve('vendors', 'PAM4FGS', 'vendor', 'vendor')['name'] == 'Datadog'


def test_resolve_names_zero_and_several_matches_distinctly(client):
    with pytest.raises(PagerDutyError) as none:
        Lookups.of(client).resolve('escalation_policies', 'Nobody', 'escalation_policy', 'escalation_policy')
    assert str(none.value) == "escalation_policy: no escalation policy is named or identified by 'Nobody'"
    with pytest.raises(PagerDutyError) as several:
        Lookups.of(client).resolve('vendors', 'live call routing', 'vendor', 'vendor', case_sensitive=False)
    assert "vendor: 2 vendors are named 'live call routing'" in str(several.value)
    assert "'Live Call Routing' (PLCR001), 'Live Call Routing' (PLCR002)" in str(several.value)
    assert [c['id'] for c in several.value.candidates] == ['PLCR001', 'PLCR002']


def test_not_found_suggests_other_case_and_near_spellings(client):
    with pytest.raises(PagerDutyError) as typo:
        Lookups.of(client).resolve('escalation_policies', 'Payments Oncall', 'escalation_policy', 'escalation_policy')
    assert str(typo.value) == ("escalation_policy: no escalation policy is named or identified by 'Payments Oncall'; "
                               "did you mean 'Payments On-Call' (PPAYEP1, team Payments)?")
    with pytest.raises(PagerDutyError) as case:
        Lookups.of(client).resolve('escalation_policies', 'platform on-call', 'escalation_policy', 'escalation_policy')
    assert "did you mean 'Platform On-Call' (PPLATEP, team Platform)?" in str(case.value)


def test_plural_of_policy_is_policies(sim, client):
    sim.seed(escalation_policies=[{'name': 'Twin'}, {'name': 'Twin'}])
    with pytest.raises(PagerDutyError) as several:
        Lookups.of(client).resolve('escalation_policies', 'Twin', 'escalation_policy', 'escalation_policy')
    assert '2 escalation policies are named' in str(several.value)


def test_id_shaped_name_answered_with_400_falls_back_to_the_name(sim, client):
    sim.settings(malformed_id_status=400)
    sim.seed(escalation_policies=[{'name': 'PAYMENTS1'}])
    assert Lookups.of(client).resolve('escalation_policies', 'PAYMENTS1', 'escalation_policy', 'escalation_policy')['name'] == 'PAYMENTS1'
    assert [r['status'] for r in sim.requests()] == [400, 200]


def test_loop_items_share_one_kept_alive_connection(sim):
    from ansible_collections.oncall.pagerduty.plugins.module_utils._client import CONNECTIONS

    CONNECTIONS.clear()
    opened = CONNECTIONS.opened
    for dummy in range(5):
        make_client(sim).get('/vendors/PAM4FGS')
    assert CONNECTIONS.opened == opened + 1


def test_rate_limits_do_not_use_up_the_retries_only_the_time(sim):
    slept = []
    clock = [0.0]
    client = make_client(sim, retries=2, sleep=lambda seconds: (slept.append(seconds), clock.__setitem__(0, clock[0] + seconds)),
                         clock=lambda: clock[0])
    sim.fault(method='GET', path='^/vendors/', times=6, action='status', status=429, headers={'ratelimit-reset': '1'},
              body={'error': {'code': 2020, 'message': 'Rate Limit Exceeded'}})
    assert client.get('/vendors/PAM4FGS')['vendor']['name'] == 'Datadog'
    assert len(slept) == 6 and client.rate_limit_report()[0] == {'requests': 6, 'seconds_waited': round(sum(slept), 1)}


def test_close_emails_are_ranked_by_local_part_and_domain_apart():
    users = [{'id': i, 'email': e} for i, e in enumerate(
        ['grace@example.com', 'bob@example.com', 'grace@other.org', 'ada@example.com', 'grace.h@example.com'])]
    # A misspelt local part: the same domain alone is no likeness (bob, ada).
    assert [u['email'] for u in rank_close_emails('grase@example.com', users)] == ['grace@example.com',
                                                                                   'grace.h@example.com']
    # A misspelt domain: the same local part, a close domain.
    assert [u['email'] for u in rank_close_emails('ada@exmaple.com', users)] == ['ada@example.com']
    assert rank_close_emails('nobody@example.com', users) == []
