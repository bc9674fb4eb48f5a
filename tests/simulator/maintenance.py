"""Maintenance windows on services (/maintenance_windows).

A family of endpoints mixed into PagerDutyAccount (see pagerduty.py): `reset_maintenance()` sets up its
state, `routes_maintenance()` lists its (method, path pattern, handler) routes. Behaviour and sources are in
README.md.
"""

import copy
import datetime
import itertools
import re

from . import catalogue
from .api import ApiFailure, invalid, not_found, parse_time, utc_now

# The account's time zone: PagerDuty renders a window's times in it (the description's examples use -05:00).
ACCOUNT_TIME_ZONE = datetime.timezone(datetime.timedelta(hours=-5))
FILTERS = ('past', 'future', 'ongoing', 'open', 'all')
_EMAIL = re.compile(r'^[^@\s]+@[^@\s]+$')


def rendered(moment):
    """A time as PagerDuty renders it: in the account's time zone, with its offset."""
    return moment.astimezone(ACCOUNT_TIME_ZONE).isoformat(timespec='seconds')


class MaintenanceEndpoints:
    family = 'maintenance'

    def reset_maintenance(self):
        self.maintenance_windows = {}
        self._window_sequence = itertools.count(1)

    def routes_maintenance(self):
        segment = r'([^/]+)'
        return [
            ('GET', r'/maintenance_windows', self.list_maintenance_windows),
            ('POST', r'/maintenance_windows', self.create_maintenance_window),
            ('GET', r'/maintenance_windows/' + segment, self.get_maintenance_window),
            ('PUT', r'/maintenance_windows/' + segment, self.update_maintenance_window),
            ('DELETE', r'/maintenance_windows/' + segment, self.delete_maintenance_window),
        ]

    # -- what other families ask -----------------------------------------------------------------

    def in_maintenance(self, service_id):
        """True while an ongoing maintenance window covers the service (its status is then 'maintenance')."""
        now = utc_now()
        return any(self.window_state(window, now) == 'ongoing' and service_id in self.window_service_ids(window)
                   for window in self.maintenance_windows.values())

    def service_deleted_maintenance(self, service_id):
        """A deleted service leaves its windows; a window left with no service goes too."""
        for window_id, window in list(self.maintenance_windows.items()):
            window['services'] = [s for s in window['services'] if s['id'] != service_id]
            if not window['services']:
                del self.maintenance_windows[window_id]

    # -- helpers ---------------------------------------------------------------------------------

    @staticmethod
    def window_service_ids(window):
        return {s['id'] for s in window['services']}

    @staticmethod
    def window_state(window, now):
        start, end = parse_time(window['start_time']), parse_time(window['end_time'])
        if end <= now:
            return 'past'
        return 'ongoing' if start <= now else 'future'

    def window_view(self, window):
        view = copy.deepcopy(window)
        for field in ('start_time', 'end_time'):
            view[field] = rendered(parse_time(window[field]))
        return view

    def _window(self, window_id):
        window = self.maintenance_windows.get(window_id)
        if window is None or not self.readable(window_id):
            raise not_found(2100, 'Maintenance Window Not Found')
        return window

    def requester(self):
        """The user the From header names; PagerDuty refuses the write without one."""
        email = self.request_headers.get('From')
        if not email:
            raise ApiFailure(400, 2016, message='You must specify a user\'s email address in the "From" header to '
                                                'perform this action')
        if not _EMAIL.match(email.strip()):
            raise ApiFailure(400, 1028, message='Malformed "From" header')
        for user in self.users.values():
            if user['email'].casefold() == email.strip().casefold():
                return user
        raise ApiFailure(400, 1008, message='Requester User Not Found')

    def _window_services(self, refs):
        if not isinstance(refs, list) or not refs:
            raise invalid('Services must be specified')
        services, missing = [], []
        for ref in refs:
            service_id = ref.get('id') if isinstance(ref, dict) else None
            if service_id in self.services and self.readable(service_id):
                if service_id not in [s['id'] for s in services]:
                    services.append(self.services[service_id])
            else:
                missing.append(str(service_id))
        if missing:
            raise invalid('Service %s was not found' % ', '.join(missing))
        return services

    def _window_teams(self, services):
        teams = []
        for service in services:
            for team in self.service_view(service, (), as_read=False)['teams']:
                if team['id'] not in [t['id'] for t in teams]:
                    teams.append(team)
        return teams

    @staticmethod
    def _window_time(fields, name, label):
        """A time of the request, to the second (PagerDuty keeps no fractions of a second)."""
        value = parse_time(fields.get(name))
        if value is None:
            raise invalid('%s must be an ISO 8601 date and time with a time zone' % label)
        return value.replace(microsecond=0)

    # -- handlers --------------------------------------------------------------------------------

    def list_maintenance_windows(self, query, body):
        state = query.get('filter', ['all'])[0]
        if state not in FILTERS:
            raise invalid('filter must be one of %s' % ', '.join(FILTERS))
        text = query.get('query', [None])[0]
        service_ids = set(query.get('service_ids[]', []))
        team_ids = set(query.get('team_ids[]', []))
        now = utc_now()
        items = []
        for window_id in sorted(self.maintenance_windows, key=lambda i: self.maintenance_windows[i]['sequence_number']):
            if not self.readable(window_id):
                continue
            window = self.as_read(window_id, self.maintenance_windows[window_id])
            window_state = self.window_state(window, now)
            if state != 'all' and window_state != state and not (state == 'open' and window_state != 'past'):
                continue
            if text is not None and text.casefold() not in (window.get('description') or '').casefold():
                continue
            if service_ids and not service_ids & self.window_service_ids(window):
                continue
            if team_ids and not team_ids & {t['id'] for t in window['teams']}:
                continue
            items.append(window)
        result = self.page(items, query, 'maintenance_windows')
        result['maintenance_windows'] = [self.window_view(w) for w in result['maintenance_windows']]
        return 200, result

    def get_maintenance_window(self, query, body, window_id):
        window = self.as_read(window_id, self._window(window_id))
        return 200, {'maintenance_window': self.window_view(window)}

    def create_maintenance_window(self, query, body):
        user = self.requester()
        fields = self.envelope(body, 'maintenance_window')
        now = utc_now().replace(microsecond=0)
        start = self._window_time(fields, 'start_time', 'Start time')
        end = self._window_time(fields, 'end_time', 'End time')
        if end <= now:
            raise invalid('End time must be in the future')
        if end <= start:
            raise invalid('End time must be after the start time')
        services = self._window_services(fields.get('services'))
        window_id = self.new_id()
        description = fields.get('description') or ''
        window = self._object(window_id, 'maintenance_window', description,
                              sequence_number=next(self._window_sequence),
                              start_time=max(start, now).isoformat(), end_time=end.isoformat(),
                              description=description,
                              services=[self.reference(s) for s in services],
                              teams=self._window_teams(services),
                              created_by=self.reference(user))
        del window['name']  # a window has a description, not a name
        window['html_url'] = 'https://%s.pagerduty.com/service-directory/maintenance-windows/%s' % (
            catalogue.SUBDOMAIN, window_id)
        self.maintenance_windows[window_id] = window
        self.note_created(window_id)
        return 201, {'maintenance_window': self.window_view(window)}

    def update_maintenance_window(self, query, body, window_id):
        current = self._window(window_id)
        fields = self.envelope(body, 'maintenance_window')
        now = utc_now().replace(microsecond=0)
        window = copy.deepcopy(current)
        state = self.window_state(current, now)
        errors = []
        if 'start_time' in fields and state != 'future':
            errors.append('Start time cannot be modified for maintenance windows that have already started')
        if 'end_time' in fields and state == 'past':
            errors.append('End time already passed and can not be modified')
        if errors:
            raise invalid(*errors)
        start, end = parse_time(current['start_time']), parse_time(current['end_time'])
        if 'start_time' in fields:
            start = max(self._window_time(fields, 'start_time', 'Start time'), now)
        if 'end_time' in fields:
            end = self._window_time(fields, 'end_time', 'End time')
            if end <= now:
                raise invalid('End time must be in the future')
        if end <= start:
            raise invalid('End time must be after the start time')
        window['start_time'], window['end_time'] = start.isoformat(), end.isoformat()
        if 'description' in fields:
            window['description'] = window['summary'] = fields['description'] or ''
        if 'services' in fields:
            services = self._window_services(fields['services'])
            window['services'] = [self.reference(s) for s in services]
            window['teams'] = self._window_teams(services)
        self.note_updated(window_id, current)
        self.maintenance_windows[window_id] = window
        return 200, {'maintenance_window': self.window_view(window)}

    def delete_maintenance_window(self, query, body, window_id):
        window = self._window(window_id)
        now = utc_now()
        state = self.window_state(window, now)
        if state == 'past':
            raise ApiFailure(405, 5003, message='Cannot cancel a maintenance window from the past')
        if state == 'future':
            del self.maintenance_windows[window_id]
        else:  # an ongoing window is ended now, and stays as a past one
            ended = copy.deepcopy(window)
            ended['end_time'] = now.replace(microsecond=0).isoformat()
            self.note_updated(window_id, window)
            self.maintenance_windows[window_id] = ended
        return 204, None
