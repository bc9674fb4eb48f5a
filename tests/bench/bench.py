"""`make bench`: API requests and wall time per task.

- fleet: the collection next to a hand-written ansible.builtin.uri playbook, for a fleet of
  services with two integrations each - create, no-op re-run, update of one setting, delete.
- loops: one no-op loop item of every module on the in-process path and the module path, next to
  ansible.builtin.debug, on the simulator and with 100 ms of latency (loops.py).
- catalog: pd_service_catalog next to a loop of tasks, for 500 services (no-op) and 100 created
  with 100 ms of latency (catalog.py).
- the cost of a task's parts, and the fleet's create in parallel under a scaled-down rate limit.
- ratelimit: the catalogue of 300 services with two integrations each, with default options, at PagerDuty's
  real limit of 960 requests a minute (catalog.py).

Requests come from the simulator's request log, time from the clock around each ansible-playbook
run. Writes the tables to stdout and charts to docs/performance.png and docs/performance_paths.png.
"""

import argparse
import math
import os
import sys
import tempfile
import time

import requests

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, REPO_ROOT)
sys.path.insert(0, os.path.join(REPO_ROOT, 'tests', 'tools'))

from playbook_runs import ansible_playbook  # noqa: E402
from tests.bench import catalog, loops  # noqa: E402
from tests.simulator import DEFAULT_TOKEN, SimulatorServer  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
PHASES = ('create', 'no-op', 'update', 'delete')


