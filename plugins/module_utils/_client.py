# -*- coding: utf-8 -*-
# Copyright: contributors to oncall.pagerduty
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""HTTP clients for the PagerDuty REST API, PagerDuty's Events API and Datadog's PagerDuty integration API.

Only the standard library and ansible-core's own ``module_utils.urls`` (for the TLS context), so
nothing needs installing on the managed node. The clients take plain values (not an AnsibleModule)
so that modules, action plugins and the catalogue share them. This is the only place that speaks
HTTP or parses an API error body.

Connections are kept alive and shared within a process: the loop items of one task run in one
worker process, so on the in-process path they share one TLS session per API host.
"""

from __future__ import annotations

import base64
import http.client
import ipaddress
import json
import random
import re
import select
import socket
import ssl
import threading
import time
from urllib.parse import quote, unquote, urlencode, urlsplit, urlunsplit
from urllib.request import getproxies, proxy_bypass

from ansible.module_utils.urls import make_context

COLLECTION_VERSION = '0.3.0'
USER_AGENT = 'oncall.pagerduty/%s' % COLLECTION_VERSION

PAGERDUTY_REGIONS = {
    'us': 'https://api.pagerduty.com',
    'eu': 'https://api.eu.pagerduty.com',
}
EVENTS_REGIONS = {
    'us': 'https://events.pagerduty.com',
    'eu': 'https://events.eu.pagerduty.com',
}
# The paths of Datadog's API that name no object (where a 404 means a wrong address or no PagerDuty tile).
DATADOG_COLLECTIONS = ('/api/v1/integration/pagerduty/configuration/services',)

# PagerDuty's classic pagination: at most 100 a page, and offset + limit may not exceed 10,000.
PAGE_LIMIT = 100
OFFSET_CAP = 10000
# PagerDuty's lists that answer 404, with a JSON body holding no error object, when they have nothing to list
# (go-pagerduty PR #545, terraform-provider-pagerduty #944): there, and only there, that 404 means "none".
LISTS_EMPTY_AS_404 = ('/alert_grouping_settings',)


IDEMPOTENT_METHODS = frozenset(('GET', 'PUT', 'DELETE', 'HEAD'))

# The largest answer read: a page of 100 services with their integrations is well under 1 MiB. Anything
# bigger is not an answer of these APIs, and is not read into memory.
MAX_ANSWER_BYTES = 16 * 1024 * 1024
# Of an error answer, only the start is read (an error object is small); the rest is left unread.
MAX_ERROR_BYTES = 64 * 1024
# How much of an answer, or of one message in it, a failure message repeats.
SHOWN_CHARACTERS = 300

# Requests a client leaves of the rate limit's window before it waits for the reset: what its parallel writers
# (the catalogue's four) may have in flight when the answer that says so arrives.
PACING_RESERVE = 4
# Of the warnings one answer holds, how many a task repeats.
MAX_ANSWER_WARNINGS = 10
# A rate-limited task warns once its waits add up to more than this many seconds.
RATE_LIMIT_WARNING_SECONDS = 5

# A create PagerDuty refuses with a 400 for a passing reason: its account lock under concurrent writes
# (terraform-provider-pagerduty #1117), or a parent created a moment ago that its writes do not see yet
# (TF PR #253 retries integration creates on 400 for this). Anything else in a 400 is the input's fault.
TRANSIENT_REFUSALS = ('could not be locked', 'not found', 'could not be found', 'try again')
# How often one request retries such a refusal (within the retry budget).
MAX_TRANSIENT_REFUSALS = 5
# A rate-limited request was not processed: it waits as long as the API asks, within retry_timeout,
# however often (this only stops a server that keeps answering 429 with no wait).
MAX_RATE_LIMITED_RETRIES = 100


# What a request header may hold here: visible ASCII and spaces. http.client refuses a line break with an
# error that repeats the whole header (a token, a key), sends a NUL or another control character as it is,
# and cannot encode a character beyond Latin-1; none of them belongs in a token, a key or an email.
_UNSENDABLE = re.compile(r'[^\x20-\x7e]')
_CHARACTER_NAMES = {'\r': 'a carriage return', '\n': 'a line break', '\t': 'a tab', '\x00': 'a NUL character'}

# A PagerDuty path that names no object: collection names only (/services, /services/custom_fields,
# /service_dependencies/associate); object IDs have capitals and digits, orchestration IDs hyphens.
_NO_OBJECT_PATH = re.compile(r'^(/[a-z][a-z_]*)+$')


def shown(text):
    """`text` (or bytes) as a message repeats it: at most SHOWN_CHARACTERS, with how much was left out."""
    if isinstance(text, bytes):
        text = text.decode('utf-8', 'replace')
    if len(text) <= SHOWN_CHARACTERS:
        return text
    return '%s... (cut short)' % text[:SHOWN_CHARACTERS]


def describe_json(data):
    """What a JSON value is, for a message about an answer that is not what the API answers."""
    kinds = {dict: 'a JSON object', list: 'a JSON list', str: 'a JSON string', bool: 'a JSON boolean',
             int: 'a JSON number', float: 'a JSON number', type(None): 'JSON null'}
    return '%s: %s' % (kinds.get(type(data), 'JSON'), shown(json.dumps(data)))


def is_loopback(host):
    """True for this machine's own addresses (the bundled simulator's), where plain http crosses no network."""
    if host.casefold() == 'localhost':
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def without_credentials(url):
    """`url` as a message may show it: without a user name or password in it (a proxy URL may hold them)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return '(a URL that cannot be parsed)'
    if '@' not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition('@')[2]))


def describe_character(char):
    """What a message calls a character it must not show (it belongs to a secret)."""
    if char in _CHARACTER_NAMES:
        return _CHARACTER_NAMES[char]
    if ord(char) < 0x20 or ord(char) == 0x7f:
        return 'a control character (U+%04X)' % ord(char)
    return 'a non-ASCII character (U+%04X)' % ord(char)


