"""HTTP plumbing of the simulator: auth, rate limiting, fault injection, request log, /_sim/ controls."""

import json
import math
import os
import re
import select
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from .datadog import DatadogAccount
from .datadog import failure as datadog_failure
from .events import event_refused
from .pagerduty import ApiFailure, PagerDutyAccount

DEFAULT_TOKEN = 'sim-full-access-token'
DEFAULT_READONLY_TOKEN = 'sim-read-only-token'
CONTROL_PREFIX = '/_sim/'
FAULT_ACTIONS = ('status', 'delay', 'drop', 'commit_then_drop')
# Headers kept in the request log; credentials never are.
RECORDED_HEADERS = ('accept', 'user-agent', 'content-type', 'from')
# Body fields replaced in the request log: keys are secrets wherever they appear.
REDACTED_FIELDS = ('service_key', 'routing_key')
REDACTED = '<redacted>'
# Where the request journal goes, when set as the simulator starts (see RequestJournal).
JOURNAL_VARIABLE = 'SIM_REQUEST_JOURNAL'
# Headers kept in the journal besides RECORDED_HEADERS: credentials, as their form only.
CREDENTIAL_HEADERS = ('authorization', 'dd-api-key', 'dd-application-key')

# A request with this header is the test's own (PagerDutyAccount.seeding): what it creates is the account as it
# was before the test, readable at once and refused nothing in passing; what it reads is the account as it is.
SETUP_HEADER = 'X-Simulator-Setup'


class Fault:
    """One injected fault: applies to the next `times` requests matching method and path, after letting the first
    `after` of them through (a fault for the second read of a path, not the first)."""

    def __init__(self, spec):
        self.method = (spec.get('method') or '*').upper()
        self.path = re.compile(spec.get('path') or '.*')
        self.times = int(spec.get('times', 1))
        self.after = int(spec.get('after', 0))
        self.action = spec.get('action', 'status')
        if self.action not in FAULT_ACTIONS:
            raise ValueError('action must be one of %s' % ', '.join(FAULT_ACTIONS))
        self.status = int(spec.get('status', 503))
        self.headers = dict(spec.get('headers') or {})
        self.body = spec.get('body')
        self.seconds = float(spec.get('seconds', 0))
        self.spec = dict(spec)

    def matches(self, method, path):
        method_matches = self.method in ('*', method) or (self.method == 'WRITE' and method != 'GET')
        return self.times > 0 and method_matches and self.path.search(path) is not None


class RequestJournal:
    """Every API request received, as one JSON line appended to a file that the simulators and test workers of a
    run share, for tests/tools/check_requests.py to check against the APIs' published request schemas. Each line is
    one write to a file opened for appending, so lines of parallel writers never interleave."""

    def __init__(self, path):
        directory = os.path.dirname(os.path.abspath(path))
        os.makedirs(directory, exist_ok=True)
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)

    def record(self, method, path, query, body, headers):
        entry = {'method': method, 'path': path, 'query': query,
                 'headers': {name: headers.get(name) for name in RECORDED_HEADERS if headers.get(name) is not None}}
        for name in CREDENTIAL_HEADERS:
            if headers.get(name) is not None:
                entry['headers'][name] = credential_form(headers.get(name))
        if isinstance(body, str):  # not JSON: only its size, as it may hold anything
            entry['unparsed_body_bytes'] = len(body.encode('utf-8'))
        else:
            entry['body'] = redacted_keeping_types(body)
        # The test that was running, when the simulator shares a pytest process with it.
        if os.environ.get('PYTEST_CURRENT_TEST'):
            entry['test'] = os.environ['PYTEST_CURRENT_TEST']
        if self.fd is not None:  # None once the server stopped: a request still in flight goes unrecorded
            os.write(self.fd, (json.dumps(entry, sort_keys=True) + '\n').encode('utf-8'))

    def close(self):
        os.close(self.fd)
        self.fd = None


def credential_form(value):
    """A credential header's value without the credential: `Token token=<redacted>` keeps what the schema checks."""
    return 'Token token=' + REDACTED if value.startswith('Token token=') else REDACTED


def redacted_keeping_types(body):
    """`body` without its secrets (REDACTED_FIELDS), each replaced by a value of the same JSON type."""
    if not isinstance(body, dict):
        return body
    stand_ins = {str: REDACTED, int: 0, float: 0.0, list: [], dict: {}}
    return {k: stand_ins.get(type(v), v) if k in REDACTED_FIELDS else v for k, v in body.items()}


