"""The conformance battery: every kind runs through the same cases, from one table.

Each row is one kind as a user drives it: how to set its world up, the options that create it, change it and
remove it, and how to count the objects with its identity in the simulated account (read directly, not through
the lagging API). The cases are the engine's guarantees, checked from the simulator's request log and state:

- lifecycle: check mode writes nothing and predicts the real run's diff; a second run is ok with zero writes;
  diffs hold no server-only field and no secret; gathered output fed back changes nothing; delete twice.
- concurrent creates: four runs create the same object at once, with 100 ms of latency and 1 s of
  read-after-write lag; all succeed, one object remains, and every run returns the one that survives.
- a fault on the create: an answer lost after the server committed, while reads lag, ends with one object.

Races beside the table: five runs losing a name race with their creates held in flight and reads lagging two
seconds; five rotations of one key at once; four moves by recreating at once.

Adding a kind to the collection means adding its row here.
"""

import dataclasses
import json
import threading
import typing

import pytest

from ansible_collections.oncall.pagerduty.plugins.modules import (
    pd_alert_grouping_setting,
    pd_business_service,
    pd_datadog_service,
    pd_escalation_policy,
    pd_event_orchestration,
    pd_event_orchestration_route,
    pd_integration,
    pd_integration_move,
    pd_maintenance_window,
    pd_schedule,
    pd_service,
    pd_service_catalog,
    pd_service_custom_field,
    pd_service_dependency,
    pd_service_orchestration,
    pd_team,
    pd_team_membership,
    pd_user,
    pd_webhook_subscription,
)
from ansible_collections.oncall.pagerduty.plugins.plugin_utils._in_process import run_in_process
from tests.conftest import kind_of
from tests.simulator.api import parse_time, utc_now
from tests.simulator.datadog import DEFAULT_API_KEY, DEFAULT_APP_KEY

NAME = 'Conformance'
EMAIL = 'conformance@example.com'
HOOK_URL = 'https://hooks.example.com/conformance'
DATADOG_KEY = 'c0' * 16
# Fields only the server sets: a diff never shows them, at any depth.
SERVER_FIELDS = ('self', 'html_url', 'created_at', 'updated_at', 'integration_key', 'routing_key')
TABLE = ('Conformance battery: kind x case -> outcome', ['kind', 'case', 'outcome', 'runs', 'objects', 'writes'])


@dataclasses.dataclass
class Row:
    """One kind, as the battery drives it."""

    name: str
    module: typing.Any
    create: typing.Callable                 # (ctx) -> options that create the object
    objects: typing.Callable                # (account, ctx) -> the objects with its identity
    setup: typing.Callable = None           # (sim) -> ctx
    update: typing.Callable = None          # (ctx) -> options that change it (None: the kind has nothing to change)
    absent: typing.Callable = None          # (ctx) -> options that remove it (None: it cannot be removed)
    gathered: typing.Callable = None        # (result, ctx) -> the object's options from its gathered form
    identity: typing.Callable = None        # (result) -> what tells the object a run returned apart
    create_path: str = None                 # the create's request path (a regular expression) for the fault case
    create_method: str = 'POST'             # and its method


def first(result, key):
    return (result.get(key) or {}).get('id')


def seed_service(sim, name='Conformance host', **fields):
    return sim.seed(services=[dict({'name': name, 'escalation_policy': 'Default'}, **fields)])['services'][0]


def gathered_by_kind(module, extra=None):
    """The object's options as its kind gathers them (the two-way mapping), with what identifies it besides."""
    def gathered(result, ctx):
        kind = kind_of(module)
        return dict(kind(_task({}), client=None).gathered(result[kind.result_key]), **(extra(ctx) if extra else {}))
    return gathered


def _task(params):
    from ansible_collections.oncall.pagerduty.plugins.module_utils._resource import Task

    return Task(params)


def orchestration(sim):
    answer = sim.api('POST', '/event_orchestrations', {'orchestration': {'name': 'Conformance routes'}}).json()
    return answer['orchestration']


