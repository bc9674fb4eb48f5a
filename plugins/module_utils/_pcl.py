# -*- coding: utf-8 -*-
# Copyright: contributors to oncall.pagerduty
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""PCL (PagerDuty Condition Language) checked as PagerDuty checks it when rules are written, before any request.

The rules are those of PagerDuty's "PCL Overview" (PagerDuty/developer-docs, docs/REST-API/18-PCL-Overview.md):
its syntax (paths, literals, datetimes, durations, schedules and built-in operations), a final expression that is
true or false, a `matches regex` argument that is a literal RE2 expression, reserved words, and its limits. Only
the syntax is checked: what an expression does with an event is PagerDuty's. Where a slip from another language
has a PCL spelling (`!=`, `contains`, `&&`, double quotes...), the message gives the expression rewritten.

Standard library only: it runs on the managed node.
"""

from __future__ import annotations

import re

# The PCL Overview's "Limits".
MAX_CONDITION_BYTES = 2048
MAX_NESTING = 32
MAX_FACTORS = 64
MAX_STRING_BYTES = 1024
MAX_PATH_ELEMENTS = 32
INT_RANGE = (-2 ** 63, 2 ** 63 - 1)
# The PCL Overview's "Reserved Words": quoted in brackets to be used as field names.
RESERVED = frozenset('at do as break const continue def else end eq for function gte gt if import is let lte lt loop '
                     'namespace package require return var void when while'.split())
KEYWORDS = frozenset(('and', 'or', 'not', 'matches', 'part', 'regex', 'exactly', 'exists', 'in', 'true', 'false',
                      'now', 'over', 'trigger_count', 'resetting_trigger_count'))
DURATION_UNITS = ('second', 'minute', 'hour', 'day')
WEEKDAYS = ('Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun')
_ZONE = r'[A-Za-z_]+(?:/[A-Za-z0-9_+\-]+)*'
_TIME = r'(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d'
_TOKEN = re.compile(r'''
    (?P<space>\s+)
  | (?P<datetime>\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])\s+%(time)s\s+%(zone)s)
  | (?P<schedule>(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)(?:,(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun))*\s+%(time)s\s+to\s+%(time)s\s+%(zone)s)
  | (?P<float>-?\d+\.\d+(?:e[+-]?\d+)?)
  | (?P<int>-?\d+)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>==|>=|<=|>|<)
  | (?P<punct>[.\[\]()])
  | (?P<quote>')
''' % {'time': _TIME, 'zone': _ZONE}, re.VERBOSE)
BOOLEAN = 'a condition'


class PclProblem(ValueError):
    """Why an expression is not PCL PagerDuty takes."""


def _string_at(text, start):
    """(value, end) of the single-quoted string at `start`: PCL escapes only \\' and \\\\."""
    chars = []
    position = start + 1
    while position < len(text):
        char = text[position]
        if char == '\\' and text[position + 1:position + 2] in ("'", '\\'):
            chars.append(text[position + 1])
            position += 2
        elif char == "'":
            return ''.join(chars), position + 1
        else:
            chars.append(char)
            position += 1
    raise PclProblem('the string starting at character %d is not closed with a single quote' % (start + 1))


def _tokens(text):
    tokens = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            shown = text[position:position + 2].strip() or text[position]
            raise PclProblem('unexpected %r at character %d' % (shown, position + 1))
        kind = match.lastgroup
        if kind == 'quote':
            value, position = _string_at(text, position)
            if len(value.encode('utf-8')) > MAX_STRING_BYTES:
                raise PclProblem('a string is longer than %d bytes, the limit of PCL' % MAX_STRING_BYTES)
            tokens.append(('string', value, match.start()))
            continue
        if kind != 'space':
            value = match.group(kind)
            if kind == 'int' and not INT_RANGE[0] <= int(value) <= INT_RANGE[1]:
                raise PclProblem('%s is outside the 64-bit integers PCL takes' % value)
            tokens.append((kind, value, position))
        position = match.end()
    tokens.append(('end', None, len(text)))
    return tokens


