"""pd_service_catalog in-process against the simulator: every state, the scope rules, max_deletions,
the gathered round trip, check mode with zero writes, the request budget, parallel writes under a
rate limit and faults. Claims about requests and state come from the simulator."""

import pytest

from ansible_collections.oncall.pagerduty.plugins.module_utils._integration import CHECK_MODE_KEY
from ansible_collections.oncall.pagerduty.plugins.modules import pd_service_catalog
from tests.conftest import warning_texts


def service(name, policy='Default', **settings):
    return dict(name=name, escalation_policy=policy, **settings)


def with_integrations(name, **settings):
    return service(name, integrations=[dict(vendor='Datadog'), dict(name='Deploys', type='events_api_v2')], **settings)


def state_of(sim):
    """{service name: sorted integration names} as the simulator holds them."""
    return {s['name']: sorted(i['name'] for i in s['integrations']) for s in sim.state()['services']}


def actions(result):
    return [(e['action'], e['kind'], e['service'], e.get('integration')) for e in result['plan']]


# -- merged --------------------------------------------------------------------------------------

def test_merged_creates_in_check_mode_then_for_real_then_changes_nothing(sim, run_module):
    services = [with_integrations('svc-a', description='A'), with_integrations('svc-b')]
    checked = run_module(pd_service_catalog, check_mode=True, diff=True, services=services)
    assert checked['changed'] and sim.writes() == [] and state_of(sim) == {}
    assert actions(checked) == [
        ('create', 'service', 'svc-a', None), ('create', 'integration', 'svc-a', 'Datadog-svc-a'),
        ('create', 'integration', 'svc-a', 'Deploys'),
        ('create', 'service', 'svc-b', None), ('create', 'integration', 'svc-b', 'Datadog-svc-b'),
        ('create', 'integration', 'svc-b', 'Deploys')]
    predicted = checked['services'][0]['integrations'][0]
    assert predicted['integration_key'] == CHECK_MODE_KEY and predicted['predicted']
    real = run_module(pd_service_catalog, diff=True, services=services)
    assert real['plan'] == checked['plan']                  # the plan is the same in check mode
    assert real['diff'] == checked['diff']
    assert state_of(sim) == {'svc-a': ['Datadog-svc-a', 'Deploys'], 'svc-b': ['Datadog-svc-b', 'Deploys']}
    assert all(len(i['integration_key']) == 32 for s in real['services'] for i in s['integrations'])
    sim.clear_requests()
    again = run_module(pd_service_catalog, services=services)
    assert not again['changed'] and again['plan'] == [] and sim.writes() == []


def test_merged_updates_only_what_items_set_and_deletes_nothing(sim, run_module):
    sim.seed(services=[dict(service('svc-a'), description='old', auto_resolve_timeout=600), service('other')],
             integrations=[{'service': 'svc-a', 'type': 'events_api_v2_inbound_integration', 'name': 'Hand made'}])
    result = run_module(pd_service_catalog, diff=True, services=[dict(name='svc-a', description='new')])
    assert actions(result) == [('update', 'service', 'svc-a', None)] and result['plan'][0]['fields'] == ['description']
    assert result['diff'] == [{'before_header': 'service svc-a', 'after_header': 'service svc-a',
                               'before': {'description': 'old'}, 'after': {'description': 'new'}}]
    stored = {s['name']: s for s in sim.state()['services']}
    assert stored['svc-a']['auto_resolve_timeout'] == 600 and stored['svc-a']['integrations'][0]['name'] == 'Hand made'
    assert 'other' in stored