class ApiError(Exception):
    """The one error type raised by the clients.

    ``status`` is the HTTP status (None when no response arrived); ``code``, ``message`` and
    ``errors`` come from the API's error body; ``ambiguous`` is True when a non-idempotent
    request may have been processed although no success response arrived.
    """

    api_name = 'API'

    def __init__(self, message, status=None, code=None, errors=None, method=None, path=None,
                 ambiguous=False, candidates=None, option=None):
        super().__init__(message)
        # The option a lookup failure is about; its message already names it.
        self.option = option
        self.message = message
        self.status = status
        self.code = code
        self.errors = list(errors or [])
        self.method = method
        self.path = path
        self.ambiguous = ambiguous
        self.candidates = list(candidates or [])
        # A 404 (or a redirect) where the API always answers: the base URL is wrong, nothing is absent.
        self.wrong_url = False
        # The error answer's body as JSON (None when it was not JSON).
        self.answer = None

    def __str__(self):
        text = self.message
        # Some APIs repeat the message as the only detail: say it once.
        details_text = [str(e) for e in self.errors if str(e) != self.message]
        if details_text:
            text += ': ' + '; '.join(details_text)
        details = []
        if self.status is not None:
            details.append('HTTP %s' % self.status)
        if self.code is not None:
            details.append('%s error code %s' % (self.api_name, self.code))
        if self.method and self.path:
            details.append('%s %s' % (self.method, self.path))
        if details:
            text += ' (%s)' % ', '.join(details)
        return text

    def result_fields(self):
        """What a failed task reports about this error: only what an HTTP exchange said."""
        fields = {}
        if self.status is not None:
            fields['status'] = self.status
        if self.code is not None:
            fields['error_code'] = self.code
        if self.errors:
            fields['errors'] = self.errors
        return fields


class PagerDutyError(ApiError):
    api_name = 'PagerDuty'


class DatadogError(ApiError):
    api_name = 'Datadog'


class EventsError(ApiError):
    api_name = 'Events API'


def header_value(value, option, error_class=ApiError):
    """`value` (a token, a key) ready for a request header: without the whitespace around it, which a
    copied token or a file read with its line break brings along. A character no header may hold is an
    error naming `option`; the value itself is never shown, since it is a secret."""
    text = str(value).strip()
    if not text:
        raise error_class('%s: is blank' % option, option=option)
    bad = _UNSENDABLE.search(text)
    if bad:
        raise error_class('%s: holds %s (character %d of %d), which cannot be sent in an HTTP header; the value is '
                          'not shown. Give it exactly as it was issued, on one line'
                          % (option, describe_character(bad.group()), bad.start() + 1, len(text)), option=option)
    return text


class RetryBudget:
    """How often one request (or one wait for the API) may be retried, and how long it may wait.

    One budget serves every request of a task, also the parallel writes of the catalogue. Retries are
    counted per request (`attempt`); the waiting time is counted per request, or per wait for the API
    (`since`, when it began): a catalogue of hundreds of writes under the rate limit waits far longer in
    all than any one of its requests may.
    """

    def __init__(self, retries, retry_timeout, backoff_base=1.0, backoff_cap=30.0, sleep=time.sleep, clock=time.monotonic):
        self.retries = retries
        self.retry_timeout = retry_timeout
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self._sleep = sleep
        self._clock = clock
        self._lock = threading.Lock()
        self.retries_made = 0

    def sleep(self, seconds):
        """Sleep, as the budget's clock does (tests give it a clock of their own)."""
        self._sleep(seconds)

    def backoff(self, attempt):
        """Exponential backoff with jitter for the given attempt (0 for the first retry)."""
        delay = min(self.backoff_cap, self.backoff_base * (2 ** attempt))
        return delay * random.uniform(0.5, 1.0)

    def now(self):
        """The budget's clock: what `since` is measured in."""
        return self._clock()

    def time_left(self, since=None):
        """Seconds of waiting left to what began at `since` (retry_timeout less what has passed since); without
        `since`, to a single wait."""
        if since is None:
            return self.retry_timeout
        return since + self.retry_timeout - self._clock()

    def wait(self, seconds, attempt, counted=True, since=None):
        """Wait `seconds` before retry number `attempt` (0 for the first) of what began at `since`; returns a
        reason string, without waiting, when the budget forbids it. A wait that is not `counted` (a rate
        limit's reset) is bounded by the time left only."""
        with self._lock:
            if counted and attempt >= self.retries:
                return 'no retries left (retries=%d)' % self.retries
            if not counted and attempt >= MAX_RATE_LIMITED_RETRIES:
                return 'rate limited %d times in a row' % attempt
            if seconds > self.time_left(since):
                return ('waiting %.1f more seconds would exceed retry_timeout=%s'
                        % (seconds, self.retry_timeout))
            self.retries_made += 1
        if seconds > 0:
            self._sleep(seconds)
        return None


def _header_seconds(headers, *names):
    """The first of the named headers that holds a number of seconds, or None."""
    for name in names:
        value = headers.get(name) if headers else None
        if value is None:
            continue
        try:
            return max(0.0, float(value))
        except ValueError:
            continue
    return None


# -- connections -----------------------------------------------------------------------------------

class _ConnectionPool:
    """Idle keep-alive connections per (scheme, host, port, proxy, TLS settings), for the whole process."""

    def __init__(self):
        self._lock = threading.Lock()
        self._idle = {}
        self._contexts = {}
        self.opened = 0

    def tls_context(self, validate_certs, ca_path):
        """One TLS context per setting, built once: loading the CA store costs tens of milliseconds."""
        key = (validate_certs, ca_path)
        with self._lock:
            if key not in self._contexts:
                self._contexts[key] = make_context(cafile=ca_path, validate_certs=validate_certs)
            return self._contexts[key]

    def acquire(self, key, factory):
        """(connection, reused?) for `key`: an idle one that the server has not closed, or a new one."""
        with self._lock:
            idle = self._idle.get(key) or []
            while idle:
                connection = idle.pop()
                if _still_open(connection):
                    return connection, True
                connection.close()
            self.opened += 1
        return factory(), False

    def release(self, key, connection):
        with self._lock:
            self._idle.setdefault(key, []).append(connection)

    def clear(self):
        with self._lock:
            for connections in self._idle.values():
                for connection in connections:
                    connection.close()
            self._idle = {}


CONNECTIONS = _ConnectionPool()


def _still_open(connection):
    """False when the server closed an idle connection (it is then readable, at end of file)."""
    sock = connection.sock
    if sock is None:
        return False
    try:
        readable = select.select([sock], [], [], 0)[0]
    except (OSError, ValueError):
        return False
    return not readable


class _Sent(Exception):
    """A failure after the request went out: the server may have processed it."""

    def __init__(self, reason):
        super().__init__(str(reason))
        self.reason = reason