ROWS = [
    Row('team', pd_team,
        create=lambda ctx: dict(name=NAME, description='made'),
        update=lambda ctx: dict(name=NAME, description='changed'),
        absent=lambda ctx: dict(name=NAME, state='absent'),
        objects=lambda account, ctx: [t for t in account.teams.values() if t['name'] == NAME],
        gathered=gathered_by_kind(pd_team), identity=lambda r: first(r, 'team'), create_path='^/teams$'),
    Row('user', pd_user,
        create=lambda ctx: dict(email=EMAIL, name=NAME, role='limited_user', time_zone='Europe/Paris'),
        update=lambda ctx: dict(email=EMAIL, job_title='changed', role='user', color='purple'),
        absent=lambda ctx: dict(email=EMAIL, state='absent'),
        objects=lambda account, ctx: [u for u in account.users.values() if u['email'] == EMAIL],
        gathered=gathered_by_kind(pd_user, lambda ctx: {'email': EMAIL}), identity=lambda r: first(r, 'user'),
        create_path='^/users$'),
    Row('schedule', pd_schedule,
        create=lambda ctx: dict(name=NAME, time_zone='Europe/Paris', layers=[dict(
            name='Weekly', users=['grace@example.com', 'alan@example.com'], rotation_turn_length_seconds=604800,
            rotation_virtual_start='2026-01-05T09:00:00Z')]),
        update=lambda ctx: dict(name=NAME, description='changed', teams=['Platform'], layers=[dict(
            name='Weekly', users=['alan@example.com', 'grace@example.com', 'ada@example.com'],
            rotation_turn_length_seconds=604800, rotation_virtual_start='2026-01-05T09:00:00Z')]),
        absent=lambda ctx: dict(name=NAME, state='absent'),
        objects=lambda account, ctx: [s for s in account.schedules.values() if s['name'] == NAME],
        gathered=gathered_by_kind(pd_schedule), identity=lambda r: first(r, 'schedule'), create_path='^/schedules$'),
    Row('business service', pd_business_service,
        create=lambda ctx: dict(name=NAME, description='made', team='Payments'),
        update=lambda ctx: dict(name=NAME, point_of_contact='#conformance', team='Platform'),
        absent=lambda ctx: dict(name=NAME, state='absent'),
        objects=lambda account, ctx: [b for b in account.business_services.values() if b['name'] == NAME],
        gathered=gathered_by_kind(pd_business_service), identity=lambda r: first(r, 'business_service'),
        create_path='^/business_services$'),
    Row('escalation policy', pd_escalation_policy,
        create=lambda ctx: dict(name=NAME, rules=[dict(escalation_delay_in_minutes=30, targets=[
            dict(type='user', email='ada@example.com'), dict(type='schedule', name='Platform Primary')])]),
        update=lambda ctx: dict(name=NAME, description='changed', num_loops=2, teams=['Platform']),
        absent=lambda ctx: dict(name=NAME, state='absent'),
        objects=lambda account, ctx: [p for p in account.escalation_policies.values() if p['name'] == NAME],
        gathered=gathered_by_kind(pd_escalation_policy), identity=lambda r: first(r, 'escalation_policy'),
        create_path='^/escalation_policies$'),
    Row('service', pd_service,
        create=lambda ctx: dict(name=NAME, escalation_policy='Default', auto_resolve_timeout=3600,
                                incident_urgency_rule=dict(type='constant', urgency='low')),
        update=lambda ctx: dict(name=NAME, description='changed', escalation_policy='Payments On-Call',
                                support_hours=dict(time_zone='Europe/Paris', start_time='09:00', end_time='17:00',
                                                   days_of_week=[1, 2, 3, 4, 5])),
        absent=lambda ctx: dict(name=NAME, state='absent'),
        objects=lambda account, ctx: [s for s in account.services.values() if s['name'] == NAME],
        gathered=gathered_by_kind(pd_service), identity=lambda r: first(r, 'service'), create_path='^/services$'),
    Row('integration (key)', pd_integration, setup=lambda sim: {'service': seed_service(sim)},
        create=lambda ctx: dict(service='Conformance host', vendor='Datadog'),
        update=lambda ctx: dict(service='Conformance host', vendor='Datadog', new_name='Datadog alerts'),
        absent=lambda ctx: dict(service='Conformance host', name='Datadog alerts', state='absent'),
        objects=lambda account, ctx: [i for i in account.integrations.values()
                                      if i['name'] in ('Datadog-Conformance-host', 'Datadog alerts')],
        gathered=lambda result, ctx: dict(kind_of(pd_integration)(_task({}), None).gathered(result['integration']),
                                          service='Conformance host'),
        identity=lambda r: (first(r, 'integration'), (r.get('integration') or {}).get('integration_key')),
        create_path='/integrations$'),
    Row('integration (email)', pd_integration, setup=lambda sim: {'service': seed_service(sim)},
        create=lambda ctx: dict(service='Conformance host', name='Mail', type='email',
                                integration_email='conformance@acme.pagerduty.com'),
        update=lambda ctx: dict(service='Conformance host', name='Mail', email_incident_creation='on_new_email_subject'),
        absent=lambda ctx: dict(service='Conformance host', name='Mail', state='absent'),
        objects=lambda account, ctx: [i for i in account.integrations.values() if i['name'] == 'Mail'],
        gathered=lambda result, ctx: dict(kind_of(pd_integration)(_task({}), None).gathered(result['integration']),
                                          service='Conformance host'),
        identity=lambda r: first(r, 'integration'), create_path='/integrations$'),
    Row('custom field', pd_service_custom_field,
        create=lambda ctx: dict(name='conformance', display_name='Conformance', data_type='string',
                                field_type='single_value_fixed', field_options=['a', 'b']),
        update=lambda ctx: dict(name='conformance', description='changed', field_options=['a', 'b', 'c']),
        absent=lambda ctx: dict(name='conformance', state='absent'),
        objects=lambda account, ctx: [f for f in account.custom_fields.values() if f['name'] == 'conformance'],
        gathered=gathered_by_kind(pd_service_custom_field), identity=lambda r: first(r, 'custom_field'),
        create_path='^/services/custom_fields$'),
    Row('event orchestration', pd_event_orchestration,
        create=lambda ctx: dict(name=NAME, description='made', return_key=False),
        update=lambda ctx: dict(name=NAME, description='changed', team='Platform', return_key=False),
        absent=lambda ctx: dict(name=NAME, state='absent', return_key=False),
        objects=lambda account, ctx: [o for o in account.event_orchestrations.values() if o['name'] == NAME],
        gathered=gathered_by_kind(pd_event_orchestration, lambda ctx: {'return_key': False}),
        identity=lambda r: first(r, 'orchestration'), create_path='^/event_orchestrations$'),
    Row('alert grouping setting', pd_alert_grouping_setting, setup=lambda sim: {'service': seed_service(sim)},
        create=lambda ctx: dict(name=NAME, type='time', config=dict(timeout=120), services=['Conformance host']),
        update=lambda ctx: dict(name=NAME, description='changed', config=dict(timeout=600)),
        absent=lambda ctx: dict(name=NAME, state='absent'),
        objects=lambda account, ctx: [s for s in account.alert_grouping_settings.values() if s['name'] == NAME],
        gathered=gathered_by_kind(pd_alert_grouping_setting), identity=lambda r: first(r, 'alert_grouping_setting'),
        create_path='^/alert_grouping_settings$'),
    Row('maintenance window', pd_maintenance_window, setup=lambda sim: {'service': seed_service(sim)},
        create=lambda ctx: dict(services=['Conformance host'], description=NAME, duration_minutes=60,
                                from_email='ada@example.com'),
        update=lambda ctx: dict(services=['Conformance host'], description=NAME, duration_minutes=120),
        absent=lambda ctx: dict(services=['Conformance host'], description=NAME, state='absent'),
        objects=lambda account, ctx: [w for w in account.maintenance_windows.values()
                                      if w['description'] == NAME and parse_time(w['end_time']) > utc_now()],
        identity=lambda r: first(r, 'maintenance_window'), create_path='^/maintenance_windows$'),
    Row('route', pd_event_orchestration_route,
        setup=lambda sim: {'service': seed_service(sim), 'orchestration': orchestration(sim)},
        create=lambda ctx: dict(orchestration='Conformance routes', service='Conformance host',
                                conditions=["event.source matches 'web'"]),
        update=lambda ctx: dict(orchestration='Conformance routes', service='Conformance host',
                                conditions=["event.source matches 'shop'"]),
        absent=lambda ctx: dict(orchestration='Conformance routes', label='Conformance host', state='absent'),
        objects=lambda account, ctx: [r for r in account.orchestration_paths[('router', ctx['orchestration']['id'])]
                                      ['sets'][0]['rules'] if r['label'] == 'Conformance host'],
        gathered=lambda result, ctx: dict(kind_of(pd_event_orchestration_route)(_task({}), None).gathered(result['route']),
                                          orchestration='Conformance routes'),
        identity=lambda r: first(r, 'route'), create_path='/router$', create_method='PUT'),
    Row('service orchestration', pd_service_orchestration, setup=lambda sim: {'service': seed_service(sim)},
        create=lambda ctx: dict(service='Conformance host', enabled=True, sets=[dict(id='start', rules=[dict(
            label='Quiet', conditions=["event.severity matches 'info'"], actions=dict(suppress=True))])]),
        update=lambda ctx: dict(service='Conformance host', catch_all=dict(actions=dict(severity='warning'))),
        absent=lambda ctx: dict(service='Conformance host', state='absent'),
        objects=lambda account, ctx: [r for s in account.orchestration_paths.get(('service', ctx['service']), {}).get('sets', [])
                                      for r in s['rules'] if r['label'] == 'Quiet'],
        gathered=lambda result, ctx: dict(kind_of(pd_service_orchestration)(_task({}), None).gathered(
            result['service_orchestration']), service='Conformance host'),
        create_path='^/event_orchestrations/services/[^/]+$', create_method='PUT'),
    Row('service dependency', pd_service_dependency,
        setup=lambda sim: {'service': seed_service(sim), 'supporting': seed_service(sim, 'Conformance database'),
                           'cache': seed_service(sim, 'Conformance cache')},
        create=lambda ctx: dict(service='Conformance host', depends_on=['Conformance database']),
        update=lambda ctx: dict(service='Conformance host', depends_on=['Conformance database', 'Conformance cache']),
        absent=lambda ctx: dict(service='Conformance host', depends_on=['Conformance database', 'Conformance cache'],
                                state='absent'),
        objects=lambda account, ctx: [r for r in account.relationships.values() if not r.get('removed')
                                      and r['dependent']['id'] == ctx['service'] and r['supporting']['id'] == ctx['supporting']],
        create_path='^/service_dependencies/associate$'),
    Row('team membership', pd_team_membership,
        create=lambda ctx: dict(team='Payments', members=[dict(user='ada@example.com', role='observer')]),
        update=lambda ctx: dict(team='Payments', members=[dict(user='ada@example.com', role='manager'),
                                                          dict(user='alan@example.com')]),
        absent=lambda ctx: dict(team='Payments', members=[dict(user='ada@example.com'), dict(user='alan@example.com')],
                                state='absent'),
        objects=lambda account, ctx: [user_id for user_id in account.team_members['PTEAM02'] if user_id == 'PUSR001'],
        create_path='^/teams/PTEAM02/users/PUSR001$', create_method='PUT'),
    Row('webhook subscription', pd_webhook_subscription, setup=lambda sim: {'service': seed_service(sim)},
        create=lambda ctx: dict(url=HOOK_URL, service='Conformance host', description='made',
                                custom_headers=[dict(name='X-Token', value='conformance-token')]),
        update=lambda ctx: dict(url=HOOK_URL, service='Conformance host', description='changed', active=False,
                                events=['incident.triggered', 'incident.resolved']),
        absent=lambda ctx: dict(url=HOOK_URL, service='Conformance host', state='absent'),
        objects=lambda account, ctx: [w for w in account.webhook_subscriptions.values()
                                      if w['delivery_method']['url'] == HOOK_URL],
        gathered=gathered_by_kind(pd_webhook_subscription, lambda ctx: {'url': HOOK_URL, 'service': 'Conformance host'}),
        identity=lambda r: first(r, 'webhook_subscription'), create_path='^/webhook_subscriptions$'),
    Row('datadog service object', pd_datadog_service,
        create=lambda ctx: dict(service_name=NAME, service_key=DATADOG_KEY),
        absent=lambda ctx: dict(service_name=NAME, state='absent'),
        objects=lambda account, ctx: [name for name in account.datadog_services if name == NAME],
        identity=lambda r: (r.get('datadog_service') or {}).get('service_name'),
        create_path='^/api/v1/integration/pagerduty/configuration/services$'),
    Row('integration move', pd_integration_move,
        setup=lambda sim: {'from': seed_service(sim, 'Conformance old'), 'to': seed_service(sim),
                           'moved': sim.seed(integrations=[{'service': 'Conformance old', 'name': 'Moving',
                                                            'type': 'events_api_v2_inbound_integration'}])['integrations'][0]},
        create=lambda ctx: dict(integration='Moving', from_service='Conformance old', to_service='Conformance host',
                                return_key=False),
        objects=lambda account, ctx: [i for i in account.integrations.values()
                                      if i['name'] == 'Moving' and i['service']['id'] == ctx['to']],
        identity=lambda r: first(r, 'integration'), create_path='/integrations/', create_method='PUT'),
    Row('service catalogue', pd_service_catalog,
        create=lambda ctx: dict(services=[dict(name=NAME, escalation_policy='Default',
                                               integrations=[dict(name='Events', type='events_api_v2')])],
                                return_keys=False),
        update=lambda ctx: dict(services=[dict(name=NAME, description='changed')], return_keys=False),
        absent=lambda ctx: dict(services=[dict(name=NAME)], state='deleted', return_keys=False),
        objects=lambda account, ctx: [i for i in account.integrations.values() if i['name'] == 'Events'
                                      and account.services[i['service']['id']]['name'] == NAME],
        identity=lambda r: [i['id'] for s in r.get('services') or [] for i in s['integrations']],
        create_path='/integrations$'),
]
IDS = [row.name for row in ROWS]