def test_rotation_and_renames_are_planned_like_the_single_modules_do(sim, run_module):
    run_module(pd_service_catalog, services=[with_integrations('svc-a')])
    old_key = [i for s in sim.state()['services'] for i in s['integrations'] if i['name'] == 'Deploys'][0]['integration_key']
    result = run_module(pd_service_catalog, services=[dict(
        name='svc-a', new_name='svc-renamed',
        integrations=[dict(vendor='Datadog'), dict(name='Deploys', type='events_api_v2', rotate_key=True)])])
    assert actions(result) == [('update', 'service', 'svc-renamed', None),
                               ('update', 'integration', 'svc-renamed', 'Datadog-svc-renamed'),
                               ('rotate', 'integration', 'svc-renamed', 'Deploys')]
    assert state_of(sim) == {'svc-renamed': ['Datadog-svc-renamed', 'Deploys']}
    new_key = [i for s in sim.state()['services'] for i in s['integrations'] if i['name'] == 'Deploys'][0]['integration_key']
    assert new_key != old_key


# -- replaced, overridden, deleted ---------------------------------------------------------------

def test_replaced_makes_the_listed_integrations_exact_and_leaves_unlisted_ones_of_silent_items(sim, run_module):
    sim.seed(services=[service('svc-a'), service('svc-b')],
             integrations=[{'service': 'svc-a', 'type': 'events_api_v2_inbound_integration', 'name': 'Stale'},
                           {'service': 'svc-b', 'type': 'events_api_v2_inbound_integration', 'name': 'Kept'}])
    result = run_module(pd_service_catalog, state='replaced',
                        services=[dict(name='svc-a', integrations=[dict(name='Deploys', type='events_api_v2')]),
                                  dict(name='svc-b')])
    assert actions(result) == [('delete', 'integration', 'svc-a', 'Stale'), ('create', 'integration', 'svc-a', 'Deploys')]
    assert state_of(sim) == {'svc-a': ['Deploys'], 'svc-b': ['Kept']}


def test_the_diffs_of_deletes_show_what_a_user_sets(sim, run_module):
    sim.seed(services=[service('shop-web'), service('shop-old')],
             integrations=[{'service': 'shop-web', 'vendor': {'id': 'PAM4FGS', 'type': 'vendor_reference'}, 'name': 'Old'}])
    result = run_module(pd_service_catalog, state='overridden', scope=dict(name_prefix='shop-'), diff=True,
                        services=[dict(name='shop-web', integrations=[])])
    by_service = {d['before_header']: d for d in result['diff']}
    assert by_service['service shop-web']['before'] == {'integrations': {'Old': {
        'name': 'Old', 'type': 'events_api_v2_inbound_integration', 'vendor': 'Datadog'}}}
    deleted = by_service['service shop-old']['before']
    assert deleted['escalation_policy'] == 'Default' and 'id' not in deleted and 'html_url' not in str(deleted)


def test_overridden_purges_inside_the_scope_only(sim, run_module):
    sim.seed(services=[service('shop-web'), service('shop-old'), service('shopping-list'), service('billing')])
    result = run_module(pd_service_catalog, state='overridden', scope=dict(name_prefix='shop-'),
                        services=[service('shop-web'), service('shop-new')])
    assert sorted(actions(result)) == [('create', 'service', 'shop-new', None), ('delete', 'service', 'shop-old', None)]
    # 'shopping-list' does not start with 'shop-': a prefix is a prefix, not a substring.
    assert sorted(state_of(sim)) == ['billing', 'shop-new', 'shop-web', 'shopping-list']


def test_scope_rules_combine_and_teams_come_from_policies(sim, run_module):
    sim.seed(services=[service('pay-api', 'Payments On-Call'), service('pay-tool', 'Default'),
                       service('pay-batch', 'Payments On-Call'), service('plat-api', 'Platform On-Call')])
    result = run_module(pd_service_catalog, state='overridden',
                        scope=dict(teams=['Payments'], name_prefix='pay-', name_regex='-(api|batch)$'),
                        services=[service('pay-api', 'Payments On-Call')])
    assert actions(result) == [('delete', 'service', 'pay-batch', None)]
    assert sorted(state_of(sim)) == ['pay-api', 'pay-tool', 'plat-api']


