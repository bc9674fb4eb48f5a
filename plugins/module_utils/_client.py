# -*- coding: utf-8 -*-
# Copyright: contributors to oncall.pagerduty
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""HTTP clients for the PagerDuty REST API and Datadog's PagerDuty integration API.

Built on ansible-core's own ``module_utils.urls`` so nothing needs installing on the managed node.
The clients take plain values (not an AnsibleModule) so other plugin types can reuse them.
This is the only place that speaks HTTP or parses an API error body.
"""

from __future__ import annotations

import http.client
import inspect
import json
import random
import re
import socket
import ssl
import time
from urllib.error import HTTPError, URLError
from urllib.parse import quote, urlencode

from ansible.module_utils.urls import Request, make_context

COLLECTION_VERSION = '0.1.0'
USER_AGENT = 'oncall.pagerduty/%s' % COLLECTION_VERSION

PAGERDUTY_REGIONS = {
    'us': 'https://api.pagerduty.com',
    'eu': 'https://api.eu.pagerduty.com',
}

# PagerDuty's classic pagination: at most 100 a page, and offset + limit may not exceed 10,000.
PAGE_LIMIT = 100
OFFSET_CAP = 10000

# A PagerDuty object ID: upper-case letters and digits, no spaces (e.g. PWIP6CQ, Q0RIJJZL24RC6W).
_ID_PATTERN = re.compile(r'^[A-Z0-9]{7,20}$')

IDEMPOTENT_METHODS = frozenset(('GET', 'PUT', 'DELETE', 'HEAD'))

# Newer ansible-core versions let a Request reuse one TLS context; 2.16 builds one per request,
# which costs tens of milliseconds each time (it loads the system CA store).
_REQUEST_TAKES_CONTEXT = 'context' in inspect.signature(Request.__init__).parameters


def looks_like_id(value):
    """True when value has the shape of a PagerDuty object ID (a name could still have it too)."""
    return bool(_ID_PATTERN.match(value or ''))


class ApiError(Exception):
    """The one error type raised by the clients.

    ``status`` is the HTTP status (None when no response arrived); ``code``, ``message`` and
    ``errors`` come from the API's error body; ``ambiguous`` is True when a non-idempotent
    request may have been processed although no success response arrived.
    """

    api_name = 'API'

    def __init__(self, message, status=None, code=None, errors=None, method=None, path=None,
                 ambiguous=False, candidates=None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.errors = list(errors or [])
        self.method = method
        self.path = path
        self.ambiguous = ambiguous
        self.candidates = list(candidates or [])

    def __str__(self):
        text = self.message
        if self.errors:
            text += ': ' + '; '.join(str(e) for e in self.errors)
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


class PagerDutyError(ApiError):
    api_name = 'PagerDuty'


class DatadogError(ApiError):
    api_name = 'Datadog'


class RetryBudget:
    """How many retries one task may make and how long it may spend waiting for them."""

    def __init__(self, retries, retry_timeout, backoff_base=1.0, backoff_cap=30.0, sleep=time.sleep, clock=time.monotonic):
        self.retries_left = retries
        self.retry_timeout = retry_timeout
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self._sleep = sleep
        self._clock = clock
        self._deadline = clock() + retry_timeout
        self.retries_made = 0

    def backoff(self, attempt):
        """Exponential backoff with jitter for the given attempt (0 for the first retry)."""
        delay = min(self.backoff_cap, self.backoff_base * (2 ** attempt))
        return delay * random.uniform(0.5, 1.0)

    def wait(self, seconds):
        """Spend one retry waiting `seconds`; returns a reason string when the budget forbids it."""
        if self.retries_left <= 0:
            return 'no retries left (retries=%d)' % (self.retries_made,)
        remaining = self._deadline - self._clock()
        if seconds > remaining:
            return ('waiting %.1f more seconds would exceed retry_timeout=%s'
                    % (seconds, self.retry_timeout))
        self.retries_left -= 1
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


class JsonApiClient:
    """JSON over HTTPS with bounded, method-aware retries and one error type.

    Retry rules: a 429 was not processed, so every method is retried after the rate-limit reset
    header (else Retry-After, else backoff). 408, 5xx and lost connections are retried for
    idempotent methods only; for a POST they raise an ``ambiguous`` error so that the caller
    re-reads by identity and adopts what the first POST may have created.
    """

    error_class = ApiError
    rate_limit_reset_headers = ('Retry-After',)

    def __init__(self, base_url, headers, timeout=30, validate_certs=True, ca_path=None,
                 retries=5, retry_timeout=120, backoff_base=1.0, sleep=time.sleep):
        self.base_url = base_url.rstrip('/')
        self.timeout = timeout
        self.budget = RetryBudget(retries, retry_timeout, backoff_base=backoff_base, sleep=sleep)
        self.warnings = []
        self.request_count = 0
        # One Request object per client: headers and TLS settings are prepared once per task.
        options = dict(
            headers=dict(headers, **{'Content-Type': 'application/json', 'User-Agent': USER_AGENT}),
            timeout=timeout,
            validate_certs=validate_certs,
            ca_path=ca_path,
            http_agent=USER_AGENT,
            follow_redirects='safe',
        )
        if _REQUEST_TAKES_CONTEXT:
            options['context'] = self._tls_context(validate_certs, ca_path)
        self._request = Request(**options)

    def _tls_context(self, validate_certs, ca_path):
        """The TLS context for every request of this client, built once."""
        if not self.base_url.startswith('https://'):
            # Plain HTTP (a local simulator or proxy) never uses it: skip loading the CA store.
            return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        return make_context(cafile=ca_path, validate_certs=validate_certs)

    # -- the error body of each API --------------------------------------------------------------

    def parse_error_body(self, data):
        """(code, message, errors) from an error response body."""
        return None, None, []

    # -- verbs -----------------------------------------------------------------------------------

    def get(self, path, query=None):
        """The response body, or None when the object does not exist (404)."""
        try:
            return self.request('GET', path, query)[1]
        except ApiError as err:
            if err.status == 404:
                return None
            raise

    def post(self, path, body):
        return self.request('POST', path, body=body)[1]

    def put(self, path, body):
        return self.request('PUT', path, body=body)[1]

    def delete(self, path):
        """True when deleted, False when it was already gone (a retried DELETE may find that)."""
        try:
            self.request('DELETE', path)
        except ApiError as err:
            if err.status == 404:
                return False
            raise
        return True

    # -- transport -------------------------------------------------------------------------------

    def url_for(self, path, query=None):
        url = self.base_url + path
        if query:
            url += '?' + urlencode(query, doseq=True)
        return url

    def request(self, method, path, query=None, body=None):
        """Send one API request, retrying within the budget. Returns (status, data, headers)."""
        url = self.url_for(path, query)
        payload = None if body is None else json.dumps(body).encode('utf-8')
        attempt = 0
        while True:
            self.request_count += 1
            response = self._send_once(method, path, url, payload)
            status, data, headers, failure = response
            if failure is None:
                return status, data, headers
            retryable, wait = self._retry_decision(method, failure, headers, attempt)
            if not retryable:
                raise failure
            refusal = self.budget.wait(wait)
            if refusal:
                failure.message += ' (gave up retrying: %s)' % refusal
                raise failure
            attempt += 1

    def _send_once(self, method, path, url, payload):
        """One HTTP exchange; returns (status, data, headers, error-or-None)."""
        try:
            response = self._request.open(method, url, data=payload)
            raw = response.read()
            return response.status, self._decode(raw), response.headers, None
        except HTTPError as err:
            raw = err.read() if err.fp is not None else b''
            data = self._decode(raw, tolerant=True)
            code, message, errors = self.parse_error_body(data)
            error = self.error_class(
                message or http.client.responses.get(err.code, 'HTTP error'),
                status=err.code, code=code, errors=errors, method=method, path=path,
                ambiguous=(method not in IDEMPOTENT_METHODS and (err.code == 408 or err.code >= 500)),
            )
            return err.code, data, err.headers, error
        except URLError as err:
            # urllib wraps errors raised before the request was sent: it was not processed.
            return None, None, {}, self._connection_error(method, path, err.reason, sent=False)
        except (OSError, http.client.HTTPException) as err:
            # The request went out but no complete response came back: it may have been processed.
            return None, None, {}, self._connection_error(method, path, err, sent=True)

    def _connection_error(self, method, path, reason, sent):
        if isinstance(reason, ssl.SSLCertVerificationError) or isinstance(reason, ssl.SSLError):
            message = ('TLS verification of %s failed (%s); give the CA bundle with ca_path, '
                       'or validate_certs=false for a test endpoint' % (self.base_url, reason))
            return self.error_class(message, method=method, path=path)
        if isinstance(reason, (socket.timeout, TimeoutError)):
            message = 'no response from %s within timeout=%ss' % (self.base_url, self.timeout)
        else:
            message = 'connection to %s failed: %s' % (self.base_url, reason)
        error = self.error_class(message, method=method, path=path,
                                 ambiguous=sent and method not in IDEMPOTENT_METHODS)
        error.retryable_connection = not isinstance(reason, (ConnectionRefusedError, socket.gaierror))
        error.sent = sent
        return error

    def _retry_decision(self, method, error, headers, attempt):
        """(retry?, seconds to wait) for a failed exchange."""
        if error.status == 429:
            wait = _header_seconds(headers, *self.rate_limit_reset_headers)
            if wait is None:
                return True, self.budget.backoff(attempt)
            # A little jitter so parallel tasks do not return at the same instant.
            return True, wait + random.uniform(0, 0.25)
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
    def _decode(raw, tolerant=False):
        if not raw:
            return None
        try:
            return json.loads(raw.decode('utf-8'))
        except ValueError:
            if tolerant:
                return {'raw': raw.decode('utf-8', 'replace')[:500]}
            raise


class PagerDutyClient(JsonApiClient):
    """PagerDuty REST API v2: envelopes, 404-as-absent reads, pagination and name lookups."""

    error_class = PagerDutyError
    rate_limit_reset_headers = ('ratelimit-reset', 'Retry-After')

    def __init__(self, token, region='us', api_url=None, **transport):
        base_url = api_url or PAGERDUTY_REGIONS[region]
        headers = {
            'Authorization': 'Token token=%s' % token,
            'Accept': 'application/vnd.pagerduty+json;version=2',
        }
        super().__init__(base_url, headers, **transport)

    def parse_error_body(self, data):
        error = (data or {}).get('error') if isinstance(data, dict) else None
        if not isinstance(error, dict):
            return None, None, []
        errors = error.get('errors') or []
        if not isinstance(errors, list):
            errors = [errors]
        return error.get('code'), error.get('message'), errors

    # -- lists -----------------------------------------------------------------------------------

    def paginate(self, path, key, query=None):
        """Yield every object of a classic offset-paginated list, stopping at the offset cap."""
        query = dict(query or {})
        offset = 0
        self.last_listing_truncated = False
        while True:
            page_query = dict(query, limit=PAGE_LIMIT, offset=offset)
            data = self.request('GET', path, page_query)[1] or {}
            yield from data.get(key) or []
            if not data.get('more'):
                return
            offset += PAGE_LIMIT
            if offset + PAGE_LIMIT > OFFSET_CAP:
                self.last_listing_truncated = True
                self.warnings.append(
                    'Stopped listing %s after %d results: PagerDuty returns at most %d results per listing. '
                    'Narrow it with a filter (name, query or team).' % (path, offset, OFFSET_CAP))
                return

    # -- lookups ---------------------------------------------------------------------------------

    def get_object(self, collection, singular, object_id, query=None):
        """One object by ID from /<collection>/<id>, or None when there is none."""
        data = self.get('/%s/%s' % (collection, quote(object_id, safe='')), query)
        found = (data or {}).get(singular)
        # GET /vendors/{id} is documented as returning an array; the real API returns an object.
        if isinstance(found, list):
            found = found[0] if found else None
        return found or None

    def find_by_name(self, collection, name, filter_param='query', case_sensitive=True, query=None):
        """Every object of the collection whose name equals `name`, narrowed by the server first."""
        wanted = name if case_sensitive else name.casefold()
        matches = []
        for item in self.paginate('/' + collection, collection, dict(query or {}, **{filter_param: name})):
            item_name = item.get('name') or ''
            if (item_name if case_sensitive else item_name.casefold()) == wanted:
                matches.append(item)
        if self.last_listing_truncated and not matches:
            raise PagerDutyError(
                'could not search every %s for %r: the listing stops at %d results' % (collection, name, OFFSET_CAP))
        return matches

    def find(self, collection, value, option, singular, case_sensitive=True, filter_param='query', query=None,
             by_id=True):
        """The one object named (or, with `by_id`, identified) by `value`, or None when there is none.

        An ID-shaped value is tried as an ID first (one request); otherwise, or if that finds
        nothing, the exact name is searched. Several matches are an error naming `option` and
        listing them.
        """
        if by_id and looks_like_id(value):
            found = self.get_object(collection, singular, value, query)
            if found:
                return found
        matches = self.find_by_name(collection, value, filter_param, case_sensitive, query)
        if len(matches) > 1:
            listing = ', '.join('%s (%s)' % (m.get('name'), m.get('id')) for m in matches)
            raise PagerDutyError(
                '%s: %d %ss are named %r: %s. Give the ID of the one you mean.'
                % (option, len(matches), singular.replace('_', ' '), value, listing), candidates=matches)
        return matches[0] if matches else None

    def resolve(self, collection, value, option, singular, **lookup):
        """Like find(), but none is an error naming `option` too."""
        found = self.find(collection, value, option, singular, **lookup)
        if found is None:
            raise PagerDutyError('%s: no %s is named or identified by %r' % (option, singular.replace('_', ' '), value))
        return found


class DatadogClient(JsonApiClient):
    """Datadog's API v1, on the same transport: key headers, its error body and rate-limit header."""

    error_class = DatadogError
    rate_limit_reset_headers = ('X-RateLimit-Reset', 'Retry-After')

    def __init__(self, api_key, app_key, site='datadoghq.com', api_url=None, **transport):
        headers = {'DD-API-KEY': api_key, 'DD-APPLICATION-KEY': app_key, 'Accept': 'application/json'}
        super().__init__(api_url or 'https://api.%s' % site, headers, **transport)

    def parse_error_body(self, data):
        errors = (data or {}).get('errors') if isinstance(data, dict) else None
        if not isinstance(errors, list) or not errors:
            return None, None, []
        return None, str(errors[0]), [str(e) for e in errors[1:]]
