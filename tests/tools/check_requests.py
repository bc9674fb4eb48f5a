"""Check every request the collection sent to the simulators against the request schemas the APIs publish.

    python tests/tools/check_requests.py [JOURNAL] [--report FILE]

JOURNAL (default tests/output/request-journal.jsonl) is what the simulators write when SIM_REQUEST_JOURNAL names
it as they start (tests/simulator/server.py, RequestJournal); `make test` sets it for every suite. The requests of
the collection are those with its User-Agent; the others (the tests' own calls, which may be wrong on purpose) are
counted, not checked. Each request is checked against its operation in PagerDuty's REST and Events API descriptions
and Datadog's description of its PagerDuty endpoints (tests/tools/api_descriptions.py): path and method, query
parameters (undeclared ones too), headers, and the body's required fields, types, enums and lengths.

It prints the operations sent (with counts), the operations of the families the collection uses that were never
sent, and each distinct failure once with one example; the whole list of operations never sent goes to --report
(default tests/output/request-contract.txt). Exit status 1 on any failure or without a journal; 0, with a message,
when the descriptions are not beside the repository.
"""

import argparse
import collections
import json
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from api_descriptions import (DATADOG_SPEC_PATH, EVENTS_SPEC_PATH, REPO_ROOT, SPEC_PATH,  # noqa: E402
                              datadog_api_description, events_api_description, real_api_description)

DEFAULT_JOURNAL = os.path.join(REPO_ROOT, 'tests', 'output', 'request-journal.jsonl')
DEFAULT_REPORT = os.path.join(REPO_ROOT, 'tests', 'output', 'request-contract.txt')
# The collection's requests carry it (plugins/module_utils/_client.py, USER_AGENT).
COLLECTION_USER_AGENT = 'oncall.pagerduty/'
# A host for the rebuilt requests; the descriptions are served there.
HOST_URL = 'http://simulator'
METHODS = ('get', 'put', 'post', 'delete', 'patch')


class Api:
    """One API's description: its operations, to name a request's, and openapi-core's validator."""

    def __init__(self, name, spec, prefix=''):
        from openapi_core import Config, OpenAPI

        self.name, self.prefix = name, prefix
        self.openapi = OpenAPI.from_dict(spec, config=Config(spec_validator_cls=None))
        self.spec = spec
        self.operations = []
        for template, item in spec['paths'].items():
            pattern = re.compile('^%s%s$' % (re.escape(prefix), re.sub(r'\\\{[^/]+?\\\}', '[^/]+', re.escape(template))))
            literal = len(re.sub(r'\{[^/]+?\}', '', template))
            for method in METHODS:
                if method in item:
                    self.operations.append((literal, method.upper(), template, pattern, item))
        # The most literal template first: /services/custom_fields before /services/{id}.
        self.operations.sort(key=lambda operation: -operation[0])

    def operation(self, method, path):
        """(template, declared query parameter names) of the operation serving method and path, or None."""
        for dummy, operation_method, template, pattern, item in self.operations:
            if operation_method == method and pattern.match(path):
                return template, self.query_parameters(item, item[method.lower()])
        return None

    def query_parameters(self, item, operation):
        names = set()
        for parameter in item.get('parameters', []) + operation.get('parameters', []):
            if '$ref' in parameter:
                parameter = self.spec['components']['parameters'][parameter['$ref'].rsplit('/', 1)[1]]
            if parameter.get('in') == 'query':
                names.add(parameter['name'])
        for requirement in operation.get('security', self.spec.get('security', [])):
            for scheme in requirement:  # a credential in the query (Datadog's deprecated api_key) is declared too
                declared = self.spec.get('components', {}).get('securitySchemes', {}).get(scheme, {})
                if declared.get('in') == 'query':
                    names.add(declared['name'])
        return names

    def all_operations(self):
        return sorted((template, method) for dummy, method, template, dummy_pattern, dummy_item in self.operations)


class JournalRequest:
    """A journal entry as openapi-core's Request protocol."""

    def __init__(self, entry):
        from openapi_core.datatypes import RequestParameters
        from werkzeug.datastructures import Headers, ImmutableMultiDict

        self.host_url = HOST_URL
        self.path = entry['path']
        self.method = entry['method'].lower()
        self.parameters = RequestParameters(query=ImmutableMultiDict(entry.get('query') or {}),
                                            header=Headers(entry.get('headers') or {}), cookie=ImmutableMultiDict())
        self.content_type = (entry.get('headers') or {}).get('content-type') or ''
        body = entry.get('body')
        self.body = None if body is None else json.dumps(body).encode('utf-8')


