"""pd_service_orchestration runs in-process against the simulator; claims about requests and writes come
from the simulator's request log and its API, never from the module's own output."""

import pytest

from tests.conftest import warning_texts

from ansible_collections.oncall.pagerduty.plugins.modules import pd_service_orchestration

RULES = [
    dict(id='start', rules=[
        dict(label='Quiet load tests', conditions=["event.source matches part 'loadtest'"], actions=dict(suppress=True)),
        dict(label='Payments are critical', conditions=[dict(expression="event.summary matches part 'payment'")],
             actions=dict(severity='critical', route_to='payments')),
    ]),
    dict(id='payments', rules=[
        dict(label='Runbook', actions=dict(annotate='Runbook: https://runbooks.example.com/payments')),
    ]),
]


@pytest.fixture
def service(sim):
    created = sim.seed(services=[{'name': 'Checkout', 'escalation_policy': 'Default'}])['services'][0]
    sim.clear_requests()
    return created


def stored(sim, service_id):
    """The orchestration and the active switch as the simulator holds them (read through its API)."""
    path = sim.api('GET', '/event_orchestrations/services/%s' % service_id).json()['orchestration_path']
    active = sim.api('GET', '/event_orchestrations/services/%s/active' % service_id).json()['active']
    return path, active


def labels(path):
    return {s['id']: [r['label'] for r in s['rules']] for s in path['sets']}


def test_check_mode_writes_nothing_and_predicts_the_diff(sim, run_module, service):
    result = run_module(pd_service_orchestration, check_mode=True, diff=True, service='Checkout', enabled=True, sets=RULES)
    assert result['changed'] and result['service_orchestration']['enabled'] is True
    assert result['diff']['before'] == {'enabled': False, 'sets': [{'id': 'start', 'rules': []}]}
    assert [s['id'] for s in result['diff']['after']['sets']] == ['start', 'payments']
    assert 'id' not in result['diff']['after']['sets'][0]['rules'][0]  # PagerDuty's rule IDs never show
    assert sim.writes() == []
    path, active = stored(sim, service)
    assert labels(path) == {'start': []} and active is False


def test_create_then_second_run_is_ok_in_three_requests(sim, run_module, service):
    result = run_module(pd_service_orchestration, diff=True, service='Checkout', enabled=True, sets=RULES,
                        catch_all=dict(actions={}))
    assert result['changed'] and not result.get('failed'), result
    path, active = stored(sim, service)
    assert active is True and labels(path) == {'start': ['Quiet load tests', 'Payments are critical'], 'payments': ['Runbook']}
    assert path['sets'][0]['rules'][1]['actions'] == {'severity': 'critical', 'route_to': 'payments'}
    # The rules are written before the orchestration is switched on.
    assert [(r['method'], r['path'].rsplit('/', 1)[-1]) for r in sim.writes()] == [('PUT', service), ('PUT', 'active')]
    sim.clear_requests()
    again = run_module(pd_service_orchestration, diff=True, service='Checkout', enabled=True, sets=RULES,
                       catch_all=dict(actions={}))
    assert not again['changed'] and 'diff' not in again
    assert len(sim.requests()) == 3 and sim.writes() == []


def test_a_rule_that_keeps_its_label_keeps_its_id(sim, run_module, service):
    run_module(pd_service_orchestration, service='Checkout', sets=RULES)
    before, dummy = stored(sim, service)
    changed = [dict(RULES[0], rules=[dict(RULES[0]['rules'][0], actions=dict(suppress=True, severity='info')),
                                     RULES[0]['rules'][1]]), RULES[1]]
    result = run_module(pd_service_orchestration, diff=True, service='Checkout', sets=changed)
    after, dummy = stored(sim, service)
    assert result['changed']
    assert [r['id'] for r in after['sets'][0]['rules']] == [r['id'] for r in before['sets'][0]['rules']]
    assert after['sets'][0]['rules'][0]['actions'] == {'suppress': True, 'severity': 'info'}
    # Only the set that changed is in the diff.
    assert [s['id'] for s in result['diff']['before']['sets']] == ['start']
    assert [s['id'] for s in result['diff']['after']['sets']] == ['start']


def test_a_set_left_out_is_removed(sim, run_module, service):
    run_module(pd_service_orchestration, service='Checkout', sets=RULES)
    only_start = [dict(id='start', rules=[RULES[0]['rules'][0]])]
    result = run_module(pd_service_orchestration, diff=True, service='Checkout', sets=only_start)
    assert result['changed'] and [s['id'] for s in result['diff']['before']['sets']] == ['start', 'payments']
    assert labels(stored(sim, service)[0]) == {'start': ['Quiet load tests']}


