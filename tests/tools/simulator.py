"""Run the simulator (or point at a real PagerDuty account) around a command or a block of code.

    python tests/tools/simulator.py [--integration-config PATH] -- COMMAND...

Without PAGERDUTY_API_TOKEN in the environment it starts the bundled simulator on a free port and
exports PAGERDUTY_API_URL, PAGERDUTY_API_TOKEN, PAGERDUTY_EVENTS_URL, PAGERDUTY_FROM_EMAIL, PD_SIM_URL, and DD_API_URL, DD_API_KEY and DD_APP_KEY
for its Datadog endpoints, to the command; with it, the command runs against the real account (and
Datadog's DD_* settings, if any) and PD_SIM_URL is left unset.
"""

import argparse
import contextlib
import json
import os
import re
import subprocess
import sys
import time
import urllib.request

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, REPO_ROOT)

from tests.simulator import DEFAULT_READONLY_TOKEN, DEFAULT_TOKEN  # noqa: E402
from tests.simulator.datadog import DEFAULT_API_KEY, DEFAULT_APP_KEY  # noqa: E402

# A user of the simulated account (its seed data): the From of writes that need one.
SIM_USER_EMAIL = 'ada@example.com'


def wait_healthy(url, seconds=30):
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url + '/_sim/health', timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.1)


@contextlib.contextmanager
def backend():
    """Yield the environment for a command: the real account's, or a simulator's it starts."""
    if os.environ.get('PAGERDUTY_API_TOKEN'):
        yield {}
        return
    process = subprocess.Popen([sys.executable, '-m', 'tests.simulator', '--port', '0'], cwd=REPO_ROOT,
                               stdout=subprocess.PIPE, text=True)
    try:
        url = re.search(r'http://\S+', process.stdout.readline()).group(0)
        wait_healthy(url)
        token = os.environ.get('SIM_TOKEN', DEFAULT_TOKEN)
        yield {'PAGERDUTY_API_URL': url, 'PAGERDUTY_API_TOKEN': token, 'PD_SIM_URL': url, 'PAGERDUTY_EVENTS_URL': url,
               'PAGERDUTY_FROM_EMAIL': SIM_USER_EMAIL,
               'PD_SIM_READONLY_TOKEN': os.environ.get('SIM_READONLY_TOKEN', DEFAULT_READONLY_TOKEN),
               'DD_API_URL': url, 'DD_API_KEY': os.environ.get('SIM_DD_API_KEY', DEFAULT_API_KEY),
               'DD_APP_KEY': os.environ.get('SIM_DD_APP_KEY', DEFAULT_APP_KEY)}
    finally:
        process.terminate()
        process.wait(10)


EXECUTION = os.environ.get('ONCALL_TEST_EXECUTION', 'in_process')


def write_integration_config(path, env):
    """ansible-test passes this file to every integration target as extra vars."""
    config = {
        'pd_simulator': bool(env.get('PD_SIM_URL')),
        'pd_sim_url': env.get('PD_SIM_URL', ''),
        'pd_api_url': env.get('PAGERDUTY_API_URL') or os.environ.get('PAGERDUTY_API_URL', 'https://api.pagerduty.com'),
        'pd_api_token': env.get('PAGERDUTY_API_TOKEN') or os.environ['PAGERDUTY_API_TOKEN'],
        'pd_events_url': env.get('PAGERDUTY_EVENTS_URL') or os.environ.get('PAGERDUTY_EVENTS_URL', 'https://events.pagerduty.com'),
        'pd_readonly_token': env.get('PD_SIM_READONLY_TOKEN') or os.environ.get('PAGERDUTY_READONLY_TOKEN', ''),
        'dd_api_url': env.get('DD_API_URL') or os.environ.get('DD_API_URL') or 'https://api.%s' % os.environ.get('DD_SITE', 'datadoghq.com'),
        'dd_api_key': env.get('DD_API_KEY') or os.environ.get('DD_API_KEY', ''),
        'dd_app_key': env.get('DD_APP_KEY') or os.environ.get('DD_APP_KEY', ''),
        # Which path the modules run on (ONCALL_TEST_EXECUTION=module forces the module path).
        'pd_execution': EXECUTION,
    }
    if EXECUTION == 'module':
        config['oncall_pagerduty_in_process'] = False
    with open(path, 'w') as handle:
        json.dump(config, handle, indent=2)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--integration-config', help='also write an ansible-test integration_config.yml here')
    parser.add_argument('command', nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ['--'] else args.command
    with backend() as env:
        if args.integration_config:
            write_integration_config(args.integration_config, env)
        return subprocess.call(command, env=dict(os.environ, **env))


if __name__ == '__main__':
    sys.exit(main())