class _Checker:
    """A recursive-descent parse that keeps only each sub-expression's type."""

    def __init__(self, text):
        self.tokens = _tokens(text)
        self.index = 0
        self.factors = 1

    def peek(self):
        return self.tokens[self.index]

    def take(self):
        token = self.tokens[self.index]
        self.index += 1
        return token

    def word(self, value):
        kind, text, dummy = self.peek()
        return kind == 'word' and text == value

    def fail(self, message, token=None):
        raise PclProblem('%s at character %d' % (message, (token or self.peek())[2] + 1))

    def check(self):
        if self.peek()[0] == 'end':
            raise PclProblem('must not be blank')
        kind = self.either(0)
        if self.peek()[0] != 'end':
            self.fail('unexpected %r' % self.peek()[1])
        if kind != BOOLEAN:
            raise PclProblem('the expression must be true or false, and this one is %s; compare it (for a path: '
                             "<path> exists, <path> matches part '...', <path> == ...)" % kind)

    def either(self, depth):
        kind = self.both(depth)
        while self.word('or'):
            self.take()
            self.count_factor()
            self.both(depth)
            kind = BOOLEAN
        return kind

    def both(self, depth):
        kind = self.negation(depth)
        while self.word('and'):
            self.take()
            self.count_factor()
            self.negation(depth)
            kind = BOOLEAN
        return kind

    def count_factor(self):
        self.factors += 1
        if self.factors > MAX_FACTORS:
            raise PclProblem('more than %d factors joined with and/or, the limit of PCL; split the condition into '
                             'several conditions (a rule matches when any of them does)' % MAX_FACTORS)

    def negation(self, depth):
        if self.word('not'):
            self.take()
            self.negation(depth)
            return BOOLEAN
        return self.operation(depth)

    def operation(self, depth):
        start = self.peek()
        left = self.operand(depth)
        kind, value, dummy = self.peek()
        if kind == 'word' and value == 'exists':
            if left != 'a path':
                self.fail("'exists' follows a path (such as event.summary exists)")
            self.take()
            return BOOLEAN
        if kind == 'word' and value == 'matches':
            self.take()
            regex = self.word('regex')
            if self.word('part') or regex:
                self.take()
            if self.word('exactly'):
                self.take()
            right = self.peek()
            self.operand(depth)
            if regex:
                if right[0] != 'string' or self.tokens[self.index - 1] is not right:
                    self.fail("'matches regex' takes a literal string (the RE2 expression)", right)
                problem = re2_problem(right[1])
                if problem:
                    raise PclProblem('%r is not an RE2 regular expression: %s' % (right[1], problem))
            return BOOLEAN
        if kind == 'word' and value == 'in':
            self.take()
            if left != 'now':
                self.fail("'in' takes now before it (now in <schedule>)", start)
            if self.take()[0] != 'schedule':
                self.fail("'in' takes a schedule after it, such as Mon,Tue 09:00:00 to 17:00:00 America/New_York",
                          self.tokens[self.index - 1])
            return BOOLEAN
        if kind == 'op':
            self.take()
            self.operand(depth)
            return BOOLEAN
        return left

    def operand(self, depth):
        token = self.take()
        kind, value, dummy = token
        if kind == 'string':
            return 'a string'
        if kind in ('int', 'float'):
            return 'a number'
        if kind == 'datetime':
            return 'a date and time'
        if kind == 'schedule':
            self.fail('a schedule belongs after now in', token)
        if kind == 'punct' and value == '(':
            if depth + 1 > MAX_NESTING:
                raise PclProblem('parentheses nest deeper than %d levels, the limit of PCL' % MAX_NESTING)
            inner = self.either(depth + 1)
            if self.take()[:2] != ('punct', ')'):
                self.fail("missing ')'", self.tokens[self.index - 1])
            return inner
        if kind == 'word':
            if value in ('true', 'false'):
                return BOOLEAN
            if value == 'now':
                return 'now'
            if value in ('trigger_count', 'resetting_trigger_count'):
                if not self.word('over'):
                    self.fail("%s takes 'over <duration>', such as %s over 5 minutes > 3" % (value, value))
                self.take()
                self.duration()
                return 'a count'
            if value in KEYWORDS:
                self.fail('unexpected %r where a value or a path belongs' % value, token)
            if value in RESERVED:
                self.fail('%r is a reserved word of PCL' % value, token)
            return self.path()
        if kind == 'end':
            self.fail('the expression ends where a value or a path belongs', token)
        self.fail('unexpected %r where a value or a path belongs' % value, token)

    def duration(self):
        units = []
        while self.peek()[0] == 'int':
            number = self.take()
            kind, unit, dummy = self.take()
            base = unit[:-1] if kind == 'word' and unit.endswith('s') else unit
            if kind != 'word' or base not in DURATION_UNITS or int(number[1]) <= 0:
                self.fail('a duration is positive whole numbers of second(s), minute(s), hour(s) or day(s)', number)
            if base in units:
                self.fail('a duration has each unit once', number)
            units.append(base)
        if not units:
            self.fail('a duration such as 10 seconds or 1 hour 30 minutes belongs after over')

    def path(self):
        elements = 1
        while self.peek()[0] == 'punct' and self.peek()[1] in ('.', '['):
            punct = self.take()[1]
            elements += 1
            if elements > MAX_PATH_ELEMENTS:
                raise PclProblem('a path has more than %d elements, the limit of PCL' % MAX_PATH_ELEMENTS)
            kind, value, dummy = token = self.take()
            if punct == '.':
                if kind != 'word':
                    self.fail("a field name belongs after '.'", token)
                if value in RESERVED:
                    self.fail("%r is a reserved word of PCL: write ['%s'] instead of .%s" % (value, value, value), token)
                continue
            if kind not in ('string', 'int') or (kind == 'int' and int(value) < 0):
                self.fail("'[' takes a quoted field name or an array index", token)
            if self.take()[:2] != ('punct', ']'):
                self.fail("missing ']'", self.tokens[self.index - 1])
        return 'a path'