@pytest.fixture
def account(simulator_server, sim):
    """The simulated account, read directly (not through the API, whose reads may lag)."""
    account = simulator_server.sim.pagerduty
    account.datadog_services = simulator_server.sim.datadog.services
    return account


def run(sim, row, check_mode=False, diff=True, **options):
    """One task of the row's module, in process, as the action plugin runs it."""
    credentials = ({'api_url': sim.url, 'api_key': DEFAULT_API_KEY, 'app_key': DEFAULT_APP_KEY}
                   if row.module is pd_datadog_service else {'api_url': sim.url, 'api_token': sim.token})
    return run_in_process(kind_of(row.module), dict(credentials, **options), check_mode=check_mode, diff=diff,
                          name=row.module.__name__.rsplit('.', 1)[1])


def writes(sim):
    return [(r['method'], r['path']) for r in sim.writes()]


def server_fields(value, top=True):
    """Server-only fields anywhere in a diff (and an ID at its top)."""
    found = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key in SERVER_FIELDS or (top and key == 'id'):
                found.append(key)
            found.extend(server_fields(item, top=False))
    elif isinstance(value, list):
        for item in value:
            found.extend(server_fields(item, top=False))
    return found


def secrets_of(sim, account):
    """Every key and secret the account holds now: none may appear in a diff."""
    values = [i.get('integration_key') for i in account.integrations.values()]
    values += [p.get('routing_key') for o in account.orchestration_integrations.values() for p in
               [i.get('parameters') or {} for i in o]]
    values += [DATADOG_KEY, sim.token]
    return [v for v in values if v]


