"""pd_integration_move in-process against the simulator: both strategies, every pre-check, and
the failure paths, with what happened read from the simulator's state and request log."""

import pytest

from ansible_collections.oncall.pagerduty.plugins.modules import pd_integration_move
from tests.conftest import warning_texts

EMAIL_SETTINGS = {
    'type': 'generic_email_inbound_integration', 'name': 'Email', 'integration_email': 'cart@acme.pagerduty.com',
    'email_incident_creation': 'use_rules', 'email_filter_mode': 'or-rules-email',
    'email_filters': [{'subject_mode': 'match', 'subject_regex': 'DOWN', 'body_mode': 'always', 'from_email_mode': 'always'}],
}


@pytest.fixture
def world(sim):
    """Two services with the same settings, the source with an Events API v2 and an email integration."""
    created = sim.seed(
        services=[{'name': 'Cart', 'escalation_policy': 'Default'}, {'name': 'Checkout', 'escalation_policy': 'Default'}],
        integrations=[{'service': 'Cart', 'type': 'events_api_v2_inbound_integration', 'name': 'Events'},
                      dict(EMAIL_SETTINGS, service='Cart')])
    sim.clear_requests()
    return {'cart': created['services'][0], 'checkout': created['services'][1],
            'events': created['integrations'][0], 'email': created['integrations'][1]}


def where(sim, integration_id):
    """(service name, integration) of an integration in the simulator's state, or None."""
    for service in sim.state()['services']:
        for integration in service['integrations']:
            if integration['id'] == integration_id:
                return service['name'], integration
    return None


def key_of(sim, integration_id):
    return where(sim, integration_id)[1]['integration_key']


def test_move_by_name_keeps_id_and_key_then_second_run_is_ok(sim, run_module, world):
    key = key_of(sim, world['events'])
    result = run_module(pd_integration_move, diff=True, integration='Events', from_service='Cart', to_service='Checkout')
    assert result['changed'] and result['moved'] and not result['key_changed']
    assert result['integration']['integration_key'] == key
    assert result['diff']['before']['service'] == 'Cart'  # by name: a diff holds no IDs
    assert result['diff']['after']['service'] == 'Checkout'
    assert 'integration_key' not in str(result['diff'])
    assert where(sim, world['events'])[0] == 'Checkout' and key_of(sim, world['events']) == key
    sim.clear_requests()
    again = run_module(pd_integration_move, integration='Events', from_service='Cart', to_service='Checkout')
    assert not again['changed'] and not again['moved']
    assert len(sim.requests()) == 2 and sim.writes() == []


def test_move_by_id_then_second_run_costs_one_request(sim, run_module, world):
    assert run_module(pd_integration_move, integration=world['events'], to_service='Checkout')['moved']
    sim.clear_requests()
    assert not run_module(pd_integration_move, integration=world['events'], to_service='Checkout')['changed']
    assert len(sim.requests()) == 1


def test_move_back(sim, run_module, world):
    run_module(pd_integration_move, integration='Events', from_service='Cart', to_service='Checkout')
    back = run_module(pd_integration_move, integration='Events', from_service='Checkout', to_service='Cart')
    assert back['moved'] and where(sim, world['events'])[0] == 'Cart'


def test_rename_during_move(sim, run_module, world):
    result = run_module(pd_integration_move, diff=True, integration='Events', from_service='Cart', to_service='Checkout',
                        new_name='Checkout events')
    assert result['integration']['name'] == 'Checkout events'
    assert result['diff']['after']['name'] == 'Checkout events'
    assert not run_module(pd_integration_move, integration='Events', from_service='Cart', to_service='Checkout',
                          new_name='Checkout events')['changed']


def test_incidents_follow_the_integration(sim, run_module, world):
    sim.seed(incidents=[{'service': 'Cart', 'integration': world['events'], 'count': 3},
                        {'service': 'Cart', 'count': 2}])
    result = run_module(pd_integration_move, integration='Events', from_service='Cart', to_service='Checkout')
    assert result['open_incidents'] == 5
    services = sorted(i['service']['summary'] for i in sim.state()['incidents'])
    assert services == ['Cart', 'Cart', 'Checkout', 'Checkout', 'Checkout']


def test_check_mode_runs_the_checks_and_writes_nothing(sim, run_module, world):
    result = run_module(pd_integration_move, check_mode=True, diff=True, integration='Events', from_service='Cart',
                        to_service='Checkout')
    assert result['changed'] and result['moved'] and result['integration']['service']['id'] == world['checkout']
    assert sim.writes() == [] and where(sim, world['events'])[0] == 'Cart'
    assert any(r['path'] == '/incidents' for r in sim.requests())


