"""Secrets stay secret: the PagerDuty token, the Datadog keys, integration keys, orchestrations' routing keys,
webhook signing secrets and header values never appear in -vvv output, in a diff, or in what the simulator records of the requests."""

import json
import os
import sys

import pytest

from ansible_collections.oncall.pagerduty.plugins.modules import (
    pd_datadog_service,
    pd_event,
    pd_event_orchestration,
    pd_integration,
    pd_integration_move,
    pd_service,
)
from tests.conftest import REPO_ROOT
from tests.simulator.datadog import DEFAULT_API_KEY, DEFAULT_APP_KEY

sys.path.insert(0, os.path.join(REPO_ROOT, 'tests', 'tools'))
from playbook_runs import ansible_playbook  # noqa: E402

HEADER_VALUE = 'webhook-header-secret-0123'
# Every module once; only the tasks whose results carry a key are no_log, as the docs advise.
EVERY_MODULE = '''
- name: Every module at -vvv
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/oncall.pagerduty.pagerduty:
      api_url: "{{ lookup('ansible.builtin.env', 'PAGERDUTY_API_URL') }}"
      api_token: "{{ lookup('ansible.builtin.env', 'PAGERDUTY_API_TOKEN') }}"
    group/oncall.pagerduty.datadog:
      api_url: "{{ lookup('ansible.builtin.env', 'PAGERDUTY_API_URL') }}"
      api_key: "{{ lookup('ansible.builtin.env', 'SECRET_DD_API_KEY') }}"
      app_key: "{{ lookup('ansible.builtin.env', 'SECRET_DD_APP_KEY') }}"
  tasks:
    - name: Vendor
      oncall.pagerduty.pd_vendor_info:
        name: Datadog
    - name: Services
      oncall.pagerduty.pd_service:
        name: "{{ item }}"
        escalation_policy: Default
      loop: [Secret Source, Secret Destination]
      diff: true
    - name: Integration
      oncall.pagerduty.pd_integration:
        service: Secret Source
        vendor: Datadog
      register: integration
      no_log: true
      diff: true
    - name: Datadog service object
      oncall.pagerduty.pd_datadog_service:
        service_name: Secret-Source
        service_key: "{{ integration.integration.integration_key }}"
        update_key: always
      diff: true
    - name: Move
      oncall.pagerduty.pd_integration_move:
        integration: "{{ integration.integration.id }}"
        from_service: Secret Source
        to_service: Secret Destination
      no_log: true
      diff: true
    - name: Webhook subscription, whose create returns its signing secret
      oncall.pagerduty.pd_webhook_subscription:
        url: https://hooks.example.com/secret
        service: Secret Source
        custom_headers:
          - name: X-Token
            value: "{{ lookup('ansible.builtin.env', 'SECRET_HEADER_VALUE') }}"
      register: webhook
      no_log: true
      diff: true
    - name: The same subscription again, without no_log - a run that did not create it has no secret
      oncall.pagerduty.pd_webhook_subscription:
        url: https://hooks.example.com/secret
        service: Secret Source
        custom_headers:
          - name: X-Token
            value: "{{ lookup('ansible.builtin.env', 'SECRET_HEADER_VALUE') }}"
      diff: true
    - name: Services read back, without integrations
      oncall.pagerduty.pd_service_info:
        query: Secret
    - name: Global orchestration
      oncall.pagerduty.pd_event_orchestration:
        name: Secret Router
      register: orchestration
      no_log: true
      diff: true
    - name: An event to its routing key
      oncall.pagerduty.pd_event:
        routing_key: "{{ orchestration.orchestration.routing_key }}"
        summary: Secret test
        source: ansible
        severity: info
        events_url: "{{ lookup('ansible.builtin.env', 'PAGERDUTY_EVENTS_URL') }}"
      diff: true
    - name: A failure with the token in hand
      oncall.pagerduty.pd_service:
        name: Secret Source
        escalation_policy: Nobody On-Call
      ignore_errors: true
'''


