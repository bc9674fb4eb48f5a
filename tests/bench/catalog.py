"""pd_service_catalog against a loop of pd_service and pd_integration tasks: a no-op over 500 services
with two integrations each, and creating 100 such services with 100 ms of simulated network latency; and
gathering 200 services at 100 ms, whose per-service reads run in parallel."""

import os
import tempfile
import time

NO_OP_SERVICES = 500
CREATED_SERVICES = 100
GATHERED_SERVICES = 200
RATE_LIMITED_SERVICES = 300
REAL_LIMIT, REAL_WINDOW = 960, 60   # PagerDuty's REST API: 960 requests a minute per token
LATENCY_MS = 100

GATHER_TASK = '''
    - name: The catalogue in the input format
      oncall.pagerduty.pd_service_catalog:
        state: gathered
        scope:
          name_prefix: gather-
'''

HEADER = '''
- name: The catalogue
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/oncall.pagerduty.pagerduty:
      retry_timeout: %(retry_timeout)s
  vars:
    names: "{{ range(1, count | int + 1) | map('string') | map('regex_replace', '^', prefix) | list }}"
  tasks:
'''

LOOP_TASKS = '''
    - name: Each service
      oncall.pagerduty.pd_service:
        name: "{{ item }}"
        escalation_policy: Platform On-Call
      loop: "{{ names }}"
    - name: Each integration
      oncall.pagerduty.pd_integration:
        service: "{{ item.0 }}"
        name: "{{ item.1.name }}"
        type: "{{ item.1.type | default(omit) }}"
        vendor: "{{ item.1.vendor | default(omit) }}"
        return_key: false
      loop: "{{ names | product([{'name': 'Events', 'type': 'events_api_v2'}, {'name': 'Datadog', 'vendor': 'Datadog'}]) | list }}"
'''


def catalogue_task(count, prefix):
    """The catalogue task with its services written out (a list as a user's vars file holds it)."""
    lines = ['''
    - name: Every service and integration in one task
      oncall.pagerduty.pd_service_catalog:
        return_keys: false
        services:''']
    for number in range(1, count + 1):
        lines.append('''          - name: %s%d
            escalation_policy: Platform On-Call
            integrations:
              - {name: Events, type: events_api_v2}
              - {name: Datadog, vendor: Datadog}''' % (prefix, number))
    return '\n'.join(lines) + '\n'


def run(bench, tasks, count, prefix, workdir, name, retry_timeout=600):
    playbook = os.path.join(workdir, name)
    with open(playbook, 'w') as handle:
        handle.write(HEADER % {'retry_timeout': retry_timeout} + tasks)
    bench.control('DELETE', 'requests')
    started = time.monotonic()
    code, output, totals = bench.playbook([playbook, '-e', 'count=%d' % count, '-e', 'prefix=%s' % prefix], env=bench.env)
    elapsed = time.monotonic() - started
    if code != 0 or totals['failed']:
        raise SystemExit('%s failed:\n%s' % (name, output[-3000:]))
    return elapsed, len(bench.control('GET', 'requests')['requests']), totals['changed']


