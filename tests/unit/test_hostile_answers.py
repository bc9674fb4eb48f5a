"""Answers PagerDuty's API would never give, from something else at its address (a captive portal, a
broken proxy, a server that stalls): every one fails the task with a message that says what came
back, on both execution paths, in bounded time and memory. Real ansible-playbook runs against a
hostile HTTP server started here; each scenario has its own path under it."""

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

BIG_ERROR_BYTES = 50 * 1024 * 1024
HUGE_ANSWER_BYTES = 300 * 1024 * 1024
CHUNK = b' ' * 65536


def big_error():
    message = b'x' * BIG_ERROR_BYTES
    return b'{"error": {"message": "' + message + b'", "code": 2001}}'


# scenario: (status, extra headers, body); a body of None is written by the handler's own method.
SCENARIOS = {
    'string': (200, {}, b'"hello"'),
    'list': (200, {}, b'[]'),
    'no_envelope': (200, {}, b'{"unrelated": true}'),
    'wrong_shape': (200, {}, b'{"services": "x", "more": false}'),
    'not_objects': (200, {}, b'{"services": [1, "a"], "more": false}'),
    'error_list': (400, {}, b'[1, 2]'),
    'error_odd_fields': (400, {}, b'{"error": {"message": {"a": 1}, "code": [2], "errors": [{"b": 2}, 3]}}'),
    'error_not_json': (400, {}, b'<html>Bad gateway of a proxy</html>'),
    'redirect': (302, {'Location': 'http://me:secret@portal.example/login?session=secret'}, b''),
    'big_error': (400, {}, None),
    'huge_answer': (200, {}, None),
    'trickle': (200, {}, None),
    # At events_url: only the Events API's own 202 {"status": "success"} means that an event was sent.
    'event_redirect': (301, {'Location': 'https://events.example/v2/enqueue'}, b''),
    'event_list': (200, {}, b'[]'),
    'event_unrelated': (200, {}, b'{"ok": true}'),
    'event_not_accepted': (202, {}, b'{"status": "queued"}'),
}
EVENT_SCENARIOS = [name for name in SCENARIOS if name.startswith('event_')]


class HostileHandler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, *args):
        pass

    def handle_any(self):
        length = int(self.headers.get('Content-Length') or 0)
        if length:
            self.rfile.read(length)
        scenario = self.path.split('/')[2]
        self.server.seen.setdefault(scenario, []).append((self.command, self.path))
        status, headers, body = SCENARIOS[scenario]
        try:
            getattr(self, 'answer_' + scenario, self.answer)(status, headers, body)
        except (BrokenPipeError, ConnectionResetError, socket.timeout):
            self.server.hung_up.add(scenario)  # the client stopped reading: what a bounded client does
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_DELETE = handle_any

    def answer(self, status, headers, body):
        self.send_response(status)
        for name, value in dict({'Content-Type': 'application/json'}, **headers).items():
            self.send_header(name, value)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def answer_big_error(self, status, headers, body):
        self.answer(status, headers, self.server.big_error)

    def answer_huge_answer(self, status, headers, body):
        self.send_response(status)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(HUGE_ANSWER_BYTES))
        self.end_headers()
        for dummy in range(HUGE_ANSWER_BYTES // len(CHUNK)):
            self.wfile.write(CHUNK)

    def answer_trickle(self, status, headers, body):
        # One byte every 0.2 s, for ever (until the client hangs up): every read gets something in time.
        self.send_response(status)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', '1000000')
        self.end_headers()
        self.wfile.flush()
        while True:
            self.wfile.write(b' ')
            self.wfile.flush()
            time.sleep(0.2)


@pytest.fixture(scope='module')
def hostile():
    server = ThreadingHTTPServer(('127.0.0.1', 0), HostileHandler)
    server.daemon_threads = True
    server.seen = {}
    server.hung_up = set()
    server.big_error = big_error()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = 'http://127.0.0.1:%d' % server.server_address[1]
    yield server
    server.shutdown()


# What each failure must say, besides naming the request: the words a user can act on.
EXPECTED = {
    'string': 'a JSON string',
    'list': 'a JSON list',
    'no_envelope': "no 'services' list",
    'wrong_shape': "no 'services' list",
    'not_objects': "no 'services' list",
    'error_list': 'HTTP 400',
    'error_odd_fields': 'HTTP 400',
    'error_not_json': 'HTTP 400',
    'redirect': 'redirect',
    'big_error': 'HTTP 400',
    'huge_answer': 'larger than',
    'trickle': 'timeout=2',
    'event_redirect': 'redirect',
    'event_list': 'a JSON list',
    'event_unrelated': 'not the Events API accepting the event',
    'event_not_accepted': 'not the Events API accepting the event',
}

# Every task: a short timeout and one retry, so that a stalled answer ends the task soon.
BOUNDED = '''        timeout: 2
        retries: 1
        retry_timeout: 5
      vars:
        oncall_pagerduty_in_process: %(in_process)s
      ignore_errors: true
      register: %(scenario)s
'''

TASK = '''
    - name: %(scenario)s
      oncall.pagerduty.pd_service_info:
        api_url: "%(url)s/h/%(scenario)s"
        api_token: a-token
        name: Web
''' + BOUNDED

EVENT_TASK = '''
    - name: %(scenario)s
      oncall.pagerduty.pd_event:
        events_url: "%(url)s/h/%(scenario)s"
        routing_key: 0123456789abcdef0123456789abcdef
        summary: Disk full on db1
        source: db1.example.com
        severity: critical
        dedup_key: disk-db1
''' + BOUNDED


@pytest.mark.parametrize('in_process', [True, False], ids=['in_process', 'module'])
def test_every_hostile_answer_fails_cleanly_naming_what_came_back(hostile, play, in_process):
    tasks = ''.join((EVENT_TASK if name in EVENT_SCENARIOS else TASK) % dict(
        scenario=name, url=hostile.url, in_process=str(in_process).lower()) for name in SCENARIOS)
    started = time.monotonic()
    code, output, results = play(tasks, list(SCENARIOS), extra_args=['-vvv'])
    elapsed = time.monotonic() - started
    assert 'Traceback' not in output and 'deserialization' not in output, output[-5000:]
    assert 'secret' not in output  # the redirect's Location held credentials and a session
    for name, words in EXPECTED.items():
        result = results[name]
        assert result.get('failed'), (name, result)
        assert words in result['msg'], (name, result['msg'][:3000])
        request = 'POST /v2/enqueue' if name in EVENT_SCENARIOS else 'GET /services'
        assert request in result['msg'], (name, result['msg'][:3000])
        assert len(json.dumps(result)) < 5000, (name, len(json.dumps(result)))
    # The stalled and the oversized answers were given up on, not read to their end.
    assert {'trickle', 'huge_answer'} <= hostile.hung_up
    # Sixteen tasks, two of them limited by timeout=2 with one retry: no task waits on its answer for ever.
    assert elapsed < 120, elapsed