class RateLimiter:
    """PagerDuty-style fixed window per token, with the ratelimit-* headers."""

    def __init__(self, clock=time.monotonic):
        self.limit = None
        self.window = 60.0
        self._clock = clock
        self._windows = {}

    def configure(self, limit, window_seconds):
        self.limit = limit
        self.window = float(window_seconds or 60)
        self._windows = {}

    def check(self, token, style='pagerduty'):
        """(allowed?, headers) for one request by `token`, with the headers in the API's own style."""
        if self.limit is None:
            return True, {}
        now = self._clock()
        start, used = self._windows.get(token, (now, 0))
        if now - start >= self.window:
            start, used = now, 0
        allowed = used < self.limit
        if allowed:
            used += 1
        self._windows[token] = (start, used)
        reset = max(1, math.ceil(self.window - (now - start)))
        if style == 'datadog':
            return allowed, {'X-RateLimit-Limit': str(self.limit), 'X-RateLimit-Period': str(int(self.window)),
                             'X-RateLimit-Remaining': str(self.limit - used), 'X-RateLimit-Reset': str(reset)}
        return allowed, {'ratelimit-limit': str(self.limit), 'ratelimit-remaining': str(self.limit - used),
                         'ratelimit-reset': str(reset)}


def api_of(account, pattern):
    """Which API a route belongs to: PagerDuty's Events API (/v2/...) has no token and its own errors."""
    return 'events' if account == 'pagerduty' and pattern.startswith('/v2/') else account


class Simulator:
    """The whole simulated backend; one instance per server."""

    def __init__(self, base_url, token=DEFAULT_TOKEN, readonly_token=DEFAULT_READONLY_TOKEN, journal=None):
        self.lock = threading.RLock()
        self.journal = journal
        self.tokens = {token: 'full', readonly_token: 'read'}
        self.pagerduty = PagerDutyAccount(base_url)
        self.datadog = DatadogAccount()
        self.rate_limiter = RateLimiter()
        self.faults = []
        self.requests = []
        # Numbers the connections accepted: the request log says which one carried each request.
        self.connections_opened = 0
        # Bumped by every reset: a request still in flight from before (a delayed one) is dropped
        # instead of acting on the new state.
        self.generation = 0
        self.routes = [(method, re.compile('^%s$' % pattern), handler, api_of(api, pattern))
                       for api, account in (('pagerduty', self.pagerduty), ('datadog', self.datadog))
                       for method, pattern, handler in account.routes()]

    def reset(self):
        with self.lock:
            self.generation += 1
            self.pagerduty.reset()
            self.datadog.reset()
            self.faults = []
            self.requests = []
            self.rate_limiter.configure(None, 60)

    def take_fault(self, method, path):
        with self.lock:
            for fault in self.faults:
                if fault.matches(method, path):
                    if fault.after > 0:
                        fault.after -= 1
                        continue
                    fault.times -= 1
                    return fault
        return None

    def route(self, method, path):
        """(handler, path arguments, API name) of the endpoint serving method and path."""
        for route_method, pattern, handler, api in self.routes:
            match = pattern.match(path)
            if match and route_method == method:
                return handler, [unquote(g) for g in match.groups()], api
        allowed = [route_method for route_method, pattern, dummy, dummy_api in self.routes if pattern.match(path)]
        if allowed:
            raise ApiFailure(405, 2100, message='Method Not Allowed')
        raise ApiFailure(404, 2100)

    def authenticate(self, headers, method):
        header = headers.get('Authorization') or ''
        match = re.match(r'^Token token=(.+)$', header)
        role = self.tokens.get(match.group(1)) if match else None
        if role is None:
            raise ApiFailure(401, 2006, message='Authentication failed')
        if role == 'read' and method != 'GET':
            raise ApiFailure(403, 2010, ['This API token is read-only; writes need a token with full access'])
        return match.group(1)

    def handle_api(self, method, path, query, body, headers):
        """(status, body, headers) of one API request, with auth and rate limiting."""
        api, args = None, ()
        try:
            handler, args, api = self.route(method, path)
            if api == 'events':
                # The Events API takes no token: the routing key in the body says where events go.
                limit_headers = {}
            elif api == 'datadog':
                self.datadog.authenticate(headers, method)
                allowed, limit_headers = self.rate_limiter.check(headers.get('DD-API-KEY'), style='datadog')
                if not allowed:
                    raise datadog_failure(429, 'Rate limit of %s requests in %s seconds reached'
                                          % (self.rate_limiter.limit, int(self.rate_limiter.window)), headers=limit_headers)
            else:
                token = self.authenticate(headers, method)
                allowed, limit_headers = self.rate_limiter.check(token)
                if not allowed:
                    raise ApiFailure(429, 2020, message='Rate Limit Exceeded', headers=limit_headers)
            if method in ('POST', 'PUT') and not isinstance(body, dict) and not (
                    body is None and getattr(handler, 'takes_no_body', False)):
                if api == 'events':
                    raise event_refused(['JSON parse error'], 'Event object format is unrecognized', 'Unrecognized object')
                raise ApiFailure(400, 2001, ['The request body must be JSON'])
            with self.lock:
                # What a handler may need of the request besides its query and body (the From header).
                self.pagerduty.request_headers = headers
                if headers.get(SETUP_HEADER):
                    with self.pagerduty.seeding():
                        status, data = handler(query, body, *args)
                else:
                    status, data = handler(query, body, *args)
            return status, data, limit_headers
        except ApiFailure as failure:
            if failure.status == 404 and method == 'GET' and api == 'pagerduty' and args \
                    and self.pagerduty.settings['malformed_id_status'] == 400:
                # The real API may answer an ID it cannot parse with 400 rather than 404.
                failure = ApiFailure(400, 2001, ['The id %r is not valid' % args[-1]])
            return failure.status, failure.body, failure.headers


