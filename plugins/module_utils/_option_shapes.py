# -*- coding: utf-8 -*-
# Copyright: contributors to oncall.pagerduty
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Values that Ansible's option conversion would silently turn into something else, refused first.

Ansible converts what it can: a dictionary given for a string becomes the text "{'a': 1}", a string given
for a list is cut at its commas, YAML's `yes` becomes "True" and its `1.10` becomes "1.1". Each of those
would be sent to PagerDuty as if the user had written it. Both execution paths look at the options as the
task gave them, before that conversion, and fail naming the option. A whole number for a string option is
let through (a name such as 2024; Ansible warns about the conversion itself), but not as an item of a list
of strings: those are values PagerDuty keeps (field options, grouping fields), where YAML's 010 (8) or 1e3
(1000.0) would be kept as what YAML made of them.
"""

from __future__ import annotations


def shape_problem(spec, given, where=''):
    """The first option of `given` (as the task wrote it) whose value does not have the shape `spec` declares, as a
    message naming it; None when every value fits. Values Ansible refuses itself are left to its own messages."""
    if not isinstance(given, dict):
        return None
    for name, option in spec.items():
        for key in [name] + list(option.get('aliases') or []):
            if key in given and given[key] is not None:
                problem = _value_problem(option.get('type', 'str'), option, given[key], where + key)
                if problem:
                    return problem
    return None


def _value_problem(kind, option, value, where):
    if kind == 'str':
        return _text_problem(value, where, option.get('no_log'))
    if kind == 'dict':
        if isinstance(value, list):
            return '%s: must be a dictionary, got a list %s' % (where, _shown(value))
        if isinstance(value, str) and not value.lstrip().startswith('{') and '=' not in value:
            # Neither JSON nor key=value, the strings Ansible makes a dictionary of: its own message names no option.
            return '%s: must be a dictionary, got the string %s' % (where, _shown(value))
        if isinstance(value, dict) and option.get('options'):
            return shape_problem(option['options'], value, where + '.')
        return None
    if kind == 'list':
        if isinstance(value, str):
            if ',' in value:
                return ('%s: must be a list, got the string %s, which Ansible would cut at its commas; give a YAML list '
                        '(one "- item" a line, or [first, second]), quoting an item that holds a comma'
                        % (where, _shown(value)))
            value = [value]
        if not isinstance(value, list):
            return None
        elements = option.get('elements')
        for index, item in enumerate(value):
            if item is None:
                continue
            if elements == 'str' and isinstance(item, int) and not isinstance(item, bool):
                return '%s[%d]: must be a string, got the number %d: quote the value' % (where, index, item)
            if elements in ('str', 'dict'):
                problem = _value_problem(elements, option, item, '%s[%d]' % (where, index))
                if problem:
                    return problem
    return None


def _text_problem(value, where, secret):
    if isinstance(value, (dict, list)):
        return '%s: must be a string, got %s%s' % (where, 'a dictionary' if isinstance(value, dict) else 'a list',
                                                   '' if secret else ' ' + _shown(value))
    if isinstance(value, bool):
        return ('%s: must be a string, got the boolean %s: YAML reads an unquoted yes, no, on, off, true or false so; '
                'quote the value' % (where, str(value).lower()))
    if isinstance(value, float):
        return ('%s: must be a string, got a number%s: YAML reads an unquoted 1.10 as the number 1.1; quote the value'
                % (where, '' if secret else ' (%r)' % value))
    return None


def _shown(value):
    text = repr(value)
    return text if len(text) <= 80 else text[:80] + '...'


def permissive_spec(spec):
    """`spec` with every option taking any value: what validates the options far enough to fail on a shape problem,
    with the secrets known (no_log) so that the failure hides them."""
    return dict((name, dict(type='raw', no_log=bool(option.get('no_log')), aliases=list(option.get('aliases') or [])))
                for name, option in spec.items())
