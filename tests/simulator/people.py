"""Users, schedules, teams and escalation policies: reads and writes.

A family of endpoints mixed into PagerDutyAccount (see pagerduty.py): `reset_people()` sets up its
state, `routes_people()` lists its (method, path pattern, handler) routes.
"""

from . import catalogue
from .api import not_found


class PeopleEndpoints:
    family = 'people'

    def reset_people(self):
        self.users = {}
        self.teams = {}
        self.escalation_policies = {}
        for user_id, name, email in catalogue.USERS:
            self.users[user_id] = self._object(user_id, 'user', name, email=email)
        for team_id, name, description in catalogue.TEAMS:
            self.teams[team_id] = self._object(team_id, 'team', name, description=description)
        for ep_id, name, team_id, user_ids in catalogue.ESCALATION_POLICIES:
            self.add_escalation_policy(name, team_id, user_ids, ep_id)

    def add_escalation_policy(self, name, team_id=None, user_ids=(), ep_id=None):
        ep_id = ep_id or self.new_id()
        targets = [self.reference(self.users[u]) for u in user_ids if u in self.users]
        teams = [self.reference(self.teams[team_id])] if team_id in self.teams else []
        self.escalation_policies[ep_id] = self._object(
            ep_id, 'escalation_policy', name, description='', num_loops=0,
            on_call_handoff_notifications='if_has_services',
            escalation_rules=[{'id': self.new_id(), 'escalation_delay_in_minutes': 30, 'targets': targets}],
            services=[], teams=teams)
        return self.escalation_policies[ep_id]

    def list_escalation_policies(self, query, body):
        items = [ep for ep in self._sorted(self.escalation_policies) if self.matches_query(ep, query)]
        return 200, self.page(items, query, 'escalation_policies')

    def get_escalation_policy(self, query, body, ep_id):
        if ep_id not in self.escalation_policies:
            raise not_found(5001, 'Escalation Policy Not Found')
        return 200, {'escalation_policy': self.escalation_policies[ep_id]}

    def list_teams(self, query, body):
        items = [t for t in self._sorted(self.teams) if self.matches_query(t, query)]
        return 200, self.page(items, query, 'teams')

    def list_users(self, query, body):
        items = [u for u in self._sorted(self.users) if self.matches_query(u, query)]
        return 200, self.page(items, query, 'users')

    def routes_people(self):
        segment = r'([^/]+)'
        return [
            ('GET', r'/escalation_policies', self.list_escalation_policies),
            ('GET', r'/escalation_policies/' + segment, self.get_escalation_policy),
            ('GET', r'/teams', self.list_teams),
            ('GET', r'/users', self.list_users),
        ]