def test_unset_options_are_left_as_they_are(sim, run_module, service):
    run_module(pd_service_orchestration, service='Checkout', enabled=True, sets=RULES)
    sim.clear_requests()
    result = run_module(pd_service_orchestration, diff=True, service='Checkout', catch_all=dict(actions=dict(severity='info')))
    assert result['changed'] and result['diff'] == {'before': {'catch_all': {'actions': {}}},
                                                    'after': {'catch_all': {'actions': {'severity': 'info'}}}}
    path, active = stored(sim, service)
    assert active is True and labels(path)['payments'] == ['Runbook'] and path['catch_all']['actions'] == {'severity': 'info'}


def test_false_and_empty_actions_are_what_pagerduty_leaves_out(sim, run_module, service):
    run_module(pd_service_orchestration, service='Checkout', sets=[dict(id='start', rules=[
        dict(label='Quiet', actions=dict(suppress=True))])])
    again = run_module(pd_service_orchestration, service='Checkout', sets=[dict(id='start', rules=[
        dict(label='Quiet', actions=dict(suppress='yes', annotate=None, variables=[]), conditions=[])])])
    assert not again['changed']


def test_switching_off_comes_before_the_rules(sim, run_module, service):
    run_module(pd_service_orchestration, service='Checkout', enabled=True, sets=RULES)
    sim.clear_requests()
    result = run_module(pd_service_orchestration, service='Checkout', enabled=False, state='absent')
    assert result['changed'] and result['service_orchestration']['sets'] == [{'id': 'start', 'rules': []}]
    assert [r['path'].rsplit('/', 1)[-1] for r in sim.writes()] == ['active', service]
    path, active = stored(sim, service)
    assert active is False and labels(path) == {'start': []}
    assert not run_module(pd_service_orchestration, service='Checkout', state='absent')['changed']


def test_rules_that_are_not_active_are_warned_about(sim, run_module, service):
    result = run_module(pd_service_orchestration, service='Checkout', sets=RULES)
    assert any(w.startswith("enabled: the orchestration of the service 'Checkout' is not active") for w in warning_texts(result))


def test_a_set_nothing_routes_to_is_warned_about(sim, run_module, service):
    lonely = RULES + [dict(id='lonely', rules=[])]
    result = run_module(pd_service_orchestration, service='Checkout', enabled=True, sets=lonely)
    assert result['changed'] and "sets: no rule routes to the set lonely" in ' '.join(warning_texts(result))


def test_a_service_of_an_earlier_task_is_predicted_in_check_mode(sim, run_module):
    result = run_module(pd_service_orchestration, check_mode=True, service='Not Yet', enabled=True, sets=RULES)
    assert result['changed'] and result['service_orchestration']['service'] == {'id': None, 'summary': 'Not Yet'}
    assert any("service: no service is named 'Not Yet' yet" in w for w in warning_texts(result))
    assert sim.writes() == []
    real = run_module(pd_service_orchestration, service='Not Yet', enabled=True, sets=RULES)
    assert real['failed'] and real['msg'].startswith("service: no service is named or identified by 'Not Yet'")


def test_an_update_under_read_lag_waits_until_reads_show_it(sim, run_module, service):
    sim.settings(read_after_write_lag_seconds=1)
    result = run_module(pd_service_orchestration, service='Checkout', enabled=True, sets=RULES)
    assert result['changed'] and not [w for w in warning_texts(result) if 'settle' in w]
    assert not run_module(pd_service_orchestration, service='Checkout', enabled=True, sets=RULES)['changed']


@pytest.mark.parametrize('sets, message', [
    ([dict(id='main', rules=[])], 'sets: needs a set with the id start'),
    ([dict(id='start', rules=[dict(actions=dict(suppress=True))])],
     'sets[0].rules[0].label: required. PagerDuty gives rules IDs of its own'),
    ([dict(id='start', rules=[dict(label='a'), dict(label='a')])], "sets[0].rules[1].label: 'a' is also the label of"),
    ([dict(id='start', rules=[dict(label='a', actions=dict(route_to='nowhere'))])],
     "sets[0].rules[0].actions.route_to: 'nowhere' is not one of its sets"),
    ([dict(id='start', rules=[dict(label='a', actions=dict(route_to='b'))]),
      dict(id='b', rules=[dict(label='b', actions=dict(route_to='c'))]),
      dict(id='c', rules=[dict(label='c', actions=dict(route_to='b'))])], 'sets: the sets route in a cycle (b -> c -> b)'),
    ([dict(id='start', rules=[dict(label='a', actions=dict(supress=True))])],
     "sets[0].rules[0].actions: unknown action 'supress' (did you mean suppress?)"),
    ([dict(id='start', rules=[dict(label='a', actions=dict(severity='high'))])],
     "sets[0].rules[0].actions.severity: must be one of info, error, warning, critical, got 'high'"),
    ([dict(id='start', rules=[dict(label='a', actions=dict(drop_event=True))])],
     'sets[0].rules[0].actions.drop_event: an action of global orchestrations'),
    ([dict(id='start', rules=[dict(label='a', conditions=["event.source != 'x'"])])],
     "sets[0].rules[0].conditions[0]: \"event.source != 'x'\" is not PCL: PCL has no '!='"),
    ([dict(id='start', rules=[dict(label=str(n)) for n in range(26)])],
     'sets[0].rules: 26 rules; PagerDuty allows at most 25 in a set'),
])
def test_bad_sets_fail_before_any_request(sim, run_module, service, sets, message):
    result = run_module(pd_service_orchestration, service='Checkout', sets=sets)
    assert result['failed'] and result['msg'].startswith(message), result['msg']
    assert sim.requests() == []


