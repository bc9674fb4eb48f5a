"""Users, teams (with their members) and escalation policies (/users, /teams, /escalation_policies).

A family of endpoints mixed into PagerDutyAccount (see pagerduty.py): `reset_people()` sets up its
state, `routes_people()` lists its (method, path pattern, handler) routes. Users, teams (with their
members) and escalation policies are read and written. Behaviour and sources are in README.md.
"""

import copy
import re

from . import catalogue
from .api import ApiFailure, invalid, not_found, parse_time, utc_now

# The seeded users' roles and time zones, by ID (the rest get the account's defaults).
USER_ROLES = {'PUSR001': 'owner', 'PUSR002': 'admin'}
USER_TIME_ZONES = {'PUSR002': 'Europe/Paris', 'PUSR003': 'Europe/London', 'PUSR004': 'America/New_York'}
# The seeded teams' members, in the order they joined, with their team roles: the users each team's policy targets.
TEAM_MEMBERS = {'PTEAM01': [('PUSR002', 'manager'), ('PUSR003', 'responder')], 'PTEAM02': [('PUSR004', 'manager')]}
USER_ROLE_NAMES = ('admin', 'limited_user', 'observer', 'owner', 'read_only_user', 'restricted_access',
                   'read_only_limited_user', 'user')   # the User schema's enum of role
USER_NAME_MAX = 100            # the User schema's maxLength of name
USER_EMAIL_MIN, USER_EMAIL_MAX = 6, 100   # ... minLength and maxLength of email
USER_JOB_TITLE_MAX = 100       # ... maxLength of job_title
ACCOUNT_TIME_ZONE_NAME = 'America/New_York'   # a user without a time zone has the account's (UTC-05:00)
DEFAULT_USER_COLOR = 'green'
TEAM_MEMBER_ROLES = ('observer', 'responder', 'manager')   # the body of PUT /teams/{id}/users/{user_id}
DEFAULT_MEMBER_ROLE = 'manager'   # terraform-provider-pagerduty's default for a membership
_USER_EMAIL = re.compile(r'^[^@\s]+@[^@\s]+$')

TEAM_NAME_MAX = 100            # the Team schema's maxLength of name
TEAM_DESCRIPTION_MAX = 1024    # ... and of description
HANDOFF_NOTIFICATIONS = ('if_has_services', 'always')
MAX_LOOPS = 9                  # the web app's limit, which terraform-provider-pagerduty validates too
MAX_TARGETS_PER_RULE = 10      # the EscalationRule schema's maxItems of targets
TARGET_KINDS = {'user': 'user', 'user_reference': 'user', 'schedule': 'schedule', 'schedule_reference': 'schedule'}