def pcl_problem(expression):
    """Why PagerDuty would refuse the PCL `expression`, with the expression rewritten where PCL has a spelling for
    what was meant; None when it is PCL."""
    try:
        if len(expression.encode('utf-8')) > MAX_CONDITION_BYTES:
            raise PclProblem('longer than %d bytes, the limit of a PCL condition' % MAX_CONDITION_BYTES)
        _Checker(expression).check()
    except PclProblem as problem:
        slip = _slip(expression)
        if slip is None:
            return str(problem)
        advice, rewritten = slip
        try:
            _Checker(rewritten).check()
        except PclProblem:
            return advice
        return '%s (here: %s)' % (advice, rewritten)
    return None


# -- slips from other languages, and their PCL spelling --------------------------------------------

_LOOSE = re.compile(r'''(?P<space>\s+)|(?P<string>'(?:\\.|[^'\\])*'?)|(?P<dquote>"(?:\\.|[^"\\])*"?)|(?P<op>!=|&&|\|\||==|>=|<=|=|!|>|<)
                        |(?P<word>[A-Za-z_][A-Za-z0-9_]*)|(?P<other>.)''', re.VERBOSE | re.DOTALL)
SLIPS = {
    '!=': "PCL has no '!=': write not <a> == <b>",
    '&&': "PCL joins conditions with 'and'",
    '||': "PCL joins conditions with 'or'",
    '"': 'PCL strings are in single quotes',
    '=': "PCL compares with '==' (or matches), not '='",
    '!': "PCL negates with 'not'",
    'contains': "PCL has no 'contains': write <a> matches part <b>",
    'equals': "PCL has no 'equals': write <a> == <b>, or <a> matches <b>",
    'AND': "PCL's operators are lower case: and", 'OR': "PCL's operators are lower case: or",
    'NOT': "PCL's operators are lower case: not",
}
_SPELLINGS = {'&&': 'and', '||': 'or', '=': '==', '!': 'not', 'contains': 'matches part', 'equals': '==',
              'AND': 'and', 'OR': 'or', 'NOT': 'not'}


