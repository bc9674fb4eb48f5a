"""pd_alert_grouping_setting runs in-process against the simulator; claims about requests and writes come from
the simulator's request log, and the settings from the simulated account's own state."""

import threading

import pytest

from ansible_collections.oncall.pagerduty.plugins.module_utils._service import grouping_held_by_setting
from ansible_collections.oncall.pagerduty.plugins.modules import pd_alert_grouping_setting
from tests.conftest import warning_texts

SERVICES = ('Checkout', 'Cart', 'Payments', 'Search', 'Reporting')
CONTENT = dict(name='Checkout alerts', type='content_based', config=dict(aggregate='all', fields=['summary', 'source']),
               services=['Checkout', 'Cart'])


@pytest.fixture
def account(simulator_server, sim):
    """The simulated account (its state, read directly), with five services."""
    sim.seed(services=[{'name': name, 'escalation_policy': 'Default'} for name in SERVICES])
    sim.clear_requests()
    return simulator_server.sim.pagerduty


def settings(account):
    """(name, type, sorted service names) of every setting the account holds."""
    return sorted((s['name'], s['type'], sorted(r['summary'] for r in s['services']))
                  for s in account.alert_grouping_settings.values())


def service_id(sim, name):
    return sim.api('GET', '/services', name=name).json()['services'][0]['id']


def grouping_of(sim, name):
    return sim.api('GET', '/services', name=name).json()['services'][0]['alert_grouping_parameters']


def make_setting(sim, name, kind, config, services):
    """A setting made straight through the API (as the web UI or another tool would)."""
    body = {'alert_grouping_setting': {'name': name, 'type': kind, 'config': config,
                                       'services': [{'id': service_id(sim, s)} for s in services]}}
    response = sim.api('POST', '/alert_grouping_settings', body)
    assert response.status_code == 201, response.text
    return response.json()['alert_grouping_setting']


def writes(sim):
    return [(r['method'], r['path']) for r in sim.writes()]


def setting_lists(sim):
    """(query, status) of each GET /alert_grouping_settings the simulator answered."""
    return [(r['query'], r['status']) for r in sim.requests()
            if (r['method'], r['path']) == ('GET', '/alert_grouping_settings')]


# -- create, idempotence, check mode ---------------------------------------------------------------

def test_check_mode_predicts_the_setting_and_writes_nothing(sim, run_module, account):
    result = run_module(pd_alert_grouping_setting, check_mode=True, diff=True, **CONTENT)
    assert result['changed'] and result['alert_grouping_setting']['id'] is None
    assert result['diff'] == {'before': {}, 'after': {
        'name': 'Checkout alerts', 'type': 'content_based', 'config': {'aggregate': 'all', 'fields': ['source', 'summary']},
        'services': ['Cart', 'Checkout']}}
    assert sim.writes() == [] and account.alert_grouping_settings == {}


def test_create_then_a_second_run_is_ok_in_one_request(sim, run_module, account):
    created = run_module(pd_alert_grouping_setting, diff=True, **CONTENT)
    assert created['changed'], created
    assert settings(account) == [('Checkout alerts', 'content_based', ['Cart', 'Checkout'])]
    assert writes(sim) == [('POST', '/alert_grouping_settings')]
    [post] = sim.writes()
    assert sorted(post['body']['alert_grouping_setting']) == ['config', 'name', 'services', 'type']
    sim.clear_requests()
    # The same services in another order, one by ID: the same set.
    again = run_module(pd_alert_grouping_setting, diff=True,
                       **dict(CONTENT, services=['Cart', service_id(sim, 'Checkout')], config=dict(aggregate='all', fields=['source', 'summary'])))
    assert not again['changed'] and 'diff' not in again, again
    assert len(sim.requests()) == 2  # the setting (one page of settings) and the lookup made by this test
    sim.clear_requests()
    assert not run_module(pd_alert_grouping_setting, **CONTENT)['changed']
    assert len(sim.requests()) == 1
    checked = run_module(pd_alert_grouping_setting, check_mode=True, **dict(CONTENT, services=['Cart', 'Checkout']))
    assert not checked['changed'] and sim.writes() == []


def test_the_recommended_window_asked_with_0_is_not_a_change(sim, run_module, account):
    options = dict(name='Search grouping', type='intelligent', config=dict(time_window=0), services=['Search'])
    created = run_module(pd_alert_grouping_setting, **options)
    assert created['alert_grouping_setting']['config']['time_window'] == 300  # PagerDuty's recommendation
    assert created['alert_grouping_setting']['config']['iag_fields'] == ['summary']
    sim.clear_requests()
    assert not run_module(pd_alert_grouping_setting, **options)['changed'] and sim.writes() == []


