"""The simulator's users and team memberships (POST, PUT, DELETE /users; /teams/{id}/members and
/teams/{id}/users/{user_id}) checked against PagerDuty's OpenAPI description with the `check` fixture of
tests/unit/conftest.py, and their behaviours: unique emails whatever their case, the refusals PagerDuty answers,
membership roles kept in step with the users' `teams`, and reads that lag writes.

Where the real API answers with something the description does not list, the description is extended in the
`openapi` fixture below, saying why (tests/simulator/README.md, people section, has the sources).
"""

import pytest

from tests.unit.conftest import SPEC_AVAILABLE, real_api_description

pytestmark = pytest.mark.skipif(not SPEC_AVAILABLE, reason='PagerDuty OpenAPI description not beside the repository')


@pytest.fixture(scope='module')
def openapi(simulator_server):
    """The description of tests/unit/conftest.py, with: the 400 of DELETE /users/{id}, which its own description
    announces ("Returns 400 if the user has assigned incidents") but its responses leave out; a user's teams
    expanded by include[]=teams and a member's user by include[]=users (the include[] enums of both endpoints)."""
    pytest.importorskip('openapi_core')
    from openapi_core import Config, OpenAPI

    spec = real_api_description(simulator_server.url)
    schemas = spec['components']['schemas']
    user = schemas['User']['allOf'][1]['properties']
    user['teams']['items'] = {'anyOf': [{'$ref': '#/components/schemas/TeamReference'},
                                        {'$ref': '#/components/schemas/Team'}]}
    spec['paths']['/users/{id}']['delete']['responses']['400'] = {'$ref': '#/components/responses/ArgumentError'}
    members = spec['paths']['/teams/{id}/members']['get']['responses']['200']['content']['application/json']['schema']
    members['allOf'][1]['properties']['members']['items']['properties']['user'] = {
        'anyOf': [{'$ref': '#/components/schemas/UserReference'}, {'$ref': '#/components/schemas/User'}]}
    return OpenAPI.from_dict(spec, config=Config(spec_validator_cls=None))


def user_body(name='Edsger Dijkstra', email='edsger@example.com', **fields):
    return {'user': dict({'type': 'user', 'name': name, 'email': email}, **fields)}


def members(check, team_id, **query):
    return {m['user']['id']: m['role'] for m in check('GET', '/teams/%s/members' % team_id, **query).json()['members']}


def error_of(response):
    return response.json()['error']


# -- users -------------------------------------------------------------------------------------------

def test_user_lifecycle(check):
    created = check('POST', '/users', user_body(role='limited_user', time_zone='Europe/Amsterdam', job_title='Professor',
                                                description='Shortest paths', color='purple'))
    assert created.status_code == 201
    user = created.json()['user']
    assert (user['type'], user['name'], user['summary'], user['email'], user['role'], user['time_zone'],
            user['job_title'], user['description'], user['color'], user['teams']) == (
        'user', 'Edsger Dijkstra', 'Edsger Dijkstra', 'edsger@example.com', 'limited_user', 'Europe/Amsterdam',
        'Professor', 'Shortest paths', 'purple', [])
    assert user['invitation_sent'] is True and user['self'].endswith('/users/' + user['id'])
    assert check('GET', '/users/' + user['id']).json()['user'] == user
    assert [u['id'] for u in check('GET', '/users', query='EDSGER@').json()['users']] == [user['id']]
    updated = check('PUT', '/users/' + user['id'], {'user': {'type': 'user', 'name': ' E. W. Dijkstra ', 'role': 'admin',
                                                             'time_zone': None, 'job_title': None}}).json()['user']
    assert (updated['name'], updated['summary'], updated['role'], updated['time_zone'], updated['email']) == (
        'E. W. Dijkstra', 'E. W. Dijkstra', 'admin', 'America/New_York', 'edsger@example.com')
    assert 'job_title' not in updated
    assert check('GET', '/users/' + user['id']).json()['user']['name'] == 'E. W. Dijkstra'
    assert check('DELETE', '/users/' + user['id']).status_code == 204
    assert check('GET', '/users/' + user['id']).status_code == 404
    assert check('DELETE', '/users/' + user['id']).status_code == 404
    assert check('PUT', '/users/' + user['id'], user_body()).status_code == 404