class AnswerTooLarge(Exception):
    def __str__(self):
        return 'the answer is larger than %d MiB, more than any answer of the API: it was not read' % (
            MAX_ANSWER_BYTES // (1024 * 1024))


class _NotSent(Exception):
    """A failure before the request went out: the server cannot have processed it."""

    def __init__(self, reason):
        super().__init__(str(reason))
        self.reason = reason


class HttpTransport:
    """Requests to one base URL over kept-alive connections, through the environment's proxy if any."""

    def __init__(self, base_url, timeout, validate_certs=True, ca_path=None, pool=CONNECTIONS):
        parts = urlsplit(base_url)
        if parts.scheme not in ('http', 'https') or not parts.hostname:
            raise ValueError('not an http(s) URL with a host name')  # the URL is not repeated: it may hold credentials
        self.scheme = parts.scheme
        self.host = parts.hostname
        self.port = parts.port or (443 if self.scheme == 'https' else 80)
        self.prefix = parts.path.rstrip('/')
        self.timeout = timeout
        self.pool = pool
        self.proxy = self._proxy_for(self.scheme, self.host)
        if self.proxy and '://' not in self.proxy:
            self.proxy = 'http://' + self.proxy  # as urllib and curl read a proxy given without a scheme
        # How messages name the proxy: its URL without credentials, and where it came from.
        self.proxy_shown = without_credentials(self.proxy) if self.proxy else None
        self.proxy_variable = '%s_proxy' % self.scheme
        self.proxy_problem = self._proxy_problem()
        self.context = pool.tls_context(validate_certs, ca_path) if self.scheme == 'https' else None
        self.key = (self.scheme, self.host, self.port, self.proxy, validate_certs, ca_path)

    def _proxy_problem(self):
        """Why the proxy's URL cannot be used (a ProxyUnusable), or None. Its error names the port, never the
        credentials before it."""
        if not self.proxy:
            return None
        try:
            proxy = urlsplit(self.proxy)
            if proxy.port == 0:  # a port that is not a number raises ValueError here
                raise ValueError('port 0')
            if not proxy.hostname:
                raise ValueError('no host name')
        except ValueError as err:
            return self.ProxyUnusable('the %s environment variable is not a usable proxy URL (%s): write it as '
                                      'http://HOST:PORT, or http://USER:PASSWORD@HOST:PORT'
                                      % (self.proxy_variable, err))
        return None

    @staticmethod
    def _proxy_for(scheme, host):
        proxy = getproxies().get(scheme)
        if not proxy or proxy_bypass(host):
            return None
        return proxy

    def _new_connection(self):
        if self.proxy:
            proxy = urlsplit(self.proxy)
            headers = {}
            if proxy.username:
                credentials = '%s:%s' % (unquote(proxy.username), unquote(proxy.password or ''))
                headers['Proxy-Authorization'] = 'Basic ' + base64.b64encode(credentials.encode()).decode()
            if self.scheme == 'https':
                connection = http.client.HTTPSConnection(proxy.hostname, proxy.port or 8080, timeout=self.timeout,
                                                         context=self.context)
                connection.set_tunnel(self.host, self.port, headers=headers)
            else:
                connection = http.client.HTTPConnection(proxy.hostname, proxy.port or 8080, timeout=self.timeout)
                connection.proxy_headers = headers
            return connection
        if self.scheme == 'https':
            return http.client.HTTPSConnection(self.host, self.port, timeout=self.timeout, context=self.context)
        return http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)

    def target(self, path_and_query):
        path = self.prefix + path_and_query
        if self.proxy and self.scheme == 'http':
            return '%s://%s:%d%s' % (self.scheme, self.host, self.port, path)  # absolute form for a plain proxy
        return path

    def send(self, method, path_and_query, headers, body):
        """(status, headers, raw body); raises _NotSent or _Sent when no response arrived."""
        if self.proxy_problem:
            raise _NotSent(self.proxy_problem)
        attempts = 0
        while True:
            attempts += 1
            connection, reused = self.pool.acquire(self.key, self._new_connection)
            try:
                answer = self._exchange(connection, method, path_and_query, headers, body)
            except _NotSent as failure:
                if self.proxy and str(failure.reason).startswith('Tunnel connection failed: 407'):
                    raise _NotSent(self.proxy_refused_credentials())
                raise
            except _Sent as failure:
                # A kept-alive connection the server closed between our check and the request: the
                # request was not processed if nothing came back, and an idempotent one is safe to
                # send again on a new connection, once.
                stale = reused and isinstance(failure.reason, (http.client.RemoteDisconnected, ConnectionResetError,
                                                               BrokenPipeError))
                if stale and attempts == 1 and method in IDEMPOTENT_METHODS:
                    continue
                raise
            if answer[0] == 407 and self.proxy and self.scheme == 'http':
                # A plain proxy answers itself a request it will not forward: the API never saw it.
                connection.close()
                raise _NotSent(self.proxy_refused_credentials())
            return answer

    def proxy_host(self):
        """The proxy's host name, or None without a proxy."""
        if not self.proxy:
            return None
        return urlsplit(self.proxy).hostname

    class ProxyUnusable(ConnectionRefusedError):
        """The proxy cannot carry the request: it answered 407 Proxy Authentication Required (the credentials in
        its URL are wrong, or it wants some and there are none), or its URL cannot be used. A refused connection:
        the API never saw the request, and a retry will not do better (the client retries no ConnectionRefusedError)."""

    def proxy_refused_credentials(self):
        """The reason of a 407 from the proxy: it names the proxy and its variable, never the credentials."""
        proxy = urlsplit(self.proxy)
        if proxy.username:
            text = ('the proxy %s refused the user name and password given in the %s environment variable (407 Proxy '
                    'Authentication Required). Check them there (a \':\', \'@\' or \'/\' in them is written '
                    'percent-encoded: %%3A, %%40, %%2F)' % (self.proxy_shown, self.proxy_variable))
        else:
            text = ('the proxy %s asks for a user name and password (407 Proxy Authentication Required), and the %s '
                    'environment variable gives none: write them in it, as %s://USER:PASSWORD@%s'
                    % (self.proxy_shown, self.proxy_variable, proxy.scheme, proxy.netloc))
        return self.ProxyUnusable(text + ', or list %s in no_proxy to connect directly' % self.host)

    def _exchange(self, connection, method, path_and_query, headers, body):
        # `timeout` bounds the whole exchange, not each read: a server that answers a byte at a time would
        # otherwise hold the task for ever. At the deadline the socket is shut, which ends any blocked read.
        connection.timed_out = False
        deadline = threading.Timer(self.timeout, _shut, (connection,))
        deadline.daemon = True
        deadline.start()
        try:
            return self._exchange_until_shut(connection, method, path_and_query, headers, body)
        finally:
            deadline.cancel()

    def _exchange_until_shut(self, connection, method, path_and_query, headers, body):
        try:
            if connection.sock is None:
                connection.connect()
                # A request is one write, its answer is awaited: never hold a segment back for an ACK.
                connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            else:
                connection.sock.settimeout(self.timeout)
        except (OSError, http.client.HTTPException) as err:
            connection.close()
            raise _NotSent(_timed_out(connection, err))
        request_headers = dict(headers, **getattr(connection, 'proxy_headers', {}))
        try:
            connection.request(method, self.target(path_and_query), body=body, headers=request_headers)
            response = connection.getresponse()
            raw, whole = _read_bounded(response)
            if connection.timed_out:  # the deadline shut the socket: what was read is only a part
                raise socket.timeout('timed out')
        except (OSError, http.client.HTTPException, AnswerTooLarge) as err:
            connection.close()
            raise _Sent(_timed_out(connection, err))
        if response.will_close or not whole:
            connection.close()
        else:
            self.pool.release(self.key, connection)
        return response.status, response.headers, raw


