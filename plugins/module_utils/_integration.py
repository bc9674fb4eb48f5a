# -*- coding: utf-8 -*-
# Copyright: contributors to oncall.pagerduty
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the integration modules share about PagerDuty integrations."""

from __future__ import annotations

MAX_INTEGRATIONS_PER_SERVICE = 250
EMAIL_TYPE = 'generic_email_inbound_integration'
EMAIL_FIELDS = ('integration_email', 'email_incident_creation', 'email_filter_mode', 'email_parsers',
                'email_parsing_fallback', 'email_filters')


def integration_path(service_id, integration_id=None):
    base = '/services/%s/integrations' % service_id
    return base if integration_id is None else '%s/%s' % (base, integration_id)


def _without_ids(value):
    """Settings as a create takes them: the IDs PagerDuty gave filter and parser entries are its own."""
    if isinstance(value, list):
        return [_without_ids(v) for v in value]
    if isinstance(value, dict):
        return {k: _without_ids(v) for k, v in value.items() if k != 'id'}
    return value


def copy_of(integration, service_id, name=None):
    """The body that creates an integration identical to `integration` on another service."""
    body = {'name': name or integration['name'], 'service': {'id': service_id, 'type': 'service_reference'}}
    if integration.get('vendor'):
        body['vendor'] = {'id': integration['vendor']['id'], 'type': 'vendor_reference'}
    else:
        body['type'] = integration['type']
    for field in EMAIL_FIELDS:
        if integration.get(field) is not None:
            body[field] = _without_ids(integration[field])
    return body
