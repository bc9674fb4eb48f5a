"""On-call schedules and their overrides (/schedules, /schedules/{id}/overrides, /oncalls).

A family of endpoints mixed into PagerDutyAccount (see pagerduty.py): `reset_schedules()` sets up its state
after the people family's (schedules name users and teams), `routes_schedules()` lists its (method, path
pattern, handler) routes. Behaviour and sources are in README.md.

Times are kept as aware UTC datetimes in ISO 8601 strings and rendered, as PagerDuty renders them, in a time
zone (the schedule's, or the request's `time_zone`) with its offset.
"""

import copy
import datetime
import re
import zoneinfo

from .api import invalid, not_found, parse_time, utc_now

# The seeded account's schedules: (id, name, time zone, team id or None, user ids on its one layer).
# Two share a name, as nothing in PagerDuty stops schedules from doing.
SCHEDULES = [
    ('PSCHED1', 'Platform Primary', 'Europe/Paris', 'PTEAM01', ['PUSR002', 'PUSR003']),
    ('PSCHED2', 'Platform Secondary', 'Europe/Paris', 'PTEAM01', ['PUSR003', 'PUSR002']),
    ('PSCHED3', 'Payments Primary', 'America/New_York', 'PTEAM02', ['PUSR004']),
    ('PSCHED4', 'Follow the Sun', 'UTC', None, ['PUSR001', 'PUSR002', 'PUSR004']),
    ('PSCHED5', 'Weekend', 'UTC', None, ['PUSR001']),
    ('PSCHED6', 'Weekend', 'Europe/Paris', 'PTEAM01', ['PUSR003']),
]
ROTATION_START = '2024-01-01T09:00:00Z'
WEEK = 7 * 24 * 3600
DAY = 24 * 3600
MAX_TURN_SECONDS = 365 * DAY    # "cannot exceed one year in seconds" (PagerDuty's connector docs; the provider's limit)
DEFAULT_RANGE = datetime.timedelta(weeks=2)
RESTRICTION_TYPES = ('daily_restriction', 'weekly_restriction')
SCHEDULE_INCLUDES = ('schedule_layers', 'overrides_subschedule', 'final_schedule')
_TIME_OF_DAY = re.compile(r'^([01]\d|2[0-3]):[0-5]\d:[0-5]\d$')
_OVERRIDE_ID_LENGTH = 14        # the description's newer examples: "Q3X6MJ1LUKD6QW"