@pytest.mark.parametrize('state', ['overridden', 'replaced', 'deleted'])
def test_a_listed_service_outside_the_scope_fails_before_any_write(sim, run_module, state):
    # The scope is a promise: with a state that removes what it does not list, nothing outside it is touched.
    sim.seed(services=[service('pay-api', 'Payments On-Call'), service('plat-api', 'Platform On-Call'),
                       service('pay-tool', 'Default')],
             integrations=[{'service': 'pay-tool', 'type': 'events_api_v2_inbound_integration', 'name': 'Hand made'}])
    sim.clear_requests()
    outside_team = run_module(pd_service_catalog, state=state, scope=dict(teams=['Payments']),
                              services=[service('pay-api', 'Payments On-Call', description='x'),
                                        service('plat-api', 'Platform On-Call', description='x')])
    assert outside_team['failed'] and outside_team['msg'].startswith(
        "services[1].name: the service 'plat-api' is outside scope.teams (Payments)")
    no_team = run_module(pd_service_catalog, state=state, scope=dict(teams=['Payments']),
                         services=[dict(service('pay-tool'), integrations=[dict(name='Deploys', type='events_api_v2')])])
    assert no_team['failed'] and "'pay-tool' is outside scope.teams (Payments)" in no_team['msg']
    outside_name = run_module(pd_service_catalog, state=state, scope=dict(name_prefix='pay-'),
                              services=[service('plat-api', 'Platform On-Call')])
    assert outside_name['failed'] and "'plat-api' is outside scope.name_prefix 'pay-'" in outside_name['msg']
    new_outside = run_module(pd_service_catalog, state=state, scope=dict(name_regex='^pay-'),
                             services=[service('billing', 'Payments On-Call')])
    assert new_outside['failed'] and "'billing' is outside scope.name_regex '^pay-'" in new_outside['msg']
    assert sim.writes() == []
    assert {s['name']: [i['name'] for i in s['integrations']] for s in sim.state()['services']}['pay-tool'] == ['Hand made']


def test_merged_may_list_services_outside_the_scope(sim, run_module):
    sim.seed(services=[service('plat-api', 'Platform On-Call')])
    result = run_module(pd_service_catalog, state='merged', scope=dict(teams=['Payments']),
                        services=[service('plat-api', 'Platform On-Call', description='x')])
    assert result['changed'] and not result.get('failed'), result.get('msg')


def test_max_deletions_fails_before_any_write_saying_how_many_and_which(sim, run_module):
    sim.seed(services=[service('tmp-%d' % n) for n in range(4)] + [service('tmp-keep')])
    sim.clear_requests()
    result = run_module(pd_service_catalog, state='overridden', scope=dict(name_prefix='tmp-'), max_deletions=3,
                        services=[service('tmp-keep')])
    assert result['failed'] and sim.writes() == []
    assert result['msg'].startswith('max_deletions: the plan deletes 4 objects, more than max_deletions=3')
    assert all("service 'tmp-%d'" % n in result['msg'] for n in range(4))
    assert len(result['plan']) == 4


def test_deleted_removes_the_listed_services(sim, run_module):
    sim.seed(services=[service('gone-a'), service('gone-b'), service('stays')])
    listed = [dict(name='gone-a'), dict(name='gone-b'), dict(name='never-was')]
    result = run_module(pd_service_catalog, state='deleted', services=listed)
    assert actions(result) == [('delete', 'service', 'gone-a', None), ('delete', 'service', 'gone-b', None)]
    assert sorted(state_of(sim)) == ['stays']
    assert not run_module(pd_service_catalog, state='deleted', services=[dict(name='gone-a')])['changed']


