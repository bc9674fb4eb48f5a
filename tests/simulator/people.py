"""Users, schedules, teams and escalation policies (/users, /schedules, /teams, /escalation_policies).

A family of endpoints mixed into PagerDutyAccount (see pagerduty.py): `reset_people()` sets up its
state, `routes_people()` lists its (method, path pattern, handler) routes. Users and schedules are
read-only here (the collection never writes them); teams and escalation policies are read and
written. Behaviour and sources are in README.people.md.
"""

import copy

from . import catalogue
from .api import ApiFailure, invalid, not_found

# The seeded account's schedules: (id, name, time zone, team id or None, user ids on its one layer).
# Two share a name, as nothing in PagerDuty stops schedules from doing.
SCHEDULES = [
    ('PSCHED1', 'Platform Primary', 'Europe/Paris', 'PTEAM01', ['PUSR002', 'PUSR003']),
    ('PSCHED2', 'Platform Secondary', 'Europe/Paris', 'PTEAM01', ['PUSR003', 'PUSR002']),
    ('PSCHED3', 'Payments Primary', 'America/New_York', 'PTEAM02', ['PUSR004']),
    ('PSCHED4', 'Follow the Sun', 'UTC', None, ['PUSR001', 'PUSR002', 'PUSR004']),
    ('PSCHED5', 'Weekend', 'UTC', None, ['PUSR001']),
    ('PSCHED6', 'Weekend', 'Europe/Paris', 'PTEAM01', ['PUSR003']),
]
# The seeded users' roles and time zones, by ID (the rest get the account's defaults).
USER_ROLES = {'PUSR001': 'owner', 'PUSR002': 'admin'}
USER_TIME_ZONES = {'PUSR002': 'Europe/Paris', 'PUSR003': 'Europe/London', 'PUSR004': 'America/New_York'}

TEAM_NAME_MAX = 100            # the Team schema's maxLength of name
TEAM_DESCRIPTION_MAX = 1024    # ... and of description
HANDOFF_NOTIFICATIONS = ('if_has_services', 'always')
MAX_LOOPS = 9                  # the web app's limit, which terraform-provider-pagerduty validates too
MAX_TARGETS_PER_RULE = 10      # the EscalationRule schema's maxItems of targets
TARGET_KINDS = {'user': 'user', 'user_reference': 'user', 'schedule': 'schedule', 'schedule_reference': 'schedule'}
ROTATION_START = '2024-01-01T09:00:00Z'


