"""The example playbooks, run as a user runs them against the simulator: each on its own (check mode on an
empty account, the real run, a second run), and a deploy (maintenance window around a rolling change, then a
change event) after the new environment."""

import os
import sys

import pytest

from tests.conftest import REPO_ROOT
from tests.simulator.datadog import DEFAULT_API_KEY, DEFAULT_APP_KEY

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


# Every example a user can run on its own, on a fresh account: check mode first (the stack does not exist yet),
# then for real, then again. deploy.yml needs new_environment.yml's service and is run above.
STANDALONE = ['services.yml', 'integrations.yml', 'datadog_handoff.yml', 'catalog.yml', 'vendor_lookup.yml',
              'new_environment.yml', 'route_events.yml', 'demo.yml']
# Tasks that change something on every run by their nature: sending an event is a change.
EVENT_TASKS = {'route_events.yml': 2}
# Check mode keeps nothing between tasks: where two tasks of a playbook make the same object, it predicts
# both as changes. Every other example predicts exactly the changes of the real run.
TOUCH_AN_OBJECT_TWICE = {'demo.yml'}


def secrets_of(sim):
    """Every key and token the account and the run hold: integration keys, routing keys, credentials."""
    secrets = [i['integration_key'] for s in sim.state()['services'] for i in s['integrations'] if i.get('integration_key')]
    for orchestration in sim.api('GET', '/event_orchestrations').json()['orchestrations']:
        read = sim.api('GET', '/event_orchestrations/%s' % orchestration['id']).json()['orchestration']
        secrets += [i['parameters']['routing_key'] for i in read.get('integrations') or []]
    return secrets + [sim.token, DEFAULT_API_KEY, DEFAULT_APP_KEY]


@pytest.mark.parametrize('example', STANDALONE)
def test_an_example_predicts_in_check_mode_then_runs_and_then_changes_nothing(sim, example):
    env = sim.playbook_env(datadog=True)
    playbook = os.path.join(EXAMPLES, example)
    inventory = ['-i', os.path.join(EXAMPLES, 'inventory.yml')]
    sim.clear_requests()
    code, output, totals = ansible_playbook(inventory + ['--check', '--diff', playbook], env=env)
    assert code == 0 and totals['failed'] == 0, output[-3000:]
    assert sim.writes() == [], 'check mode of %s wrote: %s' % (example, sim.writes()[:3])
    predicted = totals['changed']
    # The real run at -v, as a user reads it: every key a task returns is registered with no_log or not returned.
    code, output, totals = ansible_playbook(inventory + ['-v', '--diff', playbook], env=env)
    assert code == 0 and totals['failed'] == 0, output[-3000:]
    leaked = [secret[:6] + '...' for secret in secrets_of(sim) if secret in output]
    assert leaked == [], 'the output of %s at -v shows keys or tokens: %s' % (example, leaked)
    assert totals['changed'] == predicted or (example in TOUCH_AN_OBJECT_TWICE and totals['changed'] < predicted), (
        'check mode predicted %d changed tasks, the run changed %d' % (predicted, totals['changed']))
    code, output, totals = ansible_playbook(inventory + [playbook], env=env)
    assert code == 0 and totals['changed'] == EVENT_TASKS.get(example, 0), output[-3000:]