@pytest.mark.parametrize('options, message', [
    (dict(state='overridden', scope=dict(), services=[service('x')]), 'scope: must name teams, name_prefix or name_regex'),
    (dict(state='overridden', services=[service('x')]), 'state is overridden but all of the following are missing: scope'),
    (dict(state='merged', services=[]), 'services: merged needs the services to apply'),
    (dict(state='gathered', scope=dict(), services=[service('x')]), 'services: gathered reads the catalogue'),
    (dict(services=[service('x'), service('x')]), "services[1].name: 'x' is also services[0]"),
    (dict(services=[dict(name='x', support_hours=dict(time_zone='Mars/Olympus', start_time='09:00', end_time='17:00',
                                                      days_of_week=[1]))]),
     "services[0].support_hours.time_zone: 'Mars/Olympus' is not a time zone"),
    (dict(services=[dict(name='x', integrations=[dict(type='email', name='m', email_filters=[])])]),
     'services[0].integrations[0].email_filters: must list at least one rule'),
    (dict(state='overridden', scope=dict(name_regex='(unclosed'), services=[service('x')]),
     "scope.name_regex: '(unclosed' is not a valid regular expression"),
    (dict(services=[service('x')], parallel_writes=0), 'parallel_writes: must be 1 to 16, got 0'),
])
def test_bad_input_fails_before_any_request_naming_the_item(sim, run_module, options, message):
    result = run_module(pd_service_catalog, **options)
    assert result['failed'] and message in result['msg'], result['msg']
    assert sim.writes() == []


def test_a_missing_policy_names_the_item_and_suggests(sim, run_module):
    result = run_module(pd_service_catalog, services=[service('ok'), service('typo', 'Payments Oncall')])
    assert result['failed'] and result['msg'].startswith(
        "services[1].escalation_policy: no escalation policy is named or identified by 'Payments Oncall'; "
        "did you mean 'Payments On-Call'")
    assert sim.writes() == []


# -- gathered: adopting an existing account ------------------------------------------------------

def varied_services(count):
    """Services with every kind of setting and integration, different from one to the next."""
    specs, integrations = [], []
    for n in range(count):
        spec = service('adopt-%02d' % n, ['Default', 'Platform On-Call', 'Payments On-Call'][n % 3],
                       description='service %d' % n if n % 2 else None, auto_resolve_timeout=[None, 600, 14400][n % 3],
                       acknowledgement_timeout=[None, 1800][n % 2])
        if n % 4 == 1:
            spec['incident_urgency_rule'] = {'type': 'constant', 'urgency': 'low'}
        if n % 4 == 2:
            spec['support_hours'] = {'type': 'fixed_time_per_day', 'time_zone': 'Europe/Paris', 'start_time': '09:00:00',
                                     'end_time': '17:00:00', 'days_of_week': [1, 2, 3, 4, 5]}
            spec['incident_urgency_rule'] = {'type': 'use_support_hours',
                                             'during_support_hours': {'type': 'constant', 'urgency': 'high'},
                                             'outside_support_hours': {'type': 'constant', 'urgency': 'low'}}
            spec['scheduled_actions'] = [{'type': 'urgency_change', 'to_urgency': 'high',
                                          'at': {'type': 'named_time', 'name': 'support_hours_start'}}]
        if n % 5 == 3:
            spec['alert_grouping_parameters'] = {'type': 'time', 'config': {'timeout': 5 + n}}
        if n % 5 == 4:
            spec['auto_pause_notifications_parameters'] = {'enabled': True, 'timeout': 300}
        if n % 7 == 6:
            spec['status'] = 'disabled'
        specs.append({k: v for k, v in spec.items() if v is not None})
        integrations.append({'service': spec['name'], 'vendor': {'id': 'PAM4FGS', 'type': 'vendor_reference'},
                             'name': 'Datadog-%s' % spec['name']})
        if n % 3 == 0:
            integrations.append({'service': spec['name'], 'type': 'generic_email_inbound_integration', 'name': 'Mail',
                                 'integration_email': 'adopt-%02d@acme.pagerduty.com' % n,
                                 'email_filter_mode': 'or-rules-email',
                                 'email_filters': [{'subject_mode': 'match', 'subject_regex': 'DOWN',
                                                    'body_mode': 'always', 'from_email_mode': 'always'}]})
        else:
            integrations.append({'service': spec['name'], 'type': 'events_api_v2_inbound_integration', 'name': 'Deploys'})
    return specs, integrations