class PeopleEndpoints:
    family = 'people'

    def reset_people(self):
        self.users = {}
        self.schedules = {}
        self.teams = {}
        self.escalation_policies = {}
        for user_id, name, email in catalogue.USERS:
            self.users[user_id] = self._object(
                user_id, 'user', name, email=email, time_zone=USER_TIME_ZONES.get(user_id, 'America/New_York'),
                color='green', role=USER_ROLES.get(user_id, 'user'), description=None, invitation_sent=False,
                job_title='Engineer', avatar_url='https://pd-static-assets.pagerduty.com/users/%s.png' % user_id.lower(),
                teams=[], contact_methods=[], notification_rules=[])
        for team_id, name, description in catalogue.TEAMS:
            self.teams[team_id] = self._object(team_id, 'team', name, description=description, default_role='manager')
        for schedule_id, name, time_zone, team_id, user_ids in SCHEDULES:
            self.schedules[schedule_id] = self._object(
                schedule_id, 'schedule', name, time_zone=time_zone, description='%s rotation' % name,
                teams=[self.reference(self.teams[team_id])] if team_id else [],
                schedule_layers=[{'id': 'L' + schedule_id[1:], 'name': 'Layer 1', 'start': ROTATION_START,
                                  'rotation_virtual_start': ROTATION_START, 'rotation_turn_length_seconds': 604800,
                                  'users': [{'user': self.reference(self.users[u])} for u in user_ids],
                                  'restrictions': []}])
        for ep_id, name, team_id, user_ids in catalogue.ESCALATION_POLICIES:
            self.add_escalation_policy(name, team_id, user_ids, ep_id)

    def routes_people(self):
        segment = r'([^/]+)'
        return [
            ('GET', r'/users', self.list_users),
            ('GET', r'/users/' + segment, self.get_user),
            ('GET', r'/schedules', self.list_schedules),
            ('GET', r'/schedules/' + segment, self.get_schedule),
            ('GET', r'/teams', self.list_teams),
            ('POST', r'/teams', self.create_team),
            ('GET', r'/teams/' + segment, self.get_team),
            ('PUT', r'/teams/' + segment, self.update_team),
            ('DELETE', r'/teams/' + segment, self.delete_team),
            ('GET', r'/escalation_policies', self.list_escalation_policies),
            ('POST', r'/escalation_policies', self.create_escalation_policy),
            ('GET', r'/escalation_policies/' + segment, self.get_escalation_policy),
            ('PUT', r'/escalation_policies/' + segment, self.update_escalation_policy),
            ('DELETE', r'/escalation_policies/' + segment, self.delete_escalation_policy),
        ]

    # -- seeding (POST /_sim/seed) ---------------------------------------------------------------

    def add_escalation_policy(self, name, team_id=None, user_ids=(), ep_id=None):
        """A policy made outside the API: names are not checked, so seeds can make look-alikes."""
        ep_id = ep_id or self.new_id()
        targets = [self.reference(self.users[u]) for u in user_ids if u in self.users]
        teams = [self.reference(self.teams[team_id])] if team_id in self.teams else []
        self.escalation_policies[ep_id] = self._object(
            ep_id, 'escalation_policy', name, description='', num_loops=0,
            on_call_handoff_notifications='if_has_services',
            escalation_rules=[{'id': self.new_id(), 'escalation_delay_in_minutes': 30, 'targets': self._ordered(targets)}],
            teams=teams)
        return self.escalation_policies[ep_id]

    # -- what other families see -----------------------------------------------------------------

    def service_viewed_people(self, view, includes, as_read):
        """A service's policy reference names the policy as it is now (a renamed policy's new name)."""
        policy = view.get('escalation_policy') or {}
        current = self.escalation_policies.get(policy.get('id'))
        if current is not None and policy.get('type') == 'escalation_policy_reference':
            policy['summary'] = current['name']

    # -- helpers ---------------------------------------------------------------------------------

    @staticmethod
    def _queried(obj, query, *fields):
        """The `query` filter: a case-insensitive substring of any of the fields."""
        text = query.get('query', [None])[0]
        return text is None or any(text.casefold() in (obj.get(f) or '').casefold() for f in fields)

    def _readable_items(self, objects):
        return [self.as_read(o['id'], o) for o in self._sorted(objects) if self.readable(o['id'])]

    def _read(self, objects, object_id, code, message):
        """An object as a GET by ID returns it; 404 while the read lag hides a new one."""
        obj = objects.get(object_id)
        if obj is None or not self.readable(object_id):
            raise not_found(code, message)
        return self.as_read(object_id, obj)

    @staticmethod
    def _ordered(targets):
        """Targets in the order PagerDuty keeps them, not the order sent: users, then schedules, by ID."""
        return sorted(targets, key=lambda t: (TARGET_KINDS.get(t['type'], t['type']) != 'user', t['id']))

    @staticmethod
    def _existing(objects, object_id, code, message):
        """An object a write addresses: writes see the latest state, whatever reads lag behind."""
        if object_id not in objects:
            raise not_found(code, message)
        return objects[object_id]

    @staticmethod
    def _name_taken(objects, name, own_id):
        return any(o['name'] == name and o['id'] != own_id for o in objects.values())

    # -- users (read-only) -----------------------------------------------------------------------

    def list_users(self, query, body):
        # The real API's query matches a user's name or email.
        items = [u for u in self._sorted(self.users) if self._queried(u, query, 'name', 'email')]
        return 200, self.page(items, query, 'users')

    def get_user(self, query, body, user_id):
        if user_id not in self.users:
            raise not_found(2100, 'Not Found')
        return 200, {'user': self.users[user_id]}

    # -- schedules (read-only) -------------------------------------------------------------------

    def schedule_view(self, schedule, layers):
        view = copy.deepcopy(schedule)
        if not layers:
            del view['schedule_layers']
        view['users'] = []
        for layer in schedule['schedule_layers']:
            for entry in layer['users']:
                if entry['user']['id'] not in [u['id'] for u in view['users']]:
                    view['users'].append(copy.deepcopy(entry['user']))
        view['escalation_policies'] = [
            self.reference(ep) for ep in self._sorted(self.escalation_policies)
            if any(t['id'] == schedule['id'] for rule in ep['escalation_rules'] for t in rule['targets'])]
        return view

    def list_schedules(self, query, body):
        team_ids = set(query.get('team_ids[]', []))
        items = [s for s in self._sorted(self.schedules) if self._queried(s, query, 'name')
                 and (not team_ids or team_ids & {t['id'] for t in s['teams']})]
        result = self.page(items, query, 'schedules')
        layers = 'schedule_layers' in self.includes(query)
        result['schedules'] = [self.schedule_view(s, layers) for s in result['schedules']]
        return 200, result

    def get_schedule(self, query, body, schedule_id):
        if schedule_id not in self.schedules:
            raise not_found(2100, 'Not Found')
        return 200, {'schedule': self.schedule_view(self.schedules[schedule_id], layers=True)}

    # -- teams -----------------------------------------------------------------------------------

    def list_teams(self, query, body):
        items = [t for t in self._readable_items(self.teams) if self._queried(t, query, 'name')]
        return 200, self.page(items, query, 'teams')

    def get_team(self, query, body, team_id):
        return 200, {'team': self._read(self.teams, team_id, 2100, 'Not Found')}

    def _apply_team_fields(self, team, fields, creating):
        errors = []
        if 'name' in fields or creating:
            name = fields.get('name')
            if not isinstance(name, str) or not name.strip():
                errors.append("Name can't be blank")
            elif len(name) > TEAM_NAME_MAX:
                errors.append('Name is too long (maximum is %d characters)' % TEAM_NAME_MAX)
            elif self._name_taken(self.teams, name, team.get('id')):
                errors.append('Name has already been taken')
            else:
                team['name'] = team['summary'] = name
        if 'description' in fields:
            description = fields['description']
            if description is not None and not isinstance(description, str):
                errors.append('Description must be a string')
            elif len(description or '') > TEAM_DESCRIPTION_MAX:
                errors.append('Description is too long (maximum is %d characters)' % TEAM_DESCRIPTION_MAX)
            else:
                team['description'] = description or ''
        if 'default_role' in fields:
            if fields['default_role'] not in ('manager', 'none'):
                errors.append("Default role must be 'manager' or 'none'")
            else:
                team['default_role'] = fields['default_role']
        if errors:
            raise invalid(*errors)

    def create_team(self, query, body):
        fields = self.envelope(body, 'team')
        team = {'description': '', 'default_role': 'manager'}
        self._apply_team_fields(team, fields, creating=True)
        team_id = self.new_id()
        team = dict(self._object(team_id, 'team', team['name']), **team)
        self.teams[team_id] = team
        self.note_created(team_id)
        return 201, {'team': copy.deepcopy(team)}

    def update_team(self, query, body, team_id):
        current = self._existing(self.teams, team_id, 2100, 'Not Found')
        team = copy.deepcopy(current)
        self._apply_team_fields(team, self.envelope(body, 'team'), creating=False)
        self.note_updated(team_id, current)
        self.teams[team_id] = team
        # References name the team as it is now.
        for holder in list(self.escalation_policies.values()) + list(self.schedules.values()):
            for ref in holder['teams']:
                if ref['id'] == team_id:
                    ref['summary'] = team['name']
        return 200, {'team': copy.deepcopy(team)}

    def delete_team(self, query, body, team_id):
        self._existing(self.teams, team_id, 2100, 'Not Found')
        holders = (('Escalation Policies', self.escalation_policies), ('Schedules', self.schedules))
        associations = [label for label, objects in holders
                        if any(team_id in [t['id'] for t in o['teams']] for o in objects.values())]
        if associations:
            raise ApiFailure(400, 6006, ['Cannot delete team with existing %s association(s)' % ', '.join(associations)],
                             message='Team has existing associations')
        del self.teams[team_id]
        return 204, None

    # -- escalation policies ---------------------------------------------------------------------

    def policy_view(self, ep, includes, written=False):
        """A policy as the API renders it: its services derived from the services that use it, and its
        targets (include[]=targets) and teams (include[]=teams) expanded into full objects. Its services are
        those reads show, or (`written`, the answer of a write) every one, whatever reads lag."""
        view = copy.deepcopy(ep)
        view['services'] = [self.reference(s) for s in self._sorted(self.services)
                            if s['escalation_policy']['id'] == ep['id'] and (written or self.readable(s['id']))]
        for rule in view['escalation_rules']:
            targets = []
            for target in rule['targets']:
                kind = TARGET_KINDS[target['type']]
                source = self.users if kind == 'user' else self.schedules
                current = source.get(target['id'])
                if current is None:
                    targets.append(target)
                elif 'targets' in includes:
                    full = current if kind == 'user' else self.schedule_view(current, layers=False)
                    targets.append(copy.deepcopy(full))
                else:
                    targets.append(self.reference(current))
            rule['targets'] = targets
        if 'teams' in includes:
            view['teams'] = [copy.deepcopy(self.teams[t['id']]) for t in ep['teams'] if t['id'] in self.teams]
        return view

    def list_escalation_policies(self, query, body):
        team_ids = set(query.get('team_ids[]', []))
        user_ids = set(query.get('user_ids[]', []))
        items = [ep for ep in self._readable_items(self.escalation_policies)
                 if self.matches_query(ep, query)
                 and (not team_ids or team_ids & {t['id'] for t in ep['teams']})
                 and (not user_ids or user_ids & {t['id'] for rule in ep['escalation_rules'] for t in rule['targets']})]
        result = self.page(items, query, 'escalation_policies')
        includes = self.includes(query)
        result['escalation_policies'] = [self.policy_view(ep, includes) for ep in result['escalation_policies']]
        return 200, result

    def get_escalation_policy(self, query, body, ep_id):
        ep = self._read(self.escalation_policies, ep_id, 5001, 'Escalation Policy Not Found')
        return 200, {'escalation_policy': self.policy_view(ep, self.includes(query))}

    def _policy_targets(self, targets, where, errors):
        if not isinstance(targets, list) or not targets:
            errors.append('%s must have at least one target' % where)
            return []
        if len(targets) > MAX_TARGETS_PER_RULE:
            errors.append('%s may have at most %d escalation targets' % (where, MAX_TARGETS_PER_RULE))
            return []
        stored = []
        for target in targets:
            kind = TARGET_KINDS.get(target.get('type')) if isinstance(target, dict) else None
            if kind is None:
                errors.append('%s target type must be user_reference or schedule_reference' % where)
                continue
            source = self.users if kind == 'user' else self.schedules
            if target.get('id') not in source:
                errors.append('%s %s %s was not found' % (where, kind.capitalize(), target.get('id')))
                continue
            stored.append(self.reference(source[target['id']]))
        return self._ordered(stored)

    def _policy_rules(self, rules, current_rules, errors):
        """Rules as stored: a rule sent with the ID of one of the policy's rules keeps it, the others get new IDs."""
        if not isinstance(rules, list) or not rules:
            errors.append('At least one escalation rule must be provided')
            return []
        kept_ids = {r['id'] for r in current_rules}
        stored = []
        for index, rule in enumerate(rules):
            where = 'Escalation rule %d' % (index + 1)
            if not isinstance(rule, dict):
                errors.append('%s must be an object' % where)
                continue
            delay = rule.get('escalation_delay_in_minutes')
            if not isinstance(delay, int) or isinstance(delay, bool) or delay < 1:
                errors.append('%s escalation delay must be a whole number of minutes, at least 1' % where)
            targets = self._policy_targets(rule.get('targets'), where, errors)
            rule_id = rule.get('id') if rule.get('id') in kept_ids else self.new_id()
            stored.append({'id': rule_id, 'escalation_delay_in_minutes': delay, 'targets': targets})
        return stored

    def _apply_policy_fields(self, ep, fields, creating):
        errors = []
        if 'name' in fields or creating:
            name = fields.get('name')
            if not isinstance(name, str) or not name.strip():
                errors.append("Name can't be blank")
            elif self._name_taken(self.escalation_policies, name, ep.get('id')):
                errors.append('Name has already been taken')
            else:
                ep['name'] = ep['summary'] = name
        if 'description' in fields:
            if fields['description'] is not None and not isinstance(fields['description'], str):
                errors.append('Description must be a string')
            else:
                ep['description'] = fields['description'] or ''
        if 'num_loops' in fields:
            loops = fields['num_loops']
            if not isinstance(loops, int) or isinstance(loops, bool) or not 0 <= loops <= MAX_LOOPS:
                errors.append('Num loops must be a whole number from 0 to %d' % MAX_LOOPS)
            else:
                ep['num_loops'] = loops
        if 'on_call_handoff_notifications' in fields:
            if fields['on_call_handoff_notifications'] not in HANDOFF_NOTIFICATIONS:
                errors.append('On call handoff notifications must be one of %s' % ', '.join(HANDOFF_NOTIFICATIONS))
            else:
                ep['on_call_handoff_notifications'] = fields['on_call_handoff_notifications']
        if 'escalation_rules' in fields or creating:
            ep['escalation_rules'] = self._policy_rules(fields.get('escalation_rules'), ep.get('escalation_rules') or [],
                                                        errors)
        if 'teams' in fields:
            teams = fields['teams'] or []
            if not isinstance(teams, list):
                errors.append('Teams must be a list')
            elif len(teams) > 1:
                errors.append('Only one team may be associated with the policy')
            else:
                missing = [str((t or {}).get('id')) for t in teams if not isinstance(t, dict) or t.get('id') not in self.teams]
                if missing:
                    errors.append('Team %s was not found' % ', '.join(missing))
                else:
                    ep['teams'] = [self.reference(self.teams[t['id']]) for t in teams]
        if errors:
            raise invalid(*errors)

    def create_escalation_policy(self, query, body):
        fields = self.envelope(body, 'escalation_policy')
        ep = {'description': '', 'num_loops': 0, 'on_call_handoff_notifications': 'if_has_services', 'teams': []}
        self._apply_policy_fields(ep, fields, creating=True)
        ep_id = self.new_id()
        ep = dict(self._object(ep_id, 'escalation_policy', ep['name']), **ep)
        self.escalation_policies[ep_id] = ep
        self.note_created(ep_id)
        return 201, {'escalation_policy': self.policy_view(ep, (), written=True)}

    def update_escalation_policy(self, query, body, ep_id):
        current = self._existing(self.escalation_policies, ep_id, 5001, 'Escalation Policy Not Found')
        ep = copy.deepcopy(current)
        self._apply_policy_fields(ep, self.envelope(body, 'escalation_policy'), creating=False)
        self.note_updated(ep_id, current)
        self.escalation_policies[ep_id] = ep
        return 200, {'escalation_policy': self.policy_view(ep, (), written=True)}

    def delete_escalation_policy(self, query, body, ep_id):
        self._existing(self.escalation_policies, ep_id, 5001, 'Escalation Policy Not Found')
        users = [s['name'] for s in self._sorted(self.services) if s['escalation_policy']['id'] == ep_id]
        if users:
            # The description of DELETE /escalation_policies/{id}: "must not be in use by any services".
            raise invalid('This escalation policy is used by services and cannot be deleted: %s' % ', '.join(users))
        del self.escalation_policies[ep_id]
        return 204, None
