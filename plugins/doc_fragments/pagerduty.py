# -*- coding: utf-8 -*-
# Copyright: contributors to oncall.pagerduty
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """Options every PagerDuty module shares: credentials, region and the HTTP retry budget."""

    DOCUMENTATION = r'''
options:
  api_token:
    description:
      - A PagerDuty REST API key (account or user token).
      - If not set, the environment variable E(PAGERDUTY_API_TOKEN) is used, then E(PAGERDUTY_TOKEN).
      - A read-only key is enough for the C(_info) modules and for check mode.
    type: str
  region:
    description:
      - The PagerDuty service region of the account.
      - V(us) uses U(https://api.pagerduty.com), V(eu) uses U(https://api.eu.pagerduty.com).
      - If not set, the environment variable E(PAGERDUTY_REGION) is used.
      - Ignored when O(api_url) is set.
    type: str
    choices: [eu, us]
    default: us
  api_url:
    description:
      - Base URL of the PagerDuty REST API, overriding O(region).
      - For a proxy, or the bundled simulator used by the tests.
      - If not set, the environment variable E(PAGERDUTY_API_URL) is used.
    type: str
notes:
  - Every result says which path ran the task in C(execution) - V(in_process) (on a local
    connection the task runs inside Ansible's worker, without starting a module) or V(module).
    Set the variable C(oncall_pagerduty_in_process=false), or the environment variable
    E(ONCALL_PAGERDUTY_IN_PROCESS=0) on the controller, to force the module path.
  - When the API's rate limit held the task, its result holds C(rate_limited) - C(requests), how many of its
    requests were answered 429, and C(seconds_waited), how long the task waited (waits of its parallel writes
    that overlap count once). A wait of more than a few seconds is also a warning. Requests pace themselves by
    PagerDuty's C(ratelimit-remaining) and C(ratelimit-reset) headers, so most waits come before a 429.
'''

    TRANSPORT = r'''
options:
  validate_certs:
    description:
      - Whether to verify the API's TLS certificate.
      - Only set to V(false) for a test endpoint you trust.
    type: bool
    default: true
  ca_path:
    description:
      - A PEM file of CA certificates to verify the API's certificate with, for TLS-inspecting proxies.
    type: path
  timeout:
    description:
      - Seconds one HTTP exchange may take, from connecting to the last byte of the answer, before it is treated as
        lost; an answer that trickles in counts as one that never came.
      - Between V(1) and V(3600).
    type: int
    default: 30
  retries:
    description:
      - How many times one request may be retried after a server error, a timeout or a lost connection.
        They are retried with exponential backoff, and only when repeating the request cannot
        duplicate anything; a create is never repeated blindly, see the module's notes.
      - A rate-limited request (HTTP 429) was not processed, so it is retried after the time the API asks
        for, as often as O(retry_timeout) allows.
      - V(0) disables retries; at most V(100).
    type: int
    default: 5
  retry_timeout:
    description:
      - The most seconds one request may spend waiting between its retries (rate-limit waits included), and
        one wait for PagerDuty's reads to show a write. It bounds each of them, not the task; a task of
        many requests under the rate limit may wait longer in all.
      - A wait the API asks for that does not fit in what is left fails the task instead.
      - Between V(0) and V(86400).
    type: int
    default: 120
  allow_plain_http:
    description:
      - Whether a plain C(http://) URL may point at another machine. Over plain HTTP the token, keys and routing keys
        cross the network unencrypted, so such a URL fails before any request unless this is V(true).
      - C(http://) to this machine (C(localhost), C(127.0.0.1), C(::1)), where the bundled simulator runs, is always
        allowed.
      - Only for a test endpoint on a network you trust.
    type: bool
    default: false
'''