def test_gathered_round_trip_of_fifty_varied_services_changes_nothing(sim, run_module):
    specs, integrations = varied_services(50)
    sim.seed(services=specs + [service('not-mine')], integrations=integrations)
    run_module(pd_service_catalog, services=[dict(name='adopt-01', depends_on=['adopt-02', 'not-mine']),
                                             dict(name='adopt-03', depends_on=['adopt-01'])])
    sim.clear_requests()
    gathered = run_module(pd_service_catalog, state='gathered', scope=dict(name_prefix='adopt-'))
    assert not gathered['changed'] and sim.writes() == [] and len(gathered['services']) == 50
    first = gathered['services'][2]
    assert first['escalation_policy'] == 'Payments On-Call'
    assert first['support_hours']['time_zone'] == 'Europe/Paris' and first['scheduled_actions'] == [
        {'at': 'support_hours_start', 'to_urgency': 'high'}]
    assert {'vendor': 'Datadog', 'name': 'Datadog-adopt-02'} in first['integrations']
    assert all('integration_key' not in i for s in gathered['services'] for i in s['integrations'])
    assert gathered['services'][1]['depends_on'] == ['adopt-02', 'not-mine']
    sim.clear_requests()
    fed_back = run_module(pd_service_catalog, state='merged', services=gathered['services'])
    assert not fed_back.get('failed'), fed_back.get('msg')
    assert fed_back['plan'] == [] and not fed_back['changed'] and sim.writes() == []
    replaced = run_module(pd_service_catalog, state='overridden', scope=dict(name_prefix='adopt-'),
                          services=gathered['services'])
    assert replaced['plan'] == [] and sim.writes() == []


def test_gathered_names_a_service_a_task_could_not_name_by_its_id_and_round_trips(sim, run_module):
    # PagerDuty keeps names that a task refuses as new input (spaces at either end); gathered names such a service
    # by its id, so that feeding the output back changes nothing.
    created = sim.seed(services=[service('adopt-padded '), service('adopt-plain')],
                       integrations=[{'service': 'adopt-padded ', 'type': 'events_api_v2_inbound_integration',
                                      'name': ' spaced '}])
    gathered = run_module(pd_service_catalog, state='gathered', scope=dict(name_prefix='adopt-'))
    by_id = {s.get('id'): s for s in gathered['services']}
    padded = by_id[created['services'][0]]
    assert 'name' not in padded
    assert padded['integrations'] == [{'id': created['integrations'][0], 'type': 'events_api_v2'}]
    sim.clear_requests()
    fed_back = run_module(pd_service_catalog, state='merged', services=gathered['services'])
    assert not fed_back.get('failed'), fed_back.get('msg')
    assert fed_back['plan'] == [] and sim.writes() == []


# -- cost ----------------------------------------------------------------------------------------

def test_a_no_op_over_500_services_with_two_integrations_each_costs_at_most_6_requests(sim, run_module):
    sim.seed(services={'count': 500, 'name_prefix': 'bulk-', 'escalation_policy': 'Default'},
             integrations=[{'service': 'bulk-%05d' % n, 'type': 'events_api_v2_inbound_integration', 'name': 'Events'}
                           for n in range(1, 501)]
             + [{'service': 'bulk-%05d' % n, 'vendor': {'id': 'PAM4FGS', 'type': 'vendor_reference'},
                 'name': 'Datadog-bulk-%05d' % n} for n in range(1, 501)])
    services = [service('bulk-%05d' % n, integrations=[dict(name='Events', type='events_api_v2'), dict(vendor='Datadog')])
                for n in range(1, 501)]
    sim.clear_requests()
    result = run_module(pd_service_catalog, services=services)
    assert not result.get('failed'), result.get('msg')
    assert not result['changed'] and len(sim.requests()) <= 6


def test_listed_services_on_the_first_page_cost_that_page_alone(sim, run_module):
    sim.seed(services={'count': 250, 'name_prefix': 'bulk-', 'escalation_policy': 'Default'})
    sim.clear_requests()
    result = run_module(pd_service_catalog, services=[service('bulk-00001'), service('bulk-00002')])
    assert not result['changed'] and len(sim.requests()) == 1
    sim.clear_requests()
    result = run_module(pd_service_catalog, services=[service('bulk-00001'), service('bulk-00240')])
    assert not result['changed'] and len(sim.requests()) == 2  # the first page, then the other one by name