class PeopleEndpoints:
    family = 'people'

    def reset_people(self):
        self.users = {}
        self.teams = {}
        self.escalation_policies = {}
        for user_id, name, email in catalogue.USERS:
            self.users[user_id] = self._object(
                user_id, 'user', name, email=email, time_zone=USER_TIME_ZONES.get(user_id, 'America/New_York'),
                color='green', role=USER_ROLES.get(user_id, 'user'), description=None, invitation_sent=False,
                job_title='Engineer', avatar_url='https://pd-static-assets.pagerduty.com/users/%s.png' % user_id.lower(),
                created_via_sso=False, teams=[], contact_methods=[], notification_rules=[])
        self.team_members = {}   # team id -> {user id: team role}, in the order they joined
        for team_id, name, description in catalogue.TEAMS:
            self.teams[team_id] = self._object(team_id, 'team', name, description=description, default_role='manager')
            self.team_members[team_id] = {}
        for team_id, members in TEAM_MEMBERS.items():
            for user_id, role in members:
                self.team_members[team_id][user_id] = role
                self.users[user_id]['teams'].append(self.reference(self.teams[team_id]))
        for ep_id, name, team_id, user_ids in catalogue.ESCALATION_POLICIES:
            self.add_escalation_policy(name, team_id, user_ids, ep_id)

    def routes_people(self):
        segment = r'([^/]+)'
        return [
            ('GET', r'/users', self.list_users),
            ('POST', r'/users', self.create_user),
            ('GET', r'/users/' + segment, self.get_user),
            ('PUT', r'/users/' + segment, self.update_user),
            ('DELETE', r'/users/' + segment, self.delete_user),
            ('GET', r'/teams/%s/members' % segment, self.list_team_members),
            ('PUT', r'/teams/%s/users/%s' % (segment, segment), self.add_team_member),
            ('DELETE', r'/teams/%s/users/%s' % (segment, segment), self.remove_team_member),
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

    # -- users ---------------------------------------------------------------------------------

    def user_view(self, user, includes):
        """A user as the API renders it; include[]=teams expands the teams into full objects."""
        view = copy.deepcopy(user)
        if 'teams' in includes:
            view['teams'] = [copy.deepcopy(self.teams[t['id']]) for t in user['teams'] if t['id'] in self.teams]
        return view

    def list_users(self, query, body):
        # The real API's query matches a user's name or email; team_ids[] keeps the members of any of the teams.
        team_ids = set(query.get('team_ids[]', []))
        items = [u for u in self._readable_items(self.users) if self._queried(u, query, 'name', 'email')
                 and (not team_ids or team_ids & {t['id'] for t in u['teams']})]
        result = self.page(items, query, 'users')
        includes = self.includes(query)
        result['users'] = [self.user_view(u, includes) for u in result['users']]
        return 200, result

    def get_user(self, query, body, user_id):
        return 200, {'user': self.user_view(self._read(self.users, user_id, 2100, 'Not Found'), self.includes(query))}

    def _email_taken(self, email, own_id):
        return any(u['email'].lower() == email and u['id'] != own_id for u in self.users.values())

    def _apply_user_fields(self, user, fields, creating):
        errors = []
        if 'name' in fields or creating:
            name = fields.get('name')
            if not isinstance(name, str) or not name.strip():
                errors.append("Name can't be blank")
            elif len(name.strip()) > USER_NAME_MAX:
                errors.append('Name is too long (maximum is %d characters)' % USER_NAME_MAX)
            else:
                # Stored without leading and trailing spaces, and the email in lower case: terraform-provider-pagerduty
                # suppresses those two differences between what it sent and what it reads back.
                user['name'] = user['summary'] = name.strip()
        if 'email' in fields or creating:
            email = fields.get('email')
            if not isinstance(email, str) or not email.strip():
                errors.append("Email can't be blank")
            elif not _USER_EMAIL.match(email) or not USER_EMAIL_MIN <= len(email) <= USER_EMAIL_MAX:
                errors.append('Email is invalid')
            elif self._email_taken(email.lower(), user.get('id')):
                errors.append('Email has already been taken')
            else:
                user['email'] = email.lower()
        if 'role' in fields:
            if fields['role'] not in USER_ROLE_NAMES:
                errors.append('Role must be one of %s' % ', '.join(USER_ROLE_NAMES))
            else:
                user['role'] = fields['role']
        if 'time_zone' in fields:
            time_zone = fields['time_zone']
            if time_zone is not None and (not isinstance(time_zone, str) or not time_zone.strip()):
                errors.append('Time zone is invalid')
            else:
                # The User schema: "If null, the account's time zone will be used."
                user['time_zone'] = time_zone or ACCOUNT_TIME_ZONE_NAME
        if 'job_title' in fields:
            title = fields['job_title']
            if title is not None and not isinstance(title, str):
                errors.append('Job title must be a string')
            elif len(title or '') > USER_JOB_TITLE_MAX:
                errors.append('Job title is too long (maximum is %d characters)' % USER_JOB_TITLE_MAX)
            elif title is None:
                user.pop('job_title', None)
            else:
                user['job_title'] = title
        for key, label in (('description', 'Description'), ('color', 'Color')):
            if key in fields:
                value = fields[key]
                if value is not None and not isinstance(value, str):
                    errors.append('%s must be a string' % label)
                elif key == 'color':
                    user['color'] = value or user.get('color') or DEFAULT_USER_COLOR
                else:
                    user['description'] = value
        if errors:
            raise invalid(*errors)

    def create_user(self, query, body):
        if self.request_headers.get('From'):
            self.requester()   # a From header sent must name a user of the account (maintenance.py)
        fields = self.envelope(body, 'user')
        user = {'time_zone': ACCOUNT_TIME_ZONE_NAME, 'color': DEFAULT_USER_COLOR, 'role': 'user', 'description': None}
        self._apply_user_fields(user, fields, creating=True)
        user_id = self.new_id()
        user = dict(self._object(user_id, 'user', user['name']), **user)
        user.update(avatar_url='https://pd-static-assets.pagerduty.com/users/%s.png' % user_id.lower(),
                    invitation_sent=True, created_via_sso=False, teams=[], contact_methods=[], notification_rules=[])
        self.users[user_id] = user
        self.note_created(user_id)
        return 201, {'user': copy.deepcopy(user)}

    def update_user(self, query, body, user_id):
        current = self._existing(self.users, user_id, 2100, 'Not Found')
        user = copy.deepcopy(current)
        self._apply_user_fields(user, self.envelope(body, 'user'), creating=False)
        self.note_updated(user_id, current)
        self.users[user_id] = user
        # References name the user as they are now (policy targets are rendered from the user itself).
        for schedule in self.schedules.values():
            for layer in schedule.get('schedule_layers') or []:
                for entry in layer.get('users') or []:
                    if (entry.get('user') or {}).get('id') == user_id:
                        entry['user']['summary'] = user['name']
        return 200, {'user': copy.deepcopy(user)}

    def _policies_targeting(self, user_id, team_id=None):
        """The policies (of the team, if given) with the user as a direct target of a rule."""
        return [ep for ep in self._sorted(self.escalation_policies)
                if (team_id is None or team_id in [t['id'] for t in ep['teams']])
                and any(t['id'] == user_id and TARGET_KINDS.get(t['type']) == 'user'
                        for rule in ep['escalation_rules'] for t in rule['targets'])]

    def delete_user(self, query, body, user_id):
        self._existing(self.users, user_id, 2100, 'Not Found')
        # Layers that have ended do not count: whether the real API counts them is not published.
        now = utc_now()
        schedules = [s['name'] for s in self._sorted(self.schedules)
                     if any((entry.get('user') or {}).get('id') == user_id
                            for layer in s.get('schedule_layers') or []
                            if not layer.get('end') or (parse_time(layer['end']) or now) > now
                            for entry in layer.get('users') or [])]
        policies = [ep['name'] for ep in self._policies_targeting(user_id)]
        errors = []
        if schedules:
            errors.append('The user is on schedules and cannot be deleted until removed from them: %s'
                          % ', '.join(schedules))
        if policies:
            errors.append('The user is a target of escalation policies and cannot be deleted until removed from them: %s'
                          % ', '.join(policies))
        if errors:
            raise invalid(*errors)
        for team_id in list(self.team_members):
            if user_id in self.team_members[team_id]:
                self._set_membership(team_id, user_id, None)
        del self.users[user_id]
        return 204, None

    # -- team membership -------------------------------------------------------------------------

    def _members_as_read(self, team_id):
        return self.as_read('members:' + team_id, self.team_members.get(team_id, {}))

    def _set_membership(self, team_id, user_id, role):
        """Add the user to the team with `role`, change their role, or (role None) remove them; the user's `teams`
        follow. Reads of the members and of the user lag as those of any object do."""
        members = self.team_members.setdefault(team_id, {})
        self.note_updated('members:' + team_id, members)
        members = dict(members)
        if role is None:
            members.pop(user_id, None)
        else:
            members[user_id] = role
        self.team_members[team_id] = members
        user = self.users[user_id]
        teams = [t for t in user['teams'] if t['id'] != team_id]
        if role is not None:
            teams.append(next((t for t in user['teams'] if t['id'] == team_id), None) or self.reference(self.teams[team_id]))
        if teams != user['teams']:
            self.note_updated(user_id, user)
            self.users[user_id] = dict(user, teams=teams)

    def list_team_members(self, query, body, team_id):
        self._read(self.teams, team_id, 2100, 'Not Found')
        members = [(user_id, role) for user_id, role in self._members_as_read(team_id).items()
                   if user_id in self.users and self.readable(user_id)]
        result = self.page(members, query, 'members')
        full = 'users' in self.includes(query)
        result['members'] = [
            {'user': copy.deepcopy(self.as_read(user_id, self.users[user_id])) if full else self.reference(self.users[user_id]),
             'role': role} for user_id, role in result['members']]
        return 200, result

    def add_team_member(self, query, body, team_id, user_id):
        self._existing(self.teams, team_id, 2100, 'Not Found')
        user = self._existing(self.users, user_id, 2100, 'Not Found')
        role = body.get('role')
        if role is not None and role not in TEAM_MEMBER_ROLES:
            raise invalid('Role must be one of %s' % ', '.join(TEAM_MEMBER_ROLES))
        if user['role'] == 'read_only_user':
            # The description of PUT /teams/{id}/users/{user_id}.
            raise invalid('A user with the read_only_user role cannot be added to a team')
        current = self.team_members.get(team_id, {}).get(user_id)
        role = role or current or DEFAULT_MEMBER_ROLE
        if role != current:
            self._set_membership(team_id, user_id, role)
        return 204, None

    def remove_team_member(self, query, body, team_id, user_id):
        self._existing(self.teams, team_id, 2100, 'Not Found')
        self._existing(self.users, user_id, 2100, 'Not Found')
        if user_id not in self.team_members.get(team_id, {}):
            return 204, None
        if self._policies_targeting(user_id, team_id):
            # The real answer, as terraform-provider-pagerduty PR #558 and issue #1119 quote it.
            raise invalid('User cannot be removed as they belong to an escalation policy on this team')
        self._set_membership(team_id, user_id, None)
        return 204, None

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
        self.team_members[team_id] = {}
        self.note_created(team_id)
        return 201, {'team': copy.deepcopy(team)}

    def update_team(self, query, body, team_id):
        current = self._existing(self.teams, team_id, 2100, 'Not Found')
        team = copy.deepcopy(current)
        self._apply_team_fields(team, self.envelope(body, 'team'), creating=False)
        self.note_updated(team_id, current)
        self.teams[team_id] = team
        # References name the team as it is now.
        for holder in list(self.escalation_policies.values()) + list(self.schedules.values()) + list(self.users.values()):
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
        # Members do not hold a team back (the description names policies, services, schedules and subteams):
        # they leave it with it.
        for user_id in list(self.team_members.get(team_id, {})):
            if user_id in self.users:
                self._set_membership(team_id, user_id, None)
        self.team_members.pop(team_id, None)
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