def load_apis():
    """{name: Api} of the descriptions beside the repository, or a message saying which are missing."""
    missing = [path for path in (SPEC_PATH, EVENTS_SPEC_PATH, DATADOG_SPEC_PATH) if not os.path.exists(path)]
    if missing:
        return None, 'API descriptions not beside the repository (%s): requests not checked' % ', '.join(missing)
    return {'pagerduty': Api('pagerduty', real_api_description(HOST_URL)),
            'events': Api('events', events_api_description(HOST_URL), prefix='/v2'),
            'datadog': Api('datadog', datadog_api_description(HOST_URL))}, None


def api_of(path):
    """Which API the simulator serves `path` from (tests/simulator/server.py, api_of)."""
    if path.startswith('/v2/'):
        return 'events'
    if path.startswith('/api/'):
        return 'datadog'
    return 'pagerduty'


def problems(api, entry):
    """[(rule, detail)] of one request: empty when it follows its operation's description."""
    method, path = entry['method'], entry['path']
    if entry.get('unparsed_body_bytes'):
        return [('body', 'the body is not JSON (%d bytes)' % entry['unparsed_body_bytes'])]
    found = api.operation(method, path)
    if found is None:
        return [('operation', 'no operation %s %s in the description' % (method, path))]
    template, declared = found
    found_problems = [('query', 'query parameter %r is not declared' % name)
                      for name in sorted(entry.get('query') or {}) if name not in declared]
    # An update of one resource (PUT /things/{id}) sends only the fields it changes: "Not all required fields
    # for the resource must be specified" (developer-docs REST-API/05-Endpoints.md, "Update single endpoints").
    partial = method == 'PUT' and template.endswith('}')
    for error in api.openapi.iter_request_errors(JournalRequest(entry)):
        found_problems.extend((rule, detail) for rule, detail, schema_error in describe(error)
                              if not (partial and schema_error is not None and schema_error.validator == 'required'
                                      and len(schema_error.absolute_path) == 1))
    return list(dict.fromkeys(found_problems))


def describe(error):
    """[(rule, detail, schema error or None)] of one openapi-core error, with the schema errors under it one by one."""
    from jsonschema.exceptions import best_match
    from openapi_core.validation.request.exceptions import ParameterValidationError, RequestBodyValidationError

    cause = error.__cause__
    if isinstance(error, ParameterValidationError):
        where = '%s parameter %s' % (error.location, error.name)
    else:
        where = 'body' if isinstance(error, RequestBodyValidationError) else type(error).__name__
    described = []
    for schema_error in getattr(cause, 'schema_errors', None) or []:
        # Array items alike are one rule: days_of_week/* rather than days_of_week/0, /1, ...
        location = '/'.join('*' if isinstance(p, int) else str(p) for p in schema_error.absolute_path) or '(top)'
        detail = '%s (%s)' % (schema_error.message, schema_error.validator)
        if schema_error.context:  # anyOf, oneOf: the branch that came closest, and why it failed
            closest = best_match(schema_error.context)
            detail += '; closest: %s at %s' % (closest.message, '/'.join(str(p) for p in closest.absolute_path) or '(top)')
        described.append(('%s: %s' % (where, location), detail, schema_error))
    return described or [(str(error), str(cause) if cause is not None else '', None)]


def resolve(entry, apis):
    """(API name, the entry as that API sees it, wrong base path or '') of a request. The tests point the
    collection at a wrong base URL on purpose (its messages about a 404 say so); such a request is checked as the
    operation that the rest of its path names, and reported apart."""
    segments = entry['path'].split('/')
    for start in range(1, len(segments)):
        path = '/'.join([''] + segments[start:])
        name = api_of(path)
        if apis[name].operation(entry['method'], path) is not None:
            return name, dict(entry, path=path), '/'.join(segments[:start])
    return api_of(entry['path']), entry, ''