def test_a_policy_and_a_vendor_are_looked_up_once_for_many_services(sim, run_module):
    services = [service('svc-%d' % n, 'Payments On-Call', integrations=[dict(vendor='datadog')]) for n in range(10)]
    run_module(pd_service_catalog, services=services)
    paths = [r['path'] for r in sim.requests() if r['method'] == 'GET']
    assert paths.count('/escalation_policies') == 1 and paths.count('/vendors') == 1


def test_writes_run_in_parallel_under_the_rate_limit_with_no_failure(sim, run_module):
    sim.rate_limit(15, window_seconds=1)
    services = [with_integrations('load-%02d' % n) for n in range(12)]
    result = run_module(pd_service_catalog, services=services, parallel_writes=4, retry_timeout=120)
    assert not result.get('failed'), result.get('msg')
    assert len(state_of(sim)) == 12 and all(len(names) == 2 for names in state_of(sim).values())
    # The limit was met and waited out: paced by the headers, with few requests answered 429 (if any).
    assert result['rate_limited']['seconds_waited'] > 0
    assert sum(1 for r in sim.requests() if r['status'] == 429) == result['rate_limited']['requests'] < 12


# -- failures midway -----------------------------------------------------------------------------

@pytest.mark.reads_follow_writes('reads the account right after the task, before a lagging read would show it')
def test_a_failed_write_reports_what_was_and_was_not_done(sim, run_module):
    sim.fault(method='POST', path='^/services$', times=1, action='status', status=400,
              body={'error': {'code': 2001, 'message': 'Invalid Input Provided', 'errors': ['Something is wrong']}})
    result = run_module(pd_service_catalog, services=[with_integrations('first'), with_integrations('second')],
                        parallel_writes=1)
    assert result['failed'] and 'Something is wrong' in result['msg']
    assert result['msg'].startswith('3 of 6 planned changes were made, 3 were not')
    assert [e['service'] for e in result['not_done']] == ['first', 'first', 'first']
    assert state_of(sim) == {'second': ['Datadog-second', 'Deploys']}
    again = run_module(pd_service_catalog, services=[with_integrations('first'), with_integrations('second')])
    assert not again.get('failed') and len(again['plan']) == 3   # a second run finishes the job


def test_a_purge_deletes_nothing_when_the_scope_cannot_be_read_whole(sim, run_module):
    sim.seed(services={'count': 150, 'name_prefix': 'scope-', 'escalation_policy': 'Default'})
    sim.fault(method='GET', path='^/services$', times=10, action='status', status=500)
    result = run_module(pd_service_catalog, state='overridden', scope=dict(name_prefix='scope-'), max_deletions=500,
                        services=[service('scope-00001')], retries=1)
    assert result['failed'] and sim.writes() == [] and len(state_of(sim)) == 150


def test_predicted_parents_warn_once_per_item(sim, run_module):
    result = run_module(pd_service_catalog, check_mode=True, services=[service('new', 'Policy Made Earlier')])
    assert result['changed'] and any("services[0].escalation_policy: no escalation policy is named 'Policy Made Earlier' "
                                     "yet" in w for w in warning_texts(result))


# -- depends_on ----------------------------------------------------------------------------------

def dependencies_of(sim, run_module, name):
    from ansible_collections.oncall.pagerduty.plugins.modules import pd_service_catalog as catalog

    gathered = run_module(catalog, state='gathered', scope=dict(name_prefix=name))
    return [s.get('depends_on', []) for s in gathered['services'] if s['name'] == name][0]


