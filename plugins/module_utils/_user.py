# -*- coding: utf-8 -*-
# Copyright: contributors to oncall.pagerduty
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""PagerDuty users: found by email without regard to case, adopted rather than created twice. Used by pd_user and
pd_user_info; find_user_by_email() and find_or_predict_user() by every kind that names a user (escalation policies, maintenance
windows, team members).

PagerDuty keeps one user per email (a second create answers "Email has already been taken"), so a create
that loses a race adopts the winner. An adopted user's email stays as PagerDuty has it: the task's email only
finds the user.
"""

from __future__ import annotations

import re

from ansible_collections.oncall.pagerduty.plugins.module_utils._client import PagerDutyError
from ansible_collections.oncall.pagerduty.plugins.module_utils._lookup import rank_close_emails
from ansible_collections.oncall.pagerduty.plugins.module_utils._resource import (
    PREDICTED,
    STATE_OPTION,
    Collection,
    Field,
    Kind,
    Resource,
    doing,
)

# The User schema's limits and roles (PagerDuty's OpenAPI description). The account owner's role is the
# owner's alone: PagerDuty moves ownership in the web app, not through a user's role.
USER_NAME_MAX = 100
USER_EMAIL_MIN, USER_EMAIL_MAX = 6, 100
USER_JOB_TITLE_MAX = 100
OWNER = 'owner'
ROLES = ['admin', 'limited_user', 'observer', 'read_only_limited_user', 'read_only_user', 'restricted_access', 'user']
_EMAIL = re.compile(r'^[^@\s]+@[^@\s]+\.[^@\s]+$')

USERS = Collection('/users', 'user', name_filter='query', unique_names=True, name_limit=USER_NAME_MAX)


def user_by_email(client, email):
    """The user whose email is `email` (without regard to case), or None."""
    wanted = email.casefold()
    # The query filter matches a user's name or email.
    for user in client.paginate('/users', 'users', {'query': email}):
        if (user.get('email') or '').casefold() == wanted:
            return user
    return None


def find_user_by_email(client, email, option, why=None):
    """The user whose email is `email` (without regard to case); none is an error naming `option`
    with the users whose emails are closest, and `why` a user is needed."""
    user = user_by_email(client, email)
    if user is not None:
        return user
    message = '%s: no user has the email %r' % (option, email)
    if why:
        message += ' (%s)' % why
    close = close_users(client, email)
    if close:
        message += '; did you mean %s?' % ' or '.join('%r (%s, %s)' % (u['email'], u.get('name'), u['id']) for u in close)
    raise PagerDutyError(message, option=option, candidates=close)


def close_users(client, email, limit=3):
    """Users whose emails are close to `email`, ranked by email (rank_close_emails).

    Only after the exact lookup failed, so it may cost a few requests, at most two pages each: PagerDuty's
    query (a substring of a name or an email) for the local part, its longest word and that word's first
    half (a typo further on), and the domain, which finds a local part misspelt anywhere (grase@ for grace@).
    """
    local, dummy, domain = email.partition('@')
    words = sorted(re.findall(r'[^\W_]{3,}', local), key=len, reverse=True)
    terms = [local] + words[:1]
    if words and len(words[0]) >= 6:
        terms.append(words[0][:len(words[0]) // 2])
    terms.append(domain)
    seen = {}
    for term in dict.fromkeys(t.casefold() for t in terms if t):
        try:
            for user in client.paginate('/users', 'users', {'query': term}, max_pages=2):
                seen.setdefault(user['id'], user)
        except PagerDutyError:
            break
    return rank_close_emails(email, seen.values(), limit)


def find_or_predict_user(kind, email, option, why=None):
    """The user with `email`, for a task that names one (a target, a member): in check mode a user an earlier
    task of the run only predicted (pd_user creating it) stands in, without an ID."""
    if not kind.check_mode:
        return find_user_by_email(kind.client, email, option, why)
    user = user_by_email(kind.client, email)
    if user is not None:
        return user
    entry = kind.task.predictions.named(USERS.key, email.casefold())
    if entry is not None:
        return dict(entry['fields'], id=entry['id'], **{PREDICTED: True})
    return find_user_by_email(kind.client, email, option, why)  # fails, naming the closest users


class UserResource(Resource):
    """A PagerDuty user, identified by email."""

    result_key = 'user'
    collection = USERS
    fields = (
        Field('name'),
        Field('role', dict(type='str', choices=ROLES)),
        Field('time_zone'),
        Field('job_title'),
        Field('description'),
        Field('color'),
    )
    options = dict(email=dict(type='str', required=True), state=STATE_OPTION)
    predicted_fields = ('email',)

    def validate(self):
        email = self.params['email']
        where = self.option('email')
        if not email.strip():
            self.fail('%s: must not be blank' % where)
        if not _EMAIL.match(email) or not USER_EMAIL_MIN <= len(email) <= USER_EMAIL_MAX:
            self.fail('%s: %r is not an email address PagerDuty takes (name@domain, %d to %d characters)'
                      % (where, email, USER_EMAIL_MIN, USER_EMAIL_MAX))
        self.check_name('name', self.params['name'], USER_NAME_MAX)
        title = self.params['job_title']
        if title is not None and len(title) > USER_JOB_TITLE_MAX:
            self.fail('%s: PagerDuty allows at most %d characters, got %d'
                      % (self.option('job_title'), USER_JOB_TITLE_MAX, len(title)))
        self.fail_if_blank('time_zone', 'color')
        if self.params['time_zone']:
            self.validate_time_zone(self.params['time_zone'], self.option('time_zone'))

    def find(self, plan):
        email = self.params['email']
        found = user_by_email(self.client, email)
        return self.as_predicted(USERS.key, email.casefold(), found,
                                 lambda user_id: self.client.get_object(USERS.key, USERS.singular, user_id))

    def prediction_key(self, shown):
        return (shown.get('email') or self.params['email']).casefold()

    def present(self, obj):
        """A user without a description or job title shows '' (PagerDuty may say null or leave it out)."""
        if not obj:
            return obj
        return dict(obj, description=obj.get('description') or '', job_title=obj.get('job_title') or '')

    def desired(self, plan):
        desired = super().desired(plan)
        if plan.current is None:
            desired['email'] = self.params['email']
        return desired

    def check_create(self, plan):
        if 'name' not in plan.desired:
            self.fail('%s: required to create the user %r (no user has that email yet)'
                      % (self.option('name'), self.params['email']))

    def check_update(self, plan):
        current = plan.current
        if current.get('role') == OWNER and 'role' in plan.changes:
            self.fail('%s: %s is the account owner, whose role PagerDuty changes only when ownership moves to another '
                      'user (in the web app); leave role out for this user' % (self.option('role'), current['email']))

    def check_delete(self, plan):
        """PagerDuty refuses to delete the owner, and a user on a schedule or targeted by an escalation policy:
        say which, before any write."""
        current = plan.current
        if current.get('role') == OWNER:
            self.fail('%s: %s is the account owner, whom PagerDuty does not delete; move ownership to another user in '
                      'the web app first' % (self.option('state'), current['email']))
        with doing('find the schedules and escalation policies of the user %s' % current['email']):
            policies = sorted(p['name'] for p in self.client.paginate(
                '/escalation_policies', 'escalation_policies', {'user_ids[]': [current['id']]}))
            schedules = sorted(s['name'] for s in self.client.paginate('/schedules', 'schedules')
                               if any(u.get('id') == current['id'] for u in s.get('users') or []))
        held = []
        if schedules:
            held.append('on the schedule%s %s' % ('' if len(schedules) == 1 else 's', ', '.join(repr(s) for s in schedules)))
        if policies:
            held.append('a target of the escalation polic%s %s'
                        % ('y' if len(policies) == 1 else 'ies', ', '.join(repr(p) for p in policies)))
        if held:
            self.fail('%s: PagerDuty deletes only a user who is on no schedule and no escalation policy, and %s is %s. '
                      'Take the user off them first (for a policy, oncall.pagerduty.pd_escalation_policy).'
                      % (self.option('state'), current['email'], ' and '.join(held)))

    def predict_create(self, plan):
        """PagerDuty keeps an email in lower case (terraform-provider-pagerduty commit 5928e213 reads it back so)."""
        return dict({'type': 'user', 'role': 'user', 'description': '', 'job_title': '', 'teams': []},
                    **dict(plan.desired, email=plan.desired['email'].lower()), id=None)

    def body(self, fields):
        return {'user': dict(fields, type='user')}


class UserInfo(Kind):
    """pd_user_info: read users by email, query, ID or team; never writes."""

    argument_spec = dict(
        email=dict(type='str'),
        query=dict(type='str'),
        id=dict(type='str'),
        team=dict(type='str'),
    )
    option_rules = dict(mutually_exclusive=[('email', 'query', 'id'), ('id', 'team')])

    def validate(self):
        self.fail_if_blank('email', 'query', 'id', 'team')

    def run(self):
        params = self.params
        with doing('read users'):
            if params['id']:
                found = self.client.get_object(USERS.key, USERS.singular, params['id'])
                users = [found] if found else []
            else:
                query = {}
                team = None
                if params['team']:
                    team = self.resolve_or_predict('teams', params['team'], self.option('team'), 'team')
                    query['team_ids[]'] = [team['id']]
                if params['email'] or params['query']:
                    query['query'] = params['email'] or params['query']
                # A team that only a check run's earlier task makes has no members yet.
                users = [] if team is not None and team.get(PREDICTED) else list(self.client.paginate('/users', 'users', query))
                if params['email']:
                    users = [u for u in users if (u.get('email') or '').casefold() == params['email'].casefold()]
        users = sorted(users, key=lambda u: ((u.get('email') or '').casefold(), u['id']))
        return dict(changed=False, users=users)