def step(sim, account, row, what, check_mode=False, **options):
    """Run one task and check what every task must: no failure, zero writes in check mode, a clean diff."""
    sim.clear_requests()
    result = run(sim, row, check_mode=check_mode, **options)
    assert not result.get('failed'), '%s: %s' % (what, result.get('msg'))
    if check_mode:
        assert writes(sim) == [], '%s wrote in check mode: %s' % (what, writes(sim))
    diff = result.get('diff')
    if diff is not None:
        assert server_fields(diff) == [], '%s: server-only fields in the diff: %s' % (what, server_fields(diff))
        text = json.dumps(diff)
        assert not [s for s in secrets_of(sim, account) if s in text], '%s: a secret in the diff' % what
    return result


def assert_no_op(sim, account, row, what, options):
    again = step(sim, account, row, what, **options)
    assert not again['changed'] and writes(sim) == [], '%s: a second run is not ok: %s %s' % (
        what, again.get('diff'), writes(sim))


@pytest.mark.parametrize('row', ROWS, ids=IDS)
def test_lifecycle(sim, account, report, row):
    ctx = row.setup(sim) if row.setup else {}
    create = row.create(ctx)
    checked = step(sim, account, row, 'check mode create', check_mode=True, **create)
    assert checked['changed'] and row.objects(account, ctx) == []
    created = step(sim, account, row, 'create', **create)
    assert created['changed'] and len(row.objects(account, ctx)) == 1
    assert checked.get('diff') == created.get('diff'), 'check mode predicted another diff than the real run made'
    assert_no_op(sim, account, row, 'second run after the create', create)
    if row.update:
        update = row.update(ctx)
        checked = step(sim, account, row, 'check mode update', check_mode=True, **update)
        assert checked['changed']
        updated = step(sim, account, row, 'update', **update)
        assert updated['changed'] and checked.get('diff') == updated.get('diff')
        assert_no_op(sim, account, row, 'second run after the update', update)
        created = updated
    if row.gathered:
        assert_no_op(sim, account, row, 'gathered output fed back', row.gathered(created, ctx))
    if row.absent:
        absent = row.absent(ctx)
        assert step(sim, account, row, 'check mode delete', check_mode=True, **absent)['changed']
        assert len(row.objects(account, ctx)) == 1
        assert step(sim, account, row, 'delete', **absent)['changed'] and row.objects(account, ctx) == []
        assert_no_op(sim, account, row, 'a second delete', absent)
    report(*TABLE)((row.name, 'lifecycle', 'ok', 0, len(row.objects(account, ctx)), 0))


