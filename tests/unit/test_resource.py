"""The resource engine on its own: compare, projection, and the whole run on an in-memory resource.

The engine does no HTTP itself (its hooks do), so a resource kept in a dictionary exercises every
branch of it: check mode, diff, no-op, delete, and the adoption paths after a failed create. It
runs on a Task, as every entry point gives it, with no AnsibleModule involved.
"""

import pytest

from ansible_collections.oncall.pagerduty.plugins.module_utils._client import PagerDutyError, RetryBudget
from ansible_collections.oncall.pagerduty.plugins.module_utils._resource import (
    IN_FLIGHT_FACTOR,
    Field,
    Resource,
    Task,
    TaskFailed,
    Timeline,
    changed_fields,
    is_subset,
    project,
)


# -- compare -------------------------------------------------------------------------------------

@pytest.mark.parametrize('wanted, actual, expected', [
    ({'a': 1}, {'a': 1, 'b': 2}, True),                      # unset keys are left as they are
    ({'a': 1}, {'a': 2}, False),
    ({'a': {'x': 1}}, {'a': {'x': 1, 'y': 2}}, True),        # nested: subset too
    ({'a': {'x': 1}}, {'a': None}, False),
    ({'a': [1, 2]}, {'a': [1, 2]}, True),
    ({'a': [1, 2]}, {'a': [2, 1]}, False),                   # lists keep their order
    ({'a': [1]}, {'a': [1, 2]}, False),                      # and their length
    ({'a': [{'k': 1}]}, {'a': [{'k': 1, 'id': 'X'}]}, True),  # server-added ids in list items
    ({'a': None}, {}, True),
    ({'a': 0}, {'a': None}, False),
])
def test_is_subset(wanted, actual, expected):
    assert is_subset(wanted, actual) is expected


def test_changed_fields_lists_only_differing_top_level_fields():
    current = {'name': 'web', 'description': 'old', 'rule': {'type': 'constant', 'urgency': 'high'}}
    desired = {'name': 'web', 'description': 'new', 'rule': {'type': 'constant'}}
    assert changed_fields(desired, current) == {'description': 'new'}


# -- the watch after a write ------------------------------------------------------------------------

class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_the_watch_after_a_write_follows_its_landing_exchange_and_lag():
    clock = FakeClock()
    timeline = Timeline(clock)
    clock.now += 3.0          # refused twice by the rate limit: 3 s until the write landed
    timeline.landed(exchange=0.5)
    clock.now += 2.0          # reads showed it 2 s later
    assert timeline.window() == pytest.approx(3.0 + 0.5 * (IN_FLIGHT_FACTOR - 1) + 2.0)


def test_a_shared_write_watches_at_least_the_lag_floor_for_other_writes_to_show():
    clock = FakeClock()
    timeline = Timeline(clock, lag_floor=1.0)
    clock.now += 0.2
    timeline.landed(exchange=0.2)
    clock.now += 0.05         # another run's later write made this one readable early: its lag reads short
    assert timeline.window() == pytest.approx(0.2 + 0.2 * (IN_FLIGHT_FACTOR - 1) + 1.0)
    clock.now += 3.0          # a lag longer than the floor counts as measured
    assert timeline.window() == pytest.approx(0.2 + 0.2 * (IN_FLIGHT_FACTOR - 1) + 3.05)


def test_a_batch_counts_the_time_since_an_early_write_showed_as_watched():
    clock = FakeClock()
    early, late = Timeline(clock), Timeline(clock)
    clock.now += 0.1
    early.landed(exchange=0.1)
    clock.now += 10.0         # a hundred more writes
    late.mark()
    clock.now += 0.1
    late.landed(exchange=0.1)
    clock.now += 0.2          # one read shows them all
    lag = clock.now - late.answered
    assert early.watch_end(lag) < clock.now  # watched already, while the others were written
    assert late.watch_end(lag) - clock.now == pytest.approx(late.window())


