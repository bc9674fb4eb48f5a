"""The simulator's request journal (SIM_REQUEST_JOURNAL) and tests/tools/check_requests.py, which checks the
collection's requests in it against the request schemas the APIs publish."""

import importlib.util
import json
import os
import threading

import pytest
import requests

import api_descriptions
import check_requests
from tests.simulator import DEFAULT_TOKEN, SimulatorServer
from tests.simulator.datadog import DEFAULT_API_KEY, DEFAULT_APP_KEY
from tests.simulator.server import JOURNAL_VARIABLE

CHECKABLE = importlib.util.find_spec('openapi_core') is not None and all(
    map(os.path.exists, (api_descriptions.SPEC_PATH, api_descriptions.EVENTS_SPEC_PATH, api_descriptions.DATADOG_SPEC_PATH)))
needs_descriptions = pytest.mark.skipif(not CHECKABLE, reason="openapi-core, or the APIs' descriptions beside the repository, missing")

OURS = {'accept': 'application/vnd.pagerduty+json;version=2', 'authorization': 'Token token=<redacted>',
        'content-type': 'application/json', 'user-agent': 'oncall.pagerduty/0.0.0'}
SERVICE = {'type': 'service', 'name': 'web', 'escalation_policy': {'id': 'PDEFEP1', 'type': 'escalation_policy_reference'}}


@pytest.fixture
def journaled(tmp_path, monkeypatch):
    """A simulator started with SIM_REQUEST_JOURNAL set, and a function that reads the journal's lines."""
    journal = tmp_path / 'journal.jsonl'
    monkeypatch.setenv(JOURNAL_VARIABLE, str(journal))
    server = SimulatorServer().start()
    yield server, lambda: [json.loads(line) for line in journal.read_text().splitlines()]
    server.stop()


def pagerduty(server, method, path, body=None, **query):
    headers = {'Authorization': 'Token token=%s' % DEFAULT_TOKEN, 'Accept': 'application/vnd.pagerduty+json;version=2',
               'User-Agent': 'oncall.pagerduty/0.0.0'}
    return requests.request(method, server.url + path, json=body, params=query, headers=headers, timeout=10)


def test_each_api_request_is_one_line_with_its_query_body_and_headers_but_no_control_call(journaled):
    server, lines = journaled
    requests.post(server.url + '/_sim/reset', timeout=10)
    pagerduty(server, 'GET', '/services', **{'include[]': ['teams', 'integrations'], 'limit': 100})
    pagerduty(server, 'POST', '/services', {'service': dict(SERVICE, acknowledgement_timeout=None)})
    requests.get(server.url + '/_sim/requests', timeout=10)
    listed, created = lines()
    assert listed['method'] == 'GET' and listed['path'] == '/services'
    assert listed['query'] == {'include[]': ['teams', 'integrations'], 'limit': ['100']}
    assert listed['body'] is None
    assert created['body'] == {'service': dict(SERVICE, acknowledgement_timeout=None)}
    assert created['headers'] == dict(OURS, **{'user-agent': 'oncall.pagerduty/0.0.0'})
    # The test that sent them, when the simulator runs in the tests' process.
    assert created['test'].startswith('tests/unit/test_request_journal.py::')


def test_credentials_and_keys_are_redacted_with_values_of_their_type(journaled):
    server, lines = journaled
    pagerduty(server, 'POST', '/v2/enqueue', {'routing_key': 'R0UT1NGKEY', 'event_action': 'trigger'})
    requests.post(server.url + '/api/v1/integration/pagerduty/configuration/services',
                  json={'service_name': 'web', 'service_key': 12345},
                  headers={'DD-API-KEY': DEFAULT_API_KEY, 'DD-APPLICATION-KEY': DEFAULT_APP_KEY}, timeout=10)
    requests.post(server.url + '/services', data='not json', headers={'Authorization': 'Bearer SECRET'}, timeout=10)
    event, datadog, unparsed = lines()
    assert event['body'] == {'routing_key': '<redacted>', 'event_action': 'trigger'}
    assert datadog['body'] == {'service_name': 'web', 'service_key': 0}
    assert datadog['headers']['dd-api-key'] == datadog['headers']['dd-application-key'] == '<redacted>'
    assert unparsed['headers']['authorization'] == '<redacted>' and 'body' not in unparsed
    assert unparsed['unparsed_body_bytes'] == len('not json')
    text = json.dumps(lines())
    for secret in (DEFAULT_TOKEN, 'R0UT1NGKEY', DEFAULT_API_KEY, DEFAULT_APP_KEY, 'SECRET', 'not json'):
        assert secret not in text


