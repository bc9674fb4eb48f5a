"""pd_maintenance_window runs in-process against the simulator; claims about requests and writes come from
the simulator's request log, and the windows from the simulated account's own state."""

import datetime

import pytest

from ansible_collections.oncall.pagerduty.plugins.module_utils import _maintenance_window
from ansible_collections.oncall.pagerduty.plugins.modules import pd_maintenance_window, pd_service
from tests.conftest import warning_texts

SENDER = 'ada@example.com'
DEPLOY = dict(services=['Checkout', 'Checkout Workers'], description='Deploy of checkout', duration_minutes=30,
              from_email=SENDER)
UTC = datetime.timezone.utc


@pytest.fixture
def account(simulator_server, sim):
    """The simulated account (its state, read directly), with three services."""
    sim.seed(services=[{'name': 'Checkout', 'escalation_policy': 'Platform On-Call'},
                       {'name': 'Checkout Workers', 'escalation_policy': 'Platform On-Call'},
                       {'name': 'Orders DB', 'escalation_policy': 'Default'}])
    sim.clear_requests()
    return simulator_server.sim.pagerduty


def moment(text):
    return datetime.datetime.fromisoformat(text.replace('Z', '+00:00'))


def at(minutes):
    """A time `minutes` from now, as ISO 8601 with a +02:00 offset (not the account's zone, not UTC)."""
    when = datetime.datetime.now(UTC).replace(microsecond=0) + datetime.timedelta(minutes=minutes)
    return when.astimezone(datetime.timezone(datetime.timedelta(hours=2))).isoformat()


def windows(account):
    return sorted(account.maintenance_windows.values(), key=lambda w: w['sequence_number'])


def status_of(sim, name):
    return sim.api('GET', '/services', name=name).json()['services'][0]['status']


def make_window(sim, services, description, start, end):
    """A window made straight through the API (as another tool or person would)."""
    ids = [sim.api('GET', '/services', name=name).json()['services'][0]['id'] for name in services]
    response = sim.http.post(sim.url + '/maintenance_windows', timeout=30, json={'maintenance_window': {
        'type': 'maintenance_window', 'description': description, 'start_time': start, 'end_time': end,
        'services': [{'id': i, 'type': 'service_reference'} for i in ids]}},
        headers={'Authorization': 'Token token=%s' % sim.token, 'From': SENDER,
                 'Accept': 'application/vnd.pagerduty+json;version=2'})
    response.raise_for_status()
    return response.json()['maintenance_window']


# -- now for N minutes -----------------------------------------------------------------------------

def test_check_mode_predicts_the_window_and_writes_nothing(sim, run_module, account):
    result = run_module(pd_maintenance_window, check_mode=True, diff=True, **DEPLOY)
    assert result['changed'] and result['maintenance_window']['id'] is None
    assert result['diff']['before'] == {}
    after = result['diff']['after']
    assert after['services'] == ['Checkout', 'Checkout Workers'] and after['description'] == 'Deploy of checkout'
    assert moment(after['end_time']) - moment(after['start_time']) == datetime.timedelta(minutes=30)
    assert sim.writes() == [] and windows(account) == []


def test_now_for_thirty_minutes_then_a_second_run_in_the_window_is_ok_in_one_request(sim, run_module, account):
    created = run_module(pd_maintenance_window, diff=True, **DEPLOY)
    assert created['changed'], created
    [window] = windows(account)
    assert window['created_by']['id'] == 'PUSR001'  # the From header's user
    assert [s['summary'] for s in window['services']] == ['Checkout', 'Checkout Workers']
    assert [t['summary'] for t in window['teams']] == ['Platform']
    assert moment(window['end_time']) - moment(window['start_time']) <= datetime.timedelta(minutes=30)
    assert created['maintenance_window']['end_time'].endswith('Z')  # shown in UTC, rendered by PagerDuty in -05:00
    assert status_of(sim, 'Checkout') == 'maintenance' and status_of(sim, 'Orders DB') == 'active'
    assert [(r['method'], r['path']) for r in sim.writes()] == [('POST', '/maintenance_windows')]
    sim.clear_requests()
    again = run_module(pd_maintenance_window, diff=True, **DEPLOY)
    assert not again['changed'] and 'diff' not in again, again
    assert again['maintenance_window']['id'] == window['id']
    assert len(sim.requests()) == 1 and len(windows(account)) == 1
    checked = run_module(pd_maintenance_window, check_mode=True, **dict(DEPLOY, services=['Checkout Workers', 'Checkout']))
    assert not checked['changed'] and sim.writes() == []


