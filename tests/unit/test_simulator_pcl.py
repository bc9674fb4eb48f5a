"""The simulator's PCL evaluator, against the examples of PagerDuty's PCL Overview
(PagerDuty/developer-docs, docs/REST-API/18-PCL-Overview.md) and what it must refuse."""

import pytest

from tests.simulator import pcl

DOC_EVENT = {
    'payload': {'summary': '[PROD] Disk space low', 'source': 'db1.example.com', 'severity': 'critical',
                'custom_details': {'system diagnosis': {'important_field': 'This is an important value'},
                                   'load': 7, 'ratio': 0.5, 'nothing': None, 'hosts': ['a', 'b'], 'flag': True}},
    'links': [{'href': 'https://diag.test/details', 'text': 'Diagnosis details'}],
    'event_action': 'trigger', 'dedup_key': 'disk-db1',
}


def holds(expression, event=None):
    return pcl.matches(expression, DOC_EVENT if event is None else event)


@pytest.mark.parametrize('expression, expected', [
    # Paths: dot notation, brackets for other names, array indexes; a missing path is nil.
    ("event.custom_details['system diagnosis'].important_field matches 'this is an important value'", True),
    ("raw_event.links[0].href == 'https://diag.test/details'", True),
    ("raw_event.images[0].src exists", False),
    ("raw_event.payload.severity == 'critical'", True),
    ("event.dedup_key == 'disk-db1'", True),
    # matches: whole value, case-insensitive unless exactly; matches part: a part of it.
    ("event.summary matches '[prod] disk space low'", True),
    ("event.summary matches exactly '[prod] disk space low'", False),
    ("event.summary matches 'Disk space low'", False),
    ("event.summary matches part 'prod'", True),
    ("event.summary matches part exactly 'prod'", False),
    ("event.summary matches part 'cpu'", False),
    # Non-strings are compared as strings, nil never matches.
    ("event.custom_details.load matches '7'", True),
    ("event.custom_details.hosts matches part '\"b\"'", True),
    ("event.custom_details.flag matches 'TRUE'", True),
    ("event.custom_details.nothing matches 'None'", False),
    ("event.custom_details.missing matches part ''", False),
    # ==: no conversion, case-sensitive, numbers across int and float.
    ("event.severity == 'critical'", True),
    ("event.severity == 'CRITICAL'", False),
    ("event.custom_details.load == 7.0", True),
    ("event.custom_details.load == '7'", False),
    ("event.custom_details.flag == true", True),
    ("event.custom_details.flag == 1", False),
    # Numeric comparisons; other types are a non-boolean evaluation, false.
    ("event.custom_details.load > 5 and event.custom_details.ratio <= 0.5", True),
    ("event.custom_details.load >= 'two'", False),
    ("not event.custom_details.missing > 2", True),
    # exists is true for a nil value.
    ("event.custom_details.nothing exists", True),
    ("event.custom_details.missing exists", False),
    # Precedence: built-in operations, then not, then and, then or.
    ("event.custom_details.load > 5 and not event.custom_details.load < 6 or event.severity == 'info'", True),
    ("event.custom_details.load > 5 and (not event.custom_details.load < 6 or event.severity == 'info')", True),
    ("not event.missing exists and event.source matches 'www'", False),
    ("not (event.missing exists and event.source matches 'www')", True),
    ("event.source matches 'www' or event.severity matches 'critical'", True),
    # Strings with escapes.
    ("'the system\\'s down' matches part 'system\\'s'", True),
    ("'one \\\\ backslash' == 'one \\\\ backslash'", True),
    ("true", True),
])
def test_evaluation_follows_the_pcl_overview(expression, expected):
    assert holds(expression) is expected


def test_acknowledge_and_resolve_events_have_no_payload():
    resolve = {'event_action': 'resolve', 'dedup_key': 'k'}
    assert holds("event.event_action == 'resolve'", resolve)
    assert not holds("event.summary matches part 'x'", resolve)


@pytest.mark.parametrize('expression, message', [
    ("event.source != 'x'", "unexpected '!='; PCL has no '!=': write not <a> == <b> at character 14"),
    ("event.summary contains 'x'", "unexpected 'contains'; PCL has no 'contains': write <a> matches part <b>"),
    ('event.summary matches "x"', 'PCL strings are in single quotes'),
    ("event.x = 1", "unexpected '='; PCL compares with '=='"),
    ("event.x == 1 && event.y == 2", "PCL joins conditions with 'and'"),
    ("event.x == 1 AND event.y == 2", "PCL's operators are lower case: and"),
    ("event.summary matches 'open", 'unterminated string at character 23'),
    ("(event.x exists", "missing ')'"),
    ("event.x matches", 'the expression ends where a value or a path belongs'),
    ("'x' exists", "'exists' needs a path before it"),
    ("", 'empty expression'),
    ("event.", "a field name belongs after '.'"),
    ("event[1.5]", "'[' takes a quoted field name or an array index"),
])
def test_what_is_not_pcl_is_refused_where_it_goes_wrong(expression, message):
    with pytest.raises(pcl.PclError) as refused:
        pcl.parse(expression)
    assert message in str(refused.value)


