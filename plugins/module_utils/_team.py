# -*- coding: utf-8 -*-
# Copyright: contributors to oncall.pagerduty
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""PagerDuty teams: finding them, their options, validation, writes and presentation.

Used by pd_team.
"""

from __future__ import annotations

from ansible_collections.oncall.pagerduty.plugins.module_utils._resource import (
    IDENTITY_OPTIONS,
    IDENTITY_RULES,
    Resource,
)

# The Team schema's limits (PagerDuty's OpenAPI description).
TEAM_NAME_MAX = 100
TEAM_DESCRIPTION_MAX = 1024


def team_by_id(client, team_id):
    return client.get_object('teams', 'team', team_id)


def team_by_name(client, name, option='name'):
    """The team with exactly this name, or None; several is an error listing them."""
    return client.find('teams', name, option, 'team', by_id=False)


def present_team(team):
    """The team as results show it: a team without a description has '' (PagerDuty may say null)."""
    if not team:
        return team
    return dict(team, description=team.get('description') or '')


class TeamResource(Resource):
    """A PagerDuty team, found by its exact name or its ID."""

    result_key = 'team'
    argument_spec = dict(IDENTITY_OPTIONS, description=dict(type='str'))
    option_rules = IDENTITY_RULES
    settable_fields = ('name', 'description')

    def validate(self):
        self.check_names(TEAM_NAME_MAX)
        description = self.params['description']
        if description is not None and len(description) > TEAM_DESCRIPTION_MAX:
            self.fail('%s: PagerDuty allows at most %d characters, got %d'
                      % (self.option('description'), TEAM_DESCRIPTION_MAX, len(description)))

    def find(self):
        return self.find_by_identity(lambda team_id: team_by_id(self.client, team_id),
                                     lambda name, option: team_by_name(self.client, name, option), 'team')

    def present(self, obj):
        return present_team(obj)

    def desired(self, current):
        desired = {}
        for option in ('name', 'description'):
            if self.params[option] is not None:
                desired[option] = self.params[option]
        if self.params['new_name']:
            desired['name'] = self.params['new_name']
        return desired

    def check_update(self, current, changes):
        self.fail_if_name_taken('teams', 'team', changes, current)

    def predict_create(self, desired):
        return dict({'type': 'team', 'description': '', 'default_role': 'manager'}, **desired, id=None)

    def create(self, desired):
        return self.client.post('/teams', {'team': dict(desired, type='team')})['team']

    def update(self, current, changes):
        return self.client.put('/teams/%s' % current['id'], {'team': dict(changes, type='team')})['team']

    def read_back(self, obj):
        return team_by_id(self.client, obj['id'])

    def is_name_conflict(self, err):
        return err.status == 400 and any('already been taken' in str(e) for e in err.errors)

    def check_delete(self, current):
        """PagerDuty refuses to delete a team that escalation policies or schedules belong to: say which, first."""
        self.doing = 'find what belongs to the team %r' % current['name']
        query = {'team_ids[]': [current['id']]}
        held, count = [], 0
        for collection, one, many in (('escalation_policies', 'escalation policy', 'escalation policies'),
                                      ('schedules', 'schedule', 'schedules')):
            names = sorted(o.get('name') or o['id'] for o in self.client.paginate('/' + collection, collection, query))
            if names:
                count += len(names)
                held.append('the %s %s' % (one if len(names) == 1 else many, ', '.join(repr(n) for n in names)))
        if held:
            them = 'it' if count == 1 else 'them'
            self.fail("%s: PagerDuty deletes only a team that nothing belongs to, and %r has %s. Remove the team "
                      "from %s first (for a policy, oncall.pagerduty.pd_escalation_policy with teams: [] or another "
                      "team), or delete %s." % (self.option('state'), current['name'], ' and '.join(held), them, them))

    def delete(self, current):
        self.client.delete('/teams/%s' % current['id'])