def test_simulators_and_threads_sharing_a_journal_write_whole_lines(tmp_path):
    journal = tmp_path / 'journal.jsonl'
    servers = [SimulatorServer(journal_path=str(journal)).start() for dummy in range(2)]
    long_name = 'x' * 20000  # far above the size a pipe writes at once

    def send(server):
        for dummy in range(25):
            pagerduty(server, 'GET', '/services', name=long_name)

    threads = [threading.Thread(target=send, args=(server,)) for server in servers for dummy in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for server in servers:
        server.stop()
    entries = [json.loads(line) for line in journal.read_text().splitlines()]
    assert len(entries) == 200 and all(e['query']['name'] == [long_name] for e in entries)


# -- the check -----------------------------------------------------------------------------------------


def run_check(tmp_path, capsys, *entries):
    journal = tmp_path / 'journal.jsonl'
    journal.write_text(''.join(json.dumps(e) + '\n' for e in entries))
    status = check_requests.main([str(journal), '--report', str(tmp_path / 'report.txt')])
    return status, capsys.readouterr().out


def request(method, path, body=None, headers=None, **query):
    return {'method': method, 'path': path, 'query': {k: v if isinstance(v, list) else [v] for k, v in query.items()},
            'headers': OURS if headers is None else headers, 'body': body}


@needs_descriptions
def test_requests_that_follow_their_schemas_pass_and_the_report_lists_what_was_sent_and_not(tmp_path, capsys):
    status, out = run_check(tmp_path, capsys,
                            request('GET', '/services', **{'include[]': ['teams', 'integrations'], 'limit': '100'}),
                            request('POST', '/services', {'service': SERVICE}),
                            request('POST', '/v2/enqueue', {'routing_key': '<redacted>', 'event_action': 'trigger'},
                                    headers={'content-type': 'application/json', 'user-agent': OURS['user-agent']}))
    assert status == 0, out
    assert 'Every request follows its published schema.' in out
    assert 'pagerduty GET /services ' in out and 'events    POST /enqueue ' in out
    unsent = out.split('Operations never sent, of the path families the collection uses')[1]
    assert 'pagerduty DELETE /services/{id}\n' in unsent and 'POST /change/enqueue' in unsent
    assert '/incidents' not in unsent  # a family the collection did not use: in the report file only
    assert 'GET /incidents\n' in (tmp_path / 'report.txt').read_text()


@needs_descriptions
@pytest.mark.parametrize('entry, rule, detail', [
    (request('POST', '/services', {'service': dict(SERVICE, alert_grouping_parameters={'type': 'time', 'config': {'timeout': 5000}})}),
     'service/alert_grouping_parameters', 'is not valid under any of the given schemas'),
    (request('POST', '/services', {'service': {'type': 'service', 'name': 'web'}}), 'service', "'escalation_policy' is a required property"),
    (request('POST', '/services', {'service': dict(SERVICE, name=5)}), 'service/name', "5 is not of type 'string'"),
    (request('POST', '/services', {'service': dict(SERVICE, status='paused')}), 'service/status', "'paused' is not one of"),
    (request('POST', '/services', {'service': dict(SERVICE, created_at='2025-01-01T00:00:00Z')}), 'service/created_at',
     'read-only'),
    (request('GET', '/services', sort_by='nonsense'), 'query parameter sort_by', "'nonsense' is not one of"),
    (request('GET', '/services', colour='blue'), 'query', "query parameter 'colour' is not declared"),
    (request('GET', '/services', headers=dict(OURS, **{'content-type': 'text/plain'})), 'header parameter Content-Type',
     "'text/plain' is not one of ['application/json']"),
    (request('GET', '/services/P1/nonsense'), 'operation', 'no operation GET /services/P1/nonsense'),
    (request('PATCH', '/services/P1'), 'operation', 'no operation PATCH'),
    (request('POST', '/v2/enqueue', {'routing_key': '<redacted>', 'event_action': 'page'},
             headers={'content-type': 'application/json', 'user-agent': OURS['user-agent']}), 'event_action', "'page' is not one of"),
    (request('POST', '/api/v1/integration/pagerduty/configuration/services', {'service_name': 'web'},
             headers={'content-type': 'application/json', 'user-agent': OURS['user-agent'], 'dd-api-key': '<redacted>',
                      'dd-application-key': '<redacted>'}), '(top)', "'service_key' is a required property"),
])
def test_a_request_that_breaks_its_schema_fails_the_check_naming_operation_and_rule(tmp_path, capsys, entry, rule, detail):
    status, out = run_check(tmp_path, capsys, entry)
    assert status == 1
    failed = out.split('FAILED: 1 distinct failures')[1]
    assert rule in failed and detail in failed, out


@needs_descriptions
def test_only_the_collections_requests_are_checked(tmp_path, capsys):
    """The tests' own calls (another User-Agent) may be wrong on purpose, to see how the simulator answers."""
    status, out = run_check(tmp_path, capsys, request('POST', '/services', {'service': {}}),
                            request('POST', '/services', {'service': {}}, headers=dict(OURS, **{'user-agent': 'python-requests/2'})))
    assert status == 1 and '[1 requests]' in out and '1 requests of the tests themselves not checked' in out


@needs_descriptions
def test_an_update_of_one_resource_needs_only_the_fields_it_changes_but_a_create_needs_them_all(tmp_path, capsys):
    """developer-docs REST-API/05-Endpoints.md: "Not all required fields for the resource must be specified"."""
    assert run_check(tmp_path, capsys, request('PUT', '/services/P1', {'service': {'description': 'new'}}))[0] == 0
    status, out = run_check(tmp_path, capsys, request('PUT', '/services/P1', {}))
    assert status == 1 and "'service' is a required property" in out
    assert run_check(tmp_path, capsys, request('POST', '/services', {'service': {'description': 'new'}}))[0] == 1


@needs_descriptions
@pytest.mark.parametrize('path, method', [('/services', 'post'), ('/services/{id}', 'put'),
                                          ('/services/{id}/custom_fields/values', 'put')])
def test_the_descriptions_own_request_examples_pass(tmp_path, capsys, path, method):
    """Each adjustment of real_api_description (readOnly references and days_of_week, the grouping config, custom
    field values) is where the description refuses what its own request examples send."""
    content = api_descriptions.real_api_description('http://x')['paths'][path][method]['requestBody']['content']
    examples = [e['value'] for e in content['application/json']['examples'].values()]
    entries = [request(method.upper(), path.replace('{id}', 'P1'), example) for example in examples]
    status, out = run_check(tmp_path, capsys, *entries)
    assert status == 0, out


EMAIL = {'type': 'generic_email_inbound_integration', 'name': 'Mail', 'integration_email': 'a@acme.pagerduty.com'}


def parser(predicate):
    return {'integration': dict(EMAIL, email_parsers=[{'action': 'trigger', 'match_predicate': predicate}])}


@needs_descriptions
@pytest.mark.parametrize('entry, passes', [
    # terraform-provider-pagerduty issue #675: GET /vendors?query=Github
    (request('GET', '/vendors', query='Datadog', limit='100'), True),
    # a predicate as terraform-provider-pagerduty writes it: no `part` when combining, no `children` when matching
    (request('POST', '/services/P1/integrations', parser(
        {'type': 'any', 'children': [{'type': 'contains', 'matcher': 'DOWN', 'part': 'subject'}]})), True),
    (request('POST', '/services/P1/integrations', parser({'type': 'any', 'children': []})), False),
    (request('POST', '/services/P1/integrations', parser(
        {'type': 'any', 'children': [{'type': 'contains', 'matcher': 'DOWN'}]})), False),
    # rule ids written back, as terraform-provider-pagerduty does since PR #512
    (request('PUT', '/event_orchestrations/E1/router', {'orchestration_path': {
        'sets': [{'id': 'start', 'rules': [{'id': '1421f300', 'label': 'DB', 'conditions': [], 'actions': {'route_to': 'P1'}}]}],
        'catch_all': {'actions': {'route_to': 'unrouted'}}}}), True),
])
def test_where_the_real_api_differs_from_its_description_the_check_follows_the_real_api(tmp_path, capsys, entry, passes):
    status, out = run_check(tmp_path, capsys, entry)
    assert status == (0 if passes else 1), out


@needs_descriptions
def test_a_request_under_a_wrong_base_path_is_checked_as_the_operation_the_rest_names(tmp_path, capsys):
    status, out = run_check(tmp_path, capsys, request('GET', '/wrongpath/services', colour='blue'))
    assert status == 1 and "Sent under a base path that is not the API's" in out and '/wrongpath (1)' in out
    assert 'pagerduty GET /services  [1 requests]' in out and "'colour' is not declared" in out


def test_without_the_descriptions_the_check_skips_and_without_a_journal_it_fails(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(check_requests, 'SPEC_PATH', str(tmp_path / 'absent.json'))
    status, out = run_check(tmp_path, capsys, request('POST', '/services', {}))
    assert status == 0 and out.startswith('SKIPPED: API descriptions not beside the repository')
    monkeypatch.undo()
    if CHECKABLE:
        status = check_requests.main([str(tmp_path / 'no-journal.jsonl')])
        assert status == 1 and 'No request journal at' in capsys.readouterr().out