def test_services_by_id_or_by_name_are_the_same_window(sim, run_module, account):
    by_name = run_module(pd_maintenance_window, **DEPLOY)
    ids = [s['id'] for s in by_name['maintenance_window']['services']]
    sim.clear_requests()
    by_id = run_module(pd_maintenance_window, **dict(DEPLOY, services=[ids[1], 'Checkout']))
    assert not by_id['changed'] and len(sim.requests()) == 1


def test_pd_service_active_is_still_ok_for_a_service_in_maintenance(sim, run_module, account):
    run_module(pd_maintenance_window, **DEPLOY)
    sim.clear_requests()
    result = run_module(pd_service, name='Checkout', status='active')
    assert not result['changed'] and result['service']['status'] == 'maintenance'
    assert sim.writes() == []


def test_a_longer_duration_moves_the_end_of_the_ongoing_window_only(sim, run_module, account):
    created = run_module(pd_maintenance_window, **DEPLOY)
    sim.clear_requests()
    longer = run_module(pd_maintenance_window, diff=True, **dict(DEPLOY, duration_minutes=90))
    assert longer['changed']
    assert list(longer['diff']['before']) == ['end_time'] and list(longer['diff']['after']) == ['end_time']
    [put] = sim.writes()
    assert put['method'] == 'PUT' and list(put['body']['maintenance_window']) == ['end_time', 'type']
    window = windows(account)[0]
    assert window['id'] == created['maintenance_window']['id']
    assert moment(window['end_time']) - moment(window['start_time']) > datetime.timedelta(minutes=89)
    sim.clear_requests()
    assert not run_module(pd_maintenance_window, **dict(DEPLOY, duration_minutes=90))['changed']


def test_clock_skew_of_the_controller_does_not_matter(sim, run_module, account, monkeypatch):
    """"now" is PagerDuty's (its Date header): a controller two hours fast still opens a window that is ongoing."""
    fast = datetime.datetime.now(UTC) + datetime.timedelta(hours=2)
    monkeypatch.setattr(_maintenance_window, 'utc_now', lambda: fast)
    created = run_module(pd_maintenance_window, **DEPLOY)
    assert created['changed'] and status_of(sim, 'Checkout') == 'maintenance'
    assert moment(windows(account)[0]['start_time']) < datetime.datetime.now(UTC)
    assert not run_module(pd_maintenance_window, **DEPLOY)['changed']


# -- scheduled windows -----------------------------------------------------------------------------

def test_a_scheduled_window_with_an_offset_is_compared_as_a_moment(sim, run_module, account):
    task = dict(services=['Orders DB'], description='Orders DB migration', start=at(120), end=at(240), from_email=SENDER)
    created = run_module(pd_maintenance_window, **task)
    assert created['changed'] and status_of(sim, 'Orders DB') == 'active'
    window = windows(account)[0]
    assert moment(window['start_time']) == datetime.datetime.fromisoformat(task['start'])
    sim.clear_requests()
    again = run_module(pd_maintenance_window, **task)
    assert not again['changed'] and len(sim.requests()) == 1
    later = dict(task, start=at(180), end=at(300))
    moved = run_module(pd_maintenance_window, diff=True, **later)
    assert moved['changed'] and set(moved['diff']['after']) == {'start_time', 'end_time'}
    assert len(windows(account)) == 1
    assert moment(windows(account)[0]['start_time']) == datetime.datetime.fromisoformat(later['start'])


def test_a_later_start_for_an_ongoing_window_fails_before_any_write(sim, run_module, account):
    run_module(pd_maintenance_window, **DEPLOY)
    sim.clear_requests()
    result = run_module(pd_maintenance_window, **dict(DEPLOY, start=at(60), duration_minutes=None, end=at(120)))
    assert result['failed'] and result['msg'].startswith('start: the maintenance window ')
    assert 'cannot move the start of a window that has started' in result['msg']
    assert sim.writes() == []