def test_a_service_that_an_earlier_task_would_create_is_predicted_in_check_mode(sim, run_module, account):
    result = run_module(pd_alert_grouping_setting, check_mode=True, diff=True,
                        **dict(CONTENT, services=['Checkout', 'Brand New']))
    assert result['changed'] and result['diff']['after']['services'] == ['Brand New', 'Checkout']
    assert any("no service is named 'Brand New' yet" in w for w in warning_texts(result))
    assert sim.writes() == []
    real = run_module(pd_alert_grouping_setting, **dict(CONTENT, services=['Checkout', 'Brand New']))
    assert real['failed'] and "services[1]: no service is named or identified by 'Brand New'" in real['msg']
    assert sim.writes() == []


# -- PagerDuty answers an empty list of settings with 404 --------------------------------------------

def test_the_first_setting_of_an_account_is_created_though_the_empty_list_answers_404(sim, run_module, account):
    checked = run_module(pd_alert_grouping_setting, check_mode=True, **CONTENT)
    assert checked['changed'] and checked['alert_grouping_setting']['id'] is None, checked
    assert [status for dummy, status in setting_lists(sim)] == [404] and sim.writes() == []
    assert not run_module(pd_alert_grouping_setting, name='Checkout alerts', state='absent')['changed']
    created = run_module(pd_alert_grouping_setting, **CONTENT)
    assert created['changed'], created
    assert settings(account) == [('Checkout alerts', 'content_based', ['Cart', 'Checkout'])]
    assert writes(sim) == [('POST', '/alert_grouping_settings')]
    sim.clear_requests()
    assert not run_module(pd_alert_grouping_setting, **CONTENT)['changed'] and sim.writes() == []


def test_a_service_no_setting_holds_joins_a_setting_given_by_id(sim, run_module, account):
    shared = make_setting(sim, 'Shared', 'content_based', {'aggregate': 'any', 'fields': ['source']}, ['Checkout'])
    sim.clear_requests()
    options = dict(id=shared['id'], services=['Cart'], services_mode='append')
    checked = run_module(pd_alert_grouping_setting, check_mode=True, diff=True, **options)
    assert checked['changed'] and checked['diff'] == {'before': {'services': ['Checkout']},
                                                      'after': {'services': ['Cart', 'Checkout']}}, checked
    # Which setting holds Cart: the list filtered by it has nothing on it.
    assert setting_lists(sim) == [({'service_ids[]': [service_id(sim, 'Cart')], 'limit': ['100']}, 404)]
    assert sim.writes() == []
    joined = run_module(pd_alert_grouping_setting, **options)
    assert joined['changed'] and joined['moved_services'] == [], joined
    assert settings(account) == [('Shared', 'content_based', ['Cart', 'Checkout'])]
    sim.clear_requests()
    assert not run_module(pd_alert_grouping_setting, **options)['changed'] and sim.writes() == []


def test_any_other_404_of_the_settings_list_still_fails(sim, run_module, account):
    # A 404 that holds PagerDuty's error object is not the empty list's answer.
    sim.fault(method='GET', path='^/alert_grouping_settings$', times=1, action='status', status=404,
              body={'error': {'code': 2100, 'message': 'Not Found'}})
    result = run_module(pd_alert_grouping_setting, **CONTENT)
    assert result['failed'] and 'is probably wrong' in result['msg'], result
    # A base URL with a path of its own: nothing may be reported absent.
    wrong = run_module(pd_alert_grouping_setting, api_url=sim.url + '/v2', name='Checkout alerts', state='absent')
    assert wrong['failed'] and 'is probably wrong' in wrong['msg'], wrong
    assert sim.writes() == []


# -- updates ---------------------------------------------------------------------------------------

def test_a_config_change_sends_the_whole_config_and_shows_only_the_change(sim, run_module, account):
    run_module(pd_alert_grouping_setting, **dict(CONTENT, config=dict(aggregate='all', fields=['summary'], time_window=900)))
    sim.clear_requests()
    result = run_module(pd_alert_grouping_setting, diff=True, name='Checkout alerts', config=dict(aggregate='any'))
    assert result['changed']
    assert result['diff'] == {'before': {'config': {'aggregate': 'all'}}, 'after': {'config': {'aggregate': 'any'}}}
    [put] = sim.writes()
    assert put['body'] == {'alert_grouping_setting': {'config': {'aggregate': 'any', 'fields': ['summary'], 'time_window': 900}}}
    [stored] = account.alert_grouping_settings.values()
    assert stored['config']['time_window'] == 900 and stored['config']['aggregate'] == 'any'