def _shut(connection):
    """End an exchange that ran past its deadline: a read blocked on the socket returns at once."""
    connection.timed_out = True
    sock = connection.sock
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def _timed_out(connection, err):
    """The error of an exchange: a timeout when the deadline ended it, whatever the socket then said."""
    if getattr(connection, 'timed_out', False):
        return socket.timeout('timed out')
    return err


def _read_bounded(response):
    """(body, whole?) of `response`: an answer beyond MAX_ANSWER_BYTES is refused without reading it, and of
    an error answer only the first MAX_ERROR_BYTES are read."""
    if response.status >= 400:
        raw = response.read(MAX_ERROR_BYTES + 1)
        return raw[:MAX_ERROR_BYTES], len(raw) <= MAX_ERROR_BYTES
    length = response.getheader('Content-Length')
    if length and length.isdigit() and int(length) > MAX_ANSWER_BYTES:
        raise AnswerTooLarge()
    raw = response.read(MAX_ANSWER_BYTES + 1)
    if len(raw) > MAX_ANSWER_BYTES:
        raise AnswerTooLarge()
    if response.length:  # a read of a given size ends quietly at a closed connection: the rest never came
        raise http.client.IncompleteRead(raw, response.length)
    return raw, True


# -- the JSON clients ------------------------------------------------------------------------------

