"""pd_schedule runs in-process against the simulator; writes are read from the simulator's request log, and the
schedule from the simulated account itself (not through the lagging API)."""

import datetime

import pytest

from ansible_collections.oncall.pagerduty.plugins.module_utils._escalation_policy import EscalationPolicyResource
from ansible_collections.oncall.pagerduty.plugins.module_utils._schedule import ScheduleResource
from ansible_collections.oncall.pagerduty.plugins.module_utils._user import UserResource
from ansible_collections.oncall.pagerduty.plugins.plugin_utils._in_process import run_in_process
from tests.conftest import warning_texts

from ansible_collections.oncall.pagerduty.plugins.modules import pd_escalation_policy, pd_schedule

UTC = datetime.timezone.utc
WEEK = 7 * 86400
DAY = 86400


def hours_ago(hours):
    moment = datetime.datetime.now(UTC).replace(microsecond=0) - datetime.timedelta(hours=hours)
    return moment.strftime('%Y-%m-%dT%H:%M:%SZ')


# A day-long rotation that began a day and a half ago: the second user of a layer is on call now.
BEGAN = hours_ago(36)


def layer(name='Primary', users=('grace@example.com', 'alan@example.com'), turn=DAY, start=BEGAN, **more):
    return dict(dict(name=name, users=list(users), rotation_turn_length_seconds=turn, rotation_virtual_start=start),
                **more)


@pytest.fixture
def account(simulator_server, sim):
    return simulator_server.sim.pagerduty


def named(account, name):
    return [s for s in account.schedules.values() if s['name'] == name]


