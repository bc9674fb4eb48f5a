"""Values a task cannot mean, or that Ansible's conversion would turn into something else, fail before any
request is sent, naming the option and what to write instead, on both execution paths (real
ansible-playbook runs against the simulator, whose request log shows that nothing was written)."""

import pytest

# name: (task body, words the failure must hold)
CASES = {
    'window_forever': ('''
      oncall.pagerduty.pd_maintenance_window:
        services: [Checkout]
        description: odd
        duration_minutes: 10000000000''', 'duration_minutes: must be between 1 and 5256000'),
    'timeout_huge': ('''
      oncall.pagerduty.pd_vendor_info: {name: Datadog, timeout: 99999999999}''', 'timeout: must be between 1 and 3600'),
    'retries_million': ('''
      oncall.pagerduty.pd_vendor_info: {name: Datadog, retries: 1000000}''', 'retries: must be between 0 and 100'),
    'retry_timeout_year': ('''
      oncall.pagerduty.pd_vendor_info: {name: Datadog, retry_timeout: 31536000}''', 'retry_timeout: must be between 0'),
    'grouping_config_list': ('''
      oncall.pagerduty.pd_service:
        name: Odd
        escalation_policy: Platform On-Call
        alert_grouping_parameters: {type: time, config: [1]}''',
                             'alert_grouping_parameters.config: must be a dictionary, got a list'),
    'members_a_string': ('''
      oncall.pagerduty.pd_team_membership: {team: Platform, members: grace@example.com}''',
                         "members[0]: must be a dictionary, got the string 'grace@example.com'"),
    'grouping_fields_commas': ('''
      oncall.pagerduty.pd_service:
        name: Odd
        escalation_policy: Platform On-Call
        alert_grouping_parameters: {type: content_based, config: {fields: "summary, source", aggregate: all}}''',
                               'alert_grouping_parameters.config.fields: must be a list'),
    'field_option_dictionary': ('''
      oncall.pagerduty.pd_service_custom_field:
        name: odd_field
        display_name: Odd
        data_type: string
        field_type: single_value_fixed
        field_options: [{a: 1}]''', 'field_options[0]: must be a string, got a dictionary'),
    'field_option_number': ('''
      oncall.pagerduty.pd_service_custom_field:
        name: odd_field
        display_name: Odd
        data_type: string
        field_type: single_value_fixed
        field_options: [tier-1, 010]''', 'field_options[1]: must be a string, got the number 8'),
    'field_option_version': ('''
      oncall.pagerduty.pd_service_custom_field:
        name: odd_field
        display_name: Odd
        data_type: string
        field_type: single_value_fixed
        field_options: [1.10]''', 'YAML reads an unquoted 1.10 as the number 1.1'),
    'description_boolean': ('''
      oncall.pagerduty.pd_service:
        name: Odd
        escalation_policy: Platform On-Call
        description: yes''', 'description: must be a string, got the boolean true'),
    'route_conditions_string': ('''
      oncall.pagerduty.pd_event_orchestration_route:
        orchestration: Odd
        label: odd
        service: Checkout
        conditions: "event.summary matches part 'disk, full'"''', 'conditions: must be a list'),
    'auto_resolve_beyond_range': ('''
      oncall.pagerduty.pd_service:
        name: Odd
        escalation_policy: Platform On-Call
        auto_resolve_timeout: 99999999999''', 'auto_resolve_timeout: must be 0 (disabled) or a positive number'),
    'catalogue_item_dictionary': ('''
      oncall.pagerduty.pd_service_catalog:
        services:
          - name: {a: 1}
            escalation_policy: Platform On-Call''', 'services[0].name: must be a string, got a dictionary'),
    'token_dictionary': ('''
      oncall.pagerduty.pd_vendor_info: {name: Datadog, api_token: {secret-part: 1}}''',
                         'api_token: must be a string, got a dictionary'),
    'url_without_host': ('''
      oncall.pagerduty.pd_vendor_info: {name: Datadog, api_url: "http://"}''', 'is not a usable http(s) URL'),
    'url_port_out_of_range': ('''
      oncall.pagerduty.pd_vendor_info: {name: Datadog, api_url: "http://127.0.0.1:99999"}''', 'Port out of range'),
    'plain_http_elsewhere': ('''
      oncall.pagerduty.pd_vendor_info: {name: Datadog, api_url: "http://pagerduty.invalid"}''',
                             'would send the API token unencrypted'),
    'plain_http_events': ('''
      oncall.pagerduty.pd_event:
        events_url: "http://events.invalid"
        routing_key: 0123456789abcdef0123456789abcdef
        summary: Disk full
        source: db1
        severity: critical''', 'would send the routing key (in each event) unencrypted'),
    'plain_http_datadog': ('''
      oncall.pagerduty.pd_datadog_service:
        api_url: "http://datadog.invalid"
        service_name: Checkout
        service_key: 0123456789abcdef0123456789abcdef''', "would send Datadog's API and application keys unencrypted"),
}


@pytest.mark.parametrize('in_process', [True, False], ids=['in_process', 'module'])
def test_odd_values_fail_before_any_request_naming_the_option(sim, play, in_process):
    tasks = ''.join('''
    - name: %s
%s
      vars:
        oncall_pagerduty_in_process: %s
      ignore_errors: true
      register: %s
''' % (name, body, str(in_process).lower(), name) for name, (body, dummy) in CASES.items())
    sim.clear_requests()
    code, output, results = play(tasks, list(CASES), PAGERDUTY_API_TOKEN=sim.token, DD_API_KEY='a-key', DD_APP_KEY='a-key')
    assert 'Traceback' not in output and 'secret-part' not in output, output[-4000:]
    for name, (dummy, words) in CASES.items():
        result = results[name]
        assert result.get('failed') and words in result['msg'], (name, result)
        assert result['execution'] == ('in_process' if in_process else 'module'), (name, result)
    assert sim.requests() == []  # every one failed before its first request


def test_plain_http_elsewhere_is_taken_when_the_user_says_so(sim, play):
    tasks = '''
    - name: allowed
      oncall.pagerduty.pd_vendor_info:
        name: Datadog
        api_url: "http://pagerduty.invalid"
        allow_plain_http: true
        retries: 0
      ignore_errors: true
      register: allowed
'''
    code, output, results = play(tasks, ['allowed'], PAGERDUTY_API_TOKEN=sim.token)
    # The request was attempted: the host name's lookup is what failed, not the refusal.
    assert 'does not resolve' in results['allowed']['msg'], results['allowed']
