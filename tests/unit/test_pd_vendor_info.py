"""pd_vendor_info run in-process against the simulator."""

import pytest

from ansible_collections.oncall.pagerduty.plugins.modules import pd_vendor_info


def names(result):
    return [v['name'] for v in result['vendors']]


def test_exact_name_ignores_case_and_costs_one_request(sim, run_module):
    result = run_module(pd_vendor_info, name='datadog')
    assert not result['changed']
    assert names(result) == ['Datadog']
    assert result['vendors'][0]['generic_service_type'] == 'events_api_v2'
    assert result['vendors'][0]['id'] == 'PAM4FGS'
    assert len(sim.requests()) == 1


@pytest.mark.parametrize('name, expected', [
    ('Sentry', ['Sentry']),              # not IPSentry
    ('Events API v2', []),               # a type, not a vendor; not the PRTG vendor
    ('Live Call Routing', ['Live Call Routing', 'Live Call Routing']),  # both duplicates
    ('Amazon CloudWatch', ['Amazon CloudWatch']),
])
def test_exact_name_matches_whole_names_only(run_module, name, expected):
    assert names(run_module(pd_vendor_info, name=name)) == expected


def test_query_returns_every_vendor_containing_it(run_module):
    assert names(run_module(pd_vendor_info, query='sentry')) == ['IPSentry', 'Sentry']


def test_id_reads_one_vendor_and_unknown_id_returns_none(sim, run_module):
    assert names(run_module(pd_vendor_info, id='PZQ6AUS')) == ['Amazon CloudWatch']
    assert run_module(pd_vendor_info, id='PNOSUCH')['vendors'] == []


def test_no_filter_lists_the_whole_catalogue(sim, run_module):
    result = run_module(pd_vendor_info)
    total = len(result['vendors'])
    assert total > 300 and len({v['id'] for v in result['vendors']}) == total
    assert len(sim.requests()) == -(-total // 100)


def test_check_mode_reads_and_writes_nothing(sim, run_module):
    result = run_module(pd_vendor_info, check_mode=True, name='Postman')
    assert names(result) == ['Postman']
    assert all(r['method'] == 'GET' for r in sim.requests())


def test_token_from_environment(sim, run_module, monkeypatch):
    monkeypatch.setenv('PAGERDUTY_TOKEN', sim.token)
    assert names(run_module(pd_vendor_info, api_token=None, name='Nagios')) == ['Nagios']


def test_rejected_token_gets_an_actionable_message(sim, run_module):
    result = run_module(pd_vendor_info, api_token='not-a-token', name='Datadog')
    assert result['failed']
    assert result['msg'].startswith('could not look up vendors: the API token was rejected')
    assert result['status'] == 401
    assert 'not-a-token' not in str(result)


def test_read_only_token_is_enough(sim, run_module):
    assert names(run_module(pd_vendor_info, api_token=sim.readonly_token, name='Splunk')) == ['Splunk']


def test_rate_limited_lookup_still_succeeds(sim, run_module):
    sim.fault(method='GET', path='^/vendors$', times=1, action='status', status=429, headers={'ratelimit-reset': '1'})
    assert names(run_module(pd_vendor_info, name='Datadog')) == ['Datadog']
    assert [r['status'] for r in sim.requests()] == [429, 200]
