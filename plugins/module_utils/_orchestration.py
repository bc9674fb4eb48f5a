# -*- coding: utf-8 -*-
# Copyright: contributors to oncall.pagerduty
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the event orchestration kinds share: finding global orchestrations, conditions and actions as
PagerDuty takes them and checked before any write, and rules compared as PagerDuty stores them.

Used by pd_event_orchestration, pd_event_orchestration_route and pd_service_orchestration.
"""

from __future__ import annotations

import copy
import difflib
import re

from ansible_collections.oncall.pagerduty.plugins.module_utils._client import PagerDutyError
from ansible_collections.oncall.pagerduty.plugins.module_utils._lookup import describe_candidate, rank_close
from ansible_collections.oncall.pagerduty.plugins.module_utils._pcl import pcl_problem

try:
    from ansible.module_utils.parsing.convert_bool import BOOLEANS_FALSE, BOOLEANS_TRUE
except ImportError:  # pragma: no cover - ansible-core always has it
    BOOLEANS_TRUE, BOOLEANS_FALSE = frozenset(('true', 'yes', '1')), frozenset(('false', 'no', '0'))

# Global orchestrations have UUIDs (the OpenAPI description's examples), not the P-style IDs of other objects.
ORCHESTRATION_ID_PATTERN = r'^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'
_ORCHESTRATION_ID = re.compile(ORCHESTRATION_ID_PATTERN)
START_SET = 'start'
UNROUTED = 'unrouted'
# PagerDuty's Event Orchestration guide: "Rulesets can have up to 25 rules"; more need nested sets.
MAX_RULES_PER_SET = 25
# A rule's conditions "should have at most 25 item(s)": PagerDuty's 400 quoted in terraform-provider-pagerduty #633.
MAX_CONDITIONS_PER_RULE = 25
SEVERITIES = ('info', 'error', 'warning', 'critical')
EVENT_ACTIONS = ('trigger', 'resolve')
TRIGGER_TYPES = ('alert_triggered', 'alert_suppressed', 'alert_suspended')

# The actions of a service orchestration's rules and catch-all (the OpenAPI description's ServiceOrchestration
# schema). Each maps to how its value is checked (see check_action).
SERVICE_RULE_ACTIONS = {
    'route_to': 'set', 'suppress': 'bool', 'suspend': 'seconds', 'priority': 'id', 'escalation_policy': 'id',
    'annotate': 'str', 'severity': SEVERITIES, 'event_action': EVENT_ACTIONS, 'variables': 'variables',
    'extractions': 'extractions', 'pagerduty_automation_actions': 'automation_action_ids',
    'automation_actions': 'webhooks', 'incident_custom_field_updates': 'custom_fields',
}
SERVICE_CATCH_ALL_ACTIONS = {k: v for k, v in SERVICE_RULE_ACTIONS.items() if k != 'route_to'}
# Actions of other orchestration paths, named when a service rule uses one.
OTHER_PATHS_ACTIONS = {'drop_event': 'global orchestrations', 'dynamic_route_to': 'routers'}

# What PagerDuty stores in an action's items when they are written without it (see with_unset_as_stored).
# trigger_types: PagerDuty returns it on automation actions written without it (terraform-provider-pagerduty
# PR #998: configurations without trigger_types "keep showing trigger_types in the diff"); alert_triggered is
# the only behaviour there was before it could be chosen (API changelog, 2025-04-14). auto_send: the
# description's default, false.
FILLED_IN = {
    'pagerduty_automation_actions': (('action_id',), {'trigger_types': ['alert_triggered']}),
    'automation_actions': (('name', 'url'), {'trigger_types': ['alert_triggered'], 'auto_send': False}),
}
# The webhook description: "auto_send must be true for trigger types of alert_suppressed and alert_suspended".
AUTO_SEND_TRIGGER_TYPES = ('alert_suppressed', 'alert_suspended')


class InvalidInput(Exception):
    """A value the task cannot honour; its message starts with the option it is about."""


# -- global orchestrations -------------------------------------------------------------------------

def looks_like_orchestration_id(value):
    return bool(_ORCHESTRATION_ID.match(value or ''))


def list_orchestrations(client):
    """Every global orchestration, as the list gives them (without integrations): the list has no filter."""
    return list(client.paginate('/event_orchestrations', 'orchestrations'))


def find_orchestration(client, value, option, by_id=True,
                       advice='Give the ID of the one you mean, or rename the others.'):
    """(the global orchestration identified (UUID, with `by_id`) or exactly named by `value` as the list gives it,
    or None; the listing searched, or None when the ID found it).

    Several with the name are an error listing them: PagerDuty does not keep names unique.
    """
    if by_id and looks_like_orchestration_id(value):
        found = client.get_object('event_orchestrations', 'orchestration', value)
        if found is not None:
            return found, None
    listing = list_orchestrations(client)
    named = [o for o in listing if o.get('name') == value]
    if len(named) > 1:
        raise PagerDutyError('%s: %d event orchestrations are named %r: %s. %s'
                             % (option, len(named), value, ', '.join(describe_candidate(o) for o in named), advice),
                             candidates=named, option=option)
    return (named[0] if named else None), listing


def orchestration_not_found(client, value, option, listing=None):
    """The message for an orchestration that does not exist, with the closest names."""
    if listing is None:
        listing = list_orchestrations(client)
    message = '%s: no event orchestration is named or identified by %r' % (option, value)
    close = rank_close(value, listing)
    if close:
        message += '; did you mean %s?' % ' or '.join(describe_candidate(c) for c in close)
    return message


def orchestration_path(client, path):
    """The orchestration path (`orchestration_path` of the answer) at `path`, or None when there is none."""
    return client.get(path, envelope='orchestration_path')


def rules_of(path):
    """The rules of an orchestration path's first set (a router's routes are its start set's rules)."""
    return ((path.get('sets') or [{}])[0]).get('rules') or []