def test_project_keeps_the_shape_of_what_was_asked():
    current = {'type': 'constant', 'urgency': 'high', 'extra': 1}
    assert project(current, {'urgency': 'low'}) == {'urgency': 'high'}
    assert project([{'a': 1, 'id': 2}], [{'a': 3}]) == [{'a': 1}]
    assert project(None, {'a': 1}) is None


# -- the engine's run ----------------------------------------------------------------------------

class NoteModule(Resource):
    """A toy resource kept in NoteModule.store, with a secret field and scripted failures."""

    result_key = 'note'
    secret_fields = ('secret',)
    fields = (Field('name'), Field('text'))
    settable_fields = ('name', 'text', 'secret')
    store = {}
    writes = []
    create_failures = []  # errors the next creates raise; (error, commit first?)
    settles = False

    def find(self, plan):
        return self.store.get(self.params['name'])

    def create(self, plan, desired):
        self.writes.append('create')
        note = dict(desired, id='N%d' % (len(self.store) + 1), secret='s3cret')
        if self.create_failures:
            error, committed = self.create_failures.pop(0)
            if committed:
                self.store[note['name']] = note
            raise error
        self.store[note['name']] = note
        return note

    def update(self, plan, current, changes):
        self.writes.append('update')
        self.store[current['name']] = dict(current, **changes)
        return self.store[current['name']]

    def delete(self, plan, obj):
        self.writes.append('delete')
        del self.store[obj['name']]

    def warn_look_alike(self, plan):
        """The toy store has no look-alikes."""

    def check_update(self, plan):
        """Names are the store's keys."""

    def is_name_conflict(self, err):
        return err.status == 400 and 'taken' in str(err)


class OfflineClient:
    """What the engine needs of a client when the hooks do no HTTP: a retry budget."""

    warnings = []
    last_exchange_seconds = 0.0
    last_request_held_seconds = 0.0

    def __init__(self):
        self.budget = RetryBudget(5, 60, backoff_base=0.001)

    def rate_limit_report(self):
        return None, None


note_module = object()


@pytest.fixture
def run_module():
    """run_module(note_module, **options): the engine's result, or the failure as a result."""

    def run(dummy_module, check_mode=False, diff=False, **options):
        params = dict({'text': None, 'state': 'present'}, **options)
        try:
            return NoteModule(Task(params, check_mode=check_mode, diff=diff), client=OfflineClient()).execute()
        except TaskFailed as failure:
            return dict(failure.result, failed=True, msg=failure.msg)

    return run


@pytest.fixture(autouse=True)
def empty_store():
    NoteModule.store.clear()
    NoteModule.writes.clear()
    NoteModule.create_failures.clear()


def test_check_mode_create_predicts_without_writing(run_module):
    result = run_module(note_module, check_mode=True, diff=True, name='a', text='hello')
    assert result['changed'] and NoteModule.writes == [] and NoteModule.store == {}
    assert result['note'] == {'name': 'a', 'text': 'hello', 'id': None}
    # Only what a user can set: never an ID, server-made fields or secrets.
    assert result['diff'] == {'before': {}, 'after': {'name': 'a', 'text': 'hello'}}


def test_create_then_second_run_is_ok(run_module):
    first = run_module(note_module, diff=True, name='a', text='hello')
    assert first['changed'] and first['note']['id'] == 'N1'
    assert 'secret' not in first['diff']['after']        # secrets never reach a diff
    assert first['note']['secret'] == 's3cret'           # but are returned for the next task
    second = run_module(note_module, diff=True, name='a', text='hello')
    assert not second['changed'] and 'diff' not in second
    assert NoteModule.writes == ['create']


def test_unset_options_are_left_as_they_are(run_module):
    run_module(note_module, name='a', text='hello')
    assert not run_module(note_module, name='a')['changed']


def test_update_diff_holds_only_what_changes(run_module):
    run_module(note_module, name='a', text='hello')
    result = run_module(note_module, diff=True, name='a', text='bye')
    assert result['changed'] and result['note']['text'] == 'bye'
    assert result['diff'] == {'before': {'text': 'hello'}, 'after': {'text': 'bye'}}