@pytest.mark.reads_follow_writes('reads the account right after the task, before a lagging read would show it')
def test_now_makes_a_future_window_of_the_identity_start_now(sim, run_module, account):
    future = make_window(sim, ['Checkout', 'Checkout Workers'], 'Deploy of checkout', at(60), at(90))
    sim.clear_requests()
    result = run_module(pd_maintenance_window, **DEPLOY)
    assert result['changed'] and result['maintenance_window']['id'] == future['id']
    assert status_of(sim, 'Checkout') == 'maintenance' and len(windows(account)) == 1


def test_past_times_are_never_an_error_nor_a_difference(sim, run_module, account):
    result = run_module(pd_maintenance_window, services=['Orders DB'], description='Last week', start=at(-600),
                        end=at(-540), from_email=SENDER)
    assert not result['changed'] and not result.get('failed') and result['maintenance_window'] == {}
    assert any('ended at' in w for w in warning_texts(result))
    assert sim.writes() == [] and len(sim.requests()) == 1


@pytest.mark.reads_follow_writes('reads the account right after the task, before a lagging read would show it')
def test_several_open_windows_of_one_identity_fail_listing_them(sim, run_module, account):
    for start, end in ((at(60), at(90)), (at(120), at(150))):
        make_window(sim, ['Orders DB'], 'Orders DB migration', start, end)
    sim.clear_requests()
    result = run_module(pd_maintenance_window, services=['Orders DB'], description='Orders DB migration',
                        start=at(200), end=at(260), from_email=SENDER)
    assert result['failed'] and result['msg'].startswith('description: 2 open maintenance windows have this description')
    assert sim.writes() == []


# -- ending ---------------------------------------------------------------------------------------

@pytest.mark.reads_follow_writes('reads the account right after the task, before a lagging read would show it')
def test_absent_ends_an_ongoing_window_and_deletes_a_future_one(sim, run_module, account):
    run_module(pd_maintenance_window, **DEPLOY)
    future = make_window(sim, ['Checkout', 'Checkout Workers'], 'Deploy of checkout', at(120), at(150))
    sim.clear_requests()
    checked = run_module(pd_maintenance_window, check_mode=True, diff=True, state='absent', **DEPLOY)
    assert checked['changed'] and sim.writes() == [] and len(checked['diff']['before']['maintenance_windows']) == 2
    result = run_module(pd_maintenance_window, state='absent', **DEPLOY)
    assert result['changed'] and result['deleted'] == [future['id']] and len(result['ended']) == 1
    assert [(r['method'], r['status']) for r in sim.writes()] == [('DELETE', 204), ('DELETE', 204)]
    [ended] = windows(account)  # the ongoing one stays, as a past window
    assert moment(ended['end_time']) <= datetime.datetime.now(UTC)
    assert status_of(sim, 'Checkout') == 'active'
    sim.clear_requests()
    again = run_module(pd_maintenance_window, state='absent', **DEPLOY)
    assert not again['changed'] and again['ended'] == [] and len(sim.requests()) == 1


def test_absent_without_a_window_is_ok_without_from_email(sim, run_module, account):
    result = run_module(pd_maintenance_window, services=['Orders DB'], description='Nothing', state='absent')
    assert not result['changed'] and not result.get('failed') and sim.writes() == []


# -- a window that ends while the task runs -------------------------------------------------------

# The window must still be on when the task reads it and over when its write arrives. The read comes
# well within ENDS_IN on a loaded machine too (a second proved too short under xdist), and the write is
# held until after the end.
ENDS_IN = 3


def ending_soon(account, window_id):
    soon = datetime.datetime.now(UTC).replace(microsecond=0) + datetime.timedelta(seconds=ENDS_IN)
    account.maintenance_windows[window_id]['end_time'] = soon.isoformat()


def test_a_window_that_ends_before_its_update_arrives_is_replaced(sim, run_module, account):
    created = run_module(pd_maintenance_window, **DEPLOY)
    ending_soon(account, created['maintenance_window']['id'])
    sim.fault(method='PUT', path='^/maintenance_windows/', action='delay', seconds=ENDS_IN + 1)
    result = run_module(pd_maintenance_window, timeout=15, **dict(DEPLOY, duration_minutes=60))
    assert result['changed'] and result['maintenance_window']['id'] != created['maintenance_window']['id'], result
    assert any('ended while this task ran' in w for w in warning_texts(result))
    assert status_of(sim, 'Checkout') == 'maintenance'