class Bench:
    def __init__(self, services, workdir):
        self.services = services
        self.server = SimulatorServer().start()
        self.url = self.server.url
        collections = os.path.join(workdir, 'collections')
        os.makedirs(os.path.join(collections, 'ansible_collections', 'oncall'))
        os.symlink(REPO_ROOT, os.path.join(collections, 'ansible_collections', 'oncall', 'pagerduty'))
        self.env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections, PAGERDUTY_API_URL=self.url,
                        PAGERDUTY_API_TOKEN=DEFAULT_TOKEN, ANSIBLE_LOCALHOST_WARNING='0', ANSIBLE_FORCE_COLOR='0')
        self.rows = []

    def playbook(self, args, env=None):
        return ansible_playbook(args, env=env or self.env)

    def control(self, method, name, body=None):
        response = requests.request(method, '%s/_sim/%s' % (self.url, name), json=body, timeout=30)
        response.raise_for_status()
        return response.json()

    def run(self, implementation, phase, playbook, tasks, extra=()):
        """Run one playbook; record requests and time per task."""
        self.control('DELETE', 'requests')
        started = time.monotonic()
        code, output, totals = ansible_playbook(
            [os.path.join(HERE, playbook), '-e', 'fleet_size=%d' % self.services, '-e', 'phase=%s' % phase] + list(extra),
            env=self.env)
        elapsed = time.monotonic() - started
        if code != 0 or totals['failed']:
            raise SystemExit('%s %s %s failed:\n%s' % (implementation, phase, playbook, output[-4000:]))
        log = self.control('GET', 'requests')['requests']
        writes = sum(1 for r in log if r['method'] != 'GET')
        self.rows.append(dict(implementation=implementation, phase=phase, step=playbook.split('_', 1)[1][:-4], tasks=tasks,
                              requests=len(log), writes=writes, seconds=elapsed, changed=totals['changed']))

    def fleet(self, implementation, prefix):
        services, integrations = self.services, 2 * self.services
        for phase in PHASES:
            if phase == 'delete':
                self.run(implementation, phase, prefix + '_services.yml', services, ['-e', 'state=absent'])
                continue
            self.run(implementation, phase, prefix + '_services.yml', services)
            if phase != 'update':
                self.run(implementation, phase, prefix + '_integrations.yml', integrations)

    def task_cost(self):
        """Where a task's time goes: Ansible's floor per task, one API round trip, one TLS context."""
        sys.path.insert(0, os.path.join(self.env['ANSIBLE_COLLECTIONS_PATH']))
        from ansible.module_utils.urls import make_context
        from ansible_collections.oncall.pagerduty.plugins.module_utils._client import PagerDutyClient

        started = time.monotonic()
        ansible_playbook([os.path.join(HERE, 'ping_fleet.yml'), '-e', 'fleet_size=%d' % self.services], env=self.env)
        floor = (time.monotonic() - started) / self.services
        client = PagerDutyClient(DEFAULT_TOKEN, api_url=self.url)
        started = time.monotonic()
        for dummy in range(100):
            client.get('/services', {'name': 'fleet-001'})
        round_trip = (time.monotonic() - started) / 100
        started = time.monotonic()
        for dummy in range(10):
            make_context()
        tls = (time.monotonic() - started) / 10
        return dict(floor=1000 * floor, round_trip=1000 * round_trip, tls=1000 * tls)

    def rate_limited(self, limit, window):
        """The fleet's create, in parallel (one host per 5 services), under the simulator's limit."""
        self.control('POST', 'reset')
        self.control('POST', 'rate_limit', {'limit': limit, 'window_seconds': window})
        hosts = max(1, self.services // 5)
        inventory = os.path.join(tempfile.mkdtemp(), 'inventory.ini')
        with open(inventory, 'w') as handle:
            handle.write('[fleet]\n' + ''.join('host%02d\n' % n for n in range(hosts)))
            handle.write('[fleet:vars]\nansible_connection=local\nansible_python_interpreter=%s\n' % sys.executable)
        self.control('DELETE', 'requests')
        started = time.monotonic()
        code, output, totals = ansible_playbook(
            ['-i', inventory, '-f', str(hosts), os.path.join(HERE, 'parallel_fleet.yml'), '-e', 'per_host=5'], env=self.env)
        elapsed = time.monotonic() - started
        log = self.control('GET', 'requests')['requests']
        self.control('POST', 'rate_limit', {'limit': None})
        served = sum(1 for r in log if r['status'] != 429)
        lower_bound = (math.ceil(served / limit) - 1) * window
        rate_bound = served * window / limit
        return dict(hosts=hosts, failed=totals['failed'] + code, served=served, limited=len(log) - served, seconds=elapsed,
                    lower_bound=lower_bound, bound_ratio=elapsed / lower_bound, rate_bound=rate_bound,
                    rate_ratio=elapsed / rate_bound, limit=limit, window=window)


def print_table(rows):
    print('\n%-11s %-7s %-13s %6s %9s %12s %7s %10s %8s' % (
        'impl', 'phase', 'step', 'tasks', 'requests', 'req per task', 'writes', 'seconds', 'ms/task'))
    for row in rows:
        print('%-11s %-7s %-13s %6d %9d %12.2f %7d %10.1f %8.0f' % (
            row['implementation'], row['phase'], row['step'], row['tasks'], row['requests'], row['requests'] / row['tasks'],
            row['writes'], row['seconds'], 1000 * row['seconds'] / row['tasks']))


def per_phase(rows, implementation):
    """{phase: (requests per provisioned object, ms per provisioned object)} for the chart."""
    result = {}
    for phase in PHASES:
        chosen = [r for r in rows if r['implementation'] == implementation and r['phase'] == phase]
        tasks = sum(r['tasks'] for r in chosen)
        result[phase] = (sum(r['requests'] for r in chosen) / tasks, 1000 * sum(r['seconds'] for r in chosen) / tasks)
    return result


def chart(rows, path):
    import matplotlib

    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    ours, uri = per_phase(rows, 'collection'), per_phase(rows, 'uri')
    figure, (requests_axis, time_axis) = plt.subplots(1, 2, figsize=(11, 4.2))
    positions = range(len(PHASES))
    for axis, index, label in ((requests_axis, 0, 'API requests per task'), (time_axis, 1, 'milliseconds per task')):
        axis.bar([p - 0.2 for p in positions], [ours[p][index] for p in PHASES], 0.4, label='oncall.pagerduty')
        axis.bar([p + 0.2 for p in positions], [uri[p][index] for p in PHASES], 0.4, label='hand-written ansible.builtin.uri')
        axis.set_xticks(list(positions))
        axis.set_xticklabels(PHASES)
        axis.set_title(label)
        axis.legend(fontsize=8)
    figure.suptitle('Provisioning a fleet: per service or integration managed (make bench)')
    figure.tight_layout()
    figure.savefig(path, dpi=110)


def paths_chart(costs, path):
    """ms per no-op loop item of each module, in process and as a module, next to debug."""
    import matplotlib

    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, len(costs), figsize=(12, 4.6), sharey=False)
    for axis, (latency, rows) in zip(axes, sorted(costs.items())):
        modules = [m for m, p, ms, r in rows if p == 'in_process']
        debug = [ms for m, p, ms, r in rows if m == 'ansible.builtin.debug'][0]
        positions = range(len(modules))
        in_process = {m: ms for m, p, ms, r in rows if p == 'in_process'}
        as_module = {m: ms for m, p, ms, r in rows if p == 'module'}
        axis.bar([i - 0.2 for i in positions], [as_module.get(m, 0) for m in modules], 0.4, label='module path')
        axis.bar([i + 0.2 for i in positions], [in_process[m] for m in modules], 0.4, label='in process')
        axis.axhline(2 * debug, color='grey', linestyle='--', linewidth=1, label='2 x ansible.builtin.debug')
        axis.set_xticks(list(positions))
        axis.set_xticklabels([m.rsplit('.', 1)[1] for m in modules], rotation=40, ha='right', fontsize=8)
        axis.set_yscale('log')  # the two paths differ by a factor of 60 to 100
        axis.set_ylabel('ms per no-op loop item (log scale)')
        axis.set_title('simulator latency %d ms' % latency)
    handles, labels = axes[0].get_legend_handles_labels()
    figure.legend(handles, labels, loc='lower center', ncol=3, fontsize=8)
    figure.suptitle('One loop item of each module, in the worker or as a started module (make bench)')
    figure.tight_layout(rect=(0, 0.06, 1, 1))
    figure.savefig(path, dpi=110)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--services', type=int, default=50)
    parser.add_argument('--parts', default='fleet,loops,catalog,cost,ratelimit',
                        help='which parts to run, comma-separated')
    parser.add_argument('--chart', default=os.path.join(REPO_ROOT, 'docs', 'performance.png'))
    parser.add_argument('--paths-chart', default=os.path.join(REPO_ROOT, 'docs', 'performance_paths.png'))
    args = parser.parse_args()
    parts = set(args.parts.split(','))
    bench = Bench(args.services, tempfile.mkdtemp(prefix='oncall-bench-'))
    try:
        if 'loops' in parts:
            costs = {}
            for latency in (0, 100):
                costs[latency] = loops.item_costs(bench, latency_ms=latency)
                loops.print_item_costs(costs[latency], latency)
            paths_chart(costs, args.paths_chart)
            print('Chart: %s' % os.path.relpath(args.paths_chart, REPO_ROOT))
        if 'catalog' in parts:
            catalog.print_rows(catalog.measure(bench))
        if 'ratelimit' in parts:
            catalog.print_rate_limited(*catalog.at_the_real_rate_limit(bench))
        if 'fleet' in parts:
            run_fleet(bench, args)
        if 'cost' in parts:
            run_costs(bench)
    finally:
        bench.server.stop()