def empty_path(catch_all_actions=None):
    return {'sets': [{'id': START_SET, 'rules': []}], 'catch_all': {'actions': dict(catch_all_actions or {})}}


# -- conditions ------------------------------------------------------------------------------------

def conditions_of(value, where):
    """Conditions as PagerDuty takes them, [{'expression': PCL}], from that shape or from plain PCL strings; PCL
    PagerDuty would refuse fails here, before any request."""
    if len(value or []) > MAX_CONDITIONS_PER_RULE:
        raise InvalidInput('%s: %d conditions; PagerDuty takes at most %d in a rule. A rule matches when any condition '
                           'holds, so join some with or in one condition.' % (where, len(value), MAX_CONDITIONS_PER_RULE))
    conditions = []
    for index, item in enumerate(value or []):
        at = '%s[%d]' % (where, index)
        if isinstance(item, dict):
            extra = sorted(set(item) - {'expression'})
            if extra:
                raise InvalidInput('%s: a condition has only an expression, not %s' % (at, ', '.join(extra)))
            expression = item.get('expression')
        else:
            expression = item
        if not isinstance(expression, str):
            raise InvalidInput('%s: give a PCL expression (a string), or {expression: <PCL>}' % at)
        problem = pcl_problem(expression)
        if problem:
            raise InvalidInput('%s: %r is not PCL: %s' % (at, expression, problem))
        conditions.append({'expression': expression})
    return conditions


# -- actions ---------------------------------------------------------------------------------------

def _as_bool(value, at):
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in BOOLEANS_TRUE | BOOLEANS_FALSE:
        return value.lower() in BOOLEANS_TRUE
    raise InvalidInput('%s: must be true or false, got %r' % (at, value))


def _as_int(value, at):
    if isinstance(value, bool):
        raise InvalidInput('%s: must be a number of seconds, got %r' % (at, value))
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise InvalidInput('%s: must be a number of seconds, got %r' % (at, value))
    if number < 0 or str(number) != str(value).strip():
        raise InvalidInput('%s: must be a whole number of seconds, 0 or more, got %r' % (at, value))
    return number


def _as_text(value, at, what='a string'):
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput('%s: must be %s, got %r' % (at, what, value))
    return value


def _objects(value, at, required, optional=(), checks=None):
    """A list of objects with the `required` string fields (and `optional` ones), each checked."""
    if not isinstance(value, list):
        raise InvalidInput('%s: must be a list, got %r' % (at, value))
    result = []
    for index, item in enumerate(value):
        here = '%s[%d]' % (at, index)
        if not isinstance(item, dict):
            raise InvalidInput('%s: must be a dictionary with %s' % (here, ', '.join(required)))
        known = set(required) | set(optional) | set(checks or {})
        extra = sorted(set(item) - known)
        if extra:
            raise InvalidInput('%s: unknown key %s (known: %s)' % (here, ', '.join(extra), ', '.join(sorted(known))))
        checked = {}
        for field in required:
            if field not in item:
                raise InvalidInput('%s.%s: required' % (here, field))
            checked[field] = _as_text(item[field], '%s.%s' % (here, field))
        for field in optional:
            if item.get(field) is not None:
                checked[field] = _as_text(item[field], '%s.%s' % (here, field))
        for field, check in (checks or {}).items():
            if item.get(field) is not None:
                checked[field] = check(item[field], '%s.%s' % (here, field))
        result.append(checked)
    return result


def _trigger_types(value, at):
    if not isinstance(value, list) or len(value) != 1 or value[0] not in TRIGGER_TYPES:
        raise InvalidInput('%s: must be a list of one of %s, got %r' % (at, ', '.join(TRIGGER_TYPES), value))
    return list(value)


def _pairs(value, at):
    return _objects(value, at, ('key', 'value'))


def _regex_type(value, at):
    if value != 'regex':
        raise InvalidInput('%s: must be regex (the only type PagerDuty offers), got %r' % (at, value))
    return value


