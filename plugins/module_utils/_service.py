# -*- coding: utf-8 -*-
# Copyright: contributors to oncall.pagerduty
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Finding PagerDuty services and showing them the same way in every module."""

from __future__ import annotations

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


def _lookup(includes):
    """How services are looked up: the exact-name filter, with the given include[]."""
    return dict(filter_param='name', query=include_query(includes))


def service_by_id(client, service_id, includes=()):
    return client.get_object('services', 'service', service_id, include_query(includes))


def service_by_name(client, name, option='name', includes=()):
    """The service with exactly this name, or None; several is an error (PagerDuty forbids it,
    but names that differ only in case can exist)."""
    return client.find('services', name, option, 'service', by_id=False, **_lookup(includes))


def find_service(client, value, option, includes=()):
    """The service named or identified by `value`, or None (an ID-shaped value is tried as an ID first)."""
    return client.find('services', value, option, 'service', **_lookup(includes))


def resolve_service(client, value, option, includes=()):
    """The service named or identified by `value`; an error naming `option` when there is none."""
    return client.resolve('services', value, option, 'service', **_lookup(includes))