def _slip(expression):
    """(advice, the expression rewritten in PCL) for the first slip from another language, or None."""
    pieces = [(m.lastgroup, m.group()) for m in _LOOSE.finditer(expression)]
    advice = None
    out = []
    for kind, text in pieces:
        key = '"' if kind == 'dquote' else text if kind in ('op', 'word') else None
        if key in SLIPS and not (kind == 'word' and out and out[-1][1] == '.'):
            advice = advice or SLIPS[key]
            if key == '"':
                text = "'%s'" % text[1:-1].replace('\\"', '"').replace("'", "\\'")
                kind = 'string'
            elif key == '!=':
                _negate_left(out)
                text = '=='
            else:
                text = _SPELLINGS[key]
        out.append((kind, text))
    if advice is None:
        return None
    return advice, ''.join(text for dummy, text in out)


def _negate_left(out):
    """Put `not` before the operand that ends `out` (a path or a literal), for a != b -> not a == b."""
    index = len(out) - 1
    while index > 0 and out[index][0] == 'space':
        index -= 1
    while index > 0:
        if out[index][1] == ']':
            while index > 0 and out[index][1] != '[':
                index -= 1
            index -= 1
        elif out[index - 1][1] == '.':
            index -= 2
        else:
            break
    out.insert(max(index, 0), ('word', 'not '))


# -- RE2 -------------------------------------------------------------------------------------------

# RE2's syntax (github.com/google/re2/wiki/Syntax): what it has, and what Python's re has that it has not.
_POSIX_CLASSES = frozenset('alnum alpha ascii blank cntrl digit graph lower print punct space upper word xdigit'.split())
_UNICODE_CATEGORIES = frozenset('Any C Cc Cf Co Cs L Ll Lm Lo Lt Lu M Mc Me Mn N Nd Nl No P Pc Pd Pe Pf Pi Po Ps '
                                'S Sc Sk Sm So Z Zl Zp Zs'.split())
_CHAR_ESCAPES = frozenset('aftnrv')
_CLASS_ESCAPES = frozenset('dDsSwW')
_ANCHOR_ESCAPES = frozenset('AzbB')
_ESCAPE_ADVICE = {
    'Z': 'RE2 has no \\Z: write \\z (end of text)',
    'G': 'RE2 has no \\G',
    'K': 'RE2 has no \\K',
    'R': 'RE2 has no \\R: write (?:\\r\\n|\\n|\\r)',
    'h': 'RE2 has no \\h: write [\\t ]',
    'e': 'RE2 has no \\e: write \\x1B',
}
_GROUP_ADVICE = (
    ('(?=', 'RE2 has no lookahead (?=...)'), ('(?!', 'RE2 has no negative lookahead (?!...)'),
    ('(?<=', 'RE2 has no lookbehind (?<=...)'), ('(?<!', 'RE2 has no negative lookbehind (?<!...)'),
    ('(?P=', 'RE2 has no backreferences (?P=name)'), ('(?>', 'RE2 has no atomic groups (?>...): write (?:...)'),
    ('(?#', 'RE2 has no comments (?#...)'), ('(?(', 'RE2 has no conditionals (?(...)...)'),
)
_REPEAT = re.compile(r'\{(\d+)(,(\d*))?\}')
MAX_REPEAT = 1000