def test_changing_the_type_sends_the_config_of_the_new_type_only(sim, run_module, account):
    run_module(pd_alert_grouping_setting, **dict(CONTENT, services=['Reporting']))
    sim.clear_requests()
    result = run_module(pd_alert_grouping_setting, name='Checkout alerts', type='time', config=dict(timeout=300))
    assert result['changed'], result
    [put] = sim.writes()
    assert put['body']['alert_grouping_setting'] == {'type': 'time', 'config': {'timeout': 300}}
    assert grouping_of(sim, 'Reporting') == {'type': 'time', 'config': {'timeout': 5}}  # minutes on the service


def test_changing_to_a_content_type_without_its_fields_fails_before_any_write(sim, run_module, account):
    run_module(pd_alert_grouping_setting, name='Report timing', type='time', config=dict(timeout=300), services=['Reporting'])
    sim.clear_requests()
    result = run_module(pd_alert_grouping_setting, name='Report timing', type='content_based_intelligent')
    assert result['failed'] and result['msg'] == 'config: type content_based_intelligent needs config.aggregate and config.fields'
    assert sim.writes() == []


def test_rename_by_new_name_then_by_id(sim, run_module, account):
    created = run_module(pd_alert_grouping_setting, **CONTENT)['alert_grouping_setting']
    renamed = run_module(pd_alert_grouping_setting, diff=True, name='Checkout alerts', new_name='Basket alerts')
    assert renamed['changed'] and renamed['diff'] == {'before': {'name': 'Checkout alerts'}, 'after': {'name': 'Basket alerts'}}
    assert not run_module(pd_alert_grouping_setting, name='Checkout alerts', new_name='Basket alerts')['changed']
    by_id = run_module(pd_alert_grouping_setting, id=created['id'], name='Cart and checkout')
    assert by_id['changed'] and settings(account) == [('Cart and checkout', 'content_based', ['Cart', 'Checkout'])]
    sim.clear_requests()
    assert not run_module(pd_alert_grouping_setting, id=created['id'], services=['Cart', 'Checkout'])['changed']
    assert len(sim.requests()) == 1


# -- services: a set, exclusive or appended --------------------------------------------------------

def test_exclusive_services_take_out_the_others_which_lose_their_grouping(sim, run_module, account):
    run_module(pd_alert_grouping_setting, **dict(CONTENT, services=['Checkout', 'Cart', 'Payments']))
    assert grouping_of(sim, 'Payments')['type'] == 'alert_grouping_setting_reference'
    result = run_module(pd_alert_grouping_setting, diff=True, **CONTENT)
    assert result['changed'] and result['diff'] == {'before': {'services': ['Cart', 'Checkout', 'Payments']},
                                                    'after': {'services': ['Cart', 'Checkout']}}
    assert settings(account) == [('Checkout alerts', 'content_based', ['Cart', 'Checkout'])]
    assert grouping_of(sim, 'Payments') == {'type': None, 'config': None}


@pytest.mark.reads_follow_writes('counts its requests exactly')
def test_append_adds_and_keeps_what_other_plays_attached(sim, run_module, account):
    run_module(pd_alert_grouping_setting, **dict(CONTENT, services=['Checkout']))
    for play in ('Cart', 'Payments'):  # each play attaches its own service to the shared setting
        sim.clear_requests()
        result = run_module(pd_alert_grouping_setting, name='Checkout alerts', services=[play], services_mode='append')
        assert result['changed'], result
        # The setting by name, the service; the shared write: the setting as it is now, the PUT, one read that shows
        # it, and one more once writes of other plays that were in flight at the same moment have landed.
        assert [r['method'] for r in sim.requests()] == ['GET', 'GET', 'GET', 'PUT', 'GET', 'GET']
    assert settings(account) == [('Checkout alerts', 'content_based', ['Cart', 'Checkout', 'Payments'])]
    sim.clear_requests()
    again = run_module(pd_alert_grouping_setting, name='Checkout alerts', services=['Cart'], services_mode='append')
    assert not again['changed'] and len(sim.requests()) == 1


