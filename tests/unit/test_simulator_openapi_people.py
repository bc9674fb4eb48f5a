"""The simulator's people family (users, schedules, teams, escalation policies) checked against PagerDuty's
own OpenAPI description, with the `check` fixture of tests/unit/conftest.py.

Where the real API answers with a status the description does not list, the description is extended
here, at one place, saying why (see tests/simulator/README.md for the sources).
"""

import pytest

from tests.unit.conftest import SPEC_AVAILABLE, real_api_description

pytestmark = pytest.mark.skipif(not SPEC_AVAILABLE, reason='PagerDuty OpenAPI description not beside the repository')

# (path, method): the 400 the real API answers that the description leaves out.
UNLISTED_REFUSALS = [
    # "Team has existing associations" (code 6006): terraform-provider-pagerduty PR #129 and issue #358.
    ('/teams/{id}', 'delete'),
    # Validation errors of an update (a name already taken), as every other write of the API has.
    ('/teams/{id}', 'put'),
    ('/escalation_policies/{id}', 'put'),
    # The description itself says the policy "must not be in use by any services"; the refusal is a 400.
    ('/escalation_policies/{id}', 'delete'),
]


@pytest.fixture(scope='module')
def openapi(simulator_server):
    """The description of tests/unit/conftest.py, with the refusals above, a 404 for deleting an unknown team,
    and a policy's teams expanded by include[]=teams (as conftest.py allows for a service's)."""
    pytest.importorskip('openapi_core')
    from openapi_core import Config, OpenAPI

    spec = real_api_description(simulator_server.url)
    policy = spec['components']['schemas']['EscalationPolicy']['allOf'][1]['properties']
    policy['teams']['items'] = {'anyOf': [{'$ref': '#/components/schemas/TeamReference'},
                                          {'$ref': '#/components/schemas/Team'}]}
    for path, method in UNLISTED_REFUSALS:
        spec['paths'][path][method]['responses']['400'] = {'$ref': '#/components/responses/ArgumentError'}
    spec['paths']['/teams/{id}']['delete']['responses']['404'] = {'$ref': '#/components/responses/NotFound'}
    return OpenAPI.from_dict(spec, config=Config(spec_validator_cls=None))


def policy_body(name, team=None, **fields):
    body = {'type': 'escalation_policy', 'name': name, 'escalation_rules': [
        {'escalation_delay_in_minutes': 10, 'targets': [{'id': 'PUSR001', 'type': 'user_reference'},
                                                        {'id': 'PSCHED1', 'type': 'schedule_reference'}]}]}
    if team:
        body['teams'] = [{'id': team, 'type': 'team_reference'}]
    body.update(fields)
    return {'escalation_policy': body}


def test_user_reads(check):
    users = check('GET', '/users', query='example.com').json()['users']
    assert len(users) == 4 and all(u['email'].endswith('@example.com') for u in users)
    assert check('GET', '/users/PUSR001').json()['user']['email'] == 'ada@example.com'
    assert check('GET', '/users/PNOUSER').status_code == 404


def test_schedule_reads(check):
    listing = check('GET', '/schedules', query='weekend', **{'team_ids[]': 'PTEAM01'}).json()['schedules']
    assert [s['id'] for s in listing] == ['PSCHED6']
    assert check('GET', '/schedules', **{'include[]': 'schedule_layers'}).json()['schedules'][0]['schedule_layers']
    schedule = check('GET', '/schedules/PSCHED1').json()['schedule']
    assert [u['id'] for u in schedule['users']] == ['PUSR002', 'PUSR003']
    assert check('GET', '/schedules/PNOSCHED').status_code == 404


def test_team_lifecycle(check):
    created = check('POST', '/teams', {'team': {'type': 'team', 'name': 'Checked', 'description': 'd'}})
    assert created.status_code == 201
    team_id = created.json()['team']['id']
    assert check('GET', '/teams', query='check').json()['teams'][0]['id'] == team_id
    assert check('GET', '/teams/' + team_id).json()['team']['description'] == 'd'
    assert check('PUT', '/teams/' + team_id, {'team': {'type': 'team', 'name': 'Checked again'}}).json()['team']['name'] \
        == 'Checked again'
    assert check('DELETE', '/teams/' + team_id).status_code == 204
    assert check('GET', '/teams/' + team_id).status_code == 404
    assert check('DELETE', '/teams/' + team_id).status_code == 404


def test_team_refusals(check):
    assert check('POST', '/teams', {'team': {'type': 'team', 'name': 'Platform'}}).status_code == 400
    check('POST', '/teams', {'team': {'type': 'team', 'name': 'Other'}})
    assert check('PUT', '/teams/PTEAM02', {'team': {'type': 'team', 'name': 'Other'}}).status_code == 400
    refused = check('DELETE', '/teams/PTEAM01')
    assert refused.status_code == 400 and refused.json()['error']['code'] == 6006


def test_escalation_policy_lifecycle(check):
    created = check('POST', '/escalation_policies', policy_body('Checked', 'PTEAM01', num_loops=2))
    assert created.status_code == 201
    policy_id = created.json()['escalation_policy']['id']
    assert check('GET', '/escalation_policies', query='checked', **{'include[]': 'targets'}).json()['escalation_policies']
    assert check('GET', '/escalation_policies', **{'team_ids[]': 'PTEAM01', 'user_ids[]': 'PUSR001'}).status_code == 200
    full = check('GET', '/escalation_policies/' + policy_id, **{'include[]': 'targets'}).json()['escalation_policy']
    assert [t['type'] for t in full['escalation_rules'][0]['targets']] == ['user', 'schedule']
    check('GET', '/escalation_policies/' + policy_id, **{'include[]': 'teams'})
    updated = check('PUT', '/escalation_policies/' + policy_id, {'escalation_policy': {
        'type': 'escalation_policy', 'description': 'checked', 'teams': [],
        'on_call_handoff_notifications': 'always'}}).json()['escalation_policy']
    assert updated['teams'] == [] and updated['description'] == 'checked'
    assert check('DELETE', '/escalation_policies/' + policy_id).status_code == 204
    assert check('GET', '/escalation_policies/' + policy_id).status_code == 404


def test_escalation_policy_refusals(check, sim):
    assert check('POST', '/escalation_policies', policy_body('Default')).status_code == 400
    two_teams = policy_body('Two teams', teams=[{'id': 'PTEAM01', 'type': 'team_reference'},
                                                {'id': 'PTEAM02', 'type': 'team_reference'}])
    assert check('POST', '/escalation_policies', two_teams).status_code == 400
    assert check('PUT', '/escalation_policies/PPAYEP1', policy_body('Default')).status_code == 400
    sim.seed(services=[{'name': 'uses payments', 'escalation_policy': 'PPAYEP1'}])
    refused = check('DELETE', '/escalation_policies/PPAYEP1')
    assert refused.status_code == 400 and 'uses payments' in str(refused.json()['error']['errors'])
    policy = check('GET', '/escalation_policies/PPAYEP1').json()['escalation_policy']
    assert [s['summary'] for s in policy['services']] == ['uses payments']