def re2_problem(pattern):
    """Why RE2 refuses `pattern`, or None when RE2 takes it."""
    position, depth, names = 0, 0, set()
    repeatable, after_repeat = False, False
    while position < len(pattern):
        char = pattern[position]
        if char in '*+?{':
            repeat = _REPEAT.match(pattern, position) if char == '{' else None
            if char == '{' and repeat is None:
                repeatable, after_repeat = True, False  # a literal {
                position += 1
                continue
            if after_repeat:
                return ('bad repetition operator at character %d: RE2 has no possessive repetition (*+, ++, ?+) '
                        'and repeats a repetition only inside (?:...)' % (position + 1))
            if not repeatable:
                return 'missing argument to repetition operator %r at character %d' % (char, position + 1)
            if repeat is not None:
                low, high = int(repeat.group(1)), repeat.group(3)
                high = low if repeat.group(2) is None else (int(high) if high else None)
                if low > MAX_REPEAT or (high is not None and (high > MAX_REPEAT or high < low)):
                    return 'bad repetition operator %s: counts go from 0 to %d, the smaller first' % (repeat.group(), MAX_REPEAT)
                position = repeat.end()
            else:
                position += 1
            if pattern[position:position + 1] == '?':
                position += 1
            after_repeat = True
            continue
        after_repeat = False
        if char == '\\':
            problem, position = _escape(pattern, position, in_class=False)
            if problem:
                return problem
            repeatable = True
            continue
        if char == '[':
            problem, position = _char_class(pattern, position)
            if problem:
                return problem
            repeatable = True
            continue
        if char == '(':
            problem, position, opens = _group_start(pattern, position, names)
            if problem:
                return problem
            depth += opens
            repeatable = False
            continue
        if char == ')':
            if depth == 0:
                return 'unexpected ) at character %d' % (position + 1)
            depth -= 1
        repeatable = char != '|'
        position += 1
    if depth:
        return 'missing ): a group is not closed'
    return None


def _group_start(pattern, position, names):
    """(problem or None, position after the group's opening, 1 when a group opens or 0 for flags alone such as (?i))
    of the parenthesis at `position`."""
    if pattern[position + 1:position + 2] != '?':
        return None, position + 1, 1
    for start, advice in _GROUP_ADVICE:
        if pattern.startswith(start, position):
            return advice, position, 0
    named = re.compile(r'\(\?P?<([^>]*)>').match(pattern, position)
    if named:
        name = named.group(1)
        if not re.match(r'^[A-Za-z0-9_]+$', name):
            return 'invalid named capture group %r' % named.group(), position, 0
        if name in names:
            return 'duplicate capture group name %r' % name, position, 0
        names.add(name)
        return None, named.end(), 1
    flags = re.compile(r'\(\?([A-Za-z]*)(?:-([A-Za-z]*))?([:)])').match(pattern, position)
    if flags:
        on, off = flags.group(1), flags.group(2)
        given = on + (off or '')
        unknown = sorted(set(given) - set('imsU'))
        if unknown:
            return 'RE2 has no flag %s (its flags are i, m, s and U)' % ', '.join(unknown), position, 0
        if (off is not None and not off) or not given or len(set(given)) != len(given):
            return 'invalid flags %r' % flags.group(), position, 0
        return None, flags.end(), int(flags.group(3) == ':')
    return 'invalid or unsupported Perl syntax at character %d' % (position + 1), position, 0