def test_settings_differences_warn_and_are_returned(sim, run_module, world):
    sim.api('PUT', '/services/' + world['checkout'], {'service': {
        'escalation_policy': {'id': 'PPLATEP', 'type': 'escalation_policy_reference'}, 'auto_resolve_timeout': 600,
        'incident_urgency_rule': {'type': 'constant', 'urgency': 'low'}}})
    result = run_module(pd_integration_move, integration='Events', from_service='Cart', to_service='Checkout')
    assert result['moved']
    assert [d['setting'] for d in result['settings_differences']] == [
        'escalation_policy', 'incident_urgency_rule', 'auto_resolve_timeout']
    assert result['settings_differences'][2] == {'setting': 'auto_resolve_timeout', 'from_service': 0, 'to_service': 600}
    warning = warning_texts(result)[0]
    assert "escalation_policy: 'Default' on 'Cart', 'Platform On-Call' on 'Checkout'" in warning
    # Sentences, not Python: no braces, quotes of keys or None.
    assert "incident_urgency_rule: (constant, urgency high) on 'Cart', (constant, urgency low) on 'Checkout'" in warning
    assert '{' not in warning and 'None' not in warning


def test_settings_differences_can_fail_the_move_before_any_change(sim, run_module, world):
    sim.api('PUT', '/services/' + world['checkout'], {'service': {'acknowledgement_timeout': 60}})
    sim.clear_requests()
    result = run_module(pd_integration_move, integration='Events', from_service='Cart', to_service='Checkout',
                        on_settings_mismatch='fail')
    assert result['failed'] and 'nothing changed' in result['msg'] and 'acknowledgement_timeout' in result['msg']
    assert sim.writes() == []


def test_disabled_destination_is_said_in_a_warning(sim, run_module, world):
    sim.api('PUT', '/services/' + world['checkout'], {'service': {'status': 'disabled'}})
    result = run_module(pd_integration_move, integration='Events', from_service='Cart', to_service='Checkout')
    assert result['moved'] and any("'Checkout' is disabled: incidents will not trigger" in w for w in warning_texts(result))


def test_full_destination_fails_before_any_change(sim, run_module, world):
    sim.seed(integrations=[{'service': 'Checkout', 'type': 'events_api_v2_inbound_integration', 'name': 'Bulk', 'count': 250}])
    sim.clear_requests()
    result = run_module(pd_integration_move, integration='Events', from_service='Cart', to_service='Checkout')
    assert result['failed'] and "'Checkout' already has 250 integrations" in result['msg']
    assert sim.writes() == []


def test_more_than_8000_open_incidents_warns_then_reports_the_refusal(sim, run_module, world):
    sim.seed(incidents=[{'service': 'Cart', 'integration': world['events'], 'count': 8001}])
    result = run_module(pd_integration_move, integration='Events', from_service='Cart', to_service='Checkout')
    assert result['failed'] and result['open_incidents'] == 8001
    assert 'PagerDuty refused the move: an integration with more than 8000 open incidents cannot be moved' in result['msg']
    assert 'Nothing changed; resolve incidents first' in result['msg']
    assert where(sim, world['events'])[0] == 'Cart'


def test_at_most_8000_open_incidents_is_safe(sim, run_module, world):
    sim.seed(incidents=[{'service': 'Cart', 'integration': world['events'], 'count': 8000}])
    result = run_module(pd_integration_move, integration='Events', from_service='Cart', to_service='Checkout')
    assert result['moved'] and not warning_texts(result)


def test_an_api_that_ignores_the_move_fails_with_nothing_changed(sim, run_module, world):
    sim.settings(ignore_integration_service_changes=True)
    result = run_module(pd_integration_move, integration='Events', from_service='Cart', to_service='Checkout')
    assert result['failed'] and 'did not move' in result['msg'] and 'nothing changed' in result['msg']
    assert 'strategy: recreate' in result['msg']
    assert where(sim, world['events'])[0] == 'Cart'


@pytest.mark.reads_follow_writes('counts its requests exactly')
def test_recreate_copies_and_deletes_and_reports_the_new_key(sim, run_module, world):
    old_key = key_of(sim, world['events'])
    result = run_module(pd_integration_move, integration='Events', from_service='Cart', to_service='Checkout',
                        strategy='recreate')
    assert result['moved'] and result['key_changed']
    assert result['integration']['integration_key'] != old_key and where(sim, world['events']) is None
    assert where(sim, result['integration']['id'])[0] == 'Checkout'
    assert [r['method'] for r in sim.writes()] == ['POST', 'DELETE', 'PUT']  # copy (trace name), delete, name


