"""python -m tests.simulator [--host H] [--port P]: run the simulator in the foreground."""

import argparse
import os
import shlex
import sys

from .catalogue import USERS
from .datadog import DEFAULT_API_KEY, DEFAULT_APP_KEY
from .server import DEFAULT_READONLY_TOKEN, DEFAULT_TOKEN, SimulatorServer


# What each credential is for, the variable that changes it when the simulator starts, and its default.
CREDENTIALS = [
    ('PagerDuty REST API token, full access', 'SIM_TOKEN', DEFAULT_TOKEN),
    ('PagerDuty REST API token, read-only (writes get 403)', 'SIM_READONLY_TOKEN', DEFAULT_READONLY_TOKEN),
    ('Datadog API key (DD-API-KEY)', 'SIM_DD_API_KEY', DEFAULT_API_KEY),
    ('Datadog application key (DD-APPLICATION-KEY)', 'SIM_DD_APP_KEY', DEFAULT_APP_KEY),
]


def credentials_from_environment(environ):
    """The values of CREDENTIALS that a simulator started now accepts, read as SimulatorServer (an empty
    token means the default) and DatadogAccount (an empty key is the key) read them."""
    return [environ.get('SIM_TOKEN') or DEFAULT_TOKEN, environ.get('SIM_READONLY_TOKEN') or DEFAULT_READONLY_TOKEN,
            environ.get('SIM_DD_API_KEY', DEFAULT_API_KEY), environ.get('SIM_DD_APP_KEY', DEFAULT_APP_KEY)]


def credential_lines(values):
    width = max(len(what) for what, dummy_variable, dummy_default in CREDENTIALS)
    return ['  %-*s  %s  (%s)' % (width, what, value,
                                  '%s to change' % variable if value == default else 'from %s' % variable)
            for (what, variable, default), value in zip(CREDENTIALS, values)]


def export_lines(url, values):
    """The shell lines that point the collection's modules (and the examples) at a simulator on `url`."""
    full_token, dummy_readonly_token, api_key, app_key = [shlex.quote(value) for value in values]
    url = shlex.quote(url)
    return ['export PAGERDUTY_API_URL=%s PAGERDUTY_API_TOKEN=%s' % (url, full_token),
            'export PAGERDUTY_EVENTS_URL=%s PAGERDUTY_FROM_EMAIL=%s' % (url, USERS[0][2]),
            'export DD_API_URL=%s DD_API_KEY=%s DD_APP_KEY=%s' % (url, api_key, app_key)]


def help_epilog(url, values):
    users = ', '.join(email for dummy_id, dummy_name, email in USERS)
    return '\n'.join(
        ['Credentials it accepts (the variables are read when it starts):'] + credential_lines(values) +
        ['  Any other PagerDuty token gets 401, other Datadog keys 403. The Events API (/v2/enqueue,',
         '  /v2/change/enqueue) takes no token: the routing key of an integration or orchestration.',
         '',
         'Users of the seed account: PAGERDUTY_FROM_EMAIL (a module\'s from_email, which opening a',
         'maintenance window needs) must be one of their emails:',
         '  ' + users,
         '',
         'To point the collection\'s modules and examples at it (%s):' % url] +
        ['  ' + line for line in export_lines(url, values)] +
        ['',
         'GET /_sim/health answers 200 once it is ready; tests/simulator/README.md documents the',
         '/_sim/ controls (reset, request log, faults, rate limit, settings, seed).'])


def main():
    host = os.environ.get('SIM_HOST', '127.0.0.1')
    port = int(os.environ.get('SIM_PORT', '8080'))
    parser = argparse.ArgumentParser(
        prog='python -m tests.simulator',
        description='The PagerDuty REST API simulator, with PagerDuty\'s Events API and Datadog\'s PagerDuty\n'
                    'integration API, on a real HTTP socket in the foreground (Ctrl-C stops it).',
        epilog=help_epilog('http://%s:%d' % (host, port), credentials_from_environment(os.environ)),
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--host', default=host, help='address to listen on (SIM_HOST; default %(default)s)')
    parser.add_argument('--port', type=int, default=port, help='port, 0 for a free one (SIM_PORT; default %(default)s)')
    args = parser.parse_args()
    server = SimulatorServer(args.host, args.port)
    # The first line is what tools read the URL from (tests/tools/simulator.py): keep it first.
    print('PagerDuty simulator listening on %s (health: %s/_sim/health)' % (server.url, server.url), flush=True)
    values = credentials_from_environment(os.environ)
    print('\n'.join(['Credentials it accepts:'] + credential_lines(values) +
                    ['Users of the seed account (for PAGERDUTY_FROM_EMAIL): %s' % ', '.join(u[2] for u in USERS),
                     'To use it:'] + ['  ' + line for line in export_lines(server.url, values)]), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.httpd.server_close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
