"""The resource engine on its own: compare, projection, and the whole run on an in-memory resource.

The engine does no HTTP itself (its hooks do), so a resource kept in a dictionary exercises every
branch of it: check mode, diff, no-op, delete, and the adoption paths after a failed create.
"""

import types

import pytest

from ansible_collections.oncall.pagerduty.plugins.module_utils._client import PagerDutyError
from ansible_collections.oncall.pagerduty.plugins.module_utils._resource import (
    ResourceModule,
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


def test_project_keeps_the_shape_of_what_was_asked():
    current = {'type': 'constant', 'urgency': 'high', 'extra': 1}
    assert project(current, {'urgency': 'low'}) == {'urgency': 'high'}
    assert project([{'a': 1, 'id': 2}], [{'a': 3}]) == [{'a': 1}]
    assert project(None, {'a': 1}) is None


# -- the engine's run ----------------------------------------------------------------------------

class NoteModule(ResourceModule):
    """A toy resource kept in NoteModule.store, with a secret field and scripted failures."""

    result_key = 'note'
    secret_fields = ('secret',)
    argument_spec = dict(
        name=dict(type='str', required=True),
        text=dict(type='str'),
        state=dict(type='str', default='present', choices=['present', 'absent']),
    )
    module_kwargs = dict(supports_check_mode=True)
    store = {}
    writes = []
    create_failures = []  # errors the next creates raise; (error, commit first?)

    def find(self):
        return self.store.get(self.params['name'])

    def desired(self, current):
        return {key: self.params[key] for key in ('name', 'text') if self.params[key] is not None}

    def create(self, desired):
        self.writes.append('create')
        note = dict(desired, id='N%d' % (len(self.store) + 1), secret='s3cret')
        if self.create_failures:
            error, committed = self.create_failures.pop(0)
            if committed:
                self.store[note['name']] = note
            raise error
        self.store[note['name']] = note
        return note

    def update(self, current, changes):
        self.writes.append('update')
        self.store[current['name']] = dict(current, **changes)
        return self.store[current['name']]

    def delete(self, current):
        self.writes.append('delete')
        del self.store[current['name']]

    def is_name_conflict(self, err):
        return err.status == 400 and 'taken' in str(err)


note_module = types.SimpleNamespace(main=lambda: NoteModule().execute())


@pytest.fixture(autouse=True)
def empty_store():
    NoteModule.store.clear()
    NoteModule.writes.clear()
    NoteModule.create_failures.clear()


def test_check_mode_create_predicts_without_writing(run_module):
    result = run_module(note_module, check_mode=True, diff=True, name='a', text='hello')
    assert result['changed'] and NoteModule.writes == [] and NoteModule.store == {}
    assert result['note'] == {'name': 'a', 'text': 'hello', 'id': None}
    assert result['diff'] == {'before': {}, 'after': {'name': 'a', 'text': 'hello', 'id': None}}


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

    def racing_find(self):
        calls.append(1)
        return None if len(calls) == 1 else module_find(self)

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
    assert NoteModule.writes == ['create']