@pytest.mark.reads_follow_writes('counts its requests exactly')
def test_recreate_of_an_email_integration_frees_the_address_first(sim, run_module, world):
    result = run_module(pd_integration_move, integration='Email', from_service='Cart', to_service='Checkout',
                        strategy='recreate')
    assert result['moved']
    copy = where(sim, result['integration']['id'])[1]
    assert copy['integration_email'] == 'cart@acme.pagerduty.com'
    assert copy['email_filters'][0]['subject_regex'] == 'DOWN' and copy['email_incident_creation'] == 'use_rules'
    assert [r['method'] for r in sim.writes()] == ['PUT', 'POST', 'DELETE', 'PUT']


@pytest.mark.reads_follow_writes('counts its requests exactly')
def test_recreate_that_fails_to_create_leaves_the_original_whole(sim, run_module, world):
    sim.fault(method='POST', path='/integrations$', action='status', status=400,
              body={'error': {'code': 2001, 'message': 'Invalid Input Provided', 'errors': ['simulated refusal']}})
    result = run_module(pd_integration_move, integration='Email', from_service='Cart', to_service='Checkout',
                        strategy='recreate')
    assert result['failed'] and 'simulated refusal' in result['msg']
    service, original = where(sim, world['email'])
    assert service == 'Cart' and original['integration_email'] == 'cart@acme.pagerduty.com'


def test_recreate_whose_create_answer_is_lost_still_ends_with_one_copy(sim, run_module, world):
    sim.fault(method='POST', path='/integrations$', action='commit_then_drop')
    result = run_module(pd_integration_move, integration='Email', from_service='Cart', to_service='Checkout',
                        strategy='recreate', timeout=5)
    assert result['moved'] and not result['key_changed']  # an email integration has an address, not a key
    emails = [i for s in sim.state()['services'] for i in s['integrations'] if i['type'] == 'generic_email_inbound_integration']
    assert [(i['service']['summary'], i['integration_email']) for i in emails] == [('Checkout', 'cart@acme.pagerduty.com')]


def test_recreate_whose_delete_fails_keeps_both_and_says_so(sim, run_module, world):
    sim.fault(method='DELETE', path='/integrations/', action='status', status=403, times=1)
    result = run_module(pd_integration_move, integration='Events', from_service='Cart', to_service='Checkout',
                        strategy='recreate')
    assert result['failed'] and "could not delete the integration 'Events' after creating its replacement" in result['msg']
    assert where(sim, world['events'])[0] == 'Cart'
    names = sorted((s['name'], i['name']) for s in sim.state()['services'] for i in s['integrations']
                   if i['name'].startswith('Events'))
    assert names == [('Cart', 'Events'), ('Checkout', 'Events (replacing %s)' % world['events'])]
    # The next run recognises the copy by its name, and finishes: the original goes, the copy takes its name.
    again = run_module(pd_integration_move, integration='Events', from_service='Cart', to_service='Checkout',
                       strategy='recreate')
    assert again['changed'] and again['moved'] and again['key_changed'], again
    names = sorted((s['name'], i['name']) for s in sim.state()['services'] for i in s['integrations']
                   if i['name'].startswith('Events'))
    assert names == [('Checkout', 'Events')]
    assert not run_module(pd_integration_move, integration='Events', from_service='Cart', to_service='Checkout',
                          strategy='recreate')['changed']


def test_old_open_incidents_count_towards_the_limit(sim, run_module, world):
    # Incidents lists cover one month unless date_range=all is sent: these are two months old.
    sim.seed(incidents=[{'service': 'Cart', 'integration': world['events'], 'count': 8001,
                         'created_at': '2020-01-01T00:00:00Z'}])
    result = run_module(pd_integration_move, check_mode=True, integration='Events', from_service='Cart',
                        to_service='Checkout')
    assert result['open_incidents'] == 8001
    assert any('8001 open incidents' in w for w in warning_texts(result))
    assert sim.requests()[-1]['query']['date_range'] == ['all']


def test_a_service_with_open_incidents_is_not_a_settings_difference(sim, run_module, world):
    sim.seed(incidents=[{'service': 'Cart', 'count': 2, 'status': 'acknowledged'}])
    result = run_module(pd_integration_move, check_mode=True, integration='Events', from_service='Cart',
                        to_service='Checkout')
    assert result['settings_differences'] == [] and not warning_texts(result)


def test_a_move_is_verified_also_when_reads_lag_writes(sim, run_module, world):
    sim.settings(read_after_write_lag_seconds=1)
    result = run_module(pd_integration_move, integration='Events', from_service='Cart', to_service='Checkout', retries=10)
    assert result['moved'] and not result.get('failed')  # never a false "did not move"
    assert where(sim, world['events'])[0] == 'Checkout'
