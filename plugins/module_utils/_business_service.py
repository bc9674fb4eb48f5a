# -*- coding: utf-8 -*-
# Copyright: contributors to oncall.pagerduty
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""PagerDuty business services: finding them, their options, validation, writes and presentation.

Used by pd_business_service; pd_service_dependency and the catalogue find business services with the
same look-ups. PagerDuty's list of business services has no name filter, so a look-up by name reads
every page of it (one request per 100 business services); a look-up by ID costs one request.
"""

from __future__ import annotations

from ansible_collections.oncall.pagerduty.plugins.module_utils._resource import (
    IDENTITY_OPTIONS,
    IDENTITY_RULES,
    PREDICTED,
    Resource,
)

COLLECTION = 'business_services'
SINGULAR = 'business_service'


def business_service_by_id(client, business_service_id):
    return client.get_object(COLLECTION, SINGULAR, business_service_id)


def business_service_by_name(client, name, option='name'):
    """The business service with exactly this name, or None; several (PagerDuty allows it) is an error listing them."""
    return client.find(COLLECTION, name, option, SINGULAR, by_id=False)


def list_business_services(client):
    """Every business service of the account (PagerDuty allows 5,000: at most 50 pages)."""
    return list(client.paginate('/' + COLLECTION, COLLECTION))


def present_business_service(business_service, team_names=None):
    """The business service as results and diffs show it: PagerDuty leaves out a description or point of
    contact that was never set (shown as ''), and names no team in its reference (its name is added when known)."""
    if not business_service:
        return business_service
    shown = dict(business_service)
    for field in ('description', 'point_of_contact'):
        shown[field] = shown.get(field) or ''
    team = shown.get('team')
    if team and not team.get('summary') and (team_names or {}).get(team.get('id')):
        shown['team'] = dict(team, summary=team_names[team['id']])
    return shown


def slim_reference(reference):
    return {k: v for k, v in reference.items() if k in ('id', 'summary')}


class BusinessServiceResource(Resource):
    """A PagerDuty business service, found by its exact name or its ID."""

    result_key = 'business_service'
    argument_spec = dict(IDENTITY_OPTIONS, description=dict(type='str'), point_of_contact=dict(type='str'),
                         team=dict(type='str'))
    option_rules = IDENTITY_RULES
    settable_fields = ('name', 'description', 'point_of_contact', 'team')

    def __init__(self, task, client=None):
        super().__init__(task, client)
        self.team_names = {}  # team ID -> name, for results and diffs (PagerDuty's team reference has no name)

    def validate(self):
        self.check_names()

    # -- the engine's hooks ----------------------------------------------------------------------

    def find(self):
        return self.find_by_identity(lambda bs_id: business_service_by_id(self.client, bs_id),
                                     lambda name, option: business_service_by_name(self.client, name, option),
                                     'business service')

    def present(self, obj):
        return present_business_service(obj, self.team_names)

    def desired(self, current):
        desired = {}
        for option in ('name', 'description', 'point_of_contact'):
            if self.params[option] is not None:
                desired[option] = self.params[option]
        if self.params['new_name']:
            desired['name'] = self.params['new_name']
        if self.params['team'] is not None:
            desired['team'] = self.team_reference(current)
        return desired

    def team_reference(self, current):
        """The team as a reference ({id, summary}), or None for no team; looked up unless it is the current one by ID."""
        value = self.params['team']
        existing = (current or {}).get('team') or {}
        if value == existing.get('id'):
            return {'id': existing['id']}
        if not value:
            if existing:
                self.name_current_team(current)
            return None
        self.doing = 'find the team %r' % value
        team = self.resolve_or_predict('teams', value, self.option('team'), 'team')
        if team.get(PREDICTED):
            return {'id': None, 'summary': value}
        self.team_names[team['id']] = team['name']
        if existing and existing.get('id') != team['id']:
            self.name_current_team(current)
        if existing.get('id') == team['id']:
            return {'id': team['id']}
        return {'id': team['id'], 'summary': team['name']}

    def name_current_team(self, current):
        """Give the current team its name, for the diff of a change of team (one request, only in diff mode)."""
        team = current['team']
        if team.get('summary') or not self.task.diff:
            return
        self.doing = 'read the team %r' % team['id']
        found = self.client.get_object('teams', 'team', team['id'])
        if found:
            self.team_names[team['id']] = found['name']
            current['team'] = dict(team, summary=found['name'])

    def diff(self, before, after):
        """A team shows as its ID and name in a diff, without the reference's URL."""
        return super().diff(*[dict(side, team=slim_reference(side['team'])) if side.get('team') else side
                              for side in (before, after)])

    def predict_create(self, desired):
        return dict({'type': 'business_service', 'description': '', 'point_of_contact': '', 'team': None, 'html_url': None},
                    **desired, id=None)

    @staticmethod
    def payload(fields):
        body = dict(fields)
        if body.get('team'):
            body['team'] = {'id': body['team']['id']}
        return {'business_service': body}

    def create(self, desired):
        return self.client.post('/' + COLLECTION, self.payload(desired))[SINGULAR]

    def update(self, current, changes):
        return self.client.put('/%s/%s' % (COLLECTION, current['id']), self.payload(changes))[SINGULAR]

    def delete(self, current):
        self.client.delete('/%s/%s' % (COLLECTION, current['id']))

    def read_back(self, obj):
        return business_service_by_id(self.client, obj['id'])