def on_call_now(layer_obj):
    """The user of the layer's current turn, as PagerDuty counts it."""
    start = datetime.datetime.fromisoformat(layer_obj['rotation_virtual_start'].replace('Z', '+00:00'))
    turns = int((datetime.datetime.now(UTC) - start).total_seconds() // layer_obj['rotation_turn_length_seconds'])
    users = [e['user']['id'] for e in layer_obj['users']]
    return users[turns % len(users)]


def active_layers(schedule):
    return [x for x in schedule['schedule_layers'] if not x.get('end')]


def test_check_mode_predicts_the_create_and_the_second_run_is_ok(sim, run_module, account):
    options = dict(name='Storefront', time_zone='Europe/Paris', teams=['Platform'], layers=[layer()])
    checked = run_module(pd_schedule, check_mode=True, diff=True, **options)
    assert checked['changed'] and checked['schedule']['id'] is None and sim.writes() == []
    created = run_module(pd_schedule, diff=True, **options)
    assert created['changed'] and created['diff'] == checked['diff'], (created['diff'], checked['diff'])
    assert created['diff']['after']['layers'][0]['users'] == ['grace@example.com', 'alan@example.com']
    [schedule] = named(account, 'Storefront')
    assert [e['user']['id'] for e in schedule['schedule_layers'][0]['users']] == ['PUSR002', 'PUSR003']
    sim.clear_requests()
    again = run_module(pd_schedule, diff=True, **options)
    assert not again['changed'] and 'diff' not in again and sim.writes() == []


def test_adding_a_user_keeps_who_is_on_call_and_the_handoff_time(sim, run_module, account):
    run_module(pd_schedule, name='Storefront', time_zone='UTC', layers=[layer()])
    [schedule] = named(account, 'Storefront')
    before = active_layers(schedule)[0]
    was_on_call = on_call_now(before)
    result = run_module(pd_schedule, diff=True, name='Storefront', time_zone='UTC',
                        layers=[layer(users=('ada@example.com', 'grace@example.com', 'alan@example.com'))])
    assert result['changed']
    after = active_layers(named(account, 'Storefront')[0])[0]
    assert on_call_now(after) == was_on_call
    moved = (datetime.datetime.fromisoformat(after['rotation_virtual_start'].replace('Z', '+00:00'))
             - datetime.datetime.fromisoformat(before['rotation_virtual_start'].replace('Z', '+00:00')))
    assert moved.total_seconds() % DAY == 0  # whole turns: the handoff time stays
    sim.clear_requests()
    again = run_module(pd_schedule, name='Storefront', time_zone='UTC',
                       layers=[layer(users=('ada@example.com', 'grace@example.com', 'alan@example.com'))])
    assert not again['changed'] and sim.writes() == []


def test_a_new_phase_changes_the_rotation_itself(sim, run_module, account):
    run_module(pd_schedule, name='Storefront', time_zone='UTC', layers=[layer()])
    later = hours_ago(30)
    result = run_module(pd_schedule, diff=True, name='Storefront', time_zone='UTC', layers=[layer(start=later)])
    assert result['changed'] and result['diff']['after']['layers'][0]['rotation_virtual_start'] == later
    again = run_module(pd_schedule, name='Storefront', time_zone='UTC', layers=[layer(start=later)])
    assert not again['changed']
    # A whole number of turns away is the same rotation.
    same = (datetime.datetime.strptime(later, '%Y-%m-%dT%H:%M:%SZ') - datetime.timedelta(days=3)).strftime('%Y-%m-%dT%H:%M:%SZ')
    assert not run_module(pd_schedule, name='Storefront', time_zone='UTC', layers=[layer(start=same + '')])['changed']


def test_a_layer_left_out_is_ended_and_a_new_one_added(sim, run_module, account):
    run_module(pd_schedule, name='Storefront', time_zone='UTC', layers=[layer(), layer('Backup', ['ada@example.com'])])
    result = run_module(pd_schedule, diff=True, name='Storefront', time_zone='UTC',
                        layers=[layer(), layer('Nights', ['katherine@example.com'], restrictions=[
                            dict(type='daily_restriction', start_time_of_day='20:00', duration_seconds=12 * 3600)])])
    assert result['changed']
    schedule = named(account, 'Storefront')[0]
    by_name = {x['name']: x for x in schedule['schedule_layers']}
    assert by_name['Backup']['end'] and not by_name['Primary']['end'] and not by_name['Nights']['end']
    assert by_name['Nights']['restrictions'][0]['start_time_of_day'] == '20:00:00'
    again = run_module(pd_schedule, name='Storefront', time_zone='UTC',
                       layers=[layer(), layer('Nights', ['katherine@example.com'], restrictions=[
                           dict(type='daily_restriction', start_time_of_day='20:00', duration_seconds=12 * 3600)])])
    assert not again['changed']


WEEKLY_WITHOUT_DAY = dict(type='weekly_restriction', start_time_of_day='09:00', duration_seconds=3600)
DAILY_AT_25 = dict(type='daily_restriction', start_time_of_day='25:00', duration_seconds=3600)


@pytest.mark.parametrize('options, message', [
    (dict(name='S', time_zone='Europe/Pariss', layers=[layer()]), "time_zone: 'Europe/Pariss' is not a time zone"),
    (dict(name='S', time_zone='UTC', layers=[]), 'layers: a schedule needs at least one layer'),
    (dict(name='S', time_zone='UTC', layers=[layer(), layer()]), "layers[1].name: 'Primary' names two layers"),
    (dict(name='S', time_zone='UTC', layers=[layer(turn=0)]), 'layers[0].rotation_turn_length_seconds: must be from 1'),
    (dict(name='S', time_zone='UTC', layers=[layer(start='2025-01-01 09:00')]),
     "layers[0].rotation_virtual_start: '2025-01-01 09:00' has no time zone"),
    (dict(name='S', time_zone='UTC', layers=[layer(restrictions=[WEEKLY_WITHOUT_DAY])]),
     'layers[0].restrictions[0].start_day_of_week: a weekly_restriction needs one'),
    (dict(name='S', time_zone='UTC', layers=[layer(restrictions=[DAILY_AT_25])]),
     "layers[0].restrictions[0].start_time_of_day: '25:00' is not a time of day"),
])
def test_bad_input_fails_before_any_request(sim, run_module, options, message):
    result = run_module(pd_schedule, **options)
    assert result['failed'] and message in result['msg'], result['msg']
    assert sim.requests() == []


def test_a_new_schedule_needs_a_time_zone_and_layers(sim, run_module):
    result = run_module(pd_schedule, name='Nothing yet', description='x')
    assert result['failed'] and result['msg'].startswith('time_zone and layers: required to create the schedule')
    assert sim.writes() == []


def test_an_unknown_user_fails_naming_the_layer(sim, run_module):
    result = run_module(pd_schedule, name='S', time_zone='UTC', layers=[layer(users=['grase@example.com'])])
    assert result['failed'] and result['msg'].startswith("layers[0].users[0]: no user has the email 'grase@example.com'")
    assert sim.writes() == []


def test_a_schedule_a_policy_uses_is_not_deleted(sim, run_module):
    run_module(pd_escalation_policy, name='Follow On-Call', rules=[
        dict(escalation_delay_in_minutes=10, targets=[dict(type='schedule', name='Follow the Sun')])])
    sim.clear_requests()
    result = run_module(pd_schedule, name='Follow the Sun', state='absent')
    assert result['failed'] and result['msg'].startswith('state: PagerDuty deletes only a schedule that no escalation')
    assert "'Follow On-Call'" in result['msg'] and sim.writes() == []


def test_absent_deletes_once(sim, run_module, account):
    run_module(pd_schedule, name='Storefront', time_zone='UTC', layers=[layer()])
    assert run_module(pd_schedule, name='Storefront', state='absent')['changed'] and named(account, 'Storefront') == []
    assert not run_module(pd_schedule, name='Storefront', state='absent')['changed']


def test_a_check_run_builds_users_a_schedule_on_them_and_a_policy_on_it(sim):
    def check(kind, predictions=None, **options):
        result = run_in_process(kind, dict(options, api_url=sim.url, api_token=sim.token), check_mode=True, diff=True,
                                predictions=predictions)
        assert not result.get('failed'), result['msg']
        assert not warning_texts(result), warning_texts(result)
        return result, result['ansible_facts']['oncall_pagerduty_predictions']['collections']

    dummy, predictions = check(UserResource, email='hedy@example.com', name='Hedy Lamarr')
    schedule, predictions = check(ScheduleResource, predictions, name='Storefront', time_zone='UTC',
                                  layers=[layer(users=['hedy@example.com', 'grace@example.com'])])
    assert schedule['diff']['after']['layers'][0]['users'] == ['hedy@example.com', 'grace@example.com']
    policy, dummy = check(EscalationPolicyResource, predictions, name='Storefront On-Call', rules=[
        dict(escalation_delay_in_minutes=10, targets=[dict(type='schedule', name='Storefront')])])
    assert policy['changed'] and sim.writes() == []


def test_layers_in_another_order_than_the_schedule_keeps_fail_before_any_write(sim, run_module):
    run_module(pd_schedule, name='Storefront', time_zone='UTC', layers=[layer('Base'), layer('Top', ['ada@example.com'])])
    sim.clear_requests()
    swapped = run_module(pd_schedule, name='Storefront', layers=[layer('Top', ['ada@example.com']), layer('Base')])
    assert swapped['failed'] and "layers: the layers ['Top', 'Base'] are in another order" in swapped['msg']
    new_below = run_module(pd_schedule, name='Storefront', layers=[layer('New'), layer('Base'),
                                                                   layer('Top', ['ada@example.com'])])
    assert new_below['failed'] and "the new layer 'New' is listed below layers" in new_below['msg']
    assert sim.writes() == []


def test_a_run_that_changes_nothing_reads_the_schedule_once(sim, run_module):
    # The listing brings the layers; their users are references without emails, so each email is looked up.
    run_module(pd_schedule, name='Storefront', time_zone='UTC', layers=[layer()])
    sim.clear_requests()
    assert not run_module(pd_schedule, name='Storefront', time_zone='UTC', layers=[layer()])['changed']
    assert [(r['method'], r['path']) for r in sim.requests()] == [('GET', '/schedules'), ('GET', '/users'), ('GET', '/users')]
