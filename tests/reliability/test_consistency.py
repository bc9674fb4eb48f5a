"""A busy, eventually consistent PagerDuty: the workflows of a play run with every read lagging
writes by a second and integration creates refused for a passing reason a few times, as real
accounts behave (terraform-provider-pagerduty #273, #274, PR #253). Each run must end with no failed
task, no duplicate and no loss, and a second run must change nothing."""

import os
import sys
import time

from tests.conftest import REPO_ROOT

sys.path.insert(0, os.path.join(REPO_ROOT, 'tests', 'tools'))
from playbook_runs import ansible_playbook  # noqa: E402

LAG_SECONDS = 1
TRANSIENT_400S = 3

WORKFLOW_PLAYBOOK = '''
- name: A service's whole life in one play, each task using what the one before made
  hosts: localhost
  gather_facts: false
  tasks:
    - name: The legacy service, disabled (a create, then an update)
      oncall.pagerduty.pd_service:
        name: Checkout Legacy
        escalation_policy: Default
        status: disabled
    - name: The new service, with settings
      oncall.pagerduty.pd_service:
        name: Checkout
        escalation_policy: Default
        description: Payments
        auto_resolve_timeout: 14400
    - name: Moved to the new service, keeping its key (read back to verify)
      oncall.pagerduty.pd_integration_move:
        integration: Deploys
        from_service: Checkout Legacy
        to_service: Checkout
    - name: The Datadog integration of the new service
      oncall.pagerduty.pd_integration:
        service: Checkout
        vendor: Datadog
      register: datadog
      no_log: true
    - name: Datadog pointed at its key
      oncall.pagerduty.pd_datadog_service:
        service_name: Checkout
        service_key: "{{ datadog.integration.integration_key }}"
        update_key: "{{ 'always' if datadog.key_changed else 'on_create' }}"
'''


def test_a_play_converges_on_an_eventually_consistent_account(sim, tmp_path, report):
    playbook = tmp_path / 'workflow.yml'
    playbook.write_text(WORKFLOW_PLAYBOOK)
    # The credentials reach the modules through their environment fallbacks.
    env = sim.playbook_env(datadog=True)
    seeded = sim.seed(services=[{'name': 'Checkout Legacy', 'escalation_policy': 'Default'}],
                      integrations=[{'service': 'Checkout Legacy', 'type': 'events_api_v2_inbound_integration',
                                     'name': 'Deploys'}])
    key_before = sim.state()['services'][0]['integrations'][0]['integration_key']
    assert seeded['integrations'] and key_before
    add_row = report('Eventual consistency: reads lag writes by %d s, %d transient 400s on integration creates'
                     % (LAG_SECONDS, TRANSIENT_400S),
                     ['run', 'failed tasks', 'changed', 'requests', 'transient 400s', 'lagged reads', 'seconds'])
    for run in ('first', 'second'):
        sim.settings(read_after_write_lag_seconds=LAG_SECONDS, integration_create_transient_400s=TRANSIENT_400S)
        sim.clear_requests()
        started = time.monotonic()
        code, output, totals = ansible_playbook([str(playbook)], env=env, cwd=str(tmp_path))
        elapsed = time.monotonic() - started
        requests = sim.requests()
        refused = sum(1 for r in requests if r['method'] == 'POST' and r['status'] == 400)
        lagged = sum(1 for r in requests if r['method'] == 'GET' and r['status'] == 404)
        add_row((run, totals['failed'], totals['changed'], len(requests), refused, lagged, round(elapsed, 1)))
        assert code == 0 and totals['failed'] == 0, output[-4000:]
        if run == 'second':
            assert totals['changed'] == 0, output[-4000:]
        time.sleep(LAG_SECONDS)  # as a real second run would come later
    services = {s['name']: s for s in sim.state()['services']}
    assert sorted(services) == ['Checkout', 'Checkout Legacy']
    checkout = services['Checkout']
    assert checkout['status'] == 'active' and checkout['description'] == 'Payments'
    assert services['Checkout Legacy']['status'] == 'disabled'
    assert sorted(i['name'] for i in checkout['integrations']) == ['Datadog-Checkout', 'Deploys']
    assert services['Checkout Legacy']['integrations'] == []
    deploys = [i for i in checkout['integrations'] if i['name'] == 'Deploys'][0]
    assert deploys['id'] == seeded['integrations'][0] and deploys['integration_key'] == key_before  # moved, same key
    datadog_key = [i for i in checkout['integrations'] if i['name'] == 'Datadog-Checkout'][0]['integration_key']
    assert sim.datadog()['services'] == {'Checkout': datadog_key}