class JsonApiClient:
    """JSON over HTTP(S) with bounded, method-aware retries and one error type.

    Retry rules: a 429 was not processed, so every method is retried after the rate-limit reset
    header (else Retry-After, else backoff). 408, 5xx and lost connections are retried for
    idempotent methods only; for a POST they raise an ``ambiguous`` error so that the caller
    re-reads by identity and adopts what the first POST may have created.
    """

    error_class = ApiError
    rate_limit_reset_headers = ('Retry-After',)
    # The header that says how many requests the rate limit's window has left (None: the API sends none).
    rate_limit_remaining_header = None
    # The header, sent with every answer, that says in whole seconds when the rate limit's window resets
    # (None: the API sends none; a Retry-After says how long to wait, not when a window ends).
    rate_limit_window_header = None
    api_label = 'the API'
    # What a message about the address says: the API's name, the option that gives its base URL, the option
    # that picks a standard one instead, and where the API really is.
    api_title = 'the API'
    url_option = 'api_url'
    url_chooser = None
    home_urls = None
    # What every request carries that only the API may read.
    secrets_sent = 'its credentials'

    def __init__(self, base_url, headers, timeout=30, validate_certs=True, ca_path=None, retries=5, retry_timeout=120,
                 backoff_base=1.0, sleep=time.sleep, clock=time.monotonic, budget=None, allow_plain_http=False):
        self.base_url = base_url.rstrip('/')
        self.shown_url = without_credentials(self.base_url)
        # Where the base URL came from, as a message names it (a subclass says so when it is a region's).
        self.url_source = '%s %s' % (self.url_option, self.shown_url)
        self.timeout = timeout
        self.budget = budget or RetryBudget(retries, retry_timeout, backoff_base=backoff_base, sleep=sleep, clock=clock)
        self.warnings = []
        self.request_count = 0
        self.rate_limited_requests = 0
        self.rate_limit_wait_seconds = 0.0   # the time the task waited for the rate limit (parallel waits once)
        self._waited_until = 0.0
        self._resume_at = 0.0
        self._held_by = None
        self._window_end = None  # the latest moment the rate limit's current window can reset (see _note_window)
        self._stats_lock = threading.Lock()
        self._exchange = threading.local()  # how long this thread's last HTTP exchange took
        self.headers = dict(headers, **{'Content-Type': 'application/json', 'User-Agent': USER_AGENT})
        try:
            self.transport = HttpTransport(self.base_url, timeout, validate_certs=validate_certs, ca_path=ca_path)
        except ValueError as err:  # a port that is not a number, an unclosed [IPv6 address]
            raise self.error_class('%s: %s is not a usable http(s) URL (%s)' % (self.url_option, self.shown_url, err),
                                   option=self.url_option)
        if self.transport.scheme == 'http' and not allow_plain_http and not is_loopback(self.transport.host):
            raise self.error_class(
                '%s: %s is plain http:// to another machine, which would send %s unencrypted over the network; use '
                'https://, or set allow_plain_http to true for a test endpoint on a network you trust'
                % (self.url_option, self.shown_url, self.secrets_sent), option=self.url_option)

    # -- the error body of each API --------------------------------------------------------------

    def parse_error_body(self, data):
        """(code, message, errors) from an error response body."""
        return None, None, []

    # -- verbs -----------------------------------------------------------------------------------

    def get(self, path, query=None, envelope=None):
        """The response body (or the object under its `envelope` key), or None when the object does not
        exist (404; not at a path that names no object, where a 404 says that the base URL is wrong)."""
        try:
            return self.request('GET', path, query, envelope=envelope)[1]
        except ApiError as err:
            if err.status == 404 and not err.wrong_url:
                return None
            raise

    def post(self, path, body, headers=None, idempotent=False, transient_refusals=False, answered_errors_retried=False,
             envelope=None):
        return self.request('POST', path, body=body, headers=headers, idempotent=idempotent, envelope=envelope,
                            transient_refusals=transient_refusals, answered_errors_retried=answered_errors_retried)[1]

    def put(self, path, body, headers=None, envelope=None):
        return self.request('PUT', path, body=body, headers=headers, envelope=envelope)[1]

    def delete(self, path, headers=None):
        """True when deleted, False when it was already gone (a retried DELETE may find that)."""
        try:
            self.request('DELETE', path, headers=headers)
        except ApiError as err:
            if err.status == 404 and not err.wrong_url:
                return False
            raise
        return True

    # -- transport -------------------------------------------------------------------------------

    def url_for(self, path, query=None):
        return self.base_url + self.path_and_query(path, query)

    @staticmethod
    def path_and_query(path, query=None):
        if query:
            return path + '?' + urlencode(query, doseq=True)
        return path

    def request(self, method, path, query=None, body=None, headers=None, idempotent=False, transient_refusals=False,
                answered_errors_retried=False, envelope=None):
        """Send one API request, retrying within the budget. Returns (status, data, headers).

        With `envelope`, data is the object the answer holds under that key (PagerDuty wraps each object
        so: {"service": {...}}); an answer without it is an error, as if no answer had come (see enveloped).

        `idempotent` marks a POST that is safe to repeat (an event with a dedup_key).
        `transient_refusals` retries a 400 that says it is passing (see TRANSIENT_REFUSALS), a few times.
        `answered_errors_retried` retries a POST that was answered with 408 or 5xx (an API that says such
        an answer means not processed, as the Events API does), but not one whose answer was lost.
        """
        target = self.path_and_query(path, query)
        payload = None if body is None else json.dumps(body).encode('utf-8')
        request_headers = dict(self.headers, **(headers or {}))
        self._refuse_unsendable_headers(request_headers, method, path)
        retry_as = 'PUT' if idempotent else method
        attempt = 0
        limited = 0
        refusals = 0
        since = self.budget.now()
        self._exchange.held = 0.0
        while True:
            self._exchange.held += self._wait_for_rate_limit_reset()
            with self._stats_lock:
                self.request_count += 1
            started = time.monotonic()
            status, data, response_headers, failure = self._send_once(method, path, target, payload, request_headers,
                                                                      retry_as)
            self._exchange.seconds = time.monotonic() - started
            self._note_window(response_headers)
            self._pace(response_headers)
            if failure is None:
                if method != 'GET':
                    self.note_answer_warnings(method, path, data)
                if envelope is not None:
                    data = self.enveloped(data, envelope, method, path, ambiguous=retry_as not in IDEMPOTENT_METHODS)
                return status, data, response_headers
            rate_limited = failure.status == 429
            retryable, wait = self._retry_decision(retry_as, failure, response_headers, limited if rate_limited else attempt)
            if not retryable and transient_refusals and is_transient_refusal(failure) \
                    and refusals < MAX_TRANSIENT_REFUSALS:
                refusals += 1
                retryable, wait = True, self.budget.backoff(attempt)
            if not retryable and answered_errors_retried and failure.status is not None \
                    and (failure.status == 408 or failure.status >= 500):
                failure.ambiguous = False  # this API says so: an error it answered was not processed
                retryable, wait = True, self.budget.backoff(attempt)
            if not retryable:
                raise failure
            self._hold_others(failure, wait, since)
            if rate_limited:
                with self._stats_lock:
                    self.rate_limited_requests += 1
                self._note_rate_limit_wait(wait)
                self._exchange.held += wait
                refusal = self.budget.wait(wait, limited, counted=False, since=since)
            else:
                refusal = self.budget.wait(wait, attempt, since=since)
            if refusal:
                failure.message += ' (gave up retrying: %s)' % refusal
                raise failure
            if rate_limited:
                limited += 1
            else:
                attempt += 1

    def enveloped(self, data, key, method, path, listing=False, ambiguous=False):
        """The object (or, for a `listing`, the list of objects) an answer holds under `key`. Anything else was
        not the API's answer; after a write it is `ambiguous`: the write may have been processed."""
        found = data.get(key) if isinstance(data, dict) else None
        if listing:
            if isinstance(found, list) and all(isinstance(item, dict) for item in found):
                return found
            wanted = 'list of objects'
        else:
            if isinstance(found, dict):
                return found
            wanted = 'object'
        raise self.error_class('the answer has no %r %s, which %s always answers with: it is %s; %s may not be the '
                               'address of %s' % (key, wanted, self.api_title, describe_json(data), self.url_source,
                                                  self.api_title), method=method, path=path, ambiguous=ambiguous)

    def _refuse_unsendable_headers(self, headers, method, path):
        """A header value no request may carry fails here, by its name: http.client's own error would show
        the value, and a header may hold a secret (the From header comes with each request)."""
        for name, value in headers.items():
            bad = _UNSENDABLE.search(value) if isinstance(value, str) else None
            if bad:
                raise self.error_class('the %s header holds %s, which cannot be sent in an HTTP header; the value is '
                                       'not shown' % (name, describe_character(bad.group())), method=method, path=path)

    @property
    def last_request_held_seconds(self):
        """How long this thread's last request waited for the rate limit before the server took it: time in which
        it was not in flight."""
        return getattr(self._exchange, 'held', 0.0)

    @property
    def last_exchange_seconds(self):
        """How long this thread's last HTTP exchange took, from sending to the answer (retries not counted)."""
        return getattr(self._exchange, 'seconds', 0.0)

    def _hold_others(self, failure, wait, since):
        """After a 429, every request of this client (the catalogue's parallel writes share it) waits
        for the reset, rather than each running into the limit again. A reset the task will not wait
        for (past retry_timeout) holds nobody: the request that got it fails instead."""
        if failure.status == 429 and wait <= self.budget.time_left(since):
            # The thread that got the 429 waits in its retry; the hold is for the others.
            self._hold_until(self.budget.now() + wait, threading.get_ident())

    def _pace(self, headers):
        """When an answer says that the rate limit's window is (nearly) used up, every request of this client waits
        for its reset rather than running into a 429: the parallel writers of one task, and the forks of a play
        that read the same account's headers, pace themselves."""
        if not self.rate_limit_remaining_header or not headers:
            return
        remaining = _header_seconds(headers, self.rate_limit_remaining_header)
        if remaining is None or remaining > PACING_RESERVE:
            return
        reset = self._until_reset(headers)
        if reset and reset <= self.budget.time_left():
            self._hold_until(self.budget.now() + reset, None)

    def _note_window(self, headers):
        """Narrow down when the rate limit's window resets. The header says it in whole seconds, rounded up, so one
        answer places the reset anywhere in the second before now + header; each later answer of the same window
        narrows that, and the earliest such bound is when the reset has certainly come. On PagerDuty's minute
        the rounding costs little; on a short window it would cost up to half of it."""
        seconds = _header_seconds(headers, self.rate_limit_window_header) if self.rate_limit_window_header else None
        if seconds is None:
            return
        now = self.budget.now()
        bound = now + seconds
        with self._stats_lock:
            if self._window_end is None or self._window_end <= now or bound < self._window_end:
                self._window_end = bound  # the first answer of a window, or a closer bound on its end

    def _until_reset(self, headers):
        """Seconds until the rate limit resets, by an answer's reset header, or sooner where this client has narrowed
        down its window's end (None: the answer does not say)."""
        seconds = _header_seconds(headers, *self.rate_limit_reset_headers)
        now = self.budget.now()
        if seconds is not None and self._window_end is not None and self._window_end > now:
            return min(seconds, self._window_end - now)
        return seconds

    def _hold_until(self, resume_at, held_by):
        with self._stats_lock:
            if resume_at > self._resume_at:
                self._resume_at, self._held_by = resume_at, held_by

    def _wait_for_rate_limit_reset(self):
        """Wait while the rate limit holds this client's requests; returns the seconds waited."""
        delay = self._resume_at - self.budget.now()
        if delay > 0 and self._held_by != threading.get_ident():
            self._note_rate_limit_wait(delay)
            self.budget.sleep(delay)
            return delay
        return 0.0

    def _note_rate_limit_wait(self, seconds):
        """Count a wait for the rate limit in the time the task waited: waits of parallel writers that overlap
        count once, so that the report says how long the task was held, not the sum of its threads' waits."""
        with self._stats_lock:
            now = self.budget.now()
            end = now + seconds
            self.rate_limit_wait_seconds += max(0.0, end - max(now, self._waited_until))
            self._waited_until = max(self._waited_until, end)

    def rate_limit_report(self):
        """What the result says about rate limiting, and a warning past a few seconds of waiting."""
        if not self.rate_limited_requests and not self.rate_limit_wait_seconds:
            return None, None
        report = {'requests': self.rate_limited_requests, 'seconds_waited': round(self.rate_limit_wait_seconds, 1)}
        warning = None
        if self.rate_limit_wait_seconds > RATE_LIMIT_WARNING_SECONDS:
            warning = ("%s's rate limit held this task for %.1f seconds (%d of its requests were answered 429); it "
                       'waited as long as the rate-limit headers asked. Run fewer tasks against this account in parallel '
                       '(forks, throttle) to avoid the wait.' % (self.api_label, self.rate_limit_wait_seconds,
                                                                 self.rate_limited_requests))
        return report, warning

    def _send_once(self, method, path, target, payload, headers, retry_as):
        """One HTTP exchange; returns (status, data, headers, error-or-None)."""
        try:
            status, response_headers, raw = self.transport.send(method, target, headers, payload)
        except _NotSent as failure:
            return None, None, {}, self._connection_error(method, path, failure.reason, sent=False, retry_as=retry_as)
        except _Sent as failure:
            return None, None, {}, self._connection_error(method, path, failure.reason, sent=True, retry_as=retry_as)
        if 300 <= status < 400:
            # The APIs never redirect; something else answers at this address (or http:// for https://).
            # Shown without credentials or query: a portal's address may carry a session in either.
            location = without_credentials(response_headers.get('Location') or '').split('?')[0] \
                or 'nowhere (no Location header)'
            error = self.error_class(
                self.wrong_url_advice('it answers %s %s with a redirect to %s, and %s does not redirect'
                                      % (method, path, location, self.api_title)),
                status=status, method=method, path=path, ambiguous=retry_as not in IDEMPOTENT_METHODS and status == 303)
            error.wrong_url = True
            return status, None, response_headers, error
        if status < 400:
            try:
                data = self._decode(raw)
            except ValueError:
                data, what = None, 'not JSON: %s' % shown(raw)
            else:
                what = None if data is None or isinstance(data, dict) else describe_json(data)
            if what is None:
                return status, data, response_headers, None
            # Whatever answered was not the API, or the API broke: a write may have been processed.
            error = self.error_class('the answer is %s, where %s always answers with a JSON object; %s may not be the '
                                     'address of %s' % (what, self.api_title, self.url_source, self.api_title),
                                     status=status, method=method, path=path,
                                     ambiguous=retry_as not in IDEMPOTENT_METHODS)
            return status, None, response_headers, error
        code, message, errors, data, foreign = self.error_parts(raw)
        error = self.error_class(
            message or http.client.responses.get(status, 'HTTP error'),
            status=status, code=code, errors=errors, method=method, path=path,
            ambiguous=(retry_as not in IDEMPOTENT_METHODS and (status == 408 or status >= 500)),
        )
        error.answer = data
        if status == 404 and self.names_no_object(path) and self.says_only_not_found(message, errors):
            error.message = self.wrong_url_advice('it answers %s %s with 404 Not Found, a path %s always serves'
                                                  % (method, path, self.api_title))
            error.wrong_url = True
        elif foreign:
            error.message += '; the answer is not an error of %s, it is %s' % (self.api_title, foreign)
        return status, data, response_headers, error

    def error_parts(self, raw):
        """(code, message, errors, data, foreign) of an error answer, as text a message can hold: an answer in the
        API's error shape gives its own; of any other, `foreign` says what it is, shortened."""
        try:
            data = self._decode(raw)
        except ValueError:
            data, foreign = None, 'not JSON: %s' % shown(raw)
        else:
            foreign = describe_json(data)
        try:
            code, message, errors = self.parse_error_body(data)
        except (AttributeError, TypeError, ValueError):
            code, message, errors = None, None, []
        if message is not None or not raw:
            foreign = None
        if code is not None and not isinstance(code, (int, str)):
            code = shown(json.dumps(code))
        if isinstance(code, str):
            code = shown(code)
        errors = [shown(e if isinstance(e, str) else json.dumps(e)) for e in (errors or [])[:10]]
        if message is not None and not isinstance(message, str):
            message = json.dumps(message)
        return code, shown(message) if message is not None else None, errors, data, foreign

    # -- what an answer says about the address -------------------------------------------------------

    def note_answer_warnings(self, method, path, data):
        """Keep, for the task's warnings, what a write's answer warns of while it reports success."""

    def names_no_object(self, path):
        """True when `path` names no object (a collection), so that a 404 there cannot mean "absent"."""
        return False

    def says_only_not_found(self, message, errors):
        """True when a 404 says no more than "not found", as a server does for a path it does not have
        (a 404 that names what is missing is about that)."""
        return not errors and (message or 'not found').strip(' .').casefold() == 'not found'

    def wrong_url_advice(self, evidence):
        """The message for an answer that shows the base URL is wrong, with where the API really is."""
        text = '%s is probably wrong: %s.' % (self.url_source, evidence)
        if self.home_urls:
            text += ' %s is at %s, with no path; use one of them as %s' % (
                self.api_title[0].upper() + self.api_title[1:], self.home_urls, self.url_option)
            if self.url_chooser:
                text += ', or leave %s unset and set %s' % (self.url_option, self.url_chooser)
        return text

    def _connection_error(self, method, path, reason, sent, retry_as):
        if isinstance(reason, AnswerTooLarge):
            return self.error_class('%s; %s may not be the address of %s' % (reason, self.url_source, self.api_title),
                                    method=method, path=path, ambiguous=retry_as not in IDEMPOTENT_METHODS)
        if isinstance(reason, ssl.SSLError):
            message = ('TLS verification of %s failed (%s); give the CA bundle with ca_path, '
                       'or validate_certs=false for a test endpoint' % (self.shown_url, reason))
            return self.error_class(message, method=method, path=path)
        message = self._connection_advice(reason, sent)
        error = self.error_class(message, method=method, path=path,
                                 ambiguous=sent and retry_as not in IDEMPOTENT_METHODS)
        error.retryable_connection = not isinstance(reason, (ConnectionRefusedError, socket.gaierror))
        error.sent = sent
        return error

    def _connection_advice(self, reason, sent):
        """What a failed connection means, and what to check: the option that gives the URL, the proxy, the DNS,
        a firewall. A proxy is named without its credentials."""
        transport = self.transport
        failed = 'connection to %s failed: ' % self.shown_url
        options = self.url_option + (' (or %s)' % self.url_chooser if self.url_chooser else '')
        via_proxy = 'whether %s must be reached through a proxy (%s)' % (self.api_title, transport.proxy_variable)
        if isinstance(reason, (socket.timeout, TimeoutError)):
            if sent:
                return 'no complete response from %s within timeout=%ss' % (self.shown_url, self.timeout)
            if transport.proxy:
                return ('no connection to %s through the proxy %s within timeout=%ss: check the %s environment variable, '
                        'and whether a firewall drops the connection' % (self.shown_url, transport.proxy_shown,
                                                                         self.timeout, transport.proxy_variable))
            return ('no connection to %s within timeout=%ss: check %s, %s, and whether a firewall drops the connection'
                    % (self.shown_url, self.timeout, options, via_proxy))
        if isinstance(reason, HttpTransport.ProxyUnusable):
            return failed + str(reason)
        if isinstance(reason, ConnectionRefusedError):
            if transport.proxy:
                return failed + ('the proxy %s refused it: nothing listens there. Check the %s environment variable, or '
                                 'list %s in no_proxy to connect directly'
                                 % (transport.proxy_shown, transport.proxy_variable, transport.host))
            return failed + ('nothing listens there (connection refused). Check %s, %s, and any firewall in between'
                             % (options, via_proxy))
        if isinstance(reason, socket.gaierror):
            cause = reason.strerror or str(reason)
            if transport.proxy:
                return failed + ("the proxy's host name %r does not resolve (%s). Check the %s environment variable and "
                                 "this machine's DNS settings" % (transport.proxy_host(), cause, transport.proxy_variable))
            return failed + ("its host name %r does not resolve (%s). Check the host name in %s, this machine's DNS "
                             "settings, and %s" % (transport.host, cause, options, via_proxy))
        if transport.proxy and str(reason).startswith('Tunnel connection failed'):
            return failed + ('the proxy %s would not open a tunnel to %s:%d (%s). Check the credentials in the %s '
                             'environment variable, or list %s in no_proxy to connect directly'
                             % (transport.proxy_shown, transport.host, transport.port, reason, transport.proxy_variable,
                                transport.host))
        return failed + (str(reason) or type(reason).__name__)

    def _retry_decision(self, method, error, headers, attempt):
        """(retry?, seconds to wait) for a failed exchange."""
        if error.status == 429:
            wait = self._until_reset(headers)
            if wait is None:
                return True, self.budget.backoff(attempt)
            # Jitter, so that the tasks waiting for one reset do not all return at the same instant: a twentieth
            # of the wait, at most half a second (a window lets many requests through at its start).
            return True, wait + random.uniform(0, min(0.5, wait / 20))
        if error.status is None:
            if not getattr(error, 'retryable_connection', False):
                return False, 0
            if method in IDEMPOTENT_METHODS or not getattr(error, 'sent', True):
                return True, self.budget.backoff(attempt)
            return False, 0
        if (error.status == 408 or error.status >= 500) and method in IDEMPOTENT_METHODS:
            return True, self.budget.backoff(attempt)
        return False, 0

    @staticmethod
    def _decode(raw):
        if not raw:
            return None
        return json.loads(raw.decode('utf-8'))


