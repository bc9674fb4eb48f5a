"""The PagerDuty Condition Language (PCL), as PagerDuty parses it and as far as the simulator evaluates it.

PCL is the language of event orchestration conditions (`{"expression": "<PCL>"}`). Its definition is
PagerDuty's "PCL Overview" (PagerDuty/developer-docs, docs/REST-API/18-PCL-Overview.md). This module
parses an expression as that document defines it and evaluates it against an event:

- paths: `event.<field>` (the event in PD-CEF form) and `raw_event.<field>` (the JSON sent), with dot
  notation, `['field name']` and `[0]`; a path that does not exist evaluates to nil;
- literals: single-quoted strings (`\\'` and `\\\\` escapes), integers, floats, `true`, `false`;
- `matches`, `matches part` (case-insensitive; `exactly` makes them case-sensitive; nil gives false;
  other types are compared as strings, objects and lists as JSON), `==` (no conversion; strings are
  case-sensitive; integers and floats compare as numbers), `>`, `>=`, `<`, `<=` (numbers only),
  `exists`, `not`, `and`, `or` and parentheses, with the document's precedence (built-in
  operations, then `not`, then `and`, then `or`);
- a "non-boolean evaluation" (a comparison of types it cannot compare) counts as false, so
  `not <it>` is true.

PCL the simulator parses but does not evaluate - `matches regex` (its argument checked as RE2), `now`,
`in` with schedules, datetimes, `trigger_count` and `resetting_trigger_count` over durations - raises
`CannotEvaluate` when an event reaches it, and the condition is taken as not holding.

What PagerDuty refuses is refused when the expression is parsed (`PclError` says where): invalid syntax,
a final expression that is not true or false, an argument of `matches regex` that is not a literal RE2
expression, reserved words after a dot, and the document's limits.
"""

import json
import re

# Words with a meaning of their own; after a dot they are ordinary field names.
KEYWORDS = {'and', 'or', 'not', 'matches', 'part', 'regex', 'exactly', 'exists', 'in', 'true', 'false', 'now',
            'over', 'trigger_count', 'resetting_trigger_count'}
# The document's "Reserved Words": a field of one of these names is written ['<name>'].
RESERVED = set('at do as break const continue def else end eq for function gte gt if import is let lte lt loop '
               'namespace package require return var void when while'.split())