def measure(bench):
    """Rows of (case, implementation, tasks, requests, seconds, changed)."""
    workdir = tempfile.mkdtemp(prefix='oncall-bench-catalog-')
    rows = []
    bench.control('POST', 'reset')
    # A no-op over 500 services with two integrations each.
    prefix = 'cat-'
    run(bench, catalogue_task(NO_OP_SERVICES, prefix), NO_OP_SERVICES, prefix, workdir, 'seed.yml')
    seconds, requests, changed = run(bench, catalogue_task(NO_OP_SERVICES, prefix), NO_OP_SERVICES, prefix, workdir,
                                     'catalogue.yml')
    rows.append(('no-op, %d services' % NO_OP_SERVICES, 'pd_service_catalog', 1, requests, seconds, changed))
    seconds, requests, changed = run(bench, LOOP_TASKS, NO_OP_SERVICES, prefix, workdir, 'loop.yml')
    rows.append(('no-op, %d services' % NO_OP_SERVICES, 'loop, in process', 3 * NO_OP_SERVICES, requests, seconds, changed))
    # Creating 100 services with two integrations each, over a network with 100 ms of latency.
    bench.control('POST', 'settings', {'latency_ms': LATENCY_MS})
    try:
        seconds, requests, changed = run(bench, catalogue_task(CREATED_SERVICES, 'new-'), CREATED_SERVICES, 'new-', workdir,
                                         'create.yml')
        rows.append(('create %d services, %d ms latency' % (CREATED_SERVICES, LATENCY_MS), 'pd_service_catalog', 1,
                     requests, seconds, changed))
        seconds, requests, changed = run(bench, LOOP_TASKS, CREATED_SERVICES, 'looped-', workdir, 'create_loop.yml')
        rows.append(('create %d services, %d ms latency' % (CREATED_SERVICES, LATENCY_MS), 'loop, in process',
                     3 * CREATED_SERVICES, requests, seconds, changed))
    finally:
        bench.control('POST', 'settings', {'latency_ms': 0})
    # Gathering 200 services, at 100 ms: PagerDuty serves custom field values and dependencies per service.
    bench.control('POST', 'seed', {'services': {'count': GATHERED_SERVICES, 'name_prefix': 'gather-',
                                                'escalation_policy': 'Default'}})
    bench.control('POST', 'settings', {'latency_ms': LATENCY_MS})
    try:
        seconds, requests, changed = run(bench, GATHER_TASK, GATHERED_SERVICES, 'gather-', workdir, 'gather.yml')
        rows.append(('gather %d services, %d ms latency' % (GATHERED_SERVICES, LATENCY_MS), 'pd_service_catalog', 1,
                     requests, seconds, changed))
    finally:
        bench.control('POST', 'settings', {'latency_ms': 0})
    return rows


def at_the_real_rate_limit(bench):
    """The catalogue of RATE_LIMITED_SERVICES services with two integrations each, created with default options
    (retry_timeout 120) at PagerDuty's real limit: (requests, 429s, seconds, lower bound, seconds waited)."""
    workdir = tempfile.mkdtemp(prefix='oncall-bench-ratelimit-')
    bench.control('POST', 'reset')
    bench.control('POST', 'rate_limit', {'limit': REAL_LIMIT, 'window_seconds': REAL_WINDOW})
    try:
        seconds, requests, changed = run(bench, catalogue_task(RATE_LIMITED_SERVICES, 'limited-'), RATE_LIMITED_SERVICES,
                                         'limited-', workdir, 'limited.yml', retry_timeout=120)
        log = bench.control('GET', 'requests')['requests']
    finally:
        bench.control('POST', 'rate_limit', {'limit': None})
    limited = sum(1 for r in log if r['status'] == 429)
    served = requests - limited
    lower_bound = ((served - 1) // REAL_LIMIT) * REAL_WINDOW
    return served, limited, seconds, lower_bound


def print_rate_limited(served, limited, seconds, lower_bound):
    print('\nThe catalogue of %d services with two integrations each, default options, at %d requests per %d s: '
          '%d requests served, %d answered 429, %.1f s against a lower bound of %d s (%.2fx)'
          % (RATE_LIMITED_SERVICES, REAL_LIMIT, REAL_WINDOW, served, limited, seconds, lower_bound,
             seconds / lower_bound if lower_bound else 0))


def print_rows(rows):
    print('\nThe catalogue in one task, next to a loop of tasks')
    print('%-34s %-20s %6s %9s %9s %14s' % ('case', 'implementation', 'tasks', 'requests', 'seconds', 'requests x 0.1s'))
    for case, implementation, tasks, requests, seconds, changed in rows:
        print('%-34s %-20s %6d %9d %9.1f %14.1f' % (case, implementation, tasks, requests, seconds, requests * 0.1))