class PagerDutyClient(JsonApiClient):
    """PagerDuty REST API v2: envelopes, 404-as-absent reads and pagination (look-ups by name: _lookup.py)."""

    error_class = PagerDutyError
    secrets_sent = 'the API token'
    rate_limit_reset_headers = ('ratelimit-reset', 'Retry-After')
    rate_limit_remaining_header = 'ratelimit-remaining'
    rate_limit_window_header = 'ratelimit-reset'
    api_label = 'PagerDuty'
    api_title = "PagerDuty's REST API"
    url_chooser = 'region'
    home_urls = ' or '.join('%s (region %s)' % (PAGERDUTY_REGIONS[region], region) for region in ('us', 'eu'))

    def __init__(self, token, region='us', api_url=None, from_email=None, **transport):
        base_url = api_url or PAGERDUTY_REGIONS[region]
        if token is not None:
            token = header_value(token, 'api_token', PagerDutyError)
        headers = {
            'Authorization': 'Token token=%s' % token,
            'Accept': 'application/vnd.pagerduty+json;version=2',
        }
        self.from_email = from_email.strip() if isinstance(from_email, str) else from_email
        # What the last listing of each thread said (the catalogue's writers share this client).
        self._listing = threading.local()
        super().__init__(base_url, headers, **transport)
        if not api_url:
            self.url_source = 'the URL of region %s (%s)' % (region, self.shown_url)

    def names_no_object(self, path):
        return bool(_NO_OBJECT_PATH.match(path))

    def note_answer_warnings(self, method, path, data):
        """PagerDuty takes a write that uses a feature the account's plan lacks, answering 200 with `warnings`
        (API changelog 2023-04-11: "return a 200 OK instead of 403 Forbidden"), and stores what it will not act
        on: a rule that events never reach, an action never fired. The task says so, as a warning per item."""
        items = data.get('warnings') if isinstance(data, dict) else None
        if not isinstance(items, list):
            return
        for item in items[:MAX_ANSWER_WARNINGS]:
            message = item.get('message') if isinstance(item, dict) else item
            if not isinstance(message, str) or not message.strip():
                message = describe_json(item)
            rule = item.get('rule_id') if isinstance(item, dict) else None
            text = 'PagerDuty took %s %s with a warning: %s%s' % (
                method, path, shown(message.strip()), ' (rule %s)' % shown(str(rule)) if rule else '')
            with self._stats_lock:
                if text not in self.warnings:
                    self.warnings.append(text)

    def parse_error_body(self, data):
        error = (data or {}).get('error') if isinstance(data, dict) else None
        if not isinstance(error, dict):
            return None, None, []
        errors = error.get('errors') or []
        if not isinstance(errors, list):
            errors = [errors]
        return error.get('code'), error.get('message'), errors

    def from_header(self, option='from_email'):
        """The From header PagerDuty requires on some writes: the email of a user of the account."""
        if not self.from_email:
            raise PagerDutyError('%s: PagerDuty requires the email of a user of the account for this write; set %s, '
                                 'or the PAGERDUTY_FROM_EMAIL environment variable' % (option, option), option=option)
        return {'From': self.from_email}

    # -- lists -----------------------------------------------------------------------------------

    @property
    def last_listing_truncated(self):
        """True when this thread's last paginate() stopped at the offset cap (or at max_pages)."""
        return getattr(self._listing, 'truncated', False)

    @property
    def last_listing_total(self):
        """The first page's total of this thread's last paginate(), when asked with total=true."""
        return getattr(self._listing, 'total', None)

    @property
    def last_page_headers(self):
        """The headers of the last page this thread read (its Date: the server's clock)."""
        return getattr(self._listing, 'headers', {})

    def paginate(self, path, key, query=None, max_pages=None):
        """Yield every object of a classic offset-paginated list, stopping at the offset cap."""
        query = dict(query or {})
        offset = 0
        pages = 0
        listing = self._listing
        listing.truncated = False
        while True:
            page_query = dict(query, limit=PAGE_LIMIT, offset=offset)
            dummy, data, listing.headers = self.request('GET', path, page_query)
            page = self.enveloped(data, key, 'GET', path, listing=True)
            if pages == 0:
                listing.total = data.get('total')  # with total=true in the query, else None
            pages += 1
            yield from page
            if not data.get('more'):
                return
            offset += PAGE_LIMIT
            if max_pages is not None and pages >= max_pages:
                listing.truncated = True
                return
            if offset + PAGE_LIMIT > OFFSET_CAP:
                listing.truncated = True
                self.warnings.append(
                    'Stopped listing %s after %d results: PagerDuty returns at most %d results per listing. '
                    'Narrow it with a filter (name, query or team).' % (path, offset, OFFSET_CAP))
                return

    def paginate_cursor(self, path, key, query=None):
        """Yield every object of a cursor-paginated list (`after` names the next page; /alert_grouping_settings)."""
        query = dict(query or {}, limit=PAGE_LIMIT)
        while True:
            try:
                data = self.request('GET', path, query)[1]
            except PagerDutyError as err:
                if self.lists_nothing(path, err):
                    return
                raise
            yield from self.enveloped(data, key, 'GET', path, listing=True)
            if not data.get('after'):
                return
            query['after'] = data['after']

    @staticmethod
    def lists_nothing(path, err):
        """True when `err` is how the list at `path` says it has nothing (more) to list: a 404 whose JSON body holds
        no error object, at a list that answers so. Any other 404 keeps its meaning (a wrong base URL)."""
        return path in LISTS_EMPTY_AS_404 and err.status == 404 and isinstance(err.answer, dict) \
            and not err.answer.get('error')

    # -- objects ---------------------------------------------------------------------------------

    def get_object(self, collection, singular, object_id, query=None, envelope=None):
        """One object by ID from /<collection>/<id>, or None when there is none.

        A value that only looks like an ID may be answered with 400 (a malformed ID) rather than
        404: both mean that no object has this ID.
        """
        try:
            data = self.get('/%s/%s' % (collection, quote(object_id, safe='')), query)
        except PagerDutyError as err:
            # 404 too: an ID of small letters only (a name given as an ID) makes a path that names no object.
            if err.status in (400, 404):
                return None
            raise
        if data is None:
            return None
        # GET /vendors/{id} is documented as returning an array; the real API returns an object.
        if isinstance(data.get(envelope or singular), list) and data[envelope or singular]:
            data = dict(data, **{envelope or singular: data[envelope or singular][0]})
        return self.enveloped(data, envelope or singular, 'GET', '/%s/%s' % (collection, object_id))


