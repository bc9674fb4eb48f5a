"""Check mode predicts across the tasks of a play: a later task finds what an earlier one only predicted.

A check run writes nothing, so without help a task after a predicted rename cannot find the renamed service,
and predicts a brand-new integration with a new key. Each check-mode task returns its predictions in the fact
oncall_pagerduty_predictions; the next task of the run hands them to its kind, on both execution paths.
"""

import pytest

from ansible_collections.oncall.pagerduty.plugins.module_utils._integration import IntegrationResource
from ansible_collections.oncall.pagerduty.plugins.module_utils._service import ServiceResource
from ansible_collections.oncall.pagerduty.plugins.module_utils._team import TeamResource
from ansible_collections.oncall.pagerduty.plugins.plugin_utils._in_process import run_in_process
from tests.conftest import warning_texts

FACT = 'oncall_pagerduty_predictions'


@pytest.fixture
def shop(sim):
    sim.seed(services=[{'name': 'Shop', 'escalation_policy': 'Default'}],
             integrations=[{'service': 'Shop', 'vendor': {'id': 'PAM4FGS', 'type': 'vendor_reference'},
                            'name': 'Datadog-Shop'}])
    sim.clear_requests()


def in_process(sim, kind, predictions=None, **options):
    return run_in_process(kind, dict(options, api_url=sim.url, api_token=sim.token), check_mode=True, diff=True,
                          predictions=predictions)


def test_an_integration_of_a_renamed_service_is_renamed_with_its_key(sim, shop):
    renamed = in_process(sim, ServiceResource, name='Shop', new_name='Web Shop')
    predictions = renamed['ansible_facts'][FACT]['collections']
    assert predictions['services'][0]['name'] == 'Web Shop' and predictions['services'][0]['was'] == 'Shop'
    integration = in_process(sim, IntegrationResource, predictions, service='Web Shop', vendor='Datadog')
    assert not integration.get('failed'), integration['msg']
    assert integration['changed'] and not integration['key_changed']
    assert integration['diff'] == {'before': {'name': 'Datadog-Shop'}, 'after': {'name': 'Datadog-Web-Shop'}}
    assert not any('Check mode assumes' in w for w in warning_texts(integration))
    assert sim.writes() == []
    # Without the predictions, the same task predicts a new integration with a new key.
    alone = in_process(sim, IntegrationResource, service='Web Shop', vendor='Datadog')
    assert alone['key_changed'] and any('Check mode assumes' in w for w in warning_texts(alone))


def test_an_object_created_in_prediction_is_found_by_later_tasks_without_a_warning(sim, shop):
    created = in_process(sim, TeamResource, name='Checkout Squad')
    predictions = created['ansible_facts'][FACT]['collections']
    updated = in_process(sim, TeamResource, predictions, name='Checkout Squad', description='Pays')
    assert updated['changed'] and updated['diff'] == {'before': {'description': ''}, 'after': {'description': 'Pays'}}
    assert not warning_texts(updated) and sim.writes() == []
    # The facts of a real run carry nothing: predictions are check mode's alone.
    real = run_in_process(TeamResource, dict(name='Real Squad', api_url=sim.url, api_token=sim.token))
    assert 'ansible_facts' not in real


RENAME_PLAY = '''
    - name: Rename the service
      oncall.pagerduty.pd_service:
        name: Shop
        new_name: Web Shop
      register: service
    - name: Its Datadog integration
      oncall.pagerduty.pd_integration:
        service: Web Shop
        vendor: Datadog
      register: integration
      no_log: true
'''


@pytest.mark.parametrize('path', ['in_process', 'module'])
def test_a_check_run_of_a_rename_then_its_integration_predicts_the_real_run(sim, shop, play, path):
    environment = {} if path == 'in_process' else {'ONCALL_PAGERDUTY_IN_PROCESS': '0'}
    code, output, results = play(RENAME_PLAY, ['service', 'integration'], ['--check', '--diff'],
                                 PAGERDUTY_API_TOKEN=sim.token, **environment)
    assert code == 0, output[-3000:]
    integration = results['integration']
    assert integration['execution'] == path and integration['changed'] and not integration['key_changed']
    assert integration['integration']['name'] == 'Datadog-Web-Shop'
    assert sim.writes() == []
    code, output, real = play(RENAME_PLAY, ['service', 'integration'], PAGERDUTY_API_TOKEN=sim.token, **environment)
    assert code == 0, output[-3000:]
    assert real['integration']['integration']['name'] == 'Datadog-Web-Shop' and not real['integration']['key_changed']
    assert real['integration']['integration']['id'] == integration['integration']['id']


PEOPLE_PLAY = '''
    - name: Users, in a loop
      oncall.pagerduty.pd_user:
        email: "{{ item }}"
        name: "{{ item | split('@') | first }}"
      loop: [hedy@example.com, barbara@example.com, mary@example.com]
    - name: All of them in a new team
      oncall.pagerduty.pd_team_membership:
        team: Platform
        members:
          - user: hedy@example.com
          - user: barbara@example.com
          - user: mary@example.com
      register: members
'''


@pytest.mark.parametrize('path', ['in_process', 'module'])
def test_every_item_of_a_loop_is_predicted_for_the_tasks_after_it(sim, play, path):
    # Ansible sets a loop's facts once it ends, keeping its last item's: that item carries the others' predictions.
    environment = {} if path == 'in_process' else {'ONCALL_PAGERDUTY_IN_PROCESS': '0'}
    code, output, results = play(PEOPLE_PLAY, ['members'], ['--check'], PAGERDUTY_API_TOKEN=sim.token, **environment)
    assert code == 0, output[-3000:]
    assert sorted(m['user'] for m in results['members']['members'] if m['id'] is None) == [
        'barbara@example.com', 'hedy@example.com', 'mary@example.com']
    assert sim.writes() == []