def time_zone_of(name):
    """The IANA zone `name` names, or None."""
    if not isinstance(name, str) or not name:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def iso(moment):
    return moment.astimezone(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


def rendered(value, zone):
    """A stored time as PagerDuty renders it: in `zone`, with its offset."""
    moment = parse_time(value) if isinstance(value, str) else value
    return None if moment is None else moment.astimezone(zone).isoformat(timespec='seconds')


def flag(query, name):
    return query.get(name, ['false'])[0] == 'true'


class ScheduleEndpoints:
    family = 'schedules'

    def reset_schedules(self):
        self.schedules = {}
        self.layer_history = {}     # layer id -> its earlier versions, each ended when it was replaced
        self.overrides = {}         # schedule id -> [override, ...] in the order they were made
        for schedule_id, name, time_zone, team_id, user_ids in SCHEDULES:
            self.schedules[schedule_id] = self._object(
                schedule_id, 'schedule', name, time_zone=time_zone, description='%s rotation' % name,
                teams=[self.reference(self.teams[team_id])] if team_id else [],
                schedule_layers=[{'id': 'L' + schedule_id[1:], 'name': 'Layer 1', 'start': ROTATION_START, 'end': None,
                                  'rotation_virtual_start': ROTATION_START, 'rotation_turn_length_seconds': WEEK,
                                  'users': [{'user': self.reference(self.users[u])} for u in user_ids],
                                  'restrictions': []}])
            self.overrides[schedule_id] = []

    def routes_schedules(self):
        segment = r'([^/]+)'
        return [
            ('GET', r'/schedules', self.list_schedules),
            ('POST', r'/schedules', self.create_schedule),
            ('GET', r'/schedules/' + segment + r'/overrides', self.list_overrides),
            ('POST', r'/schedules/' + segment + r'/overrides', self.create_overrides),
            ('DELETE', r'/schedules/' + segment + r'/overrides/' + segment, self.delete_override),
            ('GET', r'/schedules/' + segment, self.get_schedule),
            ('PUT', r'/schedules/' + segment, self.update_schedule),
            ('DELETE', r'/schedules/' + segment, self.delete_schedule),
            ('GET', r'/oncalls', self.list_oncalls),
        ]

    # -- rendering ---------------------------------------------------------------------------------

    def _policies_using(self, schedule_id):
        return [ep for ep in self._sorted(self.escalation_policies)
                if any(t['id'] == schedule_id for rule in ep['escalation_rules'] for t in rule['targets'])]

    def schedule_view(self, schedule, layers, query=None, zone=None, includes=None):
        """A schedule as the API renders it. `layers`: with its layers; `includes`: the sub-schedules to add;
        `query`: since/until/overflow for rendered entries; `zone`: the time zone of its times (the schedule's)."""
        query = query or {}
        zone = zone or time_zone_of(schedule['time_zone']) or datetime.timezone.utc
        includes = set(includes or ())
        view = {key: copy.deepcopy(value) for key, value in schedule.items() if key != 'schedule_layers'}
        view['users'] = []
        for layer in schedule['schedule_layers']:
            for entry in layer['users']:
                if entry['user']['id'] not in [u['id'] for u in view['users']]:
                    view['users'].append(copy.deepcopy(entry['user']))
        view['escalation_policies'] = [self.reference(ep) for ep in self._policies_using(schedule['id'])]
        window = self._entry_window(query)
        if layers:
            # A GET lists the layers in the reverse of the order they were written (the last, which takes
            # precedence, first): PagerDuty/public-support-scripts PR #60, the provider's flattenScheduleLayers.
            view['schedule_layers'] = [self._layer_view(schedule, layer, zone, window)
                                       for layer in reversed(schedule['schedule_layers'])]
        for name, key in (('Overrides', 'overrides_subschedule'), ('Final Schedule', 'final_schedule')):
            if key in includes:
                sub = {'name': name, 'rendered_schedule_entries': []}
                if window is not None:
                    entries = (self._override_entries(schedule['id'], window) if key == 'overrides_subschedule'
                               else self._final_entries(schedule, window))
                    sub['rendered_schedule_entries'] = self._entries_view(entries, zone, window)
                    sub['rendered_coverage_percentage'] = self._coverage(entries, window)
                view[key] = sub
        return view

    def _layer_view(self, schedule, layer, zone, window):
        view = copy.deepcopy(layer)
        for field in ('start', 'end', 'rotation_virtual_start'):
            view[field] = rendered(layer[field], zone) if layer[field] else None
        if view['end'] is None:
            del view['end']     # the ScheduleLayer schema's `end` is a date-time: a layer without an end leaves it out
        view['rendered_schedule_entries'] = []
        if window is not None:
            entries = self._layer_entries(schedule, layer['id'], window)
            view['rendered_schedule_entries'] = self._entries_view(entries, zone, window)
            view['rendered_coverage_percentage'] = self._coverage(entries, window)
        return view

    @staticmethod
    def _entries_view(entries, zone, window):
        since, until, overflow = window
        result = []
        for start, end, user in entries:
            if not overflow:
                start, end = max(start, since), min(end, until)
            result.append({'start': rendered(start, zone), 'end': rendered(end, zone), 'user': copy.deepcopy(user)})
        return result

    @staticmethod
    def _coverage(entries, window):
        since, until, dummy = window
        covered = sum(max(0.0, (min(end, until) - max(start, since)).total_seconds()) for start, end, dummy in entries)
        total = (until - since).total_seconds()
        return round(100.0 * covered / total, 2) if total > 0 else 0.0

    @staticmethod
    def _entry_window(query):
        """(since, until, overflow) of a request, or None without since and until. One alone gets the other two
        weeks away (the description of `since` and `until`)."""
        since, until = query.get('since', [None])[0], query.get('until', [None])[0]
        if since is None and until is None:
            return None
        since_at = parse_time(since) if since is not None else None
        until_at = parse_time(until) if until is not None else None
        if (since is not None and since_at is None) or (until is not None and until_at is None):
            raise invalid('since and until must be ISO 8601 dates and times with a time zone')
        since_at = since_at or until_at - DEFAULT_RANGE
        until_at = until_at or since_at + DEFAULT_RANGE
        if until_at < since_at:
            raise invalid('until must not be before since')
        return since_at, until_at, flag(query, 'overflow')

    # -- on-call arithmetic (the rendered entries: simplified, see README) --------------------------

    def _versions(self, schedule, layer_id):
        current = [layer for layer in schedule['schedule_layers'] if layer['id'] == layer_id]
        return self.layer_history.get(layer_id, []) + current

    def _layer_entries(self, schedule, layer_id, window):
        """(start, end, user reference) of a layer's turns that meet the window, every version of the layer."""
        zone = time_zone_of(schedule['time_zone']) or datetime.timezone.utc
        entries = []
        for version in self._versions(schedule, layer_id):
            entries.extend(self._version_entries(version, zone, window))
        return sorted(entries, key=lambda e: e[0])

    def _version_entries(self, layer, zone, window):
        since, until, dummy = window
        start, end = parse_time(layer['start']), parse_time(layer['end']) if layer['end'] else None
        users = [entry['user'] for entry in layer['users']]
        if not users:
            return []
        low, high = max(start, since), min(end, until) if end else until
        if low >= high:
            return []
        virtual = parse_time(layer['rotation_virtual_start'])
        turn = layer['rotation_turn_length_seconds']
        entries = []
        index = int((low - virtual).total_seconds() // turn)
        while True:
            turn_start = virtual + datetime.timedelta(seconds=index * turn)
            turn_end = turn_start + datetime.timedelta(seconds=turn)
            if turn_start >= high:
                break
            user = users[index % len(users)]
            piece_start, piece_end = max(turn_start, start), min(turn_end, end) if end else turn_end
            for allowed_start, allowed_end in self._allowed(layer, zone, piece_start, piece_end):
                if allowed_end > low and allowed_start < high:
                    entries.append((allowed_start, allowed_end, user))
            index += 1
        return entries

    @staticmethod
    def _allowed(layer, zone, start, end):
        """The parts of [start, end) its restrictions allow (all of it without restrictions)."""
        if not layer['restrictions']:
            return [(start, end)]
        parts = []
        first_day = start.astimezone(zone).date() - datetime.timedelta(days=8)
        days = (end.astimezone(zone).date() - first_day).days + 1
        for restriction in layer['restrictions']:
            hours, minutes, seconds = (int(x) for x in restriction['start_time_of_day'].split(':'))
            for offset in range(days):
                day = first_day + datetime.timedelta(days=offset)
                if restriction['type'] == 'weekly_restriction' and day.isoweekday() != restriction['start_day_of_week']:
                    continue
                opens = datetime.datetime(day.year, day.month, day.day, hours, minutes, seconds, tzinfo=zone)
                closes = opens + datetime.timedelta(seconds=restriction['duration_seconds'])
                low, high = max(opens, start), min(closes, end)
                if low < high:
                    parts.append((low, high))
        parts.sort()
        merged = []
        for low, high in parts:
            if merged and low <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], high))
            else:
                merged.append((low, high))
        return merged

    def _override_entries(self, schedule_id, window):
        since, until, dummy = window
        return [(parse_time(o['start']), parse_time(o['end']), o['user']) for o in self.overrides.get(schedule_id, [])
                if parse_time(o['start']) < until and parse_time(o['end']) > since]

    def _final_entries(self, schedule, window):
        """Who is on call over the window: the last override made that covers a moment, else the last layer
        (in the order written) that covers it."""
        sources = [self._override_entries(schedule['id'], window)[::-1]]
        for layer in reversed(schedule['schedule_layers']):
            sources.append(self._layer_entries(schedule, layer['id'], window))
        cuts = sorted({moment for entries in sources for start, end, dummy in entries for moment in (start, end)})
        final = []
        for low, high in zip(cuts, cuts[1:]):
            user = next((u for entries in sources for start, end, u in entries if start <= low and end >= high), None)
            if user is None:
                continue
            if final and final[-1][2]['id'] == user['id'] and final[-1][1] == low:
                final[-1] = (final[-1][0], high, user)
            else:
                final.append((low, high, user))
        since, until, dummy = window
        return [e for e in final if e[1] > since and e[0] < until]

    # -- checks ----------------------------------------------------------------------------------

    def _checked_time(self, value, label, errors):
        moment = parse_time(value)
        if moment is None:
            errors.append('%s must be an ISO 8601 date and time with a time zone' % label)
        return moment.replace(microsecond=0) if moment else None

    def _checked_users(self, users, where, errors):
        if not isinstance(users, list) or not users:
            errors.append('%s must have at least one user' % where)
            return []
        stored = []
        for entry in users:
            user_id = ((entry or {}).get('user') or {}).get('id') if isinstance(entry, dict) else None
            if user_id not in self.users:
                errors.append('%s user %s was not found' % (where, user_id))
            else:
                stored.append({'user': self.reference(self.users[user_id])})
        return stored

    @staticmethod
    def _checked_restrictions(restrictions, where, errors):
        if restrictions is None:
            return []
        if not isinstance(restrictions, list):
            errors.append('%s restrictions must be a list' % where)
            return []
        stored = []
        for restriction in restrictions:
            if not isinstance(restriction, dict) or restriction.get('type') not in RESTRICTION_TYPES:
                errors.append('%s restriction type must be daily_restriction or weekly_restriction' % where)
                continue
            kind, duration = restriction['type'], restriction.get('duration_seconds')
            time_of_day = restriction.get('start_time_of_day')
            if not isinstance(time_of_day, str) or not _TIME_OF_DAY.match(time_of_day):
                errors.append('%s restriction start_time_of_day must be HH:MM:SS' % where)
                continue
            longest = DAY - 1 if kind == 'daily_restriction' else WEEK - 1
            if not isinstance(duration, int) or isinstance(duration, bool) or not 1 <= duration <= longest:
                errors.append('%s restriction duration_seconds must be a whole number from 1 to %d' % (where, longest))
                continue
            item = {'type': kind, 'start_time_of_day': time_of_day, 'duration_seconds': duration}
            if kind == 'weekly_restriction':
                day = restriction.get('start_day_of_week')
                if not isinstance(day, int) or isinstance(day, bool) or not 1 <= day <= 7:
                    errors.append('%s weekly restriction start_day_of_week must be 1 (Monday) to 7' % where)
                    continue
                item['start_day_of_week'] = day
            stored.append(item)
        return stored

    def _checked_layer(self, layer, where, now, errors):
        """A layer as stored (times in UTC), from what a request sent; its `id` is decided by the caller."""
        if not isinstance(layer, dict):
            errors.append('%s must be an object' % where)
            return None
        count = len(errors)
        start = self._checked_time(layer.get('start'), '%s start' % where, errors)
        virtual = self._checked_time(layer.get('rotation_virtual_start'), '%s rotation_virtual_start' % where, errors)
        end = None
        if layer.get('end') is not None:
            end = self._checked_time(layer['end'], '%s end' % where, errors)
        turn = layer.get('rotation_turn_length_seconds')
        if not isinstance(turn, int) or isinstance(turn, bool) or not 1 <= turn <= MAX_TURN_SECONDS:
            errors.append('%s rotation_turn_length_seconds must be a whole number from 1 to %d' % (where, MAX_TURN_SECONDS))
        users = self._checked_users(layer.get('users'), where, errors)
        restrictions = self._checked_restrictions(layer.get('restrictions'), where, errors)
        if len(errors) > count:
            return None
        if start < now and (end is None or end > now):
            start = now     # a start in the past becomes the moment of the write (provider issue #200, PR #35)
        return {'name': layer.get('name'), 'start': iso(start), 'end': iso(end) if end else None,
                'rotation_virtual_start': iso(virtual), 'rotation_turn_length_seconds': turn,
                'users': users, 'restrictions': restrictions}

    def _apply_layers(self, schedule, layers, now, errors):
        if not isinstance(layers, list) or not layers:
            errors.append('A schedule must have at least one schedule layer')
            return
        current = {layer['id']: layer for layer in schedule.get('schedule_layers', [])}
        result = list(schedule.get('schedule_layers', []))   # layers left out of the request stay as they are
        replaced = []
        for index, sent in enumerate(layers):
            stored = self._checked_layer(sent, 'Schedule layer %d' % (index + 1), now, errors)
            if stored is None:
                continue
            previous = current.get(sent.get('id'))
            if previous is not None:
                stored['id'] = previous['id']
                stored['name'] = stored['name'] or previous['name']
                replaced.append(previous)
                result[result.index(previous)] = stored
            else:
                stored['id'] = self.new_id()
                stored['name'] = stored['name'] or 'Layer %d' % (len(result) + 1)
                result.append(stored)
        if errors:
            return
        for previous in replaced:
            # The layer's past stays as it was: its earlier version covers the time up to this write.
            start = parse_time(previous['start'])
            if start < now:
                ended = dict(copy.deepcopy(previous), end=iso(min(parse_time(previous['end']), now) if previous['end'] else now))
                self.layer_history.setdefault(previous['id'], []).append(ended)
        schedule['schedule_layers'] = result

    def _apply_schedule_fields(self, schedule, fields, creating, now):
        errors = []
        if 'name' in fields or creating:
            name = fields.get('name')
            if name is not None and not isinstance(name, str):
                errors.append('Name must be a string')
            else:
                schedule['name'] = schedule['summary'] = name or ''
        if 'description' in fields:
            if fields['description'] is not None and not isinstance(fields['description'], str):
                errors.append('Description must be a string')
            else:
                schedule['description'] = fields['description'] or ''
        if 'time_zone' in fields or creating:
            if time_zone_of(fields.get('time_zone')) is None:
                errors.append('Time zone must be an IANA time zone name')
            else:
                schedule['time_zone'] = fields['time_zone']
        if 'teams' in fields:
            teams = fields['teams'] or []
            missing = [str((t or {}).get('id')) for t in teams if not isinstance(t, dict) or t.get('id') not in self.teams] \
                if isinstance(teams, list) else ['(teams must be a list)']
            if missing:
                errors.append('Team %s was not found' % ', '.join(missing))
            else:
                schedule['teams'] = [self.reference(self.teams[t['id']]) for t in teams]
        if 'schedule_layers' in fields or creating:
            self._apply_layers(schedule, fields.get('schedule_layers'), now, errors)
        if errors:
            raise invalid(*errors)

    def _schedule(self, schedule_id):
        """A schedule a read addresses: 404 while the read lag hides a new one."""
        schedule = self.schedules.get(schedule_id)
        if schedule is None or not self.readable(schedule_id):
            raise not_found(2100, 'Not Found')
        return self.as_read(schedule_id, schedule)

    @staticmethod
    def _zone(query, default):
        name = query.get('time_zone', [None])[0]
        if name is None:
            return default
        zone = time_zone_of(name)
        if zone is None:
            raise invalid('time_zone must be an IANA time zone name')
        return zone

    # -- schedules ---------------------------------------------------------------------------------

    def list_schedules(self, query, body):
        team_ids = set(query.get('team_ids[]', []))
        includes = self.includes(query)
        unknown = includes - set(SCHEDULE_INCLUDES)
        if unknown:
            raise invalid('include[] must be one of %s' % ', '.join(SCHEDULE_INCLUDES))
        zone = self._zone(query, None)
        items = [self.as_read(s['id'], s) for s in self._sorted(self.schedules) if self.readable(s['id'])]
        items = [s for s in items if self._queried(s, query, 'name')
                 and (not team_ids or team_ids & {t['id'] for t in s['teams']})]
        result = self.page(items, query, 'schedules')
        result['schedules'] = [self.schedule_view(s, 'schedule_layers' in includes, query, zone, includes)
                               for s in result['schedules']]
        return 200, result

    def get_schedule(self, query, body, schedule_id):
        schedule = self._schedule(schedule_id)
        zone = self._zone(query, time_zone_of(schedule['time_zone']))
        return 200, {'schedule': self.schedule_view(schedule, True, query, zone,
                                                    ('overrides_subschedule', 'final_schedule'))}

    def create_schedule(self, query, body):
        fields = self.envelope(body, 'schedule')
        now = utc_now().replace(microsecond=0)
        schedule = {'description': '', 'teams': []}
        self._apply_schedule_fields(schedule, fields, creating=True, now=now)
        schedule_id = self.new_id()
        schedule = dict(self._object(schedule_id, 'schedule', schedule['name']), **schedule)
        self.schedules[schedule_id] = schedule
        self.overrides[schedule_id] = []
        self.note_created(schedule_id)
        # PagerDuty answers 200, not the 201 its description says: PagerDuty/api-schema issue #497.
        return 200, {'schedule': self.schedule_view(schedule, True, query, None, ('overrides_subschedule', 'final_schedule'))}

    def update_schedule(self, query, body, schedule_id):
        current = self.schedules.get(schedule_id)
        if current is None:
            raise not_found(2100, 'Not Found')
        schedule = copy.deepcopy(current)
        self._apply_schedule_fields(schedule, self.envelope(body, 'schedule'), creating=False,
                                    now=utc_now().replace(microsecond=0))
        self.note_updated(schedule_id, current)
        self.schedules[schedule_id] = schedule
        for holder in self.escalation_policies.values():     # references name the schedule as it is now
            for rule in holder['escalation_rules']:
                for target in rule['targets']:
                    if target['id'] == schedule_id:
                        target['summary'] = schedule['name']
        return 200, {'schedule': self.schedule_view(schedule, True, query, None, ('overrides_subschedule', 'final_schedule'))}

    def delete_schedule(self, query, body, schedule_id):
        if schedule_id not in self.schedules:
            raise not_found(2100, 'Not Found')
        if self._policies_using(schedule_id):
            # The real refusal, as terraform-provider-pagerduty matches it (resource_pagerduty_schedule.go).
            raise invalid("Schedule can't be deleted if it's being used by escalation policies")
        del self.schedules[schedule_id]
        self.overrides.pop(schedule_id, None)
        for layer_id in [lid for lid in self.layer_history if lid not in self._layer_ids()]:
            del self.layer_history[layer_id]
        return 204, None

    def _layer_ids(self):
        return {layer['id'] for s in self.schedules.values() for layer in s['schedule_layers']}

    # -- overrides ---------------------------------------------------------------------------------

    def _override_id(self):
        return ('Q' + ''.join(self.new_id()[1:] for dummy in range(3)))[:_OVERRIDE_ID_LENGTH]

    @staticmethod
    def _override_view(override, zone, window=None):
        start, end = parse_time(override['start']), parse_time(override['end'])
        if window is not None and not window[2]:
            start, end = max(start, window[0]), min(end, window[1])
        return {'id': override['id'], 'start': rendered(start, zone), 'end': rendered(end, zone),
                'user': copy.deepcopy(override['user'])}

    def list_overrides(self, query, body, schedule_id):
        schedule = self._schedule(schedule_id)
        if 'since' not in query or 'until' not in query:
            raise invalid('since and until are required')
        window = self._entry_window(query)
        now = utc_now()
        editable = 'editable' in query and query['editable'][0] != 'false'
        zone = time_zone_of(schedule['time_zone'])
        items = [self._override_view(o, zone, window) for o in self.overrides.get(schedule_id, [])
                 if self.readable(o['id']) and parse_time(o['start']) < window[1] and parse_time(o['end']) > window[0]
                 and (not editable or parse_time(o['start']) > now)]
        # The description answers this read with 201, and nothing says the real API does otherwise.
        return 201, {'overrides': items}

    def _checked_override(self, item, schedule):
        errors = []
        if not isinstance(item, dict):
            return None, None, ['Override must be an object']
        start = self._checked_time(item.get('start'), 'Start', errors)
        end = self._checked_time(item.get('end'), 'End', errors)
        user_id = (item.get('user') or {}).get('id') if isinstance(item.get('user'), dict) else None
        if user_id not in self.users:
            errors.append('User %s was not found' % user_id)
        zone = time_zone_of(item.get('time_zone') or schedule['time_zone'])
        if zone is None:
            errors.append('Time zone must be an IANA time zone name')
        if not errors and end <= start:
            errors.append('Override must end after its start')   # the description's own example of a refused item
        if errors:
            return None, zone, errors
        return {'start': iso(start), 'end': iso(end), 'user': self.reference(self.users[user_id])}, zone, []

    def create_overrides(self, query, body, schedule_id):
        if schedule_id not in self.schedules:
            raise not_found(2100, 'Not Found')
        schedule = self.schedules[schedule_id]
        single = isinstance(body, dict) and 'overrides' not in body and isinstance(body.get('override'), dict)
        items = [body['override']] if single else (body or {}).get('overrides') if isinstance(body, dict) else None
        if not isinstance(items, list) or not items:
            raise invalid('overrides must be a list of at least one override')
        answers = []
        for item in items:
            override, zone, errors = self._checked_override(item, schedule)
            if errors:
                if single:
                    raise invalid(*errors)
                echo = {key: item.get(key) for key in ('start', 'end', 'user')} if isinstance(item, dict) else {}
                answers.append({'status': 400, 'errors': errors, 'override': echo})
                continue
            override['id'] = self._override_id()
            self.overrides[schedule_id].append(override)
            self.note_created(override['id'])
            answers.append({'status': 201, 'override': self._override_view(override, zone or datetime.timezone.utc)})
        if single:   # the older form, one override in and one out ("deprecated" in the description)
            return 201, {'override': answers[0]['override']}
        return 201, answers

    def delete_override(self, query, body, schedule_id, override_id):
        if schedule_id not in self.schedules:
            raise not_found(2100, 'Not Found')
        overrides = self.overrides.get(schedule_id, [])
        override = next((o for o in overrides if o['id'] == override_id), None)
        if override is None:
            raise not_found(2100, 'Not Found')
        now = utc_now().replace(microsecond=0)
        start, end = parse_time(override['start']), parse_time(override['end'])
        if end <= now:
            raise invalid('You cannot remove a past override')
        if start < now:     # started: truncated to now, and answered 200 (the description of this DELETE)
            override['end'] = iso(now)
            return 200, None
        overrides.remove(override)
        return 204, None

    # -- on-calls ----------------------------------------------------------------------------------

    def list_oncalls(self, query, body):
        """Who is on call for each level of each policy over since..until (now by default)."""
        now = utc_now().replace(microsecond=0)
        since = parse_time(query.get('since', [None])[0]) if 'since' in query else now
        until = parse_time(query.get('until', [None])[0]) if 'until' in query else now
        if since is None or until is None or until < since:
            raise invalid('since and until must be ISO 8601 dates and times, until not before since')
        zone = self._zone(query, datetime.timezone.utc)
        policy_ids = set(query.get('escalation_policy_ids[]', []))
        schedule_ids = set(query.get('schedule_ids[]', []))
        user_ids = set(query.get('user_ids[]', []))
        window = (since, max(until, since + datetime.timedelta(seconds=1)), True)
        items = []
        for ep in self._sorted(self.escalation_policies):
            if policy_ids and ep['id'] not in policy_ids:
                continue
            for level, rule in enumerate(ep['escalation_rules'], start=1):
                for target in rule['targets']:
                    for start, end, user, schedule in self._target_oncalls(target, window):
                        if schedule_ids and (schedule is None or schedule['id'] not in schedule_ids) \
                                and not (schedule is None and 'null' in schedule_ids):
                            continue
                        if user_ids and user['id'] not in user_ids:
                            continue
                        items.append({'escalation_policy': self.reference(ep), 'escalation_level': level,
                                      'schedule': self.reference(schedule) if schedule else None,
                                      'user': copy.deepcopy(user),
                                      'start': rendered(start, zone) if start else None,
                                      'end': rendered(end, zone) if end else None})
        return 200, self.page(items, query, 'oncalls')

    def _target_oncalls(self, target, window):
        if target['type'] in ('user', 'user_reference'):
            user = self.users.get(target['id'])
            return [(None, None, self.reference(user), None)] if user else []
        schedule = self.schedules.get(target['id'])
        if schedule is None:
            return []
        return [(start, end, user, schedule) for start, end, user in self._final_entries(schedule, window)]