def test_append_adds_its_services_again_when_a_concurrent_write_dropped_them(sim, run_module, account):
    setting = make_setting(sim, 'Shared', 'content_based', {'aggregate': 'any', 'fields': ['source']}, ['Checkout'])
    path = '/alert_grouping_settings/' + setting['id']
    stale = {'alert_grouping_setting': {'services': [{'id': service_id(sim, 'Checkout')}, {'id': service_id(sim, 'Payments')}]}}
    sim.clear_requests()
    # Another task appends Payments from a read made before this task's write: its write lands right after ours.
    sim.fault(method='GET', path='^%s$' % path, times=1, action='delay', seconds=1)

    def concurrent_writer():
        for dummy in range(200):
            if any(r['method'] == 'PUT' for r in sim.requests()):
                sim.api('PUT', path, stale)
                return
            threading.Event().wait(0.01)

    writer = threading.Thread(target=concurrent_writer)
    writer.start()
    result = run_module(pd_alert_grouping_setting, name='Shared', services=['Cart'], services_mode='append')
    writer.join()
    assert result['changed'], result
    assert settings(account) == [('Shared', 'content_based', ['Cart', 'Checkout', 'Payments'])]


# -- one setting per service -----------------------------------------------------------------------

def test_a_service_held_elsewhere_fails_naming_the_setting_before_any_write(sim, run_module, account):
    make_setting(sim, 'Global', 'content_based', {'aggregate': 'all', 'fields': ['summary']}, ['Checkout', 'Payments'])
    sim.clear_requests()
    result = run_module(pd_alert_grouping_setting, **CONTENT)
    assert result['failed']
    assert result['msg'].startswith("services: 'Checkout' is in the alert grouping setting 'Global' (P")
    assert 'set move_services: true to move it here' in result['msg']
    assert sim.writes() == []


def test_move_services_takes_them_from_their_settings_and_deletes_a_setting_left_empty(sim, run_module, account):
    make_setting(sim, 'Global', 'content_based', {'aggregate': 'all', 'fields': ['summary']}, ['Checkout', 'Payments'])
    solo = make_setting(sim, 'Cart only', 'time', {'timeout': 120}, ['Cart'])
    sim.clear_requests()
    checked = run_module(pd_alert_grouping_setting, check_mode=True, move_services=True, **CONTENT)
    assert checked['changed'] and sim.writes() == []
    moved = run_module(pd_alert_grouping_setting, move_services=True, **CONTENT)
    assert moved['changed'], moved
    assert moved['moved_services'] == checked['moved_services']
    assert sorted((m['service'], m['from'], m['from_deleted']) for m in moved['moved_services']) == [
        ('Cart', 'Cart only', True), ('Checkout', 'Global', False)]
    assert settings(account) == [('Checkout alerts', 'content_based', ['Cart', 'Checkout']),
                                 ('Global', 'content_based', ['Payments'])]
    assert ('DELETE', '/alert_grouping_settings/' + solo['id']) in writes(sim)
    assert writes(sim)[-1] == ('POST', '/alert_grouping_settings')
    assert not run_module(pd_alert_grouping_setting, move_services=True, **CONTENT)['changed']


def test_the_services_go_back_when_the_setting_cannot_be_written(sim, run_module, account):
    make_setting(sim, 'Global', 'content_based', {'aggregate': 'all', 'fields': ['summary']}, ['Checkout', 'Payments'])
    sim.fault(method='POST', path='^/alert_grouping_settings$', times=1, action='status', status=400,
              body={'error': {'code': 2001, 'message': 'Invalid Input Provided', 'errors': ['Refused for the test']}})
    result = run_module(pd_alert_grouping_setting, move_services=True, **CONTENT)
    assert result['failed'] and 'Refused for the test' in result['msg']
    assert any('were put back' in w for w in warning_texts(result))
    assert settings(account) == [('Global', 'content_based', ['Checkout', 'Payments'])]


def test_the_services_stay_moved_when_only_the_read_after_a_successful_write_fails(sim, run_module, account):
    make_setting(sim, 'Global', 'content_based', {'aggregate': 'all', 'fields': ['summary']}, ['Checkout', 'Payments'])
    # The first listing finds the setting absent; the reads after the create (which look for look-alikes that
    # other runs created at the same moment) are refused.
    sim.fault(method='GET', path='^/alert_grouping_settings$', after=1, times=10, action='status', status=403,
              body={'error': {'code': 2010, 'message': 'Access Denied', 'errors': ['Refused for the test']}})
    result = run_module(pd_alert_grouping_setting, move_services=True, **CONTENT)
    assert result['failed'] and 'Refused for the test' in result['msg']
    assert [m['service'] for m in result['moved_services']] == ['Checkout']
    assert not any('put back' in w for w in warning_texts(result))
    assert settings(account) == [('Checkout alerts', 'content_based', ['Cart', 'Checkout']),
                                 ('Global', 'content_based', ['Payments'])]