def test_a_window_that_ends_before_its_delete_arrives_is_not_a_change(sim, run_module, account):
    created = run_module(pd_maintenance_window, **DEPLOY)
    ending_soon(account, created['maintenance_window']['id'])
    sim.fault(method='DELETE', path='^/maintenance_windows/', action='delay', seconds=ENDS_IN + 1)
    sim.clear_requests()
    result = run_module(pd_maintenance_window, timeout=15, state='absent', **DEPLOY)
    assert not result.get('failed') and not result['changed'] and result['ended'] == [], result
    assert [r['status'] for r in sim.writes()] == [405]


def test_a_create_lagging_behind_reads_is_read_back_before_the_task_ends(sim, run_module, account):
    sim.settings(read_after_write_lag_seconds=1)
    assert run_module(pd_maintenance_window, **DEPLOY)['changed']
    assert not run_module(pd_maintenance_window, **DEPLOY)['changed']
    assert len(windows(account)) == 1


# -- the From header and teams ----------------------------------------------------------------------

def test_a_create_without_from_email_fails_before_any_write(sim, run_module, account, monkeypatch):
    monkeypatch.delenv('PAGERDUTY_FROM_EMAIL', raising=False)
    for check_mode in (True, False):
        result = run_module(pd_maintenance_window, check_mode=check_mode, **dict(DEPLOY, from_email=None))
        assert result['failed'] and result['msg'].startswith('from_email: PagerDuty requires the email of a user')
    assert sim.writes() == []


def test_from_email_comes_from_the_environment(sim, run_module, account, monkeypatch):
    monkeypatch.setenv('PAGERDUTY_FROM_EMAIL', 'grace@example.com')
    assert run_module(pd_maintenance_window, **dict(DEPLOY, from_email=None))['changed']
    assert windows(account)[0]['created_by']['id'] == 'PUSR002'


def test_an_email_that_is_no_user_fails_before_any_write_also_in_check_mode(sim, run_module, account):
    for check_mode in (True, False):
        result = run_module(pd_maintenance_window, check_mode=check_mode, **dict(DEPLOY, from_email='ada@exmaple.com'))
        assert result['failed'] and result['msg'].startswith(
            "from_email: no user has the email 'ada@exmaple.com' (PagerDuty records a window as made by a user of "
            "the account); did you mean 'ada@example.com'")
    assert sim.writes() == [] and windows(account) == []


def test_teams_are_checked_against_the_teams_of_the_services(sim, run_module, account):
    wrong = run_module(pd_maintenance_window, teams=['Payments'], **DEPLOY)
    assert wrong['failed'] and wrong['msg'].startswith('teams: a maintenance window belongs to the teams of its services')
    assert 'belong to Platform, not Payments' in wrong['msg'] and sim.writes() == []
    assert run_module(pd_maintenance_window, teams=['Platform'], **DEPLOY)['changed']
    sim.clear_requests()
    assert not run_module(pd_maintenance_window, teams=['PTEAM01'], **DEPLOY)['changed']
    assert len(sim.requests()) == 1


def test_check_mode_takes_a_missing_service_as_made_by_an_earlier_task(sim, run_module, account):
    result = run_module(pd_maintenance_window, check_mode=True, **dict(DEPLOY, services=['Checkout', 'Brand New']))
    assert result['changed'] and any("no service is named 'Brand New' yet" in w for w in warning_texts(result))
    real = run_module(pd_maintenance_window, **dict(DEPLOY, services=['Checkout', 'Brand New']))
    assert real['failed'] and real['msg'].startswith("services[1]: no service is named or identified by 'Brand New'")
    assert sim.writes() == []


def test_more_than_a_page_of_open_windows_is_read_once_page_by_page(sim, run_module, account):
    """The description filter is a substring: 120 windows of a longer description come back with ours."""
    for n in range(120):
        make_window(sim, ['Orders DB'], 'Deploy of checkout, batch %d' % n, at(60 + n), at(90 + n))
    assert run_module(pd_maintenance_window, **DEPLOY)['changed']
    sim.clear_requests()
    again = run_module(pd_maintenance_window, **DEPLOY)
    assert not again['changed'] and again['maintenance_window']['description'] == 'Deploy of checkout'
    offsets = [r['query'].get('offset') for r in sim.requests() if r['path'] == '/maintenance_windows']
    assert offsets == [['0'], ['100']]
