"""`make demo`: install the collection, run examples/demo.yml twice, and show that the second run
changes nothing. Against the bundled simulator, or the real account when PAGERDUTY_API_TOKEN is set."""

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
    install_collection()
    with backend() as backend_env:
        target = backend_env.get('PD_SIM_URL') or 'the PagerDuty account of PAGERDUTY_API_TOKEN'
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