def make_handler(sim):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = 'HTTP/1.1'
        server_version = 'pagerduty-simulator'

        def log_message(self, *args):  # quiet: the request log is the record
            pass

        def do_GET(self):
            self.dispatch('GET')

        def do_POST(self):
            self.dispatch('POST')

        def do_PUT(self):
            self.dispatch('PUT')

        def do_DELETE(self):
            self.dispatch('DELETE')

        def read_body(self):
            length = int(self.headers.get('Content-Length') or 0)
            raw = self.rfile.read(length) if length else b''
            if not raw:
                return None
            try:
                return json.loads(raw)
            except ValueError:
                return raw.decode('utf-8', 'replace')

        def send_json(self, status, body, headers=None):
            payload = b'' if body is None else json.dumps(body).encode('utf-8')
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            if body is not None:
                self.send_header('Content-Type', 'application/json')
            self.send_header('Content-Length', str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def drop(self):
            self.close_connection = True

        def setup(self):
            super().setup()
            # Headers and body are written separately: without this, Nagle's algorithm holds the
            # body until the client's delayed ACK of the headers, 40 ms later, as no real server does.
            self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with sim.lock:
                sim.connections_opened += 1
                self.connection_number = sim.connections_opened

        def dispatch(self, method):
            parts = urlsplit(self.path)
            path, query = parts.path, parse_qs(parts.query, keep_blank_values=True)
            body = self.read_body()
            if path.startswith(CONTROL_PREFIX):
                status, data = control(sim, method, path[len(CONTROL_PREFIX):], query, body)
                return self.send_json(status, data)
            if sim.journal is not None:
                sim.journal.record(method, path, query, body, self.headers)
            latency = sim.pagerduty.settings['latency_ms']
            if latency:  # a real network's round trip, for benchmarks (POST /_sim/settings latency_ms)
                time.sleep(latency / 1000.0)
            generation = sim.generation
            entry = {'method': method, 'path': path, 'query': query, 'body': redacted(body), 'status': None,
                     'headers': {name: self.headers.get(name) for name in RECORDED_HEADERS},
                     'connection': self.connection_number}
            with sim.lock:
                sim.requests.append(entry)
            fault = sim.take_fault(method, path)
            if fault and fault.action == 'delay':
                if not self.client_stays(fault.seconds):
                    entry['fault'] = 'dropped: the client went away while it was delayed'
                    return self.drop()
                if sim.generation != generation:
                    entry['fault'] = 'dropped: the simulator was reset while it was delayed'
                    return self.drop()
            if fault and fault.action == 'drop':
                entry['fault'] = 'drop'
                return self.drop()
            if fault and fault.action == 'status':
                entry['status'] = entry['fault'] = fault.status
                data = fault.body if fault.body is not None else {
                    'error': {'code': None, 'message': 'Simulated fault: HTTP %d' % fault.status}}
                return self.send_json(fault.status, data, fault.headers)
            status, data, headers = sim.handle_api(method, path, query, body, self.headers)
            entry['status'] = status
            if fault and fault.action == 'commit_then_drop':
                entry['fault'] = 'commit_then_drop'
                return self.drop()
            return self.send_json(status, data, headers)

        def client_stays(self, seconds):
            """Wait `seconds`; False as soon as the client closes the connection (a killed process): the request
            is then never handled, as one a client stopped before sending would not be."""
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                readable = select.select([self.connection], [], [], min(0.05, max(0.0, deadline - time.monotonic())))[0]
                if readable:
                    try:
                        if not self.connection.recv(1, socket.MSG_PEEK):
                            return False
                    except OSError:
                        return False
                    time.sleep(0.05)  # the next request of a kept-alive client: still here
            return True

    return Handler


def redacted(body):
    """`body` as the request log keeps it: without the secrets it may carry."""
    if isinstance(body, dict) and any(field in body for field in REDACTED_FIELDS):
        return {k: (REDACTED if k in REDACTED_FIELDS else v) for k, v in body.items()}
    return body


def control(sim, method, name, query, body):
    """The /_sim/ test controls: (status, body)."""
    body = body if isinstance(body, dict) else {}
    with sim.lock:
        if (method, name) == ('GET', 'health'):
            return 200, {'status': 'ok'}
        if (method, name) == ('POST', 'reset'):
            sim.reset()
            return 200, {'status': 'reset'}
        if (method, name) == ('GET', 'requests'):
            return 200, {'requests': list(sim.requests)}
        if (method, name) == ('DELETE', 'requests'):
            sim.requests = []
            return 200, {'requests': []}
        if (method, name) == ('GET', 'faults'):
            return 200, {'faults': [dict(f.spec, remaining=f.times) for f in sim.faults if f.times > 0]}
        if (method, name) == ('POST', 'faults'):
            specs = body.get('faults') if isinstance(body.get('faults'), list) else [body]
            try:
                sim.faults.extend(Fault(spec) for spec in specs)
            except (ValueError, re.error, TypeError) as err:
                return 400, {'error': str(err)}
            return 201, {'faults': len(sim.faults)}
        if (method, name) == ('DELETE', 'faults'):
            sim.faults = []
            return 200, {'faults': 0}
        if (method, name) == ('POST', 'rate_limit'):
            sim.rate_limiter.configure(body.get('limit'), body.get('window_seconds', 60))
            return 200, {'limit': sim.rate_limiter.limit, 'window_seconds': sim.rate_limiter.window}
        if (method, name) == ('POST', 'settings'):
            try:
                return 200, sim.pagerduty.configure(body)
            except ValueError as err:
                return 400, {'error': str(err)}
        if (method, name) == ('POST', 'datadog'):
            return 200, sim.datadog.settings(body)
        if (method, name) == ('GET', 'datadog'):
            return 200, sim.datadog.state()
        if (method, name) == ('POST', 'seed'):
            from .seeding import seed
            try:
                return 201, seed(sim.pagerduty, body)
            except (KeyError, ValueError, ApiFailure) as err:
                return 400, {'error': getattr(err, 'body', None) or str(err)}
        if (method, name) == ('GET', 'state'):
            account = sim.pagerduty
            services = [account.service_view(s, {'integrations'}) for s in account.services.values()]
            return 200, {'services': services, 'incidents': list(account.incidents.values())}
    return 404, {'error': 'unknown control %s %s%s' % (method, CONTROL_PREFIX, name)}


class SimulatorServer:
    """The simulator on a real socket, in a background thread (tests) or the foreground (CLI)."""

    def __init__(self, host='127.0.0.1', port=0, token=None, readonly_token=None, tls_context=None, journal_path=None):
        self.httpd = ThreadingHTTPServer((host, port), None)
        self.httpd.daemon_threads = True
        if tls_context is not None:  # HTTPS, for the certificate checks of the clients
            self.httpd.socket = tls_context.wrap_socket(self.httpd.socket, server_side=True)
        self.host, self.port = self.httpd.server_address[:2]
        self.url = '%s://%s:%d' % ('https' if tls_context else 'http', self.host, self.port)
        journal_path = journal_path or os.environ.get(JOURNAL_VARIABLE)
        self.sim = Simulator(self.url, token or os.environ.get('SIM_TOKEN') or DEFAULT_TOKEN,
                             readonly_token or os.environ.get('SIM_READONLY_TOKEN') or DEFAULT_READONLY_TOKEN,
                             journal=RequestJournal(journal_path) if journal_path else None)
        self.httpd.RequestHandlerClass = make_handler(self.sim)
        self._thread = None

    def start(self):
        self._thread = threading.Thread(target=self.httpd.serve_forever, name='pagerduty-simulator', daemon=True)
        self._thread.start()
        return self

    def serve_forever(self):
        self.httpd.serve_forever()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        if self.sim.journal is not None:
            self.sim.journal.close()