# -- what the API documents: limits, types, a reference on the service -----------------------------

def test_a_time_setting_with_two_services_fails_before_any_request(sim, run_module, account):
    result = run_module(pd_alert_grouping_setting, name='Too many', type='time', config={'timeout': 300},
                        services=['Cart', 'Checkout'])
    assert result['failed'] and result['msg'].startswith('services: a setting of type time holds one service at most')
    assert sim.writes() == []


SMART = dict(name='Checkout smart', type='content_based_intelligent', config=dict(aggregate='all', fields=['summary']),
             services=['Checkout', 'Cart', 'Payments'])


def test_content_based_intelligent_groups_several_services(sim, run_module, account):
    checked = run_module(pd_alert_grouping_setting, check_mode=True, diff=True, **SMART)
    assert checked['changed'] and checked['diff']['after']['services'] == ['Cart', 'Checkout', 'Payments'], checked
    assert sim.writes() == []
    created = run_module(pd_alert_grouping_setting, **SMART)
    assert created['changed'], created
    assert settings(account) == [('Checkout smart', 'content_based_intelligent', ['Cart', 'Checkout', 'Payments'])]
    assert writes(sim) == [('POST', '/alert_grouping_settings')]
    sim.clear_requests()
    assert not run_module(pd_alert_grouping_setting, **SMART)['changed'] and sim.writes() == []


def test_a_content_based_intelligent_setting_made_elsewhere_with_several_services_is_adopted(sim, run_module, account):
    make_setting(sim, 'Web app grouping', 'content_based_intelligent', {'aggregate': 'any', 'fields': ['source']},
                 ['Search', 'Reporting'])
    sim.clear_requests()
    same = dict(name='Web app grouping', type='content_based_intelligent', config=dict(aggregate='any', fields=['source']),
                services=['Reporting', 'Search'])
    assert not run_module(pd_alert_grouping_setting, **same)['changed'] and sim.writes() == []
    joining = dict(name='Web app grouping', services=['Cart'], services_mode='append')
    checked = run_module(pd_alert_grouping_setting, check_mode=True, diff=True, **joining)
    assert checked['changed'] and checked['diff']['after'] == {'services': ['Cart', 'Reporting', 'Search']}, checked
    assert sim.writes() == []
    joined = run_module(pd_alert_grouping_setting, **joining)
    assert joined['changed'], joined
    assert settings(account) == [('Web app grouping', 'content_based_intelligent', ['Cart', 'Reporting', 'Search'])]
    sim.clear_requests()
    assert not run_module(pd_alert_grouping_setting, **joining)['changed'] and sim.writes() == []


def test_a_setting_the_services_api_cannot_express_reads_as_a_reference_on_the_service(sim, run_module, account):
    created = run_module(pd_alert_grouping_setting, **CONTENT)['alert_grouping_setting']
    service = sim.api('GET', '/services/' + service_id(sim, 'Cart')).json()['service']
    reference = grouping_held_by_setting(service)
    assert reference['id'] == created['id'] and reference['type'] == 'alert_grouping_setting_reference'
    run_module(pd_alert_grouping_setting, name='Search', type='time', config=dict(timeout=600), services=['Search'])
    search = sim.api('GET', '/services/' + service_id(sim, 'Search')).json()['service']
    assert grouping_held_by_setting(search) is None  # a single-service time setting reads as parameters
    assert search['alert_grouping_parameters'] == {'type': 'time', 'config': {'timeout': 10}}


def test_two_settings_of_one_name_fail_listing_them(sim, run_module, account):
    first = make_setting(sim, 'Twin', 'time', {'timeout': 60}, ['Cart'])
    second = make_setting(sim, 'Twin', 'time', {'timeout': 60}, ['Search'])
    result = run_module(pd_alert_grouping_setting, name='Twin', config=dict(timeout=120))
    assert result['failed'] and "name: 2 alert grouping settings are named 'Twin'" in result['msg']
    assert first['id'] in result['msg'] and second['id'] in result['msg'] and 'with id' in result['msg']


# -- delete, deleted services, eventual consistency ------------------------------------------------

