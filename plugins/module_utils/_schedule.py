# -*- coding: utf-8 -*-
# Copyright: contributors to oncall.pagerduty
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""PagerDuty on-call schedules: found by exact name or ID, their layers matched by name. Used by pd_schedule.

What PagerDuty does with a schedule's layers shapes the kind (tests/simulator/README.md has the sources):
- a layer is never deleted, only ended (its `end` set); ended layers stay in the schedule, and are left alone here;
- a layer's `start` in the past becomes the moment of every write that sends the layer, while its
  `rotation_virtual_start` is kept: the start is compared only when the task moves it into the future;
- who is on call is the turn counted from `rotation_virtual_start` in `rotation_turn_length_seconds`, taken in the
  order of the layer's users. So a new list of users would hand the current turn to somebody else: the kind moves
  `rotation_virtual_start` by whole turns so that whoever is on call stays on call, and the handoff times stay
  (terraform-provider-pagerduty #215, #585; its PR #1083 proposes the same as an option). A task that sets
  `rotation_virtual_start` to another phase, or another turn length, changes the rotation itself;
- reads list layers in the reverse of the order they were written; the task lists them from the base layer up
  (the last one takes precedence), as the web app stacks them.
"""

from __future__ import annotations

import datetime

from ansible_collections.oncall.pagerduty.plugins.module_utils._maintenance_window import (
    as_time,
    time_problem,
    utc_now,
    utc_text,
)
from ansible_collections.oncall.pagerduty.plugins.module_utils._resource import (
    IDENTITY_RULES,
    RENAME_OPTIONS,
    Collection,
    Field,
    Resource,
    reference_name,
)
from ansible_collections.oncall.pagerduty.plugins.module_utils._team import teams_field
from ansible_collections.oncall.pagerduty.plugins.module_utils._user import find_or_predict_user

SCHEDULES = Collection('/schedules', 'schedule', name_filter='query', unique_names=False, label='schedule')
DAY, WEEK = 86400, 7 * 86400
MAX_TURN_SECONDS = 365 * DAY
RESTRICTION_TYPES = ['daily_restriction', 'weekly_restriction']

LAYER_OPTIONS = dict(
    name=dict(type='str', required=True),
    users=dict(type='list', elements='str', required=True),
    rotation_turn_length_seconds=dict(type='int', required=True),
    rotation_virtual_start=dict(type='str'),
    start=dict(type='str'),
    end=dict(type='str'),
    restrictions=dict(type='list', elements='dict', options=dict(
        type=dict(type='str', required=True, choices=RESTRICTION_TYPES),
        start_time_of_day=dict(type='str', required=True),
        duration_seconds=dict(type='int', required=True),
        start_day_of_week=dict(type='int'),
    )),
)


def active(layer, now):
    end = as_time(layer.get('end')) if layer.get('end') else None
    return end is None or end > now


def full_time_of_day(value):
    return value if value.count(':') == 2 else value + ':00'


def restriction_key(restriction):
    return (restriction['type'], full_time_of_day(restriction['start_time_of_day']), restriction['duration_seconds'],
            restriction.get('start_day_of_week') if restriction['type'] == 'weekly_restriction' else None)


def layer_user_ids(layer):
    return [(entry.get('user') or {}).get('id') for entry in layer.get('users') or []]


def turn_index(virtual_start, turn_seconds, now):
    """How many whole turns have passed since the rotation's virtual start (negative before it)."""
    return int((now - virtual_start).total_seconds() // turn_seconds)


def layer_shown(layer, emails=None):
    """A layer in the input format: users by email where known, else by ID."""
    emails = emails or {}
    item = {'name': layer.get('name'), 'rotation_turn_length_seconds': layer.get('rotation_turn_length_seconds'),
            'rotation_virtual_start': utc_text(as_time(layer['rotation_virtual_start'])),
            'users': [emails.get(uid) or uid for uid in layer_user_ids(layer)]}
    if layer.get('restrictions'):
        item['restrictions'] = [restriction_shape(r) for r in layer['restrictions']]
    if layer.get('end'):
        item['end'] = utc_text(as_time(layer['end']))
    return item


def layers_from_api(layers):
    """A schedule's active layers in the input format, from the base layer up (reads list the newest first)."""
    now = utc_now()
    return [layer_shown(x) for x in reversed(layers or []) if active(x, now)]


class ScheduleResource(Resource):
    """A PagerDuty on-call schedule and its layers."""

    result_key = 'schedule'
    collection = SCHEDULES
    fields = (
        Field('name'),
        Field('description'),
        Field('time_zone'),
        teams_field(),
        Field('layers', dict(type='list', elements='dict', options=LAYER_OPTIONS), api='schedule_layers',
              from_api=layers_from_api, to_api=lambda kind, value, plan: kind.desired_layers(value, plan)),
    )
    options = RENAME_OPTIONS
    option_rules = IDENTITY_RULES

    def __init__(self, task, client=None):
        super().__init__(task, client)
        self.emails = {}    # user ID -> email, for diffs in the task's terms
        self.now = utc_now().replace(microsecond=0)

    # -- validation ------------------------------------------------------------------------------

    def validate(self):
        super().validate()
        self.fail_if_blank('description', 'time_zone')
        if self.params['time_zone']:
            self.validate_time_zone(self.params['time_zone'], self.option('time_zone'))
        layers = self.params['layers']
        if layers is None:
            return
        if not layers and self.state() == 'present':
            self.fail('%s: a schedule needs at least one layer' % self.option('layers'))
        names = [layer['name'] for layer in layers]
        for index, layer in enumerate(layers):
            where = '%s[%d]' % (self.option('layers'), index)
            if not layer['name'].strip():
                self.fail('%s.name: must not be blank' % where)
            if layer['name'] in names[:index]:
                self.fail('%s.name: %r names two layers; layers are matched by name' % (where, layer['name']))
            if not layer['users']:
                self.fail('%s.users: list at least one user (by email or ID)' % where)
            turn = layer['rotation_turn_length_seconds']
            if not 1 <= turn <= MAX_TURN_SECONDS:
                self.fail('%s.rotation_turn_length_seconds: must be from 1 to %d (a year), got %d'
                          % (where, MAX_TURN_SECONDS, turn))
            for option in ('start', 'end', 'rotation_virtual_start'):
                if layer[option] is not None and time_problem(layer[option]):
                    self.fail('%s.%s: %s' % (where, option, time_problem(layer[option])))
            for number, restriction in enumerate(layer['restrictions'] or []):
                self.validate_restriction(restriction, '%s.restrictions[%d]' % (where, number))

    def validate_restriction(self, restriction, where):
        time_of_day = restriction['start_time_of_day']
        parts = time_of_day.split(':')
        if not (2 <= len(parts) <= 3 and all(p.isdigit() and len(p) == 2 for p in parts)
                and int(parts[0]) < 24 and all(int(p) < 60 for p in parts[1:])):
            self.fail('%s.start_time_of_day: %r is not a time of day as HH:MM or HH:MM:SS' % (where, time_of_day))
        daily = restriction['type'] == 'daily_restriction'
        longest = DAY - 1 if daily else WEEK - 1
        if not 1 <= restriction['duration_seconds'] <= longest:
            self.fail('%s.duration_seconds: a %s lasts from 1 to %d seconds, got %d'
                      % (where, restriction['type'], longest, restriction['duration_seconds']))
        day = restriction['start_day_of_week']
        if daily and day is not None:
            self.fail('%s.start_day_of_week: only a weekly_restriction has one' % where)
        if not daily and (day is None or not 1 <= day <= 7):
            self.fail('%s.start_day_of_week: a weekly_restriction needs one, from 1 (Monday) to 7 (Sunday)' % where)

    # -- reading ---------------------------------------------------------------------------------

    def listing_query(self):
        return {'include[]': ['schedule_layers']}

    def find(self, plan):
        found = super().find(plan)
        if found is not None and found.get('id') and 'schedule_layers' not in found:
            found = self.by_id(plan, found['id']) or found
        return found

    def twins(self, plan):
        name = (plan.desired or {}).get('name') or self.params.get('new_name') or self.params.get('name')
        return [s for s in self.lookups.find_by_name(SCHEDULES.key, name, 'query', path=SCHEDULES.path,
                                                     key=SCHEDULES.plural) if s.get('name') == name]

    def present(self, obj):
        """Description '' when it has none. Layers stay as reads list them, the newest first, everywhere but in what
        a write sends (body) and what the task's terms show (layer_shown): the base layer first."""
        if not obj:
            return obj
        return dict(obj, description=obj.get('description') or '')

    # -- references ------------------------------------------------------------------------------

    def user_id(self, value, where, known):
        """The ID of a user given by email or ID: from the schedule's own layers when it is there, else looked up."""
        for user in known:
            if value == user.get('id') or value.casefold() == (user.get('email') or '').casefold():
                self.emails[user['id']] = user.get('email') or value
                return user['id']
        if '@' not in value:
            found = self.client.get_object('users', 'user', value)
            if found is None:
                self.fail('%s: no user has the ID %r' % (where, value))
        else:
            found = find_or_predict_user(self, value, where, why='a schedule layer rotates between users')
        user_id = found.get('id') or 'predicted:' + value.casefold()  # a user an earlier task of a check run makes
        self.emails[user_id] = found.get('email') or value
        return user_id

    # -- layers ----------------------------------------------------------------------------------

    def desired_layers(self, wanted, plan):
        """The layers a write sends, in the order written: every active layer of the schedule (ended ones are left
        as they are), those the task lists in its order, and the ones it does not list ended now."""
        current = [x for x in reversed((plan.current or {}).get('schedule_layers') or []) if active(x, self.now)]
        by_name = {x.get('name'): x for x in current}
        known = [e.get('user') or {} for x in (plan.current or {}).get('schedule_layers') or [] for e in x.get('users') or []]
        listed = [by_name[x['name']]['name'] for x in wanted if x['name'] in by_name]
        kept = [x['name'] for x in current if x['name'] in listed]
        if listed != kept:
            self.fail('%s: the layers %s are in another order than the schedule keeps them (%s); PagerDuty keeps the '
                      'order layers were made in, from the base layer up. List them in that order, or give the layers '
                      'new names to make them anew in yours.' % (self.option('layers'), listed, kept))
        first_new = next((x['name'] for x in wanted if x['name'] not in by_name), None)
        if first_new is not None and any(x['name'] in by_name for x in wanted[[x['name'] for x in wanted].index(first_new):]):
            self.fail('%s: the new layer %r is listed below layers the schedule has already, but PagerDuty adds a new '
                      'layer on top of them (it takes precedence). List new layers after %s.'
                      % (self.option('layers'), first_new, ', '.join(repr(n) for n in listed)))
        layers = []
        for index, layer in enumerate(wanted):
            where = '%s[%d]' % (self.option('layers'), index)
            users = [self.user_id(u, '%s.users[%d]' % (where, n), known) for n, u in enumerate(layer['users'])]
            layers.append(self.desired_layer(layer, by_name.get(layer['name']), users))
        ending = utc_text(self.now)
        for layer in current:
            if layer['name'] not in [x['name'] for x in wanted]:
                layers.append(dict(self.sent_layer(layer), end=ending, ended_by_task=True))
        return list(reversed(layers))  # as reads list them, the newest first (body() writes them base first)

    @staticmethod
    def sent_layer(layer):
        """A layer as a write sends it again, unchanged."""
        sent = {k: layer.get(k) for k in ('id', 'name', 'start', 'end', 'rotation_virtual_start',
                                          'rotation_turn_length_seconds', 'restrictions')}
        sent['users'] = [{'user': {'id': uid, 'type': 'user_reference'}} for uid in layer_user_ids(layer)]
        sent['restrictions'] = [restriction_shape(r) for r in layer.get('restrictions') or []]
        return sent

    def desired_layer(self, layer, current, users):
        """The layer the task wants: a new one (start now unless given, its rotation from its start unless given),
        or the current one with the task's changes, its rotation moved by whole turns so that whoever is on call
        stays on call when only the users change."""
        restrictions = [restriction_shape(r) for r in layer['restrictions'] or []]
        turn = layer['rotation_turn_length_seconds']
        given_virtual = as_time(layer['rotation_virtual_start']) if layer['rotation_virtual_start'] else None
        end = utc_text(as_time(layer['end'])) if layer['end'] else None
        if current is None:
            start = as_time(layer['start']) if layer['start'] else self.now
            virtual = given_virtual or start
            return {'name': layer['name'], 'start': utc_text(start), 'end': end,
                    'rotation_virtual_start': utc_text(virtual), 'rotation_turn_length_seconds': turn,
                    'users': [{'user': {'id': uid, 'type': 'user_reference'}} for uid in users],
                    'restrictions': restrictions}
        sent = self.sent_layer(current)
        current_virtual = as_time(current['rotation_virtual_start'])
        same_rotation = turn == current.get('rotation_turn_length_seconds') and (
            given_virtual is None or (given_virtual - current_virtual).total_seconds() % turn == 0)
        if same_rotation:
            virtual = self.kept_turn(current, users, current_virtual, turn)
        else:
            virtual = given_virtual or current_virtual
        start = as_time(layer['start']) if layer['start'] else None
        if start is not None and start > self.now and start != as_time(current['start']):
            sent['start'] = utc_text(start)
        end = end or current.get('end')  # a layer's end is left as it is unless the task sets one
        sent.update({'rotation_virtual_start': utc_text(virtual), 'rotation_turn_length_seconds': turn, 'end': end,
                     'users': [{'user': {'id': uid, 'type': 'user_reference'}} for uid in users],
                     'restrictions': restrictions})
        return sent

    def kept_turn(self, current, users, virtual, turn):
        """The virtual start, moved by whole turns, at which the user on call now stays on call with `users` (or as it
        is, when the users are the same, the rotation has not begun, or that user leaves the layer)."""
        before = layer_user_ids(current)
        if users == before or self.now < virtual or not before:
            return virtual
        on_call = before[turn_index(virtual, turn, self.now) % len(before)]
        if on_call not in users:
            return virtual
        turns = turn_index(virtual, turn, self.now) - users.index(on_call)
        return virtual + datetime.timedelta(seconds=turns * turn)

    def compare(self, plan):
        changes = super().compare(plan)
        changes.pop('schedule_layers', None)
        if 'schedule_layers' in plan.desired and self.layers_differ(plan):
            changes['schedule_layers'] = plan.desired['schedule_layers']
        return changes

    def layers_differ(self, plan):
        current = {x['id']: x for x in (plan.current or {}).get('schedule_layers') or []}
        for layer in plan.desired['schedule_layers']:
            if layer.get('ended_by_task') or 'id' not in layer:
                return True
            was = current[layer['id']]
            if not same_layer(layer, was) or as_time(layer['start']) != as_time(was['start']):
                return True
        return False

    def shows_write(self, plan, read, changes):
        """A read shows a write of layers when each layer sent is there as sent, but for its start, which PagerDuty
        moves to the moment of the write."""
        if read is None or not changes or 'schedule_layers' not in changes:
            return super().shows_write(plan, read, changes)
        others = {k: v for k, v in changes.items() if k != 'schedule_layers'}
        if not super().shows_write(plan, read, others):
            return False
        by_name = {}
        for layer in read.get('schedule_layers') or []:
            by_name.setdefault(layer.get('name'), []).append(layer)
        return all(any(same_layer(sent, x) for x in by_name.get(sent['name'], [])) for sent in changes['schedule_layers'])

    def check_create(self, plan):
        if 'time_zone' not in plan.desired or 'schedule_layers' not in plan.desired:
            self.required_to_create('%s and %s: required to create the schedule %r (no schedule has that name yet)'
                                    % (self.option('time_zone'), self.option('layers'), plan.desired.get('name')))

    def check_delete(self, plan):
        """PagerDuty refuses to delete a schedule that escalation policies use: say which, first."""
        policies = sorted(p.get('summary') or p.get('id') for p in plan.current.get('escalation_policies') or [])
        if policies:
            self.fail('%s: PagerDuty deletes only a schedule that no escalation policy uses, and %r is used by %s. Take '
                      'it off those policies first (oncall.pagerduty.pd_escalation_policy).'
                      % (self.option('state'), plan.current['name'], ', '.join(repr(p) for p in policies)))

    # -- writes ----------------------------------------------------------------------------------

    def body(self, fields):
        body = dict(fields, type='schedule')
        if 'teams' in body:
            body['teams'] = [{'id': t['id'], 'type': 'team_reference'} for t in body['teams']]
        if 'schedule_layers' in body:
            body['schedule_layers'] = [{k: v for k, v in x.items() if k != 'ended_by_task' and v is not None}
                                       for x in reversed(body['schedule_layers'])]
        return {'schedule': body}

    def predict_create(self, plan):
        return dict({'type': 'schedule', 'description': '', 'teams': [], 'escalation_policies': []},
                    **plan.desired, id=None)

    # -- presentation ----------------------------------------------------------------------------

    def shown(self, fields):
        """Layers in the task's terms (users by email), teams by name: a diff holds no IDs but those of users whose
        email the task did not need."""
        shown = super().shown(fields)
        if 'schedule_layers' in shown:
            shown['layers'] = [layer_shown(x, self.emails) for x in reversed(shown.pop('schedule_layers') or [])
                               if active(x, self.now) or x.get('ended_by_task')]
        if 'teams' in shown:
            shown['teams'] = [reference_name(t) for t in shown['teams'] or []]
        return shown


def same_layer(sent, read):
    """Whether a layer as read holds what was sent: users in order, rotation, end and restrictions (not its start)."""
    def moment(value):
        return as_time(value) if value else None
    return (layer_user_ids(sent) == layer_user_ids(read)
            and sent['rotation_turn_length_seconds'] == read.get('rotation_turn_length_seconds')
            and moment(sent['rotation_virtual_start']) == moment(read.get('rotation_virtual_start'))
            and moment(sent.get('end')) == moment(read.get('end'))
            and sorted(map(restriction_key, sent.get('restrictions') or []))
            == sorted(map(restriction_key, read.get('restrictions') or [])))


def restriction_shape(restriction):
    shaped = {'type': restriction['type'], 'start_time_of_day': full_time_of_day(restriction['start_time_of_day']),
              'duration_seconds': restriction['duration_seconds']}
    if restriction['type'] == 'weekly_restriction':
        shaped['start_day_of_week'] = restriction['start_day_of_week']
    return shaped
