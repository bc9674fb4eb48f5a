# -*- coding: utf-8 -*-
# Copyright: contributors to oncall.pagerduty
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""PagerDuty teams: a name and a description, found by exact name or ID. Used by pd_team; teams_field() by every kind
that belongs to teams (escalation policies, schedules)."""

from __future__ import annotations

from ansible_collections.oncall.pagerduty.plugins.module_utils._resource import (
    IDENTITY_RULES,
    RENAME_OPTIONS,
    Collection,
    Field,
    Resource,
    doing,
    reference_name,
)

# The Team schema's limits (PagerDuty's OpenAPI description).
TEAM_NAME_MAX = 100
TEAM_DESCRIPTION_MAX = 1024
TEAMS = Collection('/teams', 'team', name_filter='query', name_limit=TEAM_NAME_MAX)


def team_by_id(client, team_id):
    return client.get_object('teams', 'team', team_id)


def team_reference(kind, value, option, current_teams):
    """The team `value` (a name or ID) as a reference; looked up only when it is not one of `current_teams`."""
    for team in current_teams or []:
        if value in (team.get('id'), team.get('summary')):
            return dict(team)
    with doing('find the team %r' % value):
        team = kind.resolve_or_predict('teams', value, option, 'team')
    return {'id': team.get('id'), 'summary': team.get('name') or team.get('summary')}


def teams_field():
    """The `teams` option of a kind that belongs to teams: names or IDs, compared by ID, shown by name."""
    def to_api(kind, value, plan):
        current = (plan.current or {}).get('teams') if plan is not None else None
        return [team_reference(kind, v, '%s[%d]' % (kind.option('teams'), i), current) for i, v in enumerate(value)]
    return Field('teams', dict(type='list', elements='str'), from_api=lambda teams: [reference_name(t) for t in teams or []],
                 reference=True, to_api=to_api)


class TeamResource(Resource):
    """A PagerDuty team."""

    result_key = 'team'
    collection = TEAMS
    fields = (Field('name'), Field('description'))
    options = RENAME_OPTIONS
    option_rules = IDENTITY_RULES

    def validate(self):
        super().validate()
        description = self.params['description']
        if description is not None and len(description) > TEAM_DESCRIPTION_MAX:
            self.fail('%s: PagerDuty allows at most %d characters, got %d'
                      % (self.option('description'), TEAM_DESCRIPTION_MAX, len(description)))

    def present(self, obj):
        """A team without a description shows '' (PagerDuty may say null)."""
        return dict(obj, description=obj.get('description') or '') if obj else obj

    def predict_create(self, plan):
        return dict({'type': 'team', 'description': '', 'default_role': 'manager'}, **plan.desired, id=None)

    def body(self, fields):
        return {'team': dict(fields, type='team')}

    def check_delete(self, plan):
        """PagerDuty refuses to delete a team that escalation policies or schedules belong to: say which, first."""
        current = plan.current
        query = {'team_ids[]': [current['id']]}
        held, count = [], 0
        with doing('find what belongs to the team %r' % current['name']):
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
