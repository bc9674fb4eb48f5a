"""The PagerDuty Condition Language (PCL), as far as the simulator evaluates it.

PCL is the language of event orchestration conditions (`{"expression": "<PCL>"}`). Its definition is
PagerDuty's "PCL Overview" (PagerDuty/developer-docs, docs/REST-API/18-PCL-Overview.md). This module
parses an expression and evaluates it against an event, following that document:

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

Anything else is refused when the expression is parsed, as PagerDuty refuses invalid PCL with a 400:
`PclError` says where. PCL that PagerDuty accepts but the simulator does not evaluate (`matches regex`,
`trigger_count`, `resetting_trigger_count`, `now`, `in` with schedules, dates and durations) is
refused the same way, with `unsupported` set and a message that says it is the simulator's limit.
There is no `!=` and no `contains` in PCL: `not a == b` and `a matches part b` say those.
"""

import json
import re

# Words with a meaning of their own; after a dot they are ordinary field names.
KEYWORDS = {'and', 'or', 'not', 'matches', 'part', 'exactly', 'exists', 'true', 'false'}
# Valid PCL that the simulator does not evaluate.
UNSUPPORTED_WORDS = {'regex': 'matches regex', 'now': 'now', 'in': 'in (schedules)',
                     'trigger_count': 'trigger_count', 'resetting_trigger_count': 'resetting_trigger_count',
                     'over': 'threshold conditions (over <duration>)'}
COMPARISONS = ('==', '>=', '<=', '>', '<')
_TOKEN = re.compile(r'''
    (?P<space>\s+)
  | (?P<float>-?\d+\.\d+(?:e[+-]?\d+)?)
  | (?P<int>-?\d+)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>==|>=|<=|>|<)
  | (?P<punct>[.\[\]()])
  | (?P<quote>')
''', re.VERBOSE)
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
    """An expression PagerDuty would refuse (or, with `unsupported`, that the simulator cannot evaluate)."""

    def __init__(self, message, expression, position=None, unsupported=False):
        where = '' if position is None else ' at character %d' % (position + 1)
        super().__init__('%s%s of %r' % (message, where, expression))
        self.unsupported = unsupported


class _Missing:
    """A path that does not exist (distinct from one whose value is nil)."""


MISSING = _Missing()


# -- tokens ----------------------------------------------------------------------------------------

def tokenize(text):
    """[(kind, value, position)] of an expression; kinds: string, int, float, word, op, punct, end."""
    tokens = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            _refuse_unsupported_words(tokens, text)
            two = text[position:position + 2]
            hint = NOT_PCL.get(two) or NOT_PCL.get(text[position])
            raise PclError("unexpected %r%s" % (two if two in NOT_PCL else text[position],
                                                '; ' + hint if hint else ''), text, position)
        kind = match.lastgroup
        if kind == 'quote':
            value, position = _string(text, position)
            tokens.append(('string', value, match.start()))
            continue
        if kind != 'space':
            value = match.group(kind)
            if kind == 'int':
                value = int(value)
            elif kind == 'float':
                value = float(value)
            tokens.append((kind, value, position))
        position = match.end()
    tokens.append(('end', None, len(text)))
    return tokens


def _refuse_unsupported_words(tokens, text):
    """Schedules, dates and durations do not tokenize here: name the feature they belong to instead."""
    for index, (kind, value, position) in enumerate(tokens):
        after_dot = index > 0 and tokens[index - 1][:2] == ('punct', '.')
        if kind == 'word' and value in UNSUPPORTED_WORDS and not after_dot:
            raise PclError('the simulator does not evaluate %s (valid PCL, not in the subset it implements)'
                           % UNSUPPORTED_WORDS[value], text, position, unsupported=True)


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
    def __init__(self, value):
        self.value = value

    def evaluate(self, context):
        return self.value


class Path:
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
    def __init__(self, path):
        self.path = path

    def evaluate(self, context):
        return self.path.lookup(context) is not MISSING


class Not:
    def __init__(self, operand):
        self.operand = operand

    def evaluate(self, context):
        # A non-boolean evaluation counts as false, so its negation is true.
        return self.operand.evaluate(context) is not True


class Both:
    def __init__(self, left, right):
        self.left, self.right = left, right

    def evaluate(self, context):
        return self.left.evaluate(context) is True and self.right.evaluate(context) is True