def _escape(pattern, position, in_class):
    """(problem or None, position after it) of the escape at `position`."""
    letter = pattern[position + 1:position + 2]
    after = position + 2
    if not letter:
        return 'trailing backslash at the end of the expression', after
    if letter in '01234567':
        digits = re.compile('[0-7]{0,2}').match(pattern, after).group()
        if letter != '0' and not digits:
            return ('RE2 has no backreferences (\\%s at character %d); \\0 to \\377 are octal character codes'
                    % (letter, position + 1)), after
        return None, after + len(digits)
    if letter in '89':
        return 'RE2 has no backreferences (\\%s at character %d)' % (letter, position + 1), after
    if letter == 'x':
        code = re.compile(r'\{([0-9A-Fa-f]+)\}|[0-9A-Fa-f]{2}').match(pattern, after)
        if code is None or (code.group(1) and int(code.group(1), 16) > 0x10FFFF):
            return 'invalid escape sequence \\x at character %d: write \\x41 or \\x{10FFFF}' % (position + 1), after
        return None, code.end()
    if letter in 'pP':
        unicode_class = re.compile(r'\{\^?([A-Za-z_]+)\}|([A-Za-z])').match(pattern, after)
        if unicode_class is None:
            return 'invalid character class \\%s at character %d' % (letter, position + 1), after
        name = unicode_class.group(1) or unicode_class.group(2)
        if name not in _UNICODE_CATEGORIES and not re.match('^[A-Z][a-z]*(?:_[A-Z][a-z]*)*$', name):
            return 'invalid character class range \\%s%s' % (letter, unicode_class.group()), after
        return None, unicode_class.end()
    if letter == 'Q' and not in_class:
        end = pattern.find('\\E', after)
        return None, len(pattern) if end < 0 else end + 2
    if letter in _CHAR_ESCAPES or letter in _CLASS_ESCAPES or (not in_class and letter in _ANCHOR_ESCAPES | {'C'}):
        return None, after
    if letter.isalnum():
        advice = _ESCAPE_ADVICE.get(letter, 'RE2 has no \\%s' % letter)
        return 'invalid escape sequence \\%s at character %d: %s' % (letter, position + 1, advice), after
    return None, after  # an escaped punctuation character stands for itself


def _char_class(pattern, position):
    """(problem or None, position after it) of the bracketed class at `position`."""
    start = position
    position += 1
    if pattern[position:position + 1] == '^':
        position += 1
    first = True
    previous = None  # the code point of the last single character, for ranges
    while position < len(pattern):
        char = pattern[position]
        if char == ']' and not first:
            return None, position + 1
        first = False
        posix = re.compile(r'\[:\^?([^:\]]*):\]').match(pattern, position)
        if posix is not None:  # a [ that starts no [:name:] is a literal [
            if posix.group(1) not in _POSIX_CLASSES:
                return 'invalid character class range %s at character %d' % (posix.group(), position + 1), position
            position, previous = posix.end(), 'class'
            continue
        if char == '-' and previous == 'class' and pattern[position + 1:position + 2] not in ('', ']'):
            return 'bad character class range at character %d: a range is between two characters' % (position + 1), position
        if char == '-' and previous is not None and pattern[position + 1:position + 2] not in ('', ']'):
            high, position = _class_char(pattern, position + 1)
            if high is None or isinstance(high, str):
                return high or 'bad character class range at character %d: a range is between two characters' % (position + 1), position
            if high < previous:
                return 'bad character class range at character %d: the lower end comes first' % (position + 1), position
            previous = None
            continue
        single, position = _class_char(pattern, position)
        if isinstance(single, str):
            return single, position
        previous = 'class' if single is None else single
    return 'missing closing ] of the class at character %d' % (start + 1), position


def _class_char(pattern, position):
    """(code point, or None for a class such as \\d, or a problem string; position after it)."""
    if pattern[position] != '\\':
        return ord(pattern[position]), position + 1
    problem, after = _escape(pattern, position, in_class=True)
    if problem:
        return problem, after
    letter = pattern[position + 1]
    if letter in _CLASS_ESCAPES or letter in 'pP':
        return None, after
    escaped = {'a': 7, 'f': 12, 't': 9, 'n': 10, 'r': 13, 'v': 11}
    if letter in escaped:
        return escaped[letter], after
    if letter == 'x':
        digits = pattern[position + 2:after].strip('{}')
        return int(digits, 16), after
    if letter in '01234567':
        return int(pattern[position + 1:after], 8), after
    return ord(letter), after
