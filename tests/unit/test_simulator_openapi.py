"""The simulator's core endpoints (services, integrations, vendors, incidents) checked against
PagerDuty's own OpenAPI description; each other family of endpoints has its
test_simulator_openapi_<family>.py, on the same `check` fixture (tests/unit/conftest.py)."""

import pytest

from tests.unit.conftest import SPEC_AVAILABLE

pytestmark = pytest.mark.skipif(not SPEC_AVAILABLE, reason='PagerDuty OpenAPI description not beside the repository')


def service_body(name='checked'):
    return {'service': {
        'name': name, 'description': 'd', 'auto_resolve_timeout': 14400, 'acknowledgement_timeout': 600,
        'escalation_policy': {'id': 'PDEFEP1', 'type': 'escalation_policy_reference'},
        'incident_urgency_rule': {'type': 'use_support_hours',
                                  'during_support_hours': {'type': 'constant', 'urgency': 'high'},
                                  'outside_support_hours': {'type': 'constant', 'urgency': 'low'}},
        'support_hours': {'type': 'fixed_time_per_day', 'time_zone': 'Europe/Paris', 'start_time': '09:00:00',
                          'end_time': '17:00:00', 'days_of_week': [1, 2, 3, 4, 5]},
        'scheduled_actions': [{'type': 'urgency_change', 'to_urgency': 'high',
                               'at': {'type': 'named_time', 'name': 'support_hours_start'}}],
        'alert_grouping_parameters': {'type': 'time', 'config': {'timeout': 5}},
        'auto_pause_notifications_parameters': {'enabled': True, 'timeout': 300},
    }}


def test_vendor_and_escalation_policy_reads(check):
    assert check('GET', '/vendors', query='data', limit=100).json()['vendors']
    assert check('GET', '/vendors/PAM4FGS').json()['vendor']['name'] == 'Datadog'
    assert check('GET', '/escalation_policies', query='Default').json()['escalation_policies']
    assert check('GET', '/escalation_policies/PDEFEP1').json()['escalation_policy']['name'] == 'Default'


def test_service_lifecycle(check):
    created = check('POST', '/services', service_body()).json()['service']
    assert check('GET', '/services/' + created['id'], **{'include[]': ['escalation_policies', 'teams']}).status_code == 200
    assert check('PUT', '/services/' + created['id'], {'service': {'status': 'disabled'}}).json()['service']['status'] == 'disabled'
    assert check('GET', '/services', name='checked', **{'include[]': 'integrations'}).json()['services']
    assert check('DELETE', '/services/' + created['id']).status_code == 204


def test_integration_lifecycle(check):
    service = check('POST', '/services', service_body('with-integrations')).json()['service']
    base = '/services/%s/integrations' % service['id']
    events = check('POST', base, {'integration': {'type': 'events_api_v2_inbound_integration', 'name': 'Events'}}).json()
    assert len(events['integration']['integration_key']) == 32  # returned although the description omits it
    email = check('POST', base, {'integration': {
        'type': 'generic_email_inbound_integration', 'name': 'Email', 'integration_email': 'web@acme.pagerduty.com',
        'email_incident_creation': 'use_rules', 'email_filter_mode': 'or-rules-email',
        'email_filters': [{'subject_mode': 'match', 'subject_regex': 'alert', 'body_mode': 'always',
                           'from_email_mode': 'always'}],
        'email_parsers': [{'action': 'trigger',
                           'match_predicate': {'type': 'any', 'children': [
                               {'type': 'contains', 'matcher': 'down', 'part': 'subject'}]},
                           'value_extractors': [{'type': 'entire', 'part': 'subject', 'value_name': 'incident_key'}]}],
    }}).json()['integration']
    vendor = check('POST', base, {'integration': {'vendor': {'id': 'PAM4FGS', 'type': 'vendor_reference'}}}).json()
    assert vendor['integration']['vendor']['id'] == 'PAM4FGS'
    check('GET', '%s/%s' % (base, email['id']), **{'include[]': 'vendors'})
    check('PUT', '%s/%s' % (base, email['id']), {'integration': {'name': 'Renamed'}})
    check('GET', '/services/' + service['id'], **{'include[]': 'integrations'})
    assert check('DELETE', '%s/%s' % (base, email['id'])).status_code == 204


def test_error_responses(check, sim):
    assert check('GET', '/services', token='wrong').status_code == 401
    assert check('POST', '/services', service_body('ro'), token=sim.readonly_token).status_code == 403
    assert check('GET', '/services/PNOPE00').status_code == 404
    check('POST', '/services', service_body('twice'))
    duplicate = check('POST', '/services', service_body('twice'))
    assert duplicate.status_code == 400 and duplicate.json()['error']['code'] == 2001


def test_incident_listing(check, sim):
    service = check('POST', '/services', service_body('incidents')).json()['service']
    sim.seed(incidents=[{'service': service['id'], 'count': 3}])
    listing = check('GET', '/incidents', total='true', limit=1, **{'service_ids[]': service['id'],
                                                                   'statuses[]': ['triggered', 'acknowledged']})
    assert listing.json()['total'] == 3


def test_derived_statuses_conform(check, sim):
    service = check('POST', '/services', service_body('busy')).json()['service']
    sim.seed(incidents=[{'service': service['id'], 'count': 1, 'status': 'acknowledged'}])
    assert check('GET', '/services/' + service['id']).json()['service']['status'] == 'warning'
    sim.seed(incidents=[{'service': service['id'], 'count': 1, 'status': 'triggered'}])
    assert check('GET', '/services', name='busy').json()['services'][0]['status'] == 'critical'


def test_eventual_consistency_and_transient_refusals_conform(check, sim):
    sim.settings(read_after_write_lag_seconds=30, integration_create_transient_400s=1)
    service = check('POST', '/services', service_body('lagging')).json()['service']
    assert check('GET', '/services/' + service['id']).status_code == 404       # not readable yet
    assert check('GET', '/services', name='lagging').json()['services'] == []
    refused = check('POST', '/services/%s/integrations' % service['id'],
                    {'integration': {'type': 'events_api_v2_inbound_integration', 'name': 'Events'}})
    assert refused.status_code == 400 and refused.json()['error']['code'] == 2001
    assert check('POST', '/services/%s/integrations' % service['id'],
                 {'integration': {'type': 'events_api_v2_inbound_integration', 'name': 'Events'}}).status_code == 201


def test_a_malformed_id_answered_with_400_conforms(check, sim):
    sim.settings(malformed_id_status=400)
    answer = check('GET', '/services/NOTANID1')
    assert answer.status_code == 400 and answer.json()['error']['code'] == 2001


def test_incident_lists_by_date_conform(check, sim):
    service = check('POST', '/services', service_body('old incidents')).json()['service']
    sim.seed(incidents=[{'service': service['id'], 'count': 2, 'created_at': '2020-01-01T00:00:00Z'}])
    assert check('GET', '/incidents', total='true', **{'service_ids[]': service['id']}).json()['total'] == 0
    assert check('GET', '/incidents', total='true', date_range='all', **{'service_ids[]': service['id']}).json()['total'] == 2
    assert check('GET', '/incidents', total='true', since='2019-12-01T00:00:00Z', until='2020-02-01T00:00:00Z',
                 **{'service_ids[]': service['id']}).json()['total'] == 2