def _extractions(value, at):
    extractions = _objects(value, at, ('target',), ('template', 'regex', 'source'))
    for index, item in enumerate(extractions):
        if ('template' in item) == ('regex' in item or 'source' in item) or ('regex' in item) != ('source' in item):
            raise InvalidInput('%s[%d]: give either a template, or a regex and a source' % (at, index))
    return extractions


def check_action(name, kind, value, at):
    """The value of one action, checked and converted; raises InvalidInput naming `at`."""
    if isinstance(kind, tuple):
        if value not in kind:
            raise InvalidInput('%s: must be one of %s, got %r' % (at, ', '.join(kind), value))
        return value
    if kind == 'bool':
        return _as_bool(value, at)
    if kind == 'seconds':
        return _as_int(value, at)
    if kind == 'id':
        return _as_text(value, at, 'an ID')
    if kind in ('str', 'set'):
        return _as_text(value, at)
    if kind == 'variables':
        return _objects(value, at, ('name', 'path', 'value'), checks={'type': _regex_type})
    if kind == 'extractions':
        return _extractions(value, at)
    if kind == 'automation_action_ids':
        return _objects(value, at, ('action_id',), checks={'trigger_types': _trigger_types})
    if kind == 'webhooks':
        webhooks = _objects(value, at, ('name', 'url'), checks={
            'auto_send': _as_bool, 'headers': _pairs, 'parameters': _pairs, 'trigger_types': _trigger_types})
        for index, webhook in enumerate(webhooks):
            if webhook.get('trigger_types', [None])[0] in AUTO_SEND_TRIGGER_TYPES and webhook.get('auto_send') is not True:
                raise InvalidInput('%s[%d].auto_send: must be true with trigger_types %s: PagerDuty sends webhooks of '
                                   'suppressed and suspended alerts only automatically' % (at, index, webhook['trigger_types']))
        return webhooks
    return _objects(value, at, ('id', 'value'))  # custom_fields


def checked_actions(actions, allowed, at, what):
    """`actions` checked against the `allowed` ones (name -> kind), converted; `what` names the path for messages."""
    if actions is None:
        return {}
    if not isinstance(actions, dict):
        raise InvalidInput('%s: must be a dictionary of actions, got %r' % (at, actions))
    checked = {}
    for name, value in actions.items():
        if name not in allowed:
            if name in OTHER_PATHS_ACTIONS:
                raise InvalidInput('%s.%s: an action of %s, not of %s' % (at, name, OTHER_PATHS_ACTIONS[name], what))
            close = difflib.get_close_matches(name, sorted(allowed), n=1)
            raise InvalidInput('%s: unknown action %r%s; the actions of %s are %s'
                               % (at, name, (' (did you mean %s?)' % close[0]) if close else '', what,
                                  ', '.join(sorted(allowed))))
        if value is None:
            continue
        checked[name] = check_action(name, allowed[name], value, '%s.%s' % (at, name))
    return checked


# -- rules as PagerDuty stores them ----------------------------------------------------------------

def without_empty(value):
    """`value` without None, false and empty values at any depth: PagerDuty may leave them out or fill them in."""
    if isinstance(value, dict):
        kept = {k: without_empty(v) for k, v in value.items()}
        return {k: v for k, v in kept.items() if v not in (None, False, '', [], {})}
    if isinstance(value, list):
        return [without_empty(v) for v in value]
    return value


def with_unset_as_stored(actions, stored):
    """`actions` (as the task gives them) with what their automation actions leave unset taken from `stored` (the
    actions PagerDuty holds): from the stored item of the same identity, else PagerDuty's default. A field the task
    does not set is then whatever PagerDuty has, and a second run finds nothing to change."""
    filled = dict(actions)
    for name, (identity, defaults) in FILLED_IN.items():
        if not isinstance(actions.get(name), list):
            continue
        held = [item for item in (stored or {}).get(name) or [] if isinstance(item, dict)]
        items = []
        for item in actions[name]:
            same = next((h for h in held if all(h.get(k) == item.get(k) for k in identity)), {})
            items.append(dict(item, **{field: copy.deepcopy(same.get(field, default))
                                       for field, default in defaults.items() if item.get(field) is None}))
        filled[name] = items
    return filled


def comparable_rule(rule):
    """A rule as compared and shown: its label, conditions, actions and disabled flag, without its ID."""
    shown = {'label': rule.get('label'),
             'conditions': [{'expression': c.get('expression')} for c in rule.get('conditions') or []],
             'actions': without_empty(rule.get('actions') or {}),
             'disabled': bool(rule.get('disabled'))}
    return shown


def comparable_sets(sets):
    return [{'id': s.get('id'), 'rules': [comparable_rule(r) for r in s.get('rules') or []]} for s in sets or []]


def comparable_catch_all(catch_all):
    return {'actions': without_empty(((catch_all or {}).get('actions')) or {})}


def copy_path(path):
    """The writable part of a path (its sets, rules with their IDs, and catch-all), for a PUT."""
    return {'sets': copy.deepcopy((path or {}).get('sets') or []),
            'catch_all': copy.deepcopy((path or {}).get('catch_all') or {'actions': {}})}
