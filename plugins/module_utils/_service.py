# -*- coding: utf-8 -*-
# Copyright: contributors to oncall.pagerduty
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Finding PagerDuty services and showing them the same way in every module."""

from __future__ import annotations

from urllib.parse import quote

from ansible_collections.oncall.pagerduty.plugins.module_utils._client import PagerDutyError, looks_like_id

# Timeouts PagerDuty reports as null when disabled; results and diffs show them as 0, the value
# that disables them.
NULLABLE_TIMEOUTS = ('auto_resolve_timeout', 'acknowledgement_timeout')


def present_service(service):
    """The service as results and diffs show it."""
    if not service:
        return service
    shown = dict(service)
    for field in NULLABLE_TIMEOUTS:
        if field in shown and shown[field] is None:
            shown[field] = 0
    return shown


def include_query(includes):
    return {'include[]': list(includes)} if includes else None


def service_by_id(client, service_id, includes=()):
    data = client.get('/services/%s' % quote(service_id, safe=''), include_query(includes))
    return (data or {}).get('service')


def service_by_name(client, name, option='name', includes=()):
    """The service with exactly this name, or None; several is an error (PagerDuty forbids it,
    but names that differ only in case can exist)."""
    matches = client.find_by_name('services', name, filter_param='name', query=include_query(includes))
    if len(matches) > 1:
        listing = ', '.join('%s (%s)' % (s.get('name'), s.get('id')) for s in matches)
        raise PagerDutyError('%s: %d services are named %r: %s. Give the service by ID.'
                             % (option, len(matches), name, listing), candidates=matches)
    return matches[0] if matches else None


def find_service(client, value, option, includes=()):
    """The service named or identified by `value`, or None (an ID-shaped value is tried as an ID first)."""
    if looks_like_id(value):
        found = service_by_id(client, value, includes)
        if found:
            return found
    return service_by_name(client, value, option, includes)


def resolve_service(client, value, option, includes=()):
    """The service named or identified by `value`; an error naming `option` when there is none."""
    found = find_service(client, value, option, includes)
    if found is None:
        raise PagerDutyError('%s: no service is named or identified by %r' % (option, value))
    return found