def is_transient_refusal(error):
    """True when a 400 says its reason is passing (see TRANSIENT_REFUSALS)."""
    if error.status != 400:
        return False
    text = ' '.join(str(e) for e in error.errors).casefold()
    return any(reason in text for reason in TRANSIENT_REFUSALS)


class EventsClient(JsonApiClient):
    """PagerDuty's Events API v2: no token (the routing key is in the body), its own error body."""

    error_class = EventsError
    secrets_sent = "the routing key (in each event)"
    rate_limit_reset_headers = ('Retry-After',)
    api_label = "PagerDuty's Events API"
    api_title = "PagerDuty's Events API"
    url_option = 'events_url'
    url_chooser = 'region'
    home_urls = ' or '.join('%s (region %s)' % (EVENTS_REGIONS[region], region) for region in ('us', 'eu'))

    def __init__(self, region='us', events_url=None, **transport):
        super().__init__(events_url or EVENTS_REGIONS[region], {'Accept': 'application/json'}, **transport)
        if not events_url:
            self.url_source = 'the URL of region %s (%s)' % (region, self.shown_url)

    def names_no_object(self, path):
        return True  # the Events API has no objects: every path it serves always exists

    def says_only_not_found(self, message, errors):
        return True

    def parse_error_body(self, data):
        if not isinstance(data, dict):
            return None, None, []
        errors = data.get('errors') or []
        if not isinstance(errors, list):
            errors = [errors]
        return None, data.get('message'), [str(e) for e in errors]


