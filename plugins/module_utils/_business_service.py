# -*- coding: utf-8 -*-
# Copyright: contributors to oncall.pagerduty
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""PagerDuty business services: a name, a description, a point of contact and a team.

Used by pd_business_service; pd_service_dependency and the catalogue list business services with
list_business_services(). PagerDuty's list of business services has no name filter, so a look-up by name reads
every page of it (one request per 100 business services), and it keeps no name unique: the engine settles the
look-alikes that runs create at the same moment.
"""

from __future__ import annotations

from ansible_collections.oncall.pagerduty.plugins.module_utils._resource import (
    IDENTITY_RULES,
    RENAME_OPTIONS,
    Collection,
    Field,
    Reference,
    Resource,
)

BUSINESS_SERVICES = Collection('/business_services', 'business_service', name_filter=None, unique_names=False,
                               label='business service')


def list_business_services(client):
    """Every business service of the account (PagerDuty allows 5,000: at most 50 pages)."""
    return list(client.paginate('/business_services', 'business_services'))


class BusinessServiceResource(Resource):
    """A PagerDuty business service."""

    result_key = 'business_service'
    collection = BUSINESS_SERVICES
    fields = (Field('name'), Field('description'), Field('point_of_contact'),
              Reference('team', 'teams', 'team', clearable=True))
    options = RENAME_OPTIONS
    option_rules = IDENTITY_RULES

    def present(self, obj):
        """A description or point of contact never set shows '' (PagerDuty leaves them out); the team has its name
        when it is known."""
        if not obj:
            return obj
        shown = dict(obj)
        for field in ('description', 'point_of_contact'):
            shown[field] = shown.get(field) or ''
        team = shown.get('team')
        if team:
            team = {k: v for k, v in team.items() if k in ('id', 'type', 'summary', 'self')}
            if not team.get('summary') and self.reference_names.get(team.get('id')):
                team['summary'] = self.reference_names[team['id']]
            shown['team'] = team
        return shown

    def predict_create(self, plan):
        return dict({'type': 'business_service', 'description': '', 'point_of_contact': '', 'team': None,
                     'html_url': None}, **plan.desired, id=None)

    def body(self, fields):
        body = dict(fields)
        if body.get('team'):
            body['team'] = {'id': body['team']['id']}
        elif 'team' in body:
            # No team: a reference without an ID, as PagerDuty's own Terraform provider clears it (its model sends
            # team {"id": ""}, left out by omitempty); the request schema's team is an object, not null.
            body['team'] = {}
        return {'business_service': body}