def test_the_rules_apply_to_the_services_events_once_enabled(sim, run_module, service):
    integration = sim.seed(integrations=[{'service': 'Checkout', 'type': 'events_api_v2_inbound_integration',
                                          'name': 'Events'}])['integrations'][0]
    key = sim.api('GET', '/services/%s/integrations/%s' % (service, integration)).json()['integration']['integration_key']

    def send(summary, source):
        body = {'routing_key': key, 'event_action': 'trigger',
                'payload': {'summary': summary, 'source': source, 'severity': 'error'}}
        assert sim.http.post(sim.url + '/v2/enqueue', json=body, timeout=10).status_code == 202

    def alerts():
        incidents = sim.api('GET', '/incidents', date_range='all').json()['incidents']
        return [(a['summary'], a['severity']) for i in incidents
                for a in sim.api('GET', '/incidents/%s/alerts' % i['id']).json()['alerts']]

    run_module(pd_service_orchestration, service='Checkout', sets=RULES)
    send('payment failed', 'web-1')  # not active yet: as sent
    run_module(pd_service_orchestration, service='Checkout', enabled=True, sets=RULES)
    send('payment failed again', 'web-1')  # critical, by the start set's rule
    send('payment check', 'loadtest-3')  # suppressed
    assert sorted(alerts()) == [('payment failed', 'error'), ('payment failed again', 'critical')]


AUTOMATION = [dict(id='start', rules=[dict(label='Restart', conditions=["event.summary matches part 'hung'"], actions=dict(
    pagerduty_automation_actions=[dict(action_id='01CSB5SMOKCKVRI5GN0LJG7SMB')],
    automation_actions=[dict(name='Notify', url='https://hooks.example.com/notify')]))])]


def test_fields_pagerduty_fills_in_are_predicted_and_a_second_run_is_ok(sim, run_module, service):
    """PagerDuty stores trigger_types (and auto_send) on automation actions written without them: the task neither
    waits for its own write to read back as sent nor writes again on the next run."""
    check = run_module(pd_service_orchestration, check_mode=True, diff=True, service='Checkout', sets=AUTOMATION)
    predicted = check['diff']['after']['sets'][0]['rules'][0]['actions']
    assert predicted['pagerduty_automation_actions'] == [{'action_id': '01CSB5SMOKCKVRI5GN0LJG7SMB',
                                                          'trigger_types': ['alert_triggered']}]
    assert sim.writes() == []
    result = run_module(pd_service_orchestration, service='Checkout', sets=AUTOMATION, retry_timeout=5)
    assert result['changed'] and not [w for w in warning_texts(result) if 'did not settle' in w], result
    stored_actions = stored(sim, service)[0]['sets'][0]['rules'][0]['actions']
    assert stored_actions['automation_actions'][0]['trigger_types'] == ['alert_triggered']
    assert result['service_orchestration']['sets'][0]['rules'][0]['actions'] == predicted | {
        'automation_actions': [{'name': 'Notify', 'url': 'https://hooks.example.com/notify', 'trigger_types': ['alert_triggered']}]}
    sim.clear_requests()
    again = run_module(pd_service_orchestration, service='Checkout', sets=AUTOMATION, retry_timeout=5)
    assert not again['changed'] and sim.writes() == []


