"""The in-process path as Ansible runs it: which path a task takes, the task's environment, the
action groups, loops sharing one kept-alive connection, warnings per item, and the same results as
the module path. Real ansible-playbook runs against the simulator."""

from tests.simulator.datadog import DEFAULT_API_KEY, DEFAULT_APP_KEY

VENDOR_TASK = '''
    - name: look up
      oncall.pagerduty.pd_vendor_info:
        api_token: %s
        name: Datadog
      register: look_up
'''


def test_a_local_task_runs_in_process_and_the_switches_force_the_module_path(sim, play):
    tasks = VENDOR_TASK % sim.token + '''
    - name: switched off for the task
      oncall.pagerduty.pd_vendor_info:
        api_token: %s
        name: Datadog
      vars:
        oncall_pagerduty_in_process: false
      register: switched_off
    - name: async
      oncall.pagerduty.pd_vendor_info:
        api_token: %s
        name: Datadog
      async: 30
      poll: 1
      register: in_async
''' % (sim.token, sim.token)
    code, output, results = play(tasks, ['look_up', 'switched_off', 'in_async'])
    assert code == 0, output[-3000:]
    assert results['look_up']['execution'] == 'in_process'
    assert results['switched_off']['execution'] == 'module'
    assert results['in_async']['execution'] == 'module'
    assert results['look_up']['vendors'] == results['switched_off']['vendors']
    code, output, results = play(VENDOR_TASK % sim.token, ['look_up'], ONCALL_PAGERDUTY_IN_PROCESS='0')
    assert code == 0 and results['look_up']['execution'] == 'module'


def test_the_tasks_environment_is_used_and_restored_between_loop_items(sim, play):
    tasks = '''
    - name: token from the environment keyword
      oncall.pagerduty.pd_vendor_info:
        name: Datadog
      environment:
        PAGERDUTY_API_TOKEN: "{{ item }}"
      loop: ["%s", "wrong-token"]
      ignore_errors: true
      register: from_environment
    - name: no environment
      oncall.pagerduty.pd_vendor_info:
        name: Datadog
      ignore_errors: true
      register: no_environment
''' % sim.token
    code, output, results = play(tasks, ['from_environment', 'no_environment'])
    first, second = results['from_environment']['results']
    assert not first.get('failed') and first['vendors'][0]['name'] == 'Datadog'
    assert second['failed'] and 'the API token was rejected' in second['msg']
    # The previous items' environment is gone: the worker's own environment has no token.
    assert results['no_environment']['failed'] and results['no_environment']['msg'].startswith('api_token: no PagerDuty API token')


def test_loop_items_share_one_kept_alive_connection(sim, play):
    tasks = '''
    - name: a loop
      oncall.pagerduty.pd_vendor_info:
        api_token: %s
        name: "{{ item }}"
      loop: [Datadog, Postman, Nagios, Sentry, Splunk, New Relic]
      register: a_loop
''' % sim.token
    code, output, results = play(tasks, ['a_loop'])
    assert code == 0, output[-3000:]
    assert len({r['connection'] for r in sim.requests()}) == 1
    sim.clear_requests()
    code, output, results = play(tasks, ['a_loop'], ONCALL_PAGERDUTY_IN_PROCESS='0')
    assert code == 0 and len({r['connection'] for r in sim.requests()}) == 6  # a module per item, a connection each


def test_warnings_belong_to_their_loop_item(sim, play):
    tasks = '''
    - name: predicted
      oncall.pagerduty.pd_integration:
        api_token: %s
        service: "{{ item }}"
        type: events_api_v2
      loop: [one, two, three]
      check_mode: true
      register: predicted
''' % sim.token
    code, output, results = play(tasks, ['predicted'])
    assert code == 0 and len(results['predicted']['results']) == 3
    # Each item's warning is shown once: none is carried over to the next item.
    assert [output.count("no service is named '%s' yet" % name) for name in ('one', 'two', 'three')] == [1, 1, 1]


def test_secrets_are_masked_and_failures_read_the_same_on_both_paths(sim, play):
    tasks = '''
    - name: bad input
      oncall.pagerduty.pd_service:
        api_token: %s
        name: web
        escalation_policy: Default
        support_hours:
          time_zone: Europe/Berln
          start_time: "09:00"
          end_time: "17:00"
          days_of_week: [1]
      ignore_errors: true
      register: bad_input
    - name: datadog
      oncall.pagerduty.pd_datadog_service:
        api_url: "%s"
        api_key: %s
        app_key: %s
        service_name: web
        service_key: "%s"
      register: datadog
''' % (sim.token, sim.url, DEFAULT_API_KEY, DEFAULT_APP_KEY, 'k' * 32)
    outcomes = {}
    for path, switch in (('in_process', '1'), ('module', '0')):
        sim.reset()
        code, output, results = play(tasks, ['bad_input', 'datadog'], extra_args=['-vvv'], ONCALL_PAGERDUTY_IN_PROCESS=switch)
        assert results['datadog']['execution'] == path
        for secret in (sim.token, DEFAULT_API_KEY, DEFAULT_APP_KEY, 'k' * 32):
            assert secret not in output, (path, secret)
        outcomes[path] = (results['bad_input']['msg'], results['datadog']['changed'])
    assert outcomes['in_process'] == outcomes['module']
