"""Every write of the service, integration and Datadog modules, under every fault a real network and
API produce (the machinery is in matrix.py; other families have test_fault_matrix_<family>.py)."""

import pytest

from ansible_collections.oncall.pagerduty.plugins.modules import (
    pd_datadog_service,
    pd_integration,
    pd_integration_move,
    pd_service,
)
from tests.reliability.matrix import (
    DATADOG,
    EMAIL,
    EVENTS,
    FAULTS,
    INTEGRATIONS,
    KEY,
    Scenario,
    count_check,
    integrations_named,
    move_snapshot,
    moved_by_copy,
    moved_in_place,
    run_fault_case,
    seed_datadog_object,
    seed_service,
    seeded_integration,
    service_snapshot,
)

SCENARIOS = [
    Scenario('pd_service create', pd_service, 'POST', r'^/services$',
             lambda sim: {}, lambda ctx: dict(name='web', escalation_policy='PDEFEP1'),
             service_snapshot, lambda snap, ctx: count_check(len(snap), 1)),
    Scenario('pd_service create disabled (PUT)', pd_service, 'PUT', r'^/services/',
             lambda sim: {}, lambda ctx: dict(name='web', escalation_policy='PDEFEP1', status='disabled'),
             service_snapshot, lambda snap, ctx: count_check(len(snap), 1)[:2] + (snap == [(None, 'disabled')],)),
    Scenario('pd_service update', pd_service, 'PUT', r'^/services/',
             lambda sim: {'id': seed_service(sim, description='old')}, lambda ctx: dict(name='web', description='new'),
             service_snapshot, lambda snap, ctx: count_check(len(snap), 1)[:2] + (snap == [('new', 'active')],)),
    Scenario('pd_service delete', pd_service, 'DELETE', r'^/services/',
             lambda sim: {'id': seed_service(sim)}, lambda ctx: dict(name='web', state='absent'),
             service_snapshot, lambda snap, ctx: (0, 0, snap == [])),
    Scenario('pd_integration create', pd_integration, 'POST', INTEGRATIONS + '$',
             lambda sim: {'service': seed_service(sim)}, lambda ctx: dict(service='web', name='Events', type='events_api_v2'),
             lambda sim, ctx: integrations_named(sim, 'Events'), lambda snap, ctx: count_check(len(snap), 1)),
    Scenario('pd_integration update', pd_integration, 'PUT', INTEGRATIONS + '/',
             seeded_integration(EMAIL, 'Email'),
             lambda ctx: dict(service='Cart', name='Email', email_filter_mode='or-rules-email',
                              email_filters=[dict(subject_mode='match', subject_regex='DOWN')]),
             lambda sim, ctx: [i['email_filter_mode'] for i in integrations_named(sim, 'Email')],
             lambda snap, ctx: count_check(len(snap), 1)[:2] + (snap == ['or-rules-email'],)),
    Scenario('pd_integration delete', pd_integration, 'DELETE', INTEGRATIONS + '/',
             seeded_integration(EVENTS, 'Events'), lambda ctx: dict(service='Cart', name='Events', state='absent'),
             lambda sim, ctx: integrations_named(sim, 'Events'), lambda snap, ctx: (0, 0, snap == [])),
    Scenario('pd_integration recreate (POST)', pd_integration, 'POST', INTEGRATIONS + '$',
             seeded_integration(EVENTS, 'Alerts'), lambda ctx: dict(service='Cart', name='Alerts', vendor='Datadog', recreate=True),
             lambda sim, ctx: [(i.get('vendor') or {}).get('id') for i in integrations_named(sim, 'Alerts')],
             lambda snap, ctx: count_check(len(snap), 1)[:2] + (snap == ['PAM4FGS'],)),
    Scenario('pd_integration recreate (DELETE)', pd_integration, 'DELETE', INTEGRATIONS + '/',
             seeded_integration(EVENTS, 'Alerts'), lambda ctx: dict(service='Cart', name='Alerts', vendor='Datadog', recreate=True),
             lambda sim, ctx: [(i.get('vendor') or {}).get('id') for i in integrations_named(sim, 'Alerts')],
             lambda snap, ctx: count_check(len(snap), 1)[:2] + (snap == ['PAM4FGS'],)),
    Scenario('pd_integration_move in place (PUT)', pd_integration_move, 'PUT', INTEGRATIONS + '/',
             seeded_integration(EVENTS, 'Events'), lambda ctx: dict(integration='Events', from_service='Cart', to_service='Checkout'),
             move_snapshot, moved_in_place),
    Scenario('pd_integration_move recreate (PUT)', pd_integration_move, 'PUT', INTEGRATIONS + '/',
             seeded_integration(EMAIL, 'Email'),
             lambda ctx: dict(integration='Email', from_service='Cart', to_service='Checkout', strategy='recreate'),
             move_snapshot, moved_by_copy),
    Scenario('pd_integration_move recreate (POST)', pd_integration_move, 'POST', INTEGRATIONS + '$',
             seeded_integration(EMAIL, 'Email'),
             lambda ctx: dict(integration='Email', from_service='Cart', to_service='Checkout', strategy='recreate'),
             move_snapshot, moved_by_copy),
    Scenario('pd_integration_move recreate (DELETE)', pd_integration_move, 'DELETE', INTEGRATIONS + '/',
             seeded_integration(EMAIL, 'Email'),
             lambda ctx: dict(integration='Email', from_service='Cart', to_service='Checkout', strategy='recreate'),
             move_snapshot, moved_by_copy),
    Scenario('pd_datadog_service create', pd_datadog_service, 'POST', DATADOG + '$',
             lambda sim: {}, lambda ctx: dict(service_name='web', service_key=KEY),
             lambda sim, ctx: sim.datadog()['services'], lambda snap, ctx: (0, int(not snap), snap == {'web': KEY})),
    Scenario('pd_datadog_service update_key always', pd_datadog_service, 'PUT', DATADOG + '/',
             seed_datadog_object,
             lambda ctx: dict(service_name='web', service_key=KEY, update_key='always'),
             lambda sim, ctx: sim.datadog()['services'], lambda snap, ctx: (0, int(not snap), snap == {'web': KEY})),
    Scenario('pd_datadog_service delete', pd_datadog_service, 'DELETE', DATADOG + '/',
             seed_datadog_object, lambda ctx: dict(service_name='web', state='absent'),
             lambda sim, ctx: sim.datadog()['services'], lambda snap, ctx: (0, 0, snap == {})),
]



@pytest.mark.parametrize('fault', list(FAULTS))
@pytest.mark.parametrize('scenario', SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_fault(sim, run_module, report, scenario, fault):
    run_fault_case(sim, run_module, report, scenario, fault)