def test_depends_on_reaches_services_the_run_creates_in_one_associate_request(sim, run_module):
    sim.seed(services=[service('db')])
    services = [service('api', depends_on=['worker', 'db']), service('worker', depends_on=['db'])]
    checked = run_module(pd_service_catalog, check_mode=True, diff=True, services=services)
    assert sim.writes() == []
    real = run_module(pd_service_catalog, diff=True, services=services)
    assert real['plan'] == checked['plan'] and real['diff'] == checked['diff']
    assert sorted((e['service'], e['depends_on']) for e in real['plan'] if e['kind'] == 'dependency') == [
        ('api', 'db'), ('api', 'worker'), ('worker', 'db')]
    # One associate request for them all, sent again only while PagerDuty answers 404 for services made a moment ago.
    associates = [r['status'] for r in sim.writes() if r['path'] == '/service_dependencies/associate']
    assert associates[-1] == 200 and set(associates[:-1]) <= {404}, associates
    assert dependencies_of(sim, run_module, 'api') == ['db', 'worker']
    sim.clear_requests()
    again = run_module(pd_service_catalog, services=services)
    assert again['plan'] == [] and sim.writes() == []


def test_merged_adds_dependencies_and_replaced_makes_them_exact(sim, run_module):
    sim.seed(services=[service('api'), service('db'), service('cache')])
    run_module(pd_service_catalog, services=[dict(name='api', depends_on=['db', 'cache'])])
    merged = run_module(pd_service_catalog, services=[dict(name='api', depends_on=['db'])])
    assert merged['plan'] == [] and dependencies_of(sim, run_module, 'api') == ['cache', 'db']
    replaced = run_module(pd_service_catalog, state='replaced', services=[dict(name='api', depends_on=['db'])])
    assert [(e['action'], e['depends_on']) for e in replaced['plan']] == [('delete', 'cache')]
    assert dependencies_of(sim, run_module, 'api') == ['db']


def test_a_missing_supporting_service_names_the_item(sim, run_module):
    sim.seed(services=[service('api'), service('database')])
    result = run_module(pd_service_catalog, services=[dict(name='api', depends_on=['databse'])])
    assert result['failed'] and result['msg'].startswith("services[0].depends_on[0]: no technical or business service is "
                                                         "named or identified by 'databse'")
    assert sim.writes() == []


# -- custom fields -------------------------------------------------------------------------------

def test_custom_fields_are_planned_written_gathered_and_fields_listed_once(sim, run_module):
    for name, options in (('tier', ['gold', 'silver']), ('region', None)):
        field = {'name': name, 'display_name': name.title(), 'data_type': 'string',
                 'field_type': 'single_value_fixed' if options else 'single_value'}
        if options:
            field['field_options'] = [{'data': {'data_type': 'string', 'value': v}} for v in options]
        assert sim.api('POST', '/services/custom_fields', {'field': field}).status_code == 201
    sim.seed(services=[service('old')])
    services = [service('svc-%d' % n, custom_fields=dict(tier='gold')) for n in range(5)]
    services.append(dict(name='old', custom_fields=dict(region='eu')))
    sim.clear_requests()
    checked = run_module(pd_service_catalog, check_mode=True, diff=True, services=services)
    assert sim.writes() == [] and checked['changed']
    assert [r['path'] for r in sim.requests()].count('/services/custom_fields') == 1
    real = run_module(pd_service_catalog, diff=True, services=services)
    assert real['plan'] == checked['plan'] and real['diff'] == checked['diff']
    assert ('update', 'service', 'old', None) in actions(real)
    old = [e for e in real['plan'] if e['service'] == 'old'][0]
    assert old['fields'] == ['custom_fields']
    gathered = run_module(pd_service_catalog, state='gathered', scope=dict(name_prefix=''))
    assert not gathered.get('failed'), gathered.get('msg')
    by_name = {s['name']: s for s in gathered['services']}
    assert by_name['svc-3']['custom_fields'] == {'tier': 'gold'} and by_name['old']['custom_fields'] == {'region': 'eu'}
    sim.clear_requests()
    again = run_module(pd_service_catalog, services=services)
    assert again['plan'] == [] and sim.writes() == []
    wrong = run_module(pd_service_catalog, services=[service('svc-0', custom_fields=dict(tier='bronze'))])
    assert wrong['failed'] and wrong['msg'].startswith('services[0].custom_fields.tier: ')
    assert sim.writes() == []
