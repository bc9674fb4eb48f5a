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