def check(entries, apis):
    """(sent: Counter of (api, operation), failures: {(api, operation, rule): [count, detail, entry]},
    wrong base paths: Counter)."""
    sent, wrong_bases = collections.Counter(), collections.Counter()
    failures = {}
    verdicts = {}  # identical requests are checked once
    for entry in entries:
        name, entry, base = resolve(entry, apis)
        if base:
            wrong_bases[base] += 1
        api = apis[name]
        found = api.operation(entry['method'], entry['path'])
        operation = '%s %s' % (entry['method'], found[0] if found else entry['path'])
        sent[(name, operation)] += 1
        key = json.dumps([entry.get(k) for k in ('method', 'path', 'query', 'headers', 'body', 'unparsed_body_bytes')],
                         sort_keys=True)
        if key not in verdicts:
            verdicts[key] = problems(api, entry)
        for rule, detail in dict(verdicts[key]).items():  # each rule once per request
            failure = failures.setdefault((name, operation, rule), [0, detail, entry])
            failure[0] += 1
    return sent, failures, wrong_bases


def read_journal(path):
    """(the collection's requests, the number of other requests) in the journal."""
    ours, others = [], 0
    with open(path) as handle:
        for line in handle:
            entry = json.loads(line)
            if (entry.get('headers') or {}).get('user-agent', '').startswith(COLLECTION_USER_AGENT):
                ours.append(entry)
            else:
                others += 1
    return ours, others


def family(api, template):
    """The family of an operation: its first path segment in PagerDuty's REST API (/services), else its API."""
    return (api, template.split('/')[1] if api == 'pagerduty' else '')


def report(sent, failures, wrong_bases, apis, others, seconds):
    """(the lines to print, the lines of the full report file)."""
    lines = ['Requests of the collection checked against the published request schemas: %d, %d operations; '
             '%d requests of the tests themselves not checked; %.1f s'
             % (sum(sent.values()), len(sent), others, seconds)]
    if wrong_bases:
        lines.append('Sent under a base path that is not the API\'s (tests of a wrong api_url), checked as the rest of '
                     'the path: %s' % ', '.join('%s (%d)' % item for item in sorted(wrong_bases.items())))
    lines += ['', 'Operations sent (requests):']
    lines += ['  %-9s %-70s %6d' % (name, operation, count) for (name, operation), count in sorted(sent.items())]
    sent_operations = set(sent)
    families = {family(name, operation.split()[1]) for name, operation in sent_operations}
    unsent_used, unsent_other = [], []
    for name, api in sorted(apis.items()):
        for template, method in api.all_operations():
            operation = '%s %s' % (method, template)
            if (name, operation) in sent_operations:
                continue
            (unsent_used if family(name, template) in families else unsent_other).append('  %-9s %s' % (name, operation))
    lines += ['', 'Operations never sent, of the path families the collection uses (%d):' % len(unsent_used)] + unsent_used
    lines += ['', 'Operations of other path families never sent: %d (listed in the report file)' % len(unsent_other)]
    if failures:
        lines += ['', 'FAILED: %d distinct failures (operation, rule: detail; one example each):' % len(failures)]
        for (name, operation, rule), (count, detail, entry) in sorted(failures.items()):
            example = {k: entry.get(k) for k in ('query', 'body', 'test') if entry.get(k) not in (None, {})}
            lines += ['  %s %s  [%d requests]' % (name, operation, count), '    %s: %s' % (rule, detail),
                      '    example: %s' % json.dumps(example, sort_keys=True)[:1500]]
    else:
        lines += ['', 'Every request follows its published schema.']
    full = lines + ['', 'Operations of other path families never sent:'] + unsent_other
    return lines, full


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('journal', nargs='?', default=DEFAULT_JOURNAL)
    parser.add_argument('--report', default=DEFAULT_REPORT, help='where the full report goes')
    args = parser.parse_args(argv)
    started = time.monotonic()
    apis, missing = load_apis()
    if apis is None:
        print('SKIPPED: %s' % missing)
        return 0
    if not os.path.exists(args.journal):
        print('No request journal at %s: run the suites with SIM_REQUEST_JOURNAL set to it (make test does)'
              % args.journal)
        return 1
    entries, others = read_journal(args.journal)
    if not entries:
        print('The request journal %s holds no request of the collection' % args.journal)
        return 1
    sent, failures, wrong_bases = check(entries, apis)
    lines, full = report(sent, failures, wrong_bases, apis, others, time.monotonic() - started)
    print('\n'.join(lines))
    os.makedirs(os.path.dirname(os.path.abspath(args.report)), exist_ok=True)
    with open(args.report, 'w') as handle:
        handle.write('\n'.join(full) + '\n')
    print('\nFull report: %s' % args.report)
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