def secrets(sim, simulator=None):
    """{label: secret} of the account: read after the request log, since these reads are logged too. With the
    `simulator` (its server), the webhook subscriptions' signing secrets and header values, which no read shows."""
    keys = [i['integration_key'] for s in sim.state()['services'] for i in s['integrations'] if i.get('integration_key')]
    routing_keys = [i['parameters']['routing_key']
                    for o in sim.api('GET', '/event_orchestrations').json()['orchestrations']
                    for i in sim.api('GET', '/event_orchestrations/%s/integrations' % o['id']).json()['integrations']]
    webhooks = simulator.pagerduty.webhook_subscriptions if simulator else {}
    hook_secrets = {'webhook secret %d' % n: simulator.pagerduty.webhook_secret(i) for n, i in enumerate(webhooks)}
    return {'PagerDuty token': sim.token, 'Datadog API key': DEFAULT_API_KEY, 'Datadog app key': DEFAULT_APP_KEY,
            'webhook header value': HEADER_VALUE if webhooks else None, **hook_secrets,
            **{'integration key %d' % n: key for n, key in enumerate(keys)},
            **{'routing key %d' % n: key for n, key in enumerate(routing_keys)}}


def leaks(text, found_secrets):
    return sorted(label for label, value in found_secrets.items() if value and value in text)


@pytest.mark.parametrize('path', ['in_process', 'module'])
def test_no_secret_in_vvv_output(sim, simulator_server, tmp_path, report, path):
    """Both paths: a started module's arguments and results pass through other hands than the worker's."""
    playbook = tmp_path / 'every_module.yml'
    playbook.write_text(EVERY_MODULE)
    env = sim.playbook_env(SECRET_DD_API_KEY=DEFAULT_API_KEY, SECRET_DD_APP_KEY=DEFAULT_APP_KEY, SECRET_HEADER_VALUE=HEADER_VALUE,
                           ONCALL_PAGERDUTY_IN_PROCESS='1' if path == 'in_process' else '0')
    code, output, totals = ansible_playbook(['-vvv', str(playbook)], env=env)
    assert ('"execution": "%s"' % path) in output
    found = secrets(sim, simulator_server.sim)
    leaked = leaks(output, found)
    report('Secrets', ['where', 'secrets looked for', 'leaked'])(
        ('-vvv output, %s path (%d lines)' % (path.replace('_', '-'), len(output.splitlines())), len(found), len(leaked)))
    assert code == 0 and totals['failed'] == 0, output[-3000:]  # the failing task is ignored, not failed
    # The token, two Datadog keys, the integration key, the orchestration's routing key, the webhook's secret and
    # header value.
    assert len([v for v in found.values() if v]) == 7
    assert leaked == [], leaked


def test_no_secret_in_diffs_or_the_request_log(sim, run_module, report):
    results = [run_module(pd_service, diff=True, name=name, escalation_policy='Default') for name in ('Source', 'Destination')]
    created = run_module(pd_integration, diff=True, service='Source', vendor='Datadog', name='Datadog')
    key = created['integration']['integration_key']
    results.append(created)
    results.append(run_module(pd_datadog_service, diff=True, service_name='Source', service_key=key))
    results.append(run_module(pd_datadog_service, diff=True, service_name='Source', service_key=key, update_key='always'))
    results.append(run_module(pd_integration, diff=True, service='Source', vendor='Datadog', name='Datadog'))
    results.append(run_module(pd_integration_move, diff=True, integration='Datadog', from_service='Source', to_service='Destination'))
    results.append(run_module(pd_integration, diff=True, service='Destination', name='Datadog', state='absent'))
    orchestration = run_module(pd_event_orchestration, diff=True, name='Router')
    results.append(orchestration)
    results.append(run_module(pd_event, diff=True, events_url=sim.url, summary='Secret test', source='ansible', severity='info',
                              routing_key=orchestration['orchestration']['routing_key']))
    requests_made = sim.requests()
    request_log = json.dumps(requests_made)
    found = secrets(sim)
    found['integration key'] = key
    assert any(label.startswith('routing key') for label in found)
    diffs = json.dumps([r.get('diff') for r in results])
    add_row = report('Secrets', ['where', 'secrets looked for', 'leaked'])
    add_row(('diffs of %d tasks' % len(results), len(found), len(leaks(diffs, found))))
    add_row(('request log (%d requests)' % len(requests_made), len(found), len(leaks(request_log, found))))
    assert all(not r.get('failed') for r in results), [r.get('msg') for r in results]
    assert leaks(diffs, found) == [] and leaks(request_log, found) == []