def test_a_new_user_has_the_defaults(check):
    user = check('POST', '/users', user_body()).json()['user']
    assert (user['role'], user['time_zone'], user['color'], user['description']) == ('user', 'America/New_York', 'green', None)
    assert user['contact_methods'] == [] and user['notification_rules'] == [] and user['created_via_sso'] is False


def test_emails_are_unique_whatever_their_case(check):
    created = check('POST', '/users', user_body(email='Edsger.Dijkstra@Example.COM')).json()['user']
    assert created['email'] == 'edsger.dijkstra@example.com'
    for email in ('edsger.dijkstra@example.com', 'EDSGER.DIJKSTRA@example.com', 'ADA@example.com'):
        refused = check('POST', '/users', user_body(email=email))
        assert refused.status_code == 400
        assert error_of(refused) == {'code': 2001, 'message': 'Invalid Input Provided',
                                     'errors': ['Email has already been taken']}
    refused = check('PUT', '/users/' + created['id'], {'user': {'type': 'user', 'email': 'Grace@Example.com'}})
    assert refused.status_code == 400 and error_of(refused)['errors'] == ['Email has already been taken']
    # A user may change the case of their own email.
    same = check('PUT', '/users/' + created['id'], {'user': {'type': 'user', 'email': 'EDSGER.dijkstra@example.com'}})
    assert same.status_code == 200 and same.json()['user']['email'] == 'edsger.dijkstra@example.com'


@pytest.mark.parametrize('fields, error', [
    ({'name': ''}, "Name can't be blank"),
    ({'name': 'x' * 101}, 'Name is too long (maximum is 100 characters)'),
    ({'email': 'not-an-address'}, 'Email is invalid'),
    ({'email': 'a@b'}, 'Email is invalid'),
    ({'email': None}, "Email can't be blank"),
    ({'role': 'superuser'}, 'Role must be one of admin, limited_user, observer, owner, read_only_user, '
                            'restricted_access, read_only_limited_user, user'),
    ({'job_title': 'x' * 101}, 'Job title is too long (maximum is 100 characters)'),
    ({'time_zone': ''}, 'Time zone is invalid'),
])
def test_user_refusals(check, fields, error):
    body = user_body()
    body['user'].update(fields)
    refused = check('POST', '/users', body)
    assert refused.status_code == 400 and error_of(refused)['errors'] == [error]
    assert check('PUT', '/users/PUSR003', {'user': dict(fields, type='user')}).status_code == 400


def test_a_from_header_sent_with_a_create_must_name_a_user(sim, openapi):
    from tests.unit.conftest import conforming

    assert conforming(openapi, sim.api('POST', '/users', user_body(), headers={'From': 'ada@example.com'})).status_code == 201
    unknown = conforming(openapi, sim.api('POST', '/users', user_body(email='b@example.com'),
                                          headers={'From': 'nobody@example.com'}))
    assert unknown.status_code == 400 and error_of(unknown)['code'] == 1008


def test_users_on_schedules_or_policies_cannot_be_deleted(check):
    # Grace is on schedules and a target of Platform On-Call.
    refused = check('DELETE', '/users/PUSR002')
    assert refused.status_code == 400 and error_of(refused)['code'] == 2001
    assert 'Platform Primary' in error_of(refused)['errors'][0] and 'Platform On-Call' in error_of(refused)['errors'][1]
    # Alan is on schedules only, once a policy no longer targets him.
    check('PUT', '/escalation_policies/PPLATEP', {'escalation_policy': {
        'type': 'escalation_policy', 'escalation_rules': [{'escalation_delay_in_minutes': 5, 'targets': [
            {'id': 'PUSR002', 'type': 'user_reference'}]}]}})
    refused = check('DELETE', '/users/PUSR003')
    assert refused.status_code == 400 and len(error_of(refused)['errors']) == 1
    assert 'schedules' in error_of(refused)['errors'][0]
    # A user on no schedule but a policy's target.
    user = check('POST', '/users', user_body()).json()['user']
    check('POST', '/escalation_policies', {'escalation_policy': {
        'type': 'escalation_policy', 'name': 'Dijkstra', 'escalation_rules': [{'escalation_delay_in_minutes': 5, 'targets': [
            {'id': user['id'], 'type': 'user_reference'}]}]}})
    refused = check('DELETE', '/users/' + user['id'])
    assert refused.status_code == 400 and 'Dijkstra' in error_of(refused)['errors'][0]
    assert check('GET', '/users/' + user['id']).status_code == 200