def run_fleet(bench, args):
    """The fleet next to the uri playbook, with its table and chart."""
    for implementation, prefix in (('collection', 'ours'), ('uri', 'uri')):
        bench.control('POST', 'reset')
        bench.fleet(implementation, prefix)
    print_table(bench.rows)
    for implementation in ('collection', 'uri'):
        totals = per_phase(bench.rows, implementation)
        print('%-10s ' % implementation + '  '.join('%s: %.2f req, %.0f ms per task' % (p, *totals[p]) for p in PHASES))
    ours, uri = per_phase(bench.rows, 'collection'), per_phase(bench.rows, 'uri')
    print('uri / collection: ' + '  '.join('%s: %.1fx requests, %.1fx time' % (p, uri[p][0] / ours[p][0], uri[p][1] / ours[p][1])
                                           for p in PHASES))
    chart(bench.rows, args.chart)
    print('Chart: %s' % os.path.relpath(args.chart, REPO_ROOT))


def run_costs(bench):
    """Where a task's time goes, and the fleet's parallel create under the rate limit."""
    cost = bench.task_cost()
    print('\nWhere a task goes: ansible.builtin.ping costs %(floor).0f ms per task (Ansible itself); one API request to '
          'the simulator %(round_trip).1f ms; building a TLS context (CA store) %(tls).1f ms' % cost)
    # PagerDuty allows 960 requests a minute: 32 every 2 seconds keeps that rate on a short window.
    limited = bench.rate_limited(limit=32, window=2)
    print('\nRate-limited parallel create (%(limit)d requests per %(window)d s, %(hosts)d hosts): %(served)d requests, '
          '%(limited)d answered 429, %(failed)d failed, %(seconds).1f s: %(bound_ratio).2fx the lower bound of %(lower_bound)d s '
          '(the windows the requests need after the first), %(rate_ratio).2fx requests / rate (%(rate_bound).1f s)' % limited)


if __name__ == '__main__':
    main()