def test_absent_deletes_the_setting_and_its_services_lose_their_grouping(sim, run_module, account):
    run_module(pd_alert_grouping_setting, **CONTENT)
    sim.clear_requests()
    checked = run_module(pd_alert_grouping_setting, check_mode=True, diff=True, name='Checkout alerts', state='absent')
    assert checked['changed'] and checked['diff']['after'] == {} and sim.writes() == []
    assert checked['diff']['before']['services'] == ['Cart', 'Checkout']
    assert 'recommended_time_window' not in checked['diff']['before']['config']
    deleted = run_module(pd_alert_grouping_setting, name='Checkout alerts', state='absent')
    assert deleted['changed'] and account.alert_grouping_settings == {}
    assert grouping_of(sim, 'Cart') == {'type': None, 'config': None}
    assert not run_module(pd_alert_grouping_setting, name='Checkout alerts', state='absent')['changed']


def test_a_deleted_service_leaves_its_setting(sim, run_module, account):
    run_module(pd_alert_grouping_setting, **CONTENT)
    sim.api('DELETE', '/services/' + service_id(sim, 'Cart'))
    assert settings(account) == [('Checkout alerts', 'content_based', ['Checkout'])]
    assert not run_module(pd_alert_grouping_setting, **dict(CONTENT, services=['Checkout']))['changed']


def test_reads_that_lag_writes_still_give_an_ok_second_run(sim, run_module, account):
    sim.settings(read_after_write_lag_seconds=1)
    assert run_module(pd_alert_grouping_setting, **CONTENT)['changed']
    sim.clear_requests()
    again = run_module(pd_alert_grouping_setting, **CONTENT)
    assert not again['changed'] and sim.writes() == []


# -- the migration the guide describes (needs the core's service_written hook) --------------------

def test_migrating_from_alert_grouping_parameters_adopts_or_moves_the_setting_pagerduty_made(sim, run_module, account):
    from ansible_collections.oncall.pagerduty.plugins.modules import pd_service

    run_module(pd_service, name='Reporting', alert_grouping_parameters=dict(type='time', config=dict(timeout=5)))
    assert settings(account) == [('Reporting', 'time', ['Reporting'])]  # kept in a setting named after the service
    sim.clear_requests()
    adopted = run_module(pd_alert_grouping_setting, name='Reporting', type='time', config=dict(timeout=300),
                         services=['Reporting'], move_services=True)
    assert not adopted['changed'] and sim.writes() == []
    moved = run_module(pd_alert_grouping_setting, name='Reporting - five minutes', type='time', config=dict(timeout=300),
                       services=['Reporting'], move_services=True)
    assert moved['changed'] and moved['moved_services'][0]['from_deleted']
    assert settings(account) == [('Reporting - five minutes', 'time', ['Reporting'])]
    assert grouping_of(sim, 'Reporting') == {'type': 'time', 'config': {'timeout': 5}}


# -- both findings in a real playbook, on each execution path --------------------------------------

GLOBAL_PLAY = '''
    - name: One content_based_intelligent setting for three services, in an account that has no setting yet
      oncall.pagerduty.pd_alert_grouping_setting:
        name: Checkout smart
        type: content_based_intelligent
        config:
          aggregate: all
          fields: [summary]
        services: [Checkout, Cart, Payments]
      register: smart
'''


@pytest.mark.parametrize('path', ['in_process', 'module'])
def test_a_playbook_creates_the_first_setting_for_several_services_as_its_check_run_predicts(sim, account, play, path):
    environment = dict({} if path == 'in_process' else {'ONCALL_PAGERDUTY_IN_PROCESS': '0'}, PAGERDUTY_API_TOKEN=sim.token)
    code, output, checked = play(GLOBAL_PLAY, ['smart'], ['--check', '--diff'], **environment)
    assert code == 0, output[-3000:]
    assert checked['smart']['execution'] == path and checked['smart']['changed']
    assert checked['smart']['diff']['after']['services'] == ['Cart', 'Checkout', 'Payments']
    assert [status for dummy, status in setting_lists(sim)] == [404] and sim.writes() == []
    code, output, real = play(GLOBAL_PLAY, ['smart'], ['--diff'], **environment)
    assert code == 0 and real['smart']['changed'], output[-3000:]
    assert real['smart']['diff'] == checked['smart']['diff']
    assert settings(account) == [('Checkout smart', 'content_based_intelligent', ['Cart', 'Checkout', 'Payments'])]
    sim.clear_requests()
    code, output, again = play(GLOBAL_PLAY, ['smart'], **environment)
    assert code == 0 and again['smart']['changed'] is False and sim.writes() == [], output[-3000:]