# The document's "Limits".
MAX_BYTES, MAX_NESTING, MAX_FACTORS, MAX_STRING_BYTES, MAX_PATH_ELEMENTS = 2048, 32, 64, 1024, 32
INT_MIN, INT_MAX = -2 ** 63, 2 ** 63 - 1
UNITS = ('second', 'minute', 'hour', 'day')
COMPARISONS = ('==', '>=', '<=', '>', '<')
_CLOCK = r'(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d'
_TZ = r'[A-Za-z_]+(?:/[A-Za-z0-9_+\-]+)*'
_DAY = r'(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)'
_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<datetime>\d{4}-\d\d-\d\d\s+%(clock)s\s+%(tz)s)
  | (?P<schedule>%(day)s(?:,%(day)s)*\s+%(clock)s\s+to\s+%(clock)s\s+%(tz)s)
  | (?P<float>-?\d+\.\d+(?:e[+-]?\d+)?)
  | (?P<int>-?\d+)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>==|>=|<=|>|<)
  | (?P<punct>[.\[\]()])
  | (?P<quote>')
""" % {'clock': _CLOCK, 'tz': _TZ, 'day': _DAY}, re.VERBOSE)
# Operators people bring from other languages, and what PCL says instead.
NOT_PCL = {
    '!=': "PCL has no '!=': write not <a> == <b>",
    '=': "PCL compares with '==' (or matches)",
    '&': "PCL joins conditions with 'and'",
    '|': "PCL joins conditions with 'or'",
    '!': "PCL negates with 'not'",
    '"': "PCL strings are in single quotes",
}
WORD_HINTS = {
    'contains': "PCL has no 'contains': write <a> matches part <b>",
    'equals': "PCL has no 'equals': write <a> == <b>, or <a> matches <b>",
    'AND': "PCL's operators are lower case: and", 'OR': "PCL's operators are lower case: or",
    'NOT': "PCL's operators are lower case: not",
}


class PclError(ValueError):
    """An expression PagerDuty would refuse."""

    def __init__(self, message, expression, position=None):
        where = '' if position is None else ' at character %d' % (position + 1)
        super().__init__('%s%s of %r' % (message, where, expression))


class CannotEvaluate(Exception):
    """Valid PCL the simulator does not evaluate (matches regex, now, in, threshold conditions)."""


class _Missing:
    """A path that does not exist (distinct from one whose value is nil)."""


MISSING = _Missing()


# -- tokens ----------------------------------------------------------------------------------------

def tokenize(text):
    """[(kind, value, position)] of an expression; kinds: string, int, float, datetime, schedule, word, op,
    punct, end."""
    tokens = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            two = text[position:position + 2]
            hint = NOT_PCL.get(two) or NOT_PCL.get(text[position])
            raise PclError("unexpected %r%s" % (two if two in NOT_PCL else text[position],
                                                '; ' + hint if hint else ''), text, position)
        kind = match.lastgroup
        if kind == 'quote':
            value, position = _string(text, position)
            if len(value.encode('utf-8')) > MAX_STRING_BYTES:
                raise PclError('a literal string is longer than %d bytes' % MAX_STRING_BYTES, text, match.start())
            tokens.append(('string', value, match.start()))
            continue
        if kind != 'space':
            value = match.group(kind)
            if kind == 'int':
                value = int(value)
                if not INT_MIN <= value <= INT_MAX:
                    raise PclError('an integer outside the 64-bit range', text, position)
            elif kind == 'float':
                value = float(value)
            tokens.append((kind, value, position))
        position = match.end()
    tokens.append(('end', None, len(text)))
    return tokens


def _string(text, start):
    """(value, position after it) of the single-quoted string starting at `start`."""
    chars = []
    position = start + 1
    while position < len(text):
        char = text[position]
        if char == '\\' and position + 1 < len(text) and text[position + 1] in "\\'":
            chars.append(text[position + 1])
            position += 2
            continue
        if char == "'":
            return ''.join(chars), position + 1
        chars.append(char)
        position += 1
    raise PclError('unterminated string', text, start)


# -- the syntax tree -------------------------------------------------------------------------------

class Literal:
    boolean = False

    def __init__(self, value):
        self.value = value
        self.boolean = isinstance(value, bool)

    def evaluate(self, context):
        return self.value


class LocalDatetime:
    """A datetime literal (`2022-01-01 08:00:00 Etc/UTC`): only `now` compares with it."""
    boolean = False

    def __init__(self, text):
        self.text = text

    def evaluate(self, context):
        return self


class Unevaluated:
    """`now`, a threshold count, or an operation on them (`now in <schedule>`): parsed, not evaluated here."""

    def __init__(self, what, boolean):
        self.what, self.boolean = what, boolean

    def evaluate(self, context):
        raise CannotEvaluate(self.what)


class Path:
    boolean = False

    def __init__(self, steps):
        self.steps = steps  # the root name, then field names (str) and indexes (int)

    def lookup(self, context):
        value = context
        for step in self.steps:
            if isinstance(step, int):
                if not isinstance(value, list) or not -len(value) <= step < len(value):
                    return MISSING
            elif not isinstance(value, dict) or step not in value:
                return MISSING
            value = value[step]
        return value

    def evaluate(self, context):
        value = self.lookup(context)
        return None if value is MISSING else value


class Exists:
    boolean = True

    def __init__(self, path):
        self.path = path

    def evaluate(self, context):
        return self.path.lookup(context) is not MISSING


class Not:
    boolean = True

    def __init__(self, operand):
        self.operand = operand

    def evaluate(self, context):
        # A non-boolean evaluation counts as false, so its negation is true.
        return self.operand.evaluate(context) is not True


class Both:
    boolean = True

    def __init__(self, left, right):
        self.left, self.right = left, right

    def evaluate(self, context):
        return self.left.evaluate(context) is True and self.right.evaluate(context) is True


class Either:
    boolean = True

    def __init__(self, left, right):
        self.left, self.right = left, right

    def evaluate(self, context):
        return self.left.evaluate(context) is True or self.right.evaluate(context) is True


def is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def as_text(value):
    """A value as `matches` compares it: strings as they are, other types converted."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(',', ':'))
    return str(value)


class Compare:
    boolean = True

    def __init__(self, operator, left, right, exactly=False):
        self.operator, self.left, self.right, self.exactly = operator, left, right, exactly

    def evaluate(self, context):
        left, right = self.left.evaluate(context), self.right.evaluate(context)
        if self.operator == '==':
            if is_number(left) and is_number(right):
                return left == right
            if type(left) is not type(right):
                return False
            return left == right
        if self.operator == 'matches regex':
            raise CannotEvaluate('matches regex')
        if self.operator in ('matches', 'matches part'):
            if left is None or right is None:
                return False
            left, right = as_text(left), as_text(right)
            if not self.exactly:
                left, right = left.casefold(), right.casefold()
            return left == right if self.operator == 'matches' else right in left
        if not (is_number(left) and is_number(right)):
            return None  # a non-boolean evaluation
        return {'>': left > right, '>=': left >= right, '<': left < right, '<=': left <= right}[self.operator]


# -- the parser ------------------------------------------------------------------------------------

class _Parser:
    def __init__(self, text):
        self.text = text
        if len(text.encode('utf-8')) > MAX_BYTES:
            raise PclError('a condition is longer than %d bytes' % MAX_BYTES, text)
        self.tokens = tokenize(text)
        self.index = 0
        self.factors = 1
        self.features = set()  # threshold_condition, recurring_condition, one_time_condition

    def peek(self, offset=0):
        return self.tokens[min(self.index + offset, len(self.tokens) - 1)]

    def take(self):
        token = self.tokens[self.index]
        self.index += 1
        return token

    def is_word(self, word, offset=0):
        kind, value, dummy = self.peek(offset)
        return kind == 'word' and value == word

    def fail(self, message, token=None):
        token = token or self.peek()
        raise PclError(message, self.text, token[2])

    def parse(self, condition=True):
        if self.peek()[0] == 'end':
            self.fail('empty expression')
        tree = self.either(0)
        kind, value, dummy = self.peek()
        if kind != 'end':
            hint = WORD_HINTS.get(value) if kind == 'word' else None
            self.fail('unexpected %r%s' % (value, '; ' + hint if hint else ''))
        if condition and not tree.boolean:
            # "The final PCL expression must evaluate to true or false."
            raise PclError('the expression does not evaluate to true or false', self.text)
        return tree

    def joined(self):
        self.factors += 1
        if self.factors > MAX_FACTORS:
            self.fail('more than %d factors combined with and/or' % MAX_FACTORS)

    def either(self, depth):
        tree = self.both(depth)
        while self.is_word('or'):
            self.take()
            self.joined()
            tree = Either(tree, self.both(depth))
        return tree

    def both(self, depth):
        tree = self.negation(depth)
        while self.is_word('and'):
            self.take()
            self.joined()
            tree = Both(tree, self.negation(depth))
        return tree

    def negation(self, depth):
        if self.is_word('not'):
            self.take()
            return Not(self.negation(depth))
        return self.operation(depth)

    def operation(self, depth):
        left = self.operand(depth)
        kind, value, dummy = self.peek()
        if kind == 'word' and value == 'exists':
            self.take()
            if not isinstance(left, Path):
                self.fail("'exists' needs a path before it (such as event.summary exists)")
            return Exists(left)
        if kind == 'word' and value == 'in':
            token = self.take()
            if not (isinstance(left, Unevaluated) and left.what == 'now'):
                self.fail("'in' takes now before it", token)
            if self.take()[0] != 'schedule':
                self.fail("'in' takes a schedule after it", token)
            self.features.add('recurring_condition')
            return Unevaluated('now in <schedule>', True)
        if kind == 'word' and value == 'matches':
            self.take()
            operator = 'matches'
            if self.is_word('regex') or self.is_word('part'):
                operator += ' ' + self.take()[1]
            exactly = self.is_word('exactly')
            if exactly:
                self.take()
            right = self.peek()
            tree = Compare(operator, left, self.operand(depth), exactly)
            if operator == 'matches regex':
                # "The second argument must be a literal string value representing a valid regular expressing
                # using the RE2 syntax. An error will be returned at parse time if this is not the case."
                if right[0] != 'string' or not isinstance(tree.right, Literal):
                    self.fail("'matches regex' takes a literal string", right)
                problem = re2_problem(right[1])
                if problem:
                    self.fail('invalid RE2 regular expression: %s' % problem, right)
            return tree
        if kind == 'op':
            self.take()
            right = self.operand(depth)
            if isinstance(left, Unevaluated) or isinstance(right, Unevaluated):
                if 'now' in (getattr(left, 'what', None), getattr(right, 'what', None)):
                    self.features.add('one_time_condition')
                return Unevaluated('a comparison with now or a threshold count', True)
            return Compare(value, left, right)
        return left

    def operand(self, depth):
        token = self.take()
        kind, value, dummy = token
        if kind in ('string', 'int', 'float'):
            return Literal(value)
        if kind == 'datetime':
            return LocalDatetime(value)
        if kind == 'punct' and value == '(':
            if depth >= MAX_NESTING:
                self.fail('more than %d levels of parentheses' % MAX_NESTING, token)
            tree = self.either(depth + 1)
            if self.peek()[1] != ')' or self.peek()[0] != 'punct':
                self.fail("missing ')'")
            self.take()
            return tree
        if kind == 'word':
            if value in ('true', 'false'):
                return Literal(value == 'true')
            if value == 'now':
                return Unevaluated('now', False)
            if value in ('trigger_count', 'resetting_trigger_count'):
                if not self.is_word('over'):
                    self.fail("'%s' takes over <duration>" % value)
                self.take()
                self.duration()
                self.features.add('threshold_condition')
                return Unevaluated(value, False)
            if value in KEYWORDS or value in RESERVED:
                self.fail('unexpected %r where a value or a path belongs' % value, token)
            return self.path(value)
        if kind == 'end':
            self.fail('the expression ends where a value or a path belongs', token)
        self.fail('unexpected %r where a value or a path belongs' % value, token)

    def duration(self):
        """`[D day(s)] [h hour(s)] [m minute(s)] [s second(s)]`: at least one unit, each once, in any order."""
        seen = set()
        while self.peek()[0] == 'int':
            number = self.take()
            kind, unit, dummy = self.take()
            unit = unit[:-1] if kind == 'word' and unit.endswith('s') else unit
            if kind != 'word' or unit not in UNITS or number[1] <= 0 or unit in seen:
                self.fail('invalid duration', number)
            seen.add(unit)
        if not seen:
            self.fail('a duration belongs after over')

    def path(self, root):
        steps = [root]
        while self.peek()[0] == 'punct' and self.peek()[1] in ('.', '['):
            punct = self.take()[1]
            if len(steps) == MAX_PATH_ELEMENTS:
                self.fail('a path of more than %d elements' % MAX_PATH_ELEMENTS)
            if punct == '.':
                kind, value, dummy = self.peek()
                if kind != 'word':
                    self.fail("a field name belongs after '.'")
                if value in RESERVED:
                    self.fail('%r is a reserved word: write [%r]' % (value, value))
                steps.append(self.take()[1])
                continue
            kind, value, dummy = self.take()
            if kind not in ('string', 'int'):
                self.fail("'[' takes a quoted field name or an array index")
            if self.peek()[:2] != ('punct', ']'):
                self.fail("missing ']'")
            self.take()
            steps.append(value)
        return Path(steps)


def parse(expression, condition=True):
    """The parsed expression; raises PclError for what PagerDuty refuses. A condition must be true or false;
    with condition=False a value (a path, as a dynamic route's source) is taken too."""
    if not isinstance(expression, str):
        raise PclError('an expression must be a string', repr(expression))
    return _Parser(expression).parse(condition)


def features(expression):
    """The plan-gated features a valid condition uses: threshold_condition (trigger counts), recurring_condition
    (now in <schedule>), one_time_condition (now compared with a datetime)."""
    parser = _Parser(expression)
    parser.parse()
    return parser.features


def event_context(event):
    """The context conditions are evaluated in: `event` (PD-CEF fields) and `raw_event` (what was sent)."""
    payload = event.get('payload') if isinstance(event.get('payload'), dict) else {}
    cef = dict(payload)
    for field in ('event_action', 'dedup_key', 'client', 'client_url', 'images', 'links'):
        if field in event:
            cef[field] = event[field]
    cef.setdefault('custom_details', {})
    return {'event': cef, 'raw_event': event}


def holds(tree, context):
    """True when the parsed condition holds; a condition the simulator cannot evaluate does not."""
    try:
        return tree.evaluate(context) is True
    except CannotEvaluate:
        return False


def matches(expression, event):
    """True when the PCL `expression` holds for `event` (an Events API v2 body without its routing key)."""
    return holds(parse(expression), event_context(event))


# -- RE2 (github.com/google/re2/wiki/Syntax), the syntax of `matches regex` --------------------------

_RE2_GROUP = re.compile(r'\(\?(?:P?<(?P<name>\w+)>|(?P<flags>[imsU]*(?:-[imsU]+)?)(?P<end>[:)]))')
_RE2_COUNT = re.compile(r'\{(\d+)(?:(,)(\d*))?\}')
_RE2_ESCAPE = re.compile(r'\\(?:[0-7]{1,3}|x[0-9A-Fa-f]{2}|x\{[0-9A-Fa-f]+\}|[pP](?:[A-Za-z]|\{\^?\w+\})|[aftnrvdDsSwWAzbBC]|[^0-9A-Za-z])')
_RE2_POSIX = re.compile(r'\[:\^?(alnum|alpha|ascii|blank|cntrl|digit|graph|lower|print|punct|space|upper|word|xdigit):\]')


def re2_problem(pattern):
    """Why RE2 refuses `pattern` (a short reason), or None. RE2 has no backreferences, lookaround, atomic
    groups, possessive repetition, \\Z or the x flag; counts go up to 1000."""
    depth, names, position = 0, set(), 0
    can_repeat, repeated = False, False
    while position < len(pattern):
        char = pattern[position]
        count = _RE2_COUNT.match(pattern, position) if char == '{' else None
        if char in '*+?' or count:
            if repeated or not can_repeat:
                return 'bad or missing argument to repetition operator at %d' % position
            if count:
                low, high = int(count.group(1)), count.group(3)
                high = low if not count.group(2) else (int(high) if high else low)
                if max(low, high) > 1000 or high < low:
                    return 'bad repetition count %s' % count.group()
            position = count.end() if count else position + 1
            if pattern[position:position + 1] == '?':
                position += 1
            repeated = True
            continue
        repeated = False
        if char == '\\':
            if pattern.startswith('\\Q', position):
                end = pattern.find('\\E', position)
                position = len(pattern) if end < 0 else end + 2
                can_repeat = True
                continue
            escape = _RE2_ESCAPE.match(pattern, position)
            if escape is None or re.match(r'\\[1-7]$', escape.group()):
                return 'invalid escape %s' % pattern[position:position + 2]
            position, can_repeat = escape.end(), True
            continue
        if char == '[':
            position = _re2_class_end(pattern, position)
            if position is None:
                return 'invalid character class'
            can_repeat = True
            continue
        if char == '(':
            if pattern.startswith('(?', position):
                group = _RE2_GROUP.match(pattern, position)
                if group is None or (group.group('end') and not group.group('flags')):
                    return 'invalid or unsupported Perl syntax at %d' % position
                if group.group('name'):
                    if group.group('name') in names:
                        return 'duplicate capture group name'
                    names.add(group.group('name'))
                opened = group.group('end') != ')'
                position = group.end()
            else:
                opened, position = True, position + 1
            depth += opened
            can_repeat = False
            continue
        if char == ')':
            if not depth:
                return 'unexpected )'
            depth -= 1
        can_repeat = char != '|'
        position += 1
    return 'missing )' if depth else None


def _re2_class_end(pattern, start):
    """The position after the bracketed class at `start`, or None when RE2 refuses it."""
    position = start + 2 if pattern[start + 1:start + 2] == '^' else start + 1
    low = None
    first = True
    while position < len(pattern):
        if pattern[position] == ']' and not first:
            return position + 1
        first = False
        posix = _RE2_POSIX.match(pattern, position)
        if posix:
            position, low = posix.end(), 'class'
            continue
        if re.match(r'\[:[^:\]]*:\]', pattern[position:]):
            return None  # an unknown [:name:]; a [ that starts none is a literal [
        if pattern[position] == '-' and low is not None and pattern[position + 1:position + 2] not in ('', ']'):
            high, position = _re2_class_char(pattern, position + 1)
            if not isinstance(low, int) or not isinstance(high, int) or high < low:
                return None
            low = None
            continue
        low, position = _re2_class_char(pattern, position)
        if low is False:
            return None
    return None


def _re2_class_char(pattern, position):
    """(code point, 'class' for \\d and the like, or False when refused; the position after it)."""
    if pattern[position] != '\\':
        return ord(pattern[position]), position + 1
    escape = _RE2_ESCAPE.match(pattern, position)
    if escape is None or escape.group()[1] in 'AzbBC' or re.match(r'\\[1-7]$', escape.group()):
        return False, position + 2
    text = escape.group()[1:]
    if text[0] in 'dDsSwWpP':
        return 'class', escape.end()
    if text[0] == 'x':
        return int(text[1:].strip('{}'), 16), escape.end()
    if text[0] in '01234567':
        return int(text, 8), escape.end()
    return {'a': 7, 'f': 12, 't': 9, 'n': 10, 'r': 13, 'v': 11}.get(text, ord(text[0])), escape.end()
