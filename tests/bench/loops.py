"""The cost of one loop item of each module, on the in-process path and the module path, next to
ansible.builtin.debug (Ansible's floor for a task that starts nothing).

Each measurement runs a playbook whose task loops over N items and the same playbook over no item:
the difference divided by N is the cost of an item, free of ansible-playbook's start-up. Start-up varies
by about 0.1 s from run to run, so an in-process item (a few ms) is measured over many more items, and
its playbook is timed twice and the quicker run kept.
"""

import os
import tempfile
import time

from tests.simulator.datadog import DEFAULT_API_KEY, DEFAULT_APP_KEY

ITEMS = 30                # a started module's item costs ~0.4 s: start-up's noise is 1% of it
ITEMS_IN_PROCESS = 300    # an in-process item costs a few ms without latency

# One no-op task per module, against the objects `prepare` makes; `{{ item }}` varies nothing that matters.
NO_OP_TASKS = {
    'ansible.builtin.debug': 'msg: "{{ item }}"',
    'oncall.pagerduty.pd_service': 'name: loop-service\n        escalation_policy: Platform On-Call',
    'oncall.pagerduty.pd_service_info': 'name: loop-service',
    'oncall.pagerduty.pd_integration': 'service: loop-service\n        name: Events\n        type: events_api_v2\n'
                                       '        return_key: false',
    'oncall.pagerduty.pd_integration_move': 'integration: Events\n        from_service: loop-other\n'
                                            '        to_service: loop-service',
    'oncall.pagerduty.pd_vendor_info': 'name: Datadog',
    'oncall.pagerduty.pd_datadog_service': 'service_name: loop-service\n        service_key: "%s"' % ('a' * 32),
    'oncall.pagerduty.pd_service_catalog': 'services:\n          - name: loop-service\n'
                                           '            escalation_policy: Platform On-Call\n            integrations:\n'
                                           '              - name: Events\n                type: events_api_v2\n'
                                           '        return_keys: false',
}

PLAYBOOK = '''
- name: A loop of no-op items
  hosts: localhost
  gather_facts: false
  tasks:
    - name: The item
      %s:
        %s
      loop: "{{ range(%d) | list }}"
'''


def prepare(bench):
    """The objects the no-op tasks find: a service with an integration, a Datadog service object."""
    bench.control('POST', 'reset')
    bench.control('POST', 'seed', {
        'services': [{'name': 'loop-service', 'escalation_policy': 'Platform On-Call'},
                     {'name': 'loop-other', 'escalation_policy': 'Platform On-Call'}],
        'integrations': [{'service': 'loop-service', 'type': 'events_api_v2_inbound_integration', 'name': 'Events'}]})
    import requests

    requests.post(bench.url + '/api/v1/integration/pagerduty/configuration/services', timeout=10,
                  json={'service_name': 'loop-service', 'service_key': 'a' * 32},
                  headers={'DD-API-KEY': DEFAULT_API_KEY, 'DD-APPLICATION-KEY': DEFAULT_APP_KEY}).raise_for_status()


def seconds_of(bench, module, items, path, workdir):
    playbook = os.path.join(workdir, 'loop.yml')
    with open(playbook, 'w') as handle:
        handle.write(PLAYBOOK % (module, NO_OP_TASKS[module], items))
    # The credentials reach the modules through their environment fallbacks.
    env = dict(bench.env, ONCALL_PAGERDUTY_IN_PROCESS='1' if path == 'in_process' else '0', DD_API_URL=bench.url,
               DD_API_KEY=DEFAULT_API_KEY, DD_APP_KEY=DEFAULT_APP_KEY)
    started = time.monotonic()
    code, output, totals = bench.playbook([playbook], env=env)
    elapsed = time.monotonic() - started
    if code != 0 or totals['failed'] or (module != 'ansible.builtin.debug' and totals['changed']):
        raise SystemExit('%s on the %s path is not a no-op:\n%s' % (module, path, output[-3000:]))
    return elapsed


def item_costs(bench, latency_ms=0):
    """[(module, path, ms per item, requests per item)] for every module on both paths."""
    workdir = tempfile.mkdtemp(prefix='oncall-bench-loops-')
    prepare(bench)
    bench.control('POST', 'settings', {'latency_ms': latency_ms})
    rows = []
    try:
        for module in NO_OP_TASKS:
            paths = ('in_process',) if module == 'ansible.builtin.debug' else ('in_process', 'module')
            for path in paths:
                items = ITEMS_IN_PROCESS if path == 'in_process' and not latency_ms else ITEMS
                empty = min(seconds_of(bench, module, 0, path, workdir) for dummy in range(2))
                bench.control('DELETE', 'requests')
                full = seconds_of(bench, module, items, path, workdir)
                requests = len(bench.control('GET', 'requests')['requests']) / float(items)
                if path == 'in_process':
                    full = min(full, seconds_of(bench, module, items, path, workdir))
                rows.append((module, path if module != 'ansible.builtin.debug' else '-',
                             1000.0 * max(0.0, full - empty) / items, requests))
    finally:
        bench.control('POST', 'settings', {'latency_ms': 0})
    return rows


def print_item_costs(rows, latency_ms):
    debug = [r for r in rows if r[0] == 'ansible.builtin.debug'][0][2]
    print('\nOne no-op loop item (%d items in process, %d as a started module; simulator latency %d ms): ms per item, '
          'x ansible.builtin.debug, requests' % (ITEMS if latency_ms else ITEMS_IN_PROCESS, ITEMS, latency_ms))
    print('%-40s %-11s %9s %8s %9s' % ('module', 'path', 'ms/item', 'x debug', 'requests'))
    for module, path, ms, requests in rows:
        print('%-40s %-11s %9.1f %8.1f %9.1f' % (module, path, ms, ms / debug if debug else 0, requests))