@pytest.mark.parametrize('expression, message', [
    # "The final PCL expression must evaluate to true or false."
    ('event.summary', 'does not evaluate to true or false'),
    ("'prod'", 'does not evaluate to true or false'),
    ('now', 'does not evaluate to true or false'),
    ('trigger_count over 1 minute', 'does not evaluate to true or false'),
    # matches regex takes a literal RE2 expression, checked at parse time.
    ("event.source matches regex event.component", "'matches regex' takes a literal string"),
    ("event.source matches regex 'db(?=1)'", 'invalid RE2 regular expression'),
    ("event.source matches regex '(db)\\1'", 'invalid RE2 regular expression: invalid escape'),
    ("event.source matches regex 'db\\Z'", 'invalid RE2 regular expression'),
    ("event.source matches regex 'a{1001}'", 'invalid RE2 regular expression'),
    ("event.source matches regex '[z-a]'", 'invalid RE2 regular expression'),
    # in takes now and a schedule; threshold counts take a duration with each unit once.
    ("event.x in Mon 09:00:00 to 17:00:00 Etc/UTC", "'in' takes now before it"),
    ('trigger_count over 5 > 1', 'invalid duration'),
    ('trigger_count over 1 hour 2 hours > 1', 'invalid duration'),
    # Reserved words are quoted in brackets.
    ('event.custom_details.namespace exists', "'namespace' is a reserved word"),
    # Limits.
    ("event.x == '%s'" % ('x' * 1025), 'a literal string is longer than 1024 bytes'),
    ("event.x matches part '%s'" % ('x' * 1000) + " or event.y matches part '%s'" % ('y' * 1000), 'longer than 2048 bytes'),
    ('(' * 33 + 'true' + ')' * 33, 'more than 32 levels of parentheses'),
    (' or '.join(['true'] * 65), 'more than 64 factors'),
    ('event.x == 9223372036854775808', 'outside the 64-bit range'),
    ('event' + '.a' * 32 + ' exists', 'a path of more than 32 elements'),
])
def test_what_pagerduty_refuses_by_its_rules_and_limits(expression, message):
    with pytest.raises(pcl.PclError) as refused:
        pcl.parse(expression)
    assert message in str(refused.value)


@pytest.mark.parametrize('expression', [
    # The document's own examples of what the simulator parses but does not evaluate.
    "raw_event.important_field matches regex exactly '(?i)this'",
    "raw_event.another_field matches regex '(?-sm)^in it'",
    "event.source matches regex 'db[0-9]+-server'",
    'trigger_count over 10 seconds > 5',
    'resetting_trigger_count over 1 hour > 50',
    'trigger_count over 5 seconds 3 days 12 minutes < 10',
    'now in Mon,Wed,Fri 01:00:00 to 15:00:00 America/Los_Angeles',
    'now > 2020-01-01 00:00:00 Etc/UTC',
    "event.severity matches 'info' and not (now in Mon,Tue,Wed,Thu,Fri 09:00:00 to 17:00:00 America/Los_Angeles)",
])
def test_valid_pcl_the_simulator_does_not_evaluate_is_accepted_and_never_holds(expression):
    tree = pcl.parse(expression)
    assert pcl.holds(tree, pcl.event_context(DOC_EVENT)) is False


def test_an_unevaluated_part_after_a_short_circuit_does_not_matter():
    assert holds("event.severity == 'critical' or event.source matches regex 'db'")
    assert not holds("event.severity == 'info' and event.source matches regex 'db'")


@pytest.mark.parametrize('expression, features', [
    ('trigger_count over 1 minute > 3', {'threshold_condition'}),
    ('now in Mon 09:00:00 to 17:00:00 Etc/UTC', {'recurring_condition'}),
    ('now > 2020-01-01 00:00:00 Etc/UTC', {'one_time_condition'}),
    ("event.source matches regex 'db'", set()),
])
def test_plan_gated_features_are_named(expression, features):
    assert pcl.features(expression) == features


@pytest.mark.parametrize('pattern, refused', [
    ('db[0-9]+-server', False), ('(?i)this', False), ('(?-sm)^in it', False), ('(?P<host>\\w+)\\.example', False),
    ('[[:alpha:]]+\\pL\\p{Greek}', False), ('\\x41\\x{10FFFF}\\012', False), ('a{2,5}?', False), ('\\Qa.b\\E', False),
    ('a(?=b)', True), ('a(?!b)', True), ('(?<=a)b', True), ('(a)\\1', True), ('(?P<n>a)(?P=n)', True), ('(?>a)', True),
    ('a*+', True), ('a**', True), ('*a', True), ('a\\Z', True), ('(?x)a', True), ('(a', True), ('a)', True), ('a{3,2}', True),
    ('[[:word:]x]', False), ('[[:word]]', False), ('[[:words:]]', True), ('(?P<n>a)(?P<n>b)', True),
])
def test_re2_syntax(pattern, refused):
    assert (pcl.re2_problem(pattern) is not None) is refused


def test_keywords_are_field_names_after_a_dot():
    event = {'payload': {'summary': 's', 'custom_details': {'now': 1, 'in': 'x', 'part': True}}}
    assert holds("event.custom_details.now == 1 and event.custom_details.in matches 'X' and event.custom_details.part exists",
                 event)
