"""The example playbooks that are not part of the demo, run as a user runs them against the simulator:
a deploy (maintenance window around a rolling change, then a change event) after the new environment."""

import os
import sys

from tests.conftest import REPO_ROOT

sys.path.insert(0, os.path.join(REPO_ROOT, 'tests', 'tools'))
from playbook_runs import ansible_playbook  # noqa: E402

EXAMPLES = os.path.join(REPO_ROOT, 'examples')


def test_a_deploy_opens_and_ends_its_window_and_records_a_change_event(sim, tmp_path):
    env = sim.playbook_env()
    env.pop('DD_API_KEY', None)
    inventory = os.path.join(EXAMPLES, 'inventory.yml')
    code, output, totals = ansible_playbook(['-i', inventory, os.path.join(EXAMPLES, 'new_environment.yml')], env=env)
    assert code == 0 and totals['failed'] == 0, output[-3000:]
    assert 'The test alert opened incident' in output
    code, output, totals = ansible_playbook(['-i', inventory, os.path.join(EXAMPLES, 'deploy.yml')], env=env)
    assert code == 0 and totals['failed'] == 0, output[-3000:]
    [service] = [s for s in sim.state()['services'] if s['name'] == 'Storefront']
    windows = sim.api('GET', '/maintenance_windows', filter='all').json()['maintenance_windows']
    assert [w['description'] for w in windows] == ['Deploy of Storefront 2.4.1']
    assert sim.api('GET', '/maintenance_windows', filter='ongoing').json()['maintenance_windows'] == []  # ended
    changes = sim.api('GET', '/services/%s/change_events' % service['id']).json()['change_events']
    assert [c['summary'] for c in changes] == ['Deployed Storefront 2.4.1']
    # The test alert of the new environment was resolved.
    assert [i['status'] for i in sim.state()['incidents']] == ['resolved']