def test_a_field_the_task_leaves_unset_is_whatever_pagerduty_has(sim, run_module, service):
    run_module(pd_service_orchestration, service='Checkout', sets=AUTOMATION)
    path, dummy = stored(sim, service)
    path['sets'][0]['rules'][0]['actions']['automation_actions'][0].update(auto_send=True, trigger_types=['alert_suspended'])
    sim.api('PUT', '/event_orchestrations/services/%s' % service, {'orchestration_path': path})  # changed in the web UI
    sim.clear_requests()
    assert not run_module(pd_service_orchestration, service='Checkout', sets=AUTOMATION)['changed']
    assert sim.writes() == []
    # A task that sets it changes it.
    explicit = [dict(id='start', rules=[dict(AUTOMATION[0]['rules'][0], actions=dict(AUTOMATION[0]['rules'][0]['actions'], automation_actions=[
        dict(name='Notify', url='https://hooks.example.com/notify', trigger_types=['alert_triggered'])]))])]
    assert run_module(pd_service_orchestration, service='Checkout', sets=explicit)['changed']
    assert stored(sim, service)[0]['sets'][0]['rules'][0]['actions']['automation_actions'][0]['trigger_types'] == ['alert_triggered']


VALID_PCL = [
    "event.source matches regex 'db[0-9]+-server'",
    "raw_event.important_field matches regex exactly '(?i)this'",
    'trigger_count over 10 minutes > 5',
    "event.severity matches 'info' and not (now in Mon,Tue,Wed,Thu,Fri 09:00:00 to 17:00:00 America/Los_Angeles)",
    'now > 2020-01-01 00:00:00 Etc/UTC',
]


def test_pcl_pagerduty_takes_is_written_and_a_second_run_is_ok(sim, run_module, service):
    sets = [dict(id='start', rules=[dict(label='r%d' % n, conditions=[c], actions=dict(severity='info'))
                                    for n, c in enumerate(VALID_PCL)])]
    result = run_module(pd_service_orchestration, service='Checkout', sets=sets)
    assert result['changed'] and not result.get('failed'), result
    assert [r['conditions'][0]['expression'] for r in stored(sim, service)[0]['sets'][0]['rules']] == VALID_PCL
    sim.clear_requests()
    assert not run_module(pd_service_orchestration, service='Checkout', sets=sets)['changed'] and sim.writes() == []


def test_conditions_an_account_without_event_intelligence_lacks_are_kept_with_pagerdutys_warning(sim, run_module, service):
    sim.settings(event_intelligence=False)
    sets = [dict(id='start', rules=[dict(label='Storm', conditions=['trigger_count over 1 minute > 3'], actions=dict(suppress=True))])]
    result = run_module(pd_service_orchestration, service='Checkout', enabled=True, sets=sets)
    assert result['changed']
    plan_warnings = [w for w in warning_texts(result) if 'This rule uses Threshold Condition, which is a condition '
                     'not available on your account plan' in w]
    assert len(plan_warnings) == 1 and plan_warnings[0].startswith('PagerDuty took PUT '), warning_texts(result)
    assert not run_module(pd_service_orchestration, service='Checkout', enabled=True, sets=sets)['changed']


@pytest.mark.parametrize('condition, message', [
    ('event.summary', "'event.summary' is not PCL: the expression must be true or false, and this one is a path"),
    ("event.source != 'x'", "is not PCL: PCL has no '!=': write not <a> == <b> (here: not event.source == 'x')"),
    ('event.team == "web" && event.x exists', "PCL strings are in single quotes (here: event.team == 'web' and event.x exists)"),
    ("event.source matches regex 'db(?=1)'", "is not PCL: 'db(?=1)' is not an RE2 regular expression: RE2 has no lookahead"),
    ("event.source matches regex '(db)\\1'", 'RE2 has no backreferences'),
    ('event.custom_details.namespace exists', "'namespace' is a reserved word of PCL: write ['namespace'] instead of .namespace"),
    ("event.x == '%s'" % ('x' * 2050), 'longer than 2048 bytes, the limit of a PCL condition'),
])
def test_pcl_pagerduty_refuses_fails_before_any_request(sim, run_module, service, condition, message):
    result = run_module(pd_service_orchestration, service='Checkout',
                        sets=[dict(id='start', rules=[dict(label='a', conditions=[condition])])])
    assert result['failed'] and message in result['msg'], result['msg']
    assert result['msg'].startswith('sets[0].rules[0].conditions[0]: ')
    assert sim.requests() == []


def test_more_conditions_than_pagerduty_takes_fail_before_any_request(sim, run_module, service):
    conditions = ["event.summary matches part '%d'" % n for n in range(26)]
    result = run_module(pd_service_orchestration, service='Checkout', sets=[dict(id='start', rules=[dict(label='a', conditions=conditions)])])
    assert result['failed'] and result['msg'].startswith('sets[0].rules[0].conditions: 26 conditions; PagerDuty takes at most 25')
    assert sim.requests() == []