class Either:
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
        self.tokens = tokenize(text)
        self.index = 0

    def peek(self, offset=0):
        return self.tokens[min(self.index + offset, len(self.tokens) - 1)]

    def take(self):
        token = self.tokens[self.index]
        self.index += 1
        return token

    def is_word(self, word, offset=0):
        kind, value, dummy = self.peek(offset)
        return kind == 'word' and value == word

    def fail(self, message, token=None, unsupported=False):
        token = token or self.peek()
        raise PclError(message, self.text, token[2], unsupported=unsupported)

    def refuse_unsupported(self, token):
        kind, value, dummy = token
        if kind == 'word' and value in UNSUPPORTED_WORDS:
            self.fail('the simulator does not evaluate %s (valid PCL, not in the subset it implements)'
                      % UNSUPPORTED_WORDS[value], token, unsupported=True)

    def parse(self):
        if self.peek()[0] == 'end':
            self.fail('empty expression')
        tree = self.either()
        kind, value, dummy = self.peek()
        if kind != 'end':
            self.refuse_unsupported(self.peek())
            hint = WORD_HINTS.get(value) if kind == 'word' else None
            self.fail('unexpected %r%s' % (value, '; ' + hint if hint else ''))
        return tree

    def either(self):
        tree = self.both()
        while self.is_word('or'):
            self.take()
            tree = Either(tree, self.both())
        return tree

    def both(self):
        tree = self.negation()
        while self.is_word('and'):
            self.take()
            tree = Both(tree, self.negation())
        return tree

    def negation(self):
        if self.is_word('not'):
            self.take()
            return Not(self.negation())
        return self.operation()

    def operation(self):
        left = self.operand()
        kind, value, dummy = self.peek()
        if kind == 'word' and value == 'exists':
            self.take()
            if not isinstance(left, Path):
                self.fail("'exists' needs a path before it (such as event.summary exists)")
            return Exists(left)
        if kind == 'word' and value == 'matches':
            self.take()
            operator = 'matches'
            if self.is_word('regex'):
                self.refuse_unsupported(self.peek())
            if self.is_word('part'):
                self.take()
                operator = 'matches part'
            exactly = self.is_word('exactly')
            if exactly:
                self.take()
            return Compare(operator, left, self.operand(), exactly)
        if kind == 'op':
            self.take()
            return Compare(value, left, self.operand())
        return left

    def operand(self):
        token = self.take()
        kind, value, dummy = token
        if kind in ('string', 'int', 'float'):
            return Literal(value)
        if kind == 'punct' and value == '(':
            tree = self.either()
            if self.peek()[1] != ')' or self.peek()[0] != 'punct':
                self.fail("missing ')'")
            self.take()
            return tree
        if kind == 'word':
            self.refuse_unsupported(token)
            if value in ('true', 'false'):
                return Literal(value == 'true')
            if value in KEYWORDS:
                self.fail('unexpected %r where a value or a path belongs' % value, token)
            return self.path(value)
        if kind == 'end':
            self.fail('the expression ends where a value or a path belongs', token)
        self.fail('unexpected %r where a value or a path belongs' % value, token)

    def path(self, root):
        steps = [root]
        while self.peek()[0] == 'punct' and self.peek()[1] in ('.', '['):
            punct = self.take()[1]
            if punct == '.':
                kind, value, dummy = self.peek()
                if kind != 'word':
                    self.fail("a field name belongs after '.'")
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


def parse(expression):
    """The parsed expression; raises PclError for what PagerDuty (or the simulator) refuses."""
    if not isinstance(expression, str):
        raise PclError('an expression must be a string', repr(expression))
    return _Parser(expression).parse()


def event_context(event):
    """The context conditions are evaluated in: `event` (PD-CEF fields) and `raw_event` (what was sent)."""
    payload = event.get('payload') if isinstance(event.get('payload'), dict) else {}
    cef = dict(payload)
    for field in ('event_action', 'dedup_key', 'client', 'client_url', 'images', 'links'):
        if field in event:
            cef[field] = event[field]
    cef.setdefault('custom_details', {})
    return {'event': cef, 'raw_event': event}


def matches(expression, event):
    """True when the PCL `expression` holds for `event` (an Events API v2 body without its routing key)."""
    return parse(expression).evaluate(event_context(event)) is True
