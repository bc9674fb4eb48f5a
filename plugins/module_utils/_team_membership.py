# -*- coding: utf-8 -*-
# Copyright: contributors to oncall.pagerduty
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A team's members and their team roles. Used by pd_team_membership.

PagerDuty writes one membership at a time (PUT /teams/{id}/users/{user_id} with the role adds the user or
changes their role; DELETE removes them), so plays adding their own members to one team at once never undo
each other: there is no shared list to write whole. A task:

1. finds the team, and reads its members with their users (one request a page),
2. finds the users it names that are not members yet (by email or ID),
3. plans the memberships to add, change and remove, and refuses before any write what PagerDuty would refuse
   (a read-only user added; a member removed while an escalation policy of the team pages them),
4. sends one write per membership, then reads the members until reads show every change.
"""

from __future__ import annotations

from ansible_collections.oncall.pagerduty.plugins.module_utils._lookup import looks_like_id
from ansible_collections.oncall.pagerduty.plugins.module_utils._resource import PREDICTED, STATE_OPTION, Kind, doing
from ansible_collections.oncall.pagerduty.plugins.module_utils._user import find_or_predict_user

# The roles of PUT /teams/{id}/users/{user_id}, and the one a member listed without a role gets.
MEMBER_ROLES = ['observer', 'responder', 'manager']
DEFAULT_ROLE = 'responder'
MODES = ('append', 'exclusive')
# PagerDuty refuses to add a user of this account role to a team (the description of the PUT).
READ_ONLY_ROLE = 'read_only_user'
MEMBERS_QUERY = {'include[]': ['users']}


def member_label(user):
    """How messages and results name a user: the email, else the ID."""
    return user.get('email') or user.get('id') or user.get('summary')


def shown(entries):
    """Memberships as the task writes them: {user: email, role}, by email."""
    return sorted(({'user': member_label(user), 'role': role} for user, role in entries), key=lambda m: m['user'].casefold())


class TeamMembershipKind(Kind):
    """pd_team_membership: the members of one team, and their roles."""

    argument_spec = dict(
        team=dict(type='str', required=True),
        members=dict(type='list', elements='dict', required=True, options=dict(
            user=dict(type='str', required=True),
            role=dict(type='str', choices=MEMBER_ROLES, default=DEFAULT_ROLE),
        )),
        mode=dict(type='str', default='append', choices=list(MODES)),
        state=STATE_OPTION,
    )

    def validate(self):
        self.fail_if_blank('team')
        params = self.params
        if params['state'] == 'absent' and params['mode'] == 'exclusive':
            self.fail('%s: exclusive makes members the whole list of the team, which only state present does; with '
                      'state absent, list the members to remove' % self.option('mode'))
        seen = {}
        for index, member in enumerate(params['members']):
            where = '%s[%d].user' % (self.option('members'), index)
            user = member['user'].strip()
            if not user:
                self.fail('%s: must not be blank' % where)
            if '@' not in user and not looks_like_id(user):
                self.fail('%s: %r is neither an email nor a user ID' % (where, member['user']))
            if user.casefold() in seen:
                self.fail('%s: %r is listed twice (also as members[%d]); list each member once'
                          % (where, member['user'], seen[user.casefold()]))
            seen[user.casefold()] = index

    def run(self):
        params = self.params
        with doing('find the team %r' % params['team']):
            team = self.resolve_or_predict('teams', params['team'], self.option('team'), 'team')
        current = self.read_members(team)
        wanted = self.wanted(current)
        add, remove, before, after = self.plan(current, wanted)
        self.refuse(team, add, remove)
        changed = bool(add or remove)
        if changed and not self.check_mode:
            self.send(team, add, remove)
        members = self.result_members(current, add, remove)
        result = dict(changed=changed, team={'id': team.get('id'), 'name': team.get('name') or team.get('summary')},
                      members=members, added=shown(add), removed=shown((user, role) for user, role in remove))
        if changed and self.task.diff:
            result['diff'] = {'before': {'members': shown(before)}, 'after': {'members': shown(after)}}
        return result

    # -- reading ---------------------------------------------------------------------------------

    def read_members(self, team):
        """{user id: (user, team role)} of the team as reads show it; none for a team check mode predicts."""
        if team.get(PREDICTED) or not team.get('id'):
            return {}
        with doing('read the members of the team %r' % team.get('name')):
            listing = self.client.paginate('/teams/%s/members' % team['id'], 'members', MEMBERS_QUERY)
            return {m['user']['id']: (m['user'], m['role']) for m in listing}

    def wanted(self, current):
        """[(where, user, role)] of the members the task lists: members are matched among the team's by email or
        ID without a request; others are looked up."""
        by_key = {}
        for user, dummy_role in current.values():
            by_key[user['id']] = user
            if user.get('email'):
                by_key[user['email'].casefold()] = user
        wanted = []
        for index, member in enumerate(self.params['members']):
            where = '%s[%d].user' % (self.option('members'), index)
            value = member['user'].strip()
            user = by_key.get(value.casefold() if '@' in value else value)
            if user is None and self.params['state'] == 'present':
                user = self.find_user(value, where)
            if user is not None:
                wanted.append((where, user, member['role']))
        return wanted

    def find_user(self, value, where):
        with doing('find the user %r' % value):
            if '@' in value:
                return find_or_predict_user(self, value, where, why='a member must be a user of the account')
            found = self.client.get_object('users', 'user', value)
            if found is None:
                self.fail('%s: no user has the ID %r' % (where, value))
            return found

    # -- planning --------------------------------------------------------------------------------

    def plan(self, current, wanted):
        """([(user, role)] to add or change, [(user, role)] to remove, the diff's before and after)."""
        state = self.params['state']
        if state == 'absent':
            remove = [current[user['id']] for dummy, user, dummy_role in wanted if user.get('id') in current]
            return [], remove, remove, []
        add, before, after = [], [], []
        for dummy, user, role in wanted:
            member = current.get(user.get('id'))
            if member is not None:
                before.append(member)
            after.append((user, role))
            if member is None or member[1] != role:
                add.append((user, role))
        remove = []
        if self.params['mode'] == 'exclusive':
            listed = {user.get('id') for dummy, user, dummy_role in wanted}
            remove = [member for user_id, member in current.items() if user_id not in listed]
            before.extend(remove)
        return add, remove, before, after

    def refuse(self, team, add, remove):
        """What PagerDuty would refuse, before any write: a read-only user added; a member removed whom an
        escalation policy of the team pages (PagerDuty: "User cannot be removed as they belong to an escalation
        policy on this team")."""
        for user, dummy_role in add:
            if user.get('role') == READ_ONLY_ROLE:
                self.fail('%s: %s is a read_only_user, and PagerDuty adds no such user to a team; give them another '
                          'role with oncall.pagerduty.pd_user first' % (self.option('members'), member_label(user)))
        if not remove or not team.get('id'):
            return
        removed = {user['id']: user for user, dummy_role in remove}
        held = {}
        with doing('find the escalation policies of the team %r that page the members to remove' % team.get('name')):
            for policy in self.client.paginate('/escalation_policies', 'escalation_policies',
                                               {'team_ids[]': [team['id']], 'user_ids[]': sorted(removed)}):
                for rule in policy.get('escalation_rules') or []:
                    for target in rule.get('targets') or []:
                        if target.get('id') in removed and target.get('type', '').startswith('user'):
                            held.setdefault(target['id'], set()).add(policy['name'])
        if held:
            listing = '; '.join('%s by %s' % (member_label(removed[user_id]), ', '.join(repr(p) for p in sorted(names)))
                                for user_id, names in sorted(held.items(), key=lambda item: member_label(removed[item[0]])))
            self.fail('%s: PagerDuty keeps on a team every member whom an escalation policy of the team pages: %s. Take '
                      'them off those policies first (oncall.pagerduty.pd_escalation_policy), or the policies off the '
                      'team.' % (self.option('members'), listing))

    # -- writing ---------------------------------------------------------------------------------

    def send(self, team, add, remove):
        """One write a membership (each safe to send again), then reads until they show every change."""
        path = '/teams/%s/users/%%s' % team['id']
        for user, role in add:
            with doing('make %s a %s of the team %r' % (member_label(user), role, team.get('name'))):
                self.client.put(path % user['id'], {'role': role})
        for user, dummy_role in remove:
            with doing('remove %s from the team %r' % (member_label(user), team.get('name'))):
                self.client.delete(path % user['id'])
        wanted_roles = {user['id']: role for user, role in add}
        gone = {user['id'] for user, dummy_role in remove}

        def shows_every_change(members):
            return (all(user_id in members and members[user_id][1] == role for user_id, role in wanted_roles.items())
                    and not gone & set(members))

        self.wait_until(lambda: self.read_members(team), shows_every_change, 'reading back the members')

    def result_members(self, current, add, remove):
        """The team's members after the run (predicted in check mode), as {user, id, name, role}, by user."""
        members = dict(current)
        for user, dummy_role in remove:
            members.pop(user['id'], None)
        for user, role in add:
            members[user.get('id') or 'predicted:' + member_label(user)] = (user, role)
        return sorted(({'user': member_label(user), 'id': user.get('id'), 'name': user.get('name') or user.get('summary'),
                        'role': role} for user, role in members.values()), key=lambda m: m['user'].casefold())
