"""`make demo`: install the collection, run examples/demo.yml twice, and show that the second run
changes nothing. Against the bundled simulator; against the real account of PAGERDUTY_API_TOKEN only when
the user says so (DEMO_REAL_ACCOUNT=yes, or "yes" at the question asked on a terminal), since the demo
creates objects and sends a test alert there."""

import os
import subprocess
import sys

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO_ROOT, 'tests', 'tools'))

from playbook_runs import ansible_playbook  # noqa: E402
from simulator import backend  # noqa: E402

COLLECTIONS = os.path.join(REPO_ROOT, '.build', 'collections')
PLAYBOOK = os.path.join(REPO_ROOT, 'examples', 'demo.yml')
INVENTORY = os.path.join(REPO_ROOT, 'examples', 'inventory.yml')

# Where the modules send a real account's requests when PAGERDUTY_API_URL is not set.
REGION_API_URLS = {'us': 'https://api.pagerduty.com', 'eu': 'https://api.eu.pagerduty.com'}


class DemoRefused(Exception):
    """The demo will not run against the real account: the message says what to do instead."""


def real_account(environ):
    """The API URL (and region) that the modules would use with the environment's token."""
    if environ.get('PAGERDUTY_API_URL'):
        return environ['PAGERDUTY_API_URL']
    region = environ.get('PAGERDUTY_REGION') or 'us'
    if region not in REGION_API_URLS:
        return 'region %s' % region
    return '%s (region %s)' % (REGION_API_URLS[region], region)


def choose_backend(environ, stdin, ask=input):
    """'simulator' without PAGERDUTY_API_TOKEN; 'real' when the user has agreed to the real account, through
    DEMO_REAL_ACCOUNT=yes or by answering "yes" to `ask` when `stdin` is a terminal. Raises DemoRefused
    otherwise, before anything is installed, started or contacted. A token exported in a shell profile
    must not make the demo create objects and send a test alert in somebody's real account."""
    if not environ.get('PAGERDUTY_API_TOKEN'):
        return 'simulator'
    account = real_account(environ)
    how = ('PAGERDUTY_API_TOKEN is set, so the demo would run against the real PagerDuty account at %s: it creates '
           'services, teams, escalation policies and integrations there and sends a test alert that opens an '
           'incident (then resolves it).' % account)
    instead = ('To run it against that account, set DEMO_REAL_ACCOUNT=yes (make demo DEMO_REAL_ACCOUNT=yes). To run '
               'it against the bundled simulator instead, unset PAGERDUTY_API_TOKEN (env -u PAGERDUTY_API_TOKEN make '
               'demo).')
    switch = environ.get('DEMO_REAL_ACCOUNT')
    if switch is not None and switch.strip():
        if switch.strip().lower() == 'yes':
            return 'real'
        raise DemoRefused('%s DEMO_REAL_ACCOUNT is %r, not "yes": not running. %s' % (how, switch, instead))
    if stdin is None or not stdin.isatty():
        raise DemoRefused('%s Not running without a confirmation. %s' % (how, instead))
    try:
        answer = ask('%s\nType "yes" to run the demo against %s: ' % (how, account))
    except EOFError:
        answer = ''
    if answer.strip().lower() == 'yes':
        return 'real'
    raise DemoRefused('Not confirmed: the demo did not run. %s' % instead)


def tool(name):
    return os.path.join(os.path.dirname(sys.executable), name)


def install_collection():
    # Installed where ANSIBLE_COLLECTIONS_PATH points, as a user's configured path: ansible-galaxy has nothing to warn about.
    subprocess.check_call([tool('ansible-galaxy'), 'collection', 'install', '--force', '-p', COLLECTIONS, REPO_ROOT],
                          stdout=subprocess.DEVNULL, env=dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS))


def run_playbook(env, label):
    print('\n=== %s ===' % label, flush=True)
    returncode, output, totals = ansible_playbook(['-i', INVENTORY, PLAYBOOK], env=env, cwd=REPO_ROOT)
    print(output, flush=True)
    totals['returncode'] = returncode
    return totals


def main():
    try:
        choose_backend(os.environ, sys.stdin)
    except DemoRefused as refusal:
        print('make demo: %s' % refusal, file=sys.stderr, flush=True)
        return 2
    install_collection()
    with backend() as backend_env:
        target = backend_env.get('PD_SIM_URL') or 'the PagerDuty account at %s' % real_account(os.environ)
        print('Running the examples against %s' % target, flush=True)
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS, ANSIBLE_FORCE_COLOR='0', **backend_env)
        first = run_playbook(env, 'first run: provisions')
        second = run_playbook(env, 'second run: must change nothing')
    print('Summary: first run changed=%(changed)d failed=%(failed)d' % first)
    print('         second run changed=%(changed)d failed=%(failed)d' % second)
    if first['returncode'] or second['returncode'] or second['changed']:
        print('DEMO FAILED: %s' % ('the second run changed something' if second['changed'] else 'a playbook failed'))
        return 1
    print('Demo passed: the second run reported no change.')
    return 0


if __name__ == '__main__':
    sys.exit(main())