def test_user_includes_and_team_filter(check):
    grace = check('GET', '/users/PUSR002', **{'include[]': 'teams'}).json()['user']
    assert [(t['type'], t['name']) for t in grace['teams']] == [('team', 'Platform')]
    listing = check('GET', '/users', **{'team_ids[]': ['PTEAM01', 'PTEAM02']}).json()['users']
    assert [u['id'] for u in listing] == ['PUSR003', 'PUSR002', 'PUSR004']   # by name
    assert [u['id'] for u in check('GET', '/users', **{'team_ids[]': 'PTEAM02'}).json()['users']] == ['PUSR004']
    listing = check('GET', '/users', limit=2, total='true', **{'include[]': ['teams', 'contact_methods']}).json()
    assert listing['total'] == 4 and listing['more'] is True and len(listing['users']) == 2


# -- team membership ---------------------------------------------------------------------------------

def test_seeded_members(check):
    assert members(check, 'PTEAM01') == {'PUSR002': 'manager', 'PUSR003': 'responder'}
    page = check('GET', '/teams/PTEAM01/members', limit=1, total='true').json()
    assert (page['limit'], page['offset'], page['more'], page['total']) == (1, 0, True, 2)
    assert page['members'][0]['user'] == {'id': 'PUSR002', 'type': 'user_reference', 'summary': 'Grace Hopper',
                                          'self': page['members'][0]['user']['self'],
                                          'html_url': page['members'][0]['user']['html_url']}
    full = check('GET', '/teams/PTEAM02/members', **{'include[]': 'users'}).json()['members']
    assert full[0]['user']['email'] == 'katherine@example.com'
    assert check('GET', '/teams/PNOTEAM/members').status_code == 404
    assert [t['id'] for t in check('GET', '/users/PUSR004').json()['user']['teams']] == ['PTEAM02']


def test_membership_roles(check):
    assert check('PUT', '/teams/PTEAM02/users/PUSR001', {'role': 'observer'}).status_code == 204
    assert members(check, 'PTEAM02') == {'PUSR004': 'manager', 'PUSR001': 'observer'}
    assert [t['id'] for t in check('GET', '/users/PUSR001').json()['user']['teams']] == ['PTEAM02']
    # A role changes in place; a PUT without one keeps it, and a new member gets the manager role.
    assert check('PUT', '/teams/PTEAM02/users/PUSR001', {'role': 'responder'}).status_code == 204
    assert check('PUT', '/teams/PTEAM02/users/PUSR001', {}).status_code == 204
    assert members(check, 'PTEAM02')['PUSR001'] == 'responder'
    check('PUT', '/teams/PTEAM01/users/PUSR001', {})
    assert members(check, 'PTEAM01')['PUSR001'] == 'manager'
    assert [t['id'] for t in check('GET', '/users/PUSR001').json()['user']['teams']] == ['PTEAM02', 'PTEAM01']
    assert [u['id'] for u in check('GET', '/users', **{'team_ids[]': 'PTEAM02'}).json()['users']] == ['PUSR001', 'PUSR004']
    # Removed, and removed again (nothing to do).
    assert check('DELETE', '/teams/PTEAM02/users/PUSR001').status_code == 204
    assert check('DELETE', '/teams/PTEAM02/users/PUSR001').status_code == 204
    assert 'PUSR001' not in members(check, 'PTEAM02')
    assert [t['id'] for t in check('GET', '/users/PUSR001').json()['user']['teams']] == ['PTEAM01']


def test_membership_refusals(check):
    refused = check('PUT', '/teams/PTEAM01/users/PUSR001', {'role': 'admin'})
    assert refused.status_code == 400 and error_of(refused)['errors'] == ['Role must be one of observer, responder, manager']
    reader = check('POST', '/users', user_body(role='read_only_user')).json()['user']
    assert check('PUT', '/teams/PTEAM01/users/' + reader['id'], {'role': 'observer'}).status_code == 400
    assert check('PUT', '/teams/PNOTEAM/users/PUSR001', {'role': 'observer'}).status_code == 404
    assert check('PUT', '/teams/PTEAM01/users/PNOUSER', {'role': 'observer'}).status_code == 404
    assert check('DELETE', '/teams/PNOTEAM/users/PUSR001').status_code == 404
    # Grace is a target of Platform On-Call, a policy of the Platform team: she cannot leave it.
    refused = check('DELETE', '/teams/PTEAM01/users/PUSR002')
    assert refused.status_code == 400
    assert error_of(refused) == {'code': 2001, 'message': 'Invalid Input Provided',
                                 'errors': ['User cannot be removed as they belong to an escalation policy on this team']}
    assert 'PUSR002' in members(check, 'PTEAM01')
    # A policy of another team does not hold her back, nor one without a team (Default targets Ada).
    check('PUT', '/teams/PTEAM02/users/PUSR002', {'role': 'responder'})
    assert check('DELETE', '/teams/PTEAM02/users/PUSR002').status_code == 204
    check('PUT', '/teams/PTEAM02/users/PUSR001', {'role': 'responder'})
    assert check('DELETE', '/teams/PTEAM02/users/PUSR001').status_code == 204
    # Once the policy leaves the team, she may leave it too.
    check('PUT', '/escalation_policies/PPLATEP', {'escalation_policy': {'type': 'escalation_policy', 'teams': []}})
    assert check('DELETE', '/teams/PTEAM01/users/PUSR002').status_code == 204