class DatadogClient(JsonApiClient):
    """Datadog's API v1, on the same transport: key headers, its error body and rate-limit header."""

    error_class = DatadogError
    secrets_sent = "Datadog's API and application keys"
    rate_limit_reset_headers = ('X-RateLimit-Reset', 'Retry-After')
    rate_limit_window_header = 'X-RateLimit-Reset'
    api_label = 'Datadog'
    api_title = "Datadog's API"
    url_chooser = 'site'
    home_urls = 'https://api.<site> (https://api.datadoghq.com for site datadoghq.com, https://api.datadoghq.eu, ...)'

    def __init__(self, api_key, app_key, site='datadoghq.com', api_url=None, **transport):
        headers = {'DD-API-KEY': header_value(api_key, 'api_key', DatadogError),
                   'DD-APPLICATION-KEY': header_value(app_key, 'app_key', DatadogError), 'Accept': 'application/json'}
        super().__init__(api_url or 'https://api.%s' % site, headers, **transport)
        if not api_url:
            self.url_source = 'the URL of site %s (%s)' % (site, self.shown_url)

    def names_no_object(self, path):
        return path.rstrip('/') in DATADOG_COLLECTIONS

    def parse_error_body(self, data):
        errors = (data or {}).get('errors') if isinstance(data, dict) else None
        if not isinstance(errors, list) or not errors:
            return None, None, []
        return None, str(errors[0]), [str(e) for e in errors[1:]]
