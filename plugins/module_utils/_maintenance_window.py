# -*- coding: utf-8 -*-
# Copyright: contributors to oncall.pagerduty
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""PagerDuty maintenance windows: identity (a description on a set of services, ongoing or future), times
given as ISO 8601 or "now for N minutes", and the writes PagerDuty allows on windows that have started
or ended.

Used by pd_maintenance_window. The ISO 8601 helpers are also used by pd_event (event timestamps).
"""

from __future__ import annotations

import datetime
import email.utils
import re
import time

from ansible_collections.oncall.pagerduty.plugins.module_utils._client import PagerDutyError
from ansible_collections.oncall.pagerduty.plugins.module_utils._user import find_user_by_email
from ansible_collections.oncall.pagerduty.plugins.module_utils._resource import (
    PREDICTED,
    STATE_OPTION,
    Collection,
    Field,
    Resource,
    doing,
    env_fallback,
    reference_name,
)
from ansible_collections.oncall.pagerduty.plugins.module_utils._service import resolve_or_predict_service

UTC = datetime.timezone.utc
NOW = 'now'
# A window made "now for N minutes" starts when PagerDuty receives it, a moment after the time sent:
# its length is taken as N minutes within this margin, so that a second run changes nothing.
START_NOW_MARGIN = datetime.timedelta(seconds=60)
# The longest window taken: longer is a mistake (a unit slip), and too long for the date arithmetic.
MAX_DURATION_MINUTES = 10 * 365 * 24 * 60
_ISO_8601 = re.compile(r'^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?'
                       r'\s*(?:(?P<utc>[Zz])|(?P<sign>[+-])(?P<hours>\d{2}):?(?P<minutes>\d{2}))?$')


# -- times -----------------------------------------------------------------------------------------

def parse_iso8601(value):
    """(aware datetime or None, has a zone?) for an ISO 8601 date and time such as 2025-05-01T22:00:00+02:00.

    None with True: not a date and time at all; None with False: a date and time without a zone.
    """
    match = _ISO_8601.match((value or '').strip())
    if not match:
        return None, True
    if not match.group('utc') and not match.group('sign'):
        return None, False
    year, month, day, hour, minute = (int(match.group(n)) for n in range(1, 6))
    second = int(match.group(6) or 0)
    micro = int((match.group(7) or '0')[:6].ljust(6, '0'))
    offset = datetime.timedelta(0)
    if match.group('sign'):
        offset = datetime.timedelta(hours=int(match.group('hours')), minutes=int(match.group('minutes')))
        if match.group('sign') == '-':
            offset = -offset
    try:
        return datetime.datetime(year, month, day, hour, minute, second, micro,
                                 tzinfo=datetime.timezone(offset)), True
    except ValueError:  # 2025-02-30, 25:00, an offset of 24 hours or more
        return None, True


def time_problem(value):
    """Why `value` is not a time PagerDuty takes, or None."""
    moment, zoned = parse_iso8601(value)
    if moment is not None:
        return None
    if not zoned:
        return ('%r has no time zone; add Z (UTC) or an offset such as +02:00, for example %sZ'
                % (value, value.strip().replace(' ', 'T')))
    return '%r is not an ISO 8601 date and time such as 2025-05-01T22:00:00+02:00' % value


def utc_text(moment):
    """A time as this module sends and shows it: UTC, to the second."""
    return moment.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%SZ')


def as_time(text):
    return parse_iso8601(text)[0]


def utc_now():
    return datetime.datetime.now(UTC)


def present_window(window):
    """The window as results show it: its times in UTC (PagerDuty renders them in the account's zone)."""
    if not window:
        return window
    shown = dict(window)
    for field in ('start_time', 'end_time'):
        moment = as_time(shown.get(field))
        if moment is not None:
            shown[field] = utc_text(moment)
    return shown


# -- the kind --------------------------------------------------------------------------------------

def services_from_api(refs):
    return sorted(reference_name(r) for r in refs or [])


class MaintenanceWindowResource(Resource):
    """A maintenance window, identified by its description and its exact set of services, ongoing or future.

    PagerDuty keeps no two windows apart by these, so the engine settles the windows that runs create at the same
    moment (the oldest, by sequence number, stays).
    """

    result_key = 'maintenance_window'
    # PagerDuty keeps no two windows apart: the engine settles those that runs create at the same moment.
    collection = Collection('/maintenance_windows', 'maintenance_window', unique_names=False, label='maintenance window')
    fields = (
        Field('services', dict(type='list', elements='str', required=True), from_api=services_from_api, reference=True),
        Field('description', dict(type='str', required=True)),
    )
    options = dict(
        start=dict(type='str', default=NOW),
        end=dict(type='str'),
        duration_minutes=dict(type='int'),
        teams=dict(type='list', elements='str'),
        from_email=dict(type='str', fallback=(env_fallback, ['PAGERDUTY_FROM_EMAIL'])),
        state=STATE_OPTION,
    )
    option_rules = dict(mutually_exclusive=[('end', 'duration_minutes')],
                        required_if=[('state', 'present', ('end', 'duration_minutes'), True)])
    settable_fields = ('description', 'services', 'start_time', 'end_time')

    def __init__(self, task, client=None):
        super().__init__(task, client)
        # PagerDuty's clock (its Date header) when the windows were read, and this process's clock then:
        # "now", "ongoing" and "past" are PagerDuty's, whatever the controller's clock says.
        self.server_time = None
        self.read_at = None

    def label(self):
        return 'maintenance window'

    # -- validation before any request -----------------------------------------------------------

    def validate(self):
        params = self.params
        self.fail_if_blank('description', 'start', 'end', 'from_email')
        services = params['services']
        if not services:
            self.fail('%s: list at least one service, by name or ID' % self.option('services'))
        for index, value in enumerate(services):
            if not str(value).strip():
                self.fail('%s[%d]: must not be blank' % (self.option('services'), index))
            if services.index(value) != index:
                self.fail('%s: %r is listed twice' % (self.option('services'), value))
        for index, value in enumerate(params['teams'] or []):
            if not str(value).strip():
                self.fail('%s[%d]: must not be blank' % (self.option('teams'), index))
        if not self.starts_now():
            problem = time_problem(params['start'])
            if problem:
                self.fail('%s: %s, or now' % (self.option('start'), problem))
        if params['end'] is not None:
            problem = time_problem(params['end'])
            if problem:
                self.fail('%s: %s' % (self.option('end'), problem))
            if not self.starts_now() and as_time(params['end']) <= as_time(params['start']):
                self.fail('%s: %s is not after start %s' % (self.option('end'), params['end'], params['start']))
        duration = params['duration_minutes']
        if duration is not None and not 1 <= duration <= MAX_DURATION_MINUTES:
            self.fail('%s: must be between 1 and %d (ten years), got %d; to stop a service from paging for good, '
                      'disable it (pd_service status: disabled)'
                      % (self.option('duration_minutes'), MAX_DURATION_MINUTES, duration))
        sender = params['from_email']
        if sender is not None and not re.match(r'^[^@\s]+@[^@\s]+$', sender.strip()):
            self.fail("%s: %r is not an email address; give the email of a user of the PagerDuty account"
                      % (self.option('from_email'), sender))

    def starts_now(self):
        return self.params['start'].strip().lower() == NOW

    # -- PagerDuty's clock -----------------------------------------------------------------------

    def now(self, latest=True):
        """PagerDuty's time now: its clock at the last read, plus the time elapsed here since.

        The Date header counts whole seconds. To tell whether a window has started or ended, the end of that
        second is taken (a window PagerDuty started "now" never looks as if it were still to come); a start sent
        as "now" takes its beginning (PagerDuty moves a start in the past to the moment it receives the window).
        """
        if self.server_time is None:
            return utc_now()
        return self.server_time + datetime.timedelta(seconds=(1 if latest else 0) + time.monotonic() - self.read_at)

    def note_server_time(self, headers):
        try:
            moment = email.utils.parsedate_to_datetime(headers.get('Date'))
        except (TypeError, ValueError, IndexError):
            moment = None
        if moment is not None and moment.tzinfo is not None:
            self.server_time, self.read_at = moment, time.monotonic()

    # -- finding ---------------------------------------------------------------------------------

    def identifies(self, window):
        """True when `window` has this task's description and exactly its services (by name or ID)."""
        if window.get('description') != self.params['description']:
            return False
        refs = [(s.get('id'), s.get('summary')) for s in window.get('services') or []]
        wanted = self.params['services']
        return (len(refs) == len(wanted) and all(any(value in ref for ref in refs) for value in wanted)
                and all(any(value in ref for value in wanted) for ref in refs))

    def open_windows(self):
        """The ongoing and future windows of this identity, oldest first (one request, as a rule).

        PagerDuty filters by the description (a substring, any case) and by ongoing or future; the
        exact description and the set of services are compared here. The last page read gives
        PagerDuty's clock as well.
        """
        query = {'filter': 'open', 'query': self.params['description']}
        with doing('look up the maintenance windows'):
            windows = list(self.client.paginate('/maintenance_windows', 'maintenance_windows', query))
        self.note_server_time(self.client.last_page_headers)
        found = [present_window(w) for w in windows if self.identifies(w)]
        return sorted(found, key=lambda w: (w['start_time'], w['id']))

    def started(self, window):
        return as_time(window['start_time']) <= self.now()

    def find(self, plan):
        windows = plan.context['windows'] = self.open_windows()
        if self.params['state'] == 'absent':
            return None  # every window of the identity ends: see plan_steps
        return self.choose(windows)

    def twins(self, plan):
        return self.open_windows()

    def moot(self, plan):
        if self.params['state'] == 'absent' or not self.is_over():
            return False
        plan.current = None  # the window the task describes is over: the result holds none
        given = 'end' if self.params['end'] is not None else 'duration_minutes'
        self.warn('%s: the maintenance window the task describes ended at %s; there is nothing to do (PagerDuty '
                  'keeps past windows as they were).' % (self.option(given), utc_text(self.wanted_end(None))))
        return True

    def choose(self, windows):
        """The window the task is about among those of its identity, or None.

        One that already has the wanted times wins; otherwise the one that is (or is not yet) ongoing
        as the task wants. Several candidates fail rather than change an arbitrary one.
        """
        matching = [w for w in windows if self.start_satisfied(w) and self.end_satisfied(w)]
        if matching:
            return matching[0]
        wants_started = self.starts_now() or as_time(self.params['start']) <= self.now()
        pool = [w for w in windows if self.started(w) == wants_started] or windows
        if len(pool) > 1:
            listing = ', '.join('%s (%s to %s)' % (w['id'], w['start_time'], w['end_time']) for w in pool)
            self.fail('%s: %d open maintenance windows have this description on these services: %s. Give each window '
                      'its own description, or end the extra ones with state: absent.'
                      % (self.option('description'), len(pool), listing))
        return pool[0] if pool else None

    # -- the times the task wants ----------------------------------------------------------------

    def start_satisfied(self, window):
        """A start in the past (or now) is met by any started window: PagerDuty moves a past start to the moment
        it receives the window, and a started window's start cannot change."""
        if self.starts_now() or as_time(self.params['start']) <= self.now():
            return self.started(window)
        return as_time(window['start_time']) == as_time(self.params['start'])

    def wanted_end(self, window):
        params = self.params
        if params['end'] is not None:
            return as_time(params['end'])
        length = datetime.timedelta(minutes=params['duration_minutes'])
        if not self.starts_now():
            return as_time(params['start']) + length
        if window is not None and self.started(window):
            return as_time(window['start_time']) + length
        return self.now(latest=False) + length

    def end_satisfied(self, window):
        wanted, actual = self.wanted_end(window), as_time(window['end_time'])
        if self.starts_now() and self.params['duration_minutes'] is not None and self.started(window):
            return abs(actual - wanted) <= START_NOW_MARGIN
        return actual == wanted

    def is_over(self):
        """True when the window the task describes has already ended (then there is nothing to do)."""
        return self.wanted_end(None) <= self.now()

    # -- the engine's hooks ----------------------------------------------------------------------

    def present(self, obj):
        return present_window(obj)

    def desired(self, plan):
        current = plan.current
        if current is not None:
            self.check_teams(current.get('teams') or [])
            start = current['start_time'] if self.start_satisfied(current) else self.wanted_start()
            end = current['end_time'] if self.end_satisfied(current) else utc_text(self.wanted_end(current))
            return {'start_time': start, 'end_time': end}
        services = self.resolve_services()
        if not any(s.get(PREDICTED) for s in services):
            teams = []
            for service in services:
                teams.extend(t for t in service.get('teams') or [] if t.get('id') not in [u.get('id') for u in teams])
            self.check_teams(teams)
        return {'description': self.params['description'],
                'services': [{'id': s['id'], 'summary': s.get('summary') or s.get('name')} for s in services],
                'start_time': self.wanted_start(), 'end_time': utc_text(self.wanted_end(None))}

    def wanted_start(self):
        return utc_text(self.now(latest=False) if self.starts_now() else as_time(self.params['start']))

    def resolve_services(self):
        return [resolve_or_predict_service(self, value, '%s[%d]' % (self.option('services'), index))
                for index, value in enumerate(self.params['services'])]

    def check_teams(self, team_refs):
        """A window belongs to the teams of its services: PagerDuty sets them (the window's teams are
        read-only), so `teams` is checked, never sent, and a difference fails before any write."""
        wanted = self.params['teams']
        if wanted is None:
            return
        actual = [(t.get('id'), t.get('summary') or t.get('name')) for t in team_refs]
        unmatched = [team for team in wanted if not any(team in pair for pair in actual)]
        extra = [name for team_id, name in actual if team_id not in wanted and name not in wanted]
        if unmatched or extra:
            self.fail('%s: a maintenance window belongs to the teams of its services (PagerDuty sets them), and these '
                      'services belong to %s, not %s. List the services of the teams you mean, or leave teams unset.'
                      % (self.option('teams'), ', '.join(name for dummy, name in actual) or 'no team',
                         ', '.join(wanted) or 'no team'))

    def check_create(self, plan):
        """PagerDuty refuses a create whose From header is not a user of the account ('Requester User Not
        Found'): one read says so before the write, and lets check mode predict it."""
        self.client.from_header(self.option('from_email'))  # fails, naming the option, without a sender
        with doing('find the user whose email from_email gives'):
            find_user_by_email(self.client, self.client.from_email.strip(), self.option('from_email'),
                               why='PagerDuty records a window as made by a user of the account')

    def check_update(self, plan):
        current = plan.current
        if 'start_time' in plan.changes and self.started(current):
            self.fail('%s: the maintenance window %s has been ongoing since %s, and PagerDuty cannot move the start of a '
                      'window that has started. Give a start in the past (or now), or end the window with state: absent '
                      'first.' % (self.option('start'), current['id'], current['start_time']))

    def warn_look_alike(self, plan):
        """A window's identity is its description and its services: no name to mistake."""

    def predict_create(self, plan):
        return dict(plan.desired, type='maintenance_window', id=None)

    def body(self, fields):
        body = dict(fields, type='maintenance_window')
        if 'services' in body:
            body['services'] = [{'id': s['id'], 'type': 'service_reference'} for s in body['services']]
        return {'maintenance_window': body}

    def create(self, plan, desired):
        headers = self.client.from_header(self.option('from_email'))
        return self.client.post('/maintenance_windows', self.body(desired), headers=headers, envelope='maintenance_window')

    def read_back(self, plan, obj):
        return self.client.get_object('maintenance_windows', 'maintenance_window', obj['id'])

    def update(self, plan, current, changes):
        try:
            return self.client.put('/maintenance_windows/%s' % current['id'], self.body(changes), envelope='maintenance_window')
        except PagerDutyError as err:
            if err.status not in (400, 404) or not self.ended_meanwhile(plan, current):
                raise
        # The window ended (or went) between the read and this write: the task's window is a new one.
        self.warn('The maintenance window %s ended while this task ran; a new window was created for the times asked.'
                  % current['id'])
        with doing('create the maintenance window'):
            return self.create(plan, {'description': current['description'], 'services': current['services'],
                                      'start_time': self.wanted_start(), 'end_time': utc_text(self.wanted_end(None))})

    def ended_meanwhile(self, plan, window):
        """True when `window` is gone or over now."""
        with doing('read the maintenance window %s again' % window['id']):
            return self.over(self.read_back(plan, window))

    # -- state absent: the windows of the identity end ---------------------------------------------

    def plan_steps(self, plan):
        """End the ongoing windows of this identity now and delete the future ones."""
        if self.params['state'] != 'absent':
            return
        windows = plan.context['windows']
        ended, deleted = plan.notes.setdefault('ended', []), plan.notes.setdefault('deleted', [])
        for window in windows:
            happened = self.started(window)
            done = ended if happened else deleted

            def apply(plan, window=window, done=done):
                if self.end_or_delete(window):
                    done.append(window['id'])

            def predict(plan, window=window, done=done):
                done.append(window['id'])

            plan.step('%s the maintenance window %s' % ('end' if happened else 'delete', window['id']), apply,
                      predict=predict)
        before = [{k: v for k, v in w.items() if k in self.settable_fields} for w in windows]
        if before:
            plan.diff_before.update(before[0] if len(before) == 1 else {'maintenance_windows': before})

    def end_or_delete(self, window):
        """DELETE ends an ongoing window and deletes a future one; False when it was over already."""
        try:
            self.client.delete('/maintenance_windows/%s' % window['id'])
        except PagerDutyError as err:
            if err.status != 405:
                raise
            # "Cannot cancel a maintenance window from the past": it ended between the read and this request,
            # on its own when its end has passed, else by this task's own first DELETE, whose answer was lost.
            return as_time(window['end_time']) > self.now()
        # Reads lag writes: wait until they show the window over, so that the next task (or run) does not end it again.
        self.wait_until(lambda: self.read_back(None, window), self.over, 'reading back the ended maintenance window %s'
                        % window['id'])
        return True

    def over(self, window):
        """True when `window` (as a read gives it) is gone or has ended."""
        return window is None or as_time(window['end_time']) <= self.now()

    def result_fields(self, plan):
        if self.params['state'] != 'absent':
            return {}
        return {'ended': plan.notes.get('ended', []), 'deleted': plan.notes.get('deleted', []),
                'changed': bool(plan.notes.get('ended') or plan.notes.get('deleted'))}

    # -- presentation ----------------------------------------------------------------------------

    def shown(self, fields):
        """Services are shown by name: a diff holds no IDs."""
        def named(fields):
            shown = dict(fields)
            if 'services' in shown:
                shown['services'] = sorted(s.get('summary') or s.get('id') for s in shown['services'])
            if 'maintenance_windows' in shown:
                shown['maintenance_windows'] = [named(w) for w in shown['maintenance_windows']]
            return shown
        return named(fields)