def test_check_mode_update_predicts_without_writing(run_module):
    run_module(note_module, name='a', text='hello')
    result = run_module(note_module, check_mode=True, name='a', text='bye')
    assert result['changed'] and result['note']['text'] == 'bye'
    assert NoteModule.writes == ['create'] and NoteModule.store['a']['text'] == 'hello'


def test_check_mode_diff_equals_the_real_runs_diff(run_module):
    run_module(note_module, name='a', text='hello')
    predicted = run_module(note_module, check_mode=True, diff=True, name='a', text='bye')
    real = run_module(note_module, diff=True, name='a', text='bye')
    assert predicted['diff'] == real['diff'] == {'before': {'text': 'hello'}, 'after': {'text': 'bye'}}


def test_diff_only_in_diff_mode(run_module):
    assert 'diff' not in run_module(note_module, name='a', text='hello')


def test_delete_then_delete_again_is_ok(run_module):
    run_module(note_module, name='a', text='hello')
    first = run_module(note_module, diff=True, name='a', state='absent')
    assert first['changed'] and first['note'] == {}
    assert first['diff']['before']['text'] == 'hello' and 'secret' not in first['diff']['before']
    assert not run_module(note_module, name='a', state='absent')['changed']
    assert NoteModule.writes == ['create', 'delete']


def test_check_mode_delete_writes_nothing(run_module):
    run_module(note_module, name='a', text='hello')
    assert run_module(note_module, check_mode=True, name='a', state='absent')['changed']
    assert 'a' in NoteModule.store


def test_create_that_committed_before_failing_is_adopted_not_repeated(run_module):
    NoteModule.create_failures.append((PagerDutyError('lost', ambiguous=True), True))
    result = run_module(note_module, name='a', text='hello')
    assert result['changed'] and result['note']['id'] == 'N1'
    assert NoteModule.writes == ['create'] and len(NoteModule.store) == 1


def test_create_that_failed_before_committing_is_sent_again(run_module):
    NoteModule.create_failures.append((PagerDutyError('lost', ambiguous=True), False))
    result = run_module(note_module, name='a', text='hello')
    assert result['changed'] and NoteModule.writes == ['create', 'create'] and len(NoteModule.store) == 1


def test_name_taken_by_someone_else_is_adopted_and_brought_in_line(run_module):
    NoteModule.store['a'] = {'name': 'a', 'text': 'theirs', 'id': 'N9'}
    conflict = PagerDutyError('Invalid Input Provided', status=400, errors=['Name has already been taken'])
    # find() saw nothing when the run began (another run created it in between).
    module_find = NoteModule.find
    calls = []

    def racing_find(self, plan):
        calls.append(1)
        return None if len(calls) == 1 else module_find(self, plan)

    NoteModule.find = racing_find
    try:
        NoteModule.create_failures.append((conflict, False))
        result = run_module(note_module, name='a', text='mine')
    finally:
        NoteModule.find = module_find
    assert result['changed'] and result['note'] == {'name': 'a', 'text': 'mine', 'id': 'N9'}
    assert NoteModule.writes == ['create', 'update'] and len(NoteModule.store) == 1


def test_other_create_errors_fail_with_what_was_being_done(run_module):
    NoteModule.create_failures.append((PagerDutyError('Invalid Input Provided', status=400, errors=['bad']), False))
    result = run_module(note_module, name='a', text='x')
    assert result['failed']
    assert result['msg'] == 'could not create the note: Invalid Input Provided: bad (HTTP 400)'
    assert result['status'] == 400 and 'error_code' not in result  # only what the API said
    assert NoteModule.writes == ['create']


def test_failures_before_any_request_carry_no_http_fields(run_module):
    class Picky(NoteModule):
        def validate(self):
            self.fail('text: must not be empty')

    try:
        Picky(Task({'name': 'a', 'text': '', 'state': 'present'}), client=OfflineClient()).execute()
    except TaskFailed as failure:
        assert failure.msg == 'text: must not be empty' and failure.result == {}
    else:
        raise AssertionError('the task did not fail')