def test_deleting_a_team_or_a_user_ends_their_memberships(check):
    team = check('POST', '/teams', {'team': {'type': 'team', 'name': 'Algorithms'}}).json()['team']
    assert members(check, team['id']) == {}
    user = check('POST', '/users', user_body()).json()['user']
    check('PUT', '/teams/%s/users/%s' % (team['id'], user['id']), {'role': 'manager'})
    check('PUT', '/teams/%s/users/PUSR004' % team['id'], {'role': 'observer'})
    check('PUT', '/teams/PTEAM02/users/' + user['id'], {'role': 'observer'})
    check('PUT', '/teams/' + team['id'], {'team': {'type': 'team', 'name': 'Algorithms and Proofs'}})
    assert [t['summary'] for t in check('GET', '/users/PUSR004').json()['user']['teams']] == [
        'Payments', 'Algorithms and Proofs']
    assert check('DELETE', '/users/' + user['id']).status_code == 204
    assert members(check, team['id']) == {'PUSR004': 'observer'}
    assert user['id'] not in members(check, 'PTEAM02')
    assert check('DELETE', '/teams/' + team['id']).status_code == 204
    assert [t['id'] for t in check('GET', '/users/PUSR004').json()['user']['teams']] == ['PTEAM02']


# -- reads lag writes --------------------------------------------------------------------------------

def test_reads_lag_user_and_membership_writes(check, sim):
    sim.settings(read_after_write_lag_seconds=30)
    created = check('POST', '/users', user_body())
    assert created.status_code == 201
    user_id = created.json()['user']['id']
    assert check('GET', '/users/' + user_id).status_code == 404
    assert check('GET', '/users', query='edsger').json()['users'] == []
    # Writes see the latest state: the new user can be updated, and a second create with the email is refused.
    assert check('PUT', '/users/' + user_id, {'user': {'type': 'user', 'job_title': 'Professor'}}).status_code == 200
    assert check('POST', '/users', user_body(email='EDSGER@example.com')).status_code == 400
    # An update reaches reads late.
    assert check('PUT', '/users/PUSR003', {'user': {'type': 'user', 'name': 'A. M. Turing'}}).json()['user']['name'] \
        == 'A. M. Turing'
    assert check('GET', '/users/PUSR003').json()['user']['name'] == 'Alan Turing'
    # So does a membership and a changed role, in the team's members and in the user's teams.
    assert check('PUT', '/teams/PTEAM02/users/PUSR001', {'role': 'observer'}).status_code == 204
    assert check('PUT', '/teams/PTEAM01/users/PUSR003', {'role': 'manager'}).status_code == 204
    assert members(check, 'PTEAM02') == {'PUSR004': 'manager'}
    assert members(check, 'PTEAM01')['PUSR003'] == 'responder'
    assert check('GET', '/users/PUSR001').json()['user']['teams'] == []
    assert [u['id'] for u in check('GET', '/users', **{'team_ids[]': 'PTEAM02'}).json()['users']] == ['PUSR004']
    sim.settings(read_after_write_lag_seconds=0)
    assert check('GET', '/users/' + user_id).json()['user']['job_title'] == 'Professor'
    assert members(check, 'PTEAM02') == {'PUSR004': 'manager', 'PUSR001': 'observer'}
    assert members(check, 'PTEAM01')['PUSR003'] == 'manager'
    assert [t['id'] for t in check('GET', '/users/PUSR001').json()['user']['teams']] == ['PTEAM02']
