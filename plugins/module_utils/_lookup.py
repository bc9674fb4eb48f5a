# -*- coding: utf-8 -*-
# Copyright: contributors to oncall.pagerduty
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Finding PagerDuty objects by exact name or ID, on top of the client: one object or none, several as an error
listing them, and the closest names when there is none.

The transport (_client.py) speaks HTTP; this is what a task asks of it to find the objects its options name.
The look-ups of one client are shared by the catalogue's parallel writers: what they remember is kept under a
lock.
"""

from __future__ import annotations

import difflib
import re
import threading

from ansible_collections.oncall.pagerduty.plugins.module_utils._client import OFFSET_CAP, PagerDutyError

# A PagerDuty object ID: upper-case letters and digits, no spaces (e.g. PWIP6CQ, Q0RIJJZL24RC6W).
_ID_PATTERN = re.compile(r'^[A-Z0-9]{7,20}$')
PLURALS = {'escalation_policy': 'escalation policies', 'business_service': 'business services'}
_REGISTRY_LOCK = threading.Lock()


def looks_like_id(value):
    """True when value has the shape of a PagerDuty object ID (a name could still have it too)."""
    return bool(_ID_PATTERN.match(value or ''))


def plural(singular):
    return PLURALS.get(singular, singular.replace('_', ' ') + 's')


# How alike a suggestion must be (see closeness).
CLOSE_ENOUGH = 0.6


def closeness(wanted, actual):
    """How alike two texts are, already casefolded: 2 when equal, at least 0.75 when one holds the other."""
    if actual == wanted:
        return 2.0
    score = difflib.SequenceMatcher(None, wanted, actual).ratio()
    if wanted in actual or actual in wanted:
        score = max(score, 0.75)
    return score


def rank_close(value, candidates, limit=3):
    """The candidates whose names are closest to `value`, best first."""
    wanted = value.casefold()
    scored = []
    for candidate in candidates:
        name = (candidate.get('name') or candidate.get('summary') or '').casefold()
        if not name:
            continue
        score = closeness(wanted, name)
        if score >= CLOSE_ENOUGH:
            scored.append((-score, name, candidate))
    scored.sort(key=lambda item: item[:2])
    return [candidate for dummy, dummy_name, candidate in scored[:limit]]


def rank_close_emails(email, users, limit=3):
    """The users whose emails are closest to `email`, best first.

    The local parts and the domains are compared apart, and the less alike of the two decides: a misspelt
    local part is found among the users of its domain, a misspelt domain among the users of that name,
    and a user who only shares the domain (bob@example.com for grase@example.com) is no suggestion.
    """
    wanted_local, dummy, wanted_domain = email.casefold().partition('@')
    scored = []
    for user in users:
        address = (user.get('email') or '').casefold()
        if not address:
            continue
        local, dummy, domain = address.partition('@')
        if address == email.casefold():
            score = 2.0
        else:
            score = min(closeness(wanted_local, local), closeness(wanted_domain, domain) if wanted_domain else 1.0)
        if score >= CLOSE_ENOUGH:
            scored.append((-score, address, user))
    scored.sort(key=lambda item: item[:2])
    return [user for dummy, dummy_address, user in scored[:limit]]


def describe_candidate(obj):
    """'Name' (ID, team T): how a failure message lists an object a user may have meant."""
    details = [obj.get('id') or '?']
    teams = [t.get('summary') or t.get('name') for t in obj.get('teams') or [] if isinstance(t, dict)]
    if teams:
        details.append('team %s' % ', '.join(t for t in teams if t))
    return '%r (%s)' % (obj.get('name') or obj.get('summary'), ', '.join(details))


class Lookups:
    """The look-ups of one PagerDuty client, and what they remember (see remembered)."""

    def __init__(self, client):
        self.client = client
        # Collections whose lookups are remembered for the task (the catalogue resolves one policy
        # or vendor name for many services); objects that the task itself writes are never cached.
        self.cached_collections = ()
        self._found = {}
        self._lock = threading.Lock()

    @classmethod
    def of(cls, client):
        """The look-ups of `client`, made on first use and shared by every kind using the client."""
        with _REGISTRY_LOCK:
            lookups = getattr(client, 'lookups', None)
            if lookups is None:
                lookups = client.lookups = cls(client)
            return lookups

    def find_by_name(self, collection, name, filter_param='query', case_sensitive=True, query=None, path=None,
                     key=None):
        """Every object of the collection whose name equals `name`, narrowed by the server first."""
        wanted = name if case_sensitive else name.casefold()
        matches = []
        listing = self.client.paginate(path or '/' + collection, key or collection, dict(query or {}, **{filter_param: name}))
        for item in listing:
            item_name = item.get('name') or ''
            if (item_name if case_sensitive else item_name.casefold()) == wanted:
                matches.append(item)
        if self.client.last_listing_truncated and not matches:
            raise PagerDutyError(
                'could not search every %s for %r: the listing stops at %d results' % (collection, name, OFFSET_CAP))
        return matches

    def find(self, collection, value, option, singular, case_sensitive=True, filter_param='query', query=None,
             by_id=True, path=None, key=None):
        """The one object named (or, with `by_id`, identified) by `value`, or None when there is none.

        An ID-shaped value is tried as an ID first (one request); otherwise, or if that finds
        nothing, the exact name is searched. Several matches are an error naming `option` and
        listing them.
        """
        asked = tuple(sorted((name, tuple(v) if isinstance(v, list) else v) for name, v in (query or {}).items()))
        return self.remembered(
            collection, (value, case_sensitive, filter_param, by_id, path, key, asked),
            lambda: self._find(collection, value, option, singular, case_sensitive, filter_param, query, by_id, path, key))

    def remembered(self, collection, key, load):
        """load(), answered once per `key` while `collection` is in cached_collections (a task that
        looks the same things up for many objects, such as the catalogue), else every time."""
        if collection not in self.cached_collections:
            return load()
        memo_key = (collection,) + tuple(key)
        with self._lock:
            if memo_key in self._found:
                return self._found[memo_key]
        found = load()
        with self._lock:
            return self._found.setdefault(memo_key, found)

    def _find(self, collection, value, option, singular, case_sensitive, filter_param, query, by_id, path, key):
        if by_id and looks_like_id(value):
            found = self.client.get_object(collection, singular, value, query)
            if found:
                return found
        matches = self.find_by_name(collection, value, filter_param, case_sensitive, query, path=path, key=key)
        if len(matches) > 1:
            listing = ', '.join(describe_candidate(m) for m in matches)
            raise PagerDutyError(
                '%s: %d %s are named %r: %s. Give the ID of the one you mean.'
                % (option, len(matches), plural(singular), value, listing), candidates=matches, option=option)
        return matches[0] if matches else None

    def resolve(self, collection, value, option, singular, **lookup):
        """Like find(), but none is an error naming `option`, with the closest names as suggestions."""
        found = self.find(collection, value, option, singular, **lookup)
        if found is None:
            raise PagerDutyError(self.not_found_message(collection, value, option, singular,
                                                        path=lookup.get('path'), key=lookup.get('key')), option=option)
        return found

    def not_found_message(self, collection, value, option, singular, path=None, key=None):
        message = '%s: no %s is named or identified by %r' % (option, singular.replace('_', ' '), value)
        close = self.close_matches(collection, value, path=path, key=key)
        if close:
            message += '; did you mean %s?' % ' or '.join(describe_candidate(c) for c in close)
        return message

    def close_matches(self, collection, value, path=None, key=None, limit=3):
        """Objects whose names are close to `value`: another case, or a near spelling.

        Only on a failure path, so it may cost a few requests: the server's substring search for
        the value, its longest word and that word's first half, at most two pages each.
        """
        seen = {}
        words = sorted(re.findall(r'\w{3,}', value), key=len, reverse=True)
        terms = [value] + words[:1]
        if words and len(words[0]) >= 6:
            terms.append(words[0][:len(words[0]) // 2])  # a typo in the longest word
        for term in terms:
            try:
                for item in self.client.paginate(path or '/' + collection, key or collection, {'query': term}, max_pages=2):
                    seen.setdefault(item.get('id'), item)
            except PagerDutyError:
                break
        return rank_close(value, seen.values(), limit)