@pytest.mark.parametrize('row', ROWS, ids=IDS)
def test_concurrent_creates_end_with_one_object(sim, account, report, row):
    ctx = row.setup(sim) if row.setup else {}
    sim.settings(latency_ms=100, read_after_write_lag_seconds=1)
    sim.clear_requests()
    runs = 4
    start = threading.Barrier(runs)
    results = [None] * runs

    def create(index):
        start.wait()
        results[index] = run(sim, row, diff=False, **dict(row.create(ctx), retry_timeout=60))

    threads = [threading.Thread(target=create, args=(n,)) for n in range(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    failed = [r.get('msg') for r in results if r is None or r.get('failed')]
    objects = row.objects(account, ctx)
    report(*TABLE)((row.name, 'concurrent creates', 'ok' if not failed and len(objects) == 1 else 'WRONG',
                    runs, len(objects), len(sim.writes())))
    assert failed == [], failed
    assert len(objects) == 1, objects
    if row.identity:
        returned = {json.dumps(row.identity(r), sort_keys=True) for r in results}
        assert len(returned) == 1, 'the runs returned different objects: %s' % returned
    sim.settings(latency_ms=0)
    again = run(sim, row, diff=False, **dict(row.create(ctx), retry_timeout=60))
    assert not again.get('failed') and not again['changed'], again


@pytest.mark.parametrize('row', [r for r in ROWS if r.create_path], ids=[r.name for r in ROWS if r.create_path])
def test_a_create_whose_answer_is_lost_ends_with_one_object(sim, account, report, row):
    # The create commits, its answer is lost, and reads lag a second: the run must find what it made before it
    # creates again (or, where names are not unique, settle the look-alike it then made).
    ctx = row.setup(sim) if row.setup else {}
    sim.settings(read_after_write_lag_seconds=1)
    sim.clear_requests()
    sim.fault(path=row.create_path, method=row.create_method, action='commit_then_drop')
    result = run(sim, row, diff=False, **dict(row.create(ctx), timeout=2))
    objects = row.objects(account, ctx)
    outcome = 'ok' if not result.get('failed') else 'failed cleanly' if not objects else 'HALF-DONE'
    report(*TABLE)((row.name, 'create answer lost', outcome, 1, len(objects), len(sim.writes())))
    assert not result.get('failed'), result.get('msg')
    assert len(objects) == 1
    sim.settings(read_after_write_lag_seconds=0)
    assert not run(sim, row, diff=False, **row.create(ctx))['changed']


def race(sim, row, options, runs):
    """`runs` runs of the row's module with `options`, started at the same moment; their results."""
    start = threading.Barrier(runs)
    results = [None] * runs

    def one(index):
        start.wait()
        results[index] = run(sim, row, diff=False, **dict(options, retry_timeout=60))

    threads = [threading.Thread(target=one, args=(n,)) for n in range(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return results


ROW = {row.name: row for row in ROWS}


@pytest.mark.parametrize('name', ['service', 'custom field'])
def test_runs_that_lose_a_name_race_under_lag_adopt_the_winner(sim, account, report, name):
    # Five runs, their creates held a second in flight together, reads lagging two seconds: PagerDuty refuses all
    # but one ("Name has already been taken"), and the others read until reads show the winner.
    row = ROW[name]
    ctx = row.setup(sim) if row.setup else {}
    sim.settings(read_after_write_lag_seconds=2)
    sim.fault(method='POST', path=row.create_path, times=5, action='delay', seconds=1)
    results = race(sim, row, row.create(ctx), 5)
    failed = [r.get('msg') for r in results if r.get('failed')]
    objects = row.objects(account, ctx)
    report(*TABLE)((row.name, 'name race, creates held 1 s, 2 s lag', 'ok' if not failed and len(objects) == 1
                    else 'WRONG', 5, len(objects), len(sim.writes())))
    assert failed == [] and len(objects) == 1, failed
    assert len({row.identity(r) for r in results}) == 1


def test_runs_rotating_one_key_at_once_end_with_one_integration_and_return_its_key(sim, account, report):
    row = ROW['integration (key)']
    ctx = row.setup(sim)
    created = run(sim, row, **row.create(ctx))
    sim.settings(latency_ms=100, read_after_write_lag_seconds=1)
    results = race(sim, row, dict(row.create(ctx), rotate_key=True), 5)
    failed = [r.get('msg') for r in results if r.get('failed')]
    objects = row.objects(account, ctx)
    keys = {r['integration']['integration_key'] for r in results if not r.get('failed')}
    report(*TABLE)((row.name, 'five rotations at once', 'ok' if not failed and len(objects) == 1 else 'WRONG', 5,
                    len(objects), len(sim.writes())))
    assert failed == [] and len(objects) == 1, failed
    assert keys == {objects[0]['integration_key']} and created['integration']['integration_key'] not in keys


def test_moves_by_recreating_at_once_end_with_one_copy(sim, account, report):
    row = ROW['integration move']
    ctx = row.setup(sim)
    sim.settings(latency_ms=100, read_after_write_lag_seconds=1)
    results = race(sim, row, dict(row.create(ctx), strategy='recreate'), 4)
    failed = [r.get('msg') for r in results if r.get('failed')]
    moved = [i for i in account.integrations.values() if i['name'] == 'Moving']
    report(*TABLE)((row.name, 'four moves by recreating', 'ok' if not failed and len(moved) == 1 else 'WRONG', 4,
                    len(moved), len(sim.writes())))
    assert failed == [] and len(moved) == 1, failed
    assert moved[0]['service']['id'] == ctx['to'] and len({row.identity(r) for r in results}) == 1
