"""Every write of pd_alert_grouping_setting and pd_service_custom_field, and of a service's custom field values,
under every fault of the matrix
(matrix.py): a run ends with exactly the intended settings and fields, or fails clearly having changed nothing;
never a duplicate, and never a service left without the grouping it had."""

import pytest

from ansible_collections.oncall.pagerduty.plugins.modules import pd_alert_grouping_setting, pd_service, pd_service_custom_field
from tests.reliability.matrix import FAULTS, Scenario, run_fault_case

SETTINGS = r'^/alert_grouping_settings'
FIELDS = r'^/services/custom_fields'
CONTENT = {'aggregate': 'all', 'fields': ['summary']}
TIER = dict(name='tier', display_name='Tier', data_type='string', field_type='single_value_fixed',
            field_options=['tier-1', 'tier-2'])


def seed_services(sim):
    ids = sim.seed(services=[{'name': name, 'escalation_policy': 'Default'} for name in ('Checkout', 'Cart', 'Payments')])
    return dict(zip(('Checkout', 'Cart', 'Payments'), ids['services']))


def seed_setting(sim, ctx, name, kind, config, services):
    body = {'alert_grouping_setting': {'name': name, 'type': kind, 'config': config,
                                       'services': [{'id': ctx[s]} for s in services]}}
    response = sim.api('POST', '/alert_grouping_settings', body)
    response.raise_for_status()
    return ctx


def with_setting(name, kind, config, services):
    def setup(sim):
        return seed_setting(sim, seed_services(sim), name, kind, config, services)
    return setup


def groupings(sim, ctx=None):
    """(name, type, sorted service names) of every setting, read through the API (404: there is none)."""
    answer = sim.api('GET', '/alert_grouping_settings', limit=100)
    listing = [] if answer.status_code == 404 else answer.json()['alert_grouping_settings']
    return sorted((s['name'], s['type'], tuple(sorted(r['summary'] for r in s['services']))) for s in listing)


def exactly(wanted):
    """(duplicates, losses, as intended?): a duplicate is a second setting of a name, a loss a service that the
    wanted state groups and no setting holds."""
    def check(snapshot, ctx):
        names = [name for name, dummy, dummy_services in snapshot]
        held = {s for dummy, dummy_kind, services in snapshot for s in services}
        losses = len({s for dummy, dummy_kind, services in wanted for s in services} - held)
        return len(names) - len(set(names)), losses, snapshot == sorted(wanted)
    return check


def fields(sim, ctx=None):
    answer = sim.api('GET', '/services/custom_fields', **{'include[]': 'field_options'}).json()['fields']
    return sorted((f['name'], f['display_name'], f['enabled'], tuple(o['data']['value'] for o in f['field_options']))
                  for f in answer)


def seed_field(sim):
    sim.api('POST', '/services/custom_fields', {'field': dict(
        TIER, field_options=[{'data': {'data_type': 'string', 'value': v}} for v in TIER['field_options']])}).raise_for_status()
    return {}


def fields_exactly(wanted):
    def check(snapshot, ctx):
        names = [name for name, dummy, dummy_enabled, dummy_options in snapshot]
        return len(names) - len(set(names)), 0, snapshot == wanted
    return check


def seed_tiered_service(sim):
    """The tier field, and service Checkout holding tier-1."""
    seed_field(sim)
    ctx = seed_services(sim)
    sim.api('PUT', '/services/%s/custom_fields/values' % ctx['Checkout'],
            {'custom_fields': [{'name': 'tier', 'value': 'tier-1'}]}).raise_for_status()
    return ctx


def tier_of_checkout(sim, ctx):
    values = sim.api('GET', '/services/%s/custom_fields/values' % ctx['Checkout']).json()['custom_fields']
    return [v['value'] for v in values if v['name'] == 'tier']


MINE = ('Mine', 'content_based', ('Cart', 'Checkout'))

SCENARIOS = [
    Scenario('pd_alert_grouping_setting create', pd_alert_grouping_setting, 'POST', SETTINGS + '$',
             seed_services, lambda ctx: dict(name='Mine', type='content_based', config=CONTENT, services=['Checkout', 'Cart']),
             groupings, exactly([MINE])),
    Scenario('pd_alert_grouping_setting update', pd_alert_grouping_setting, 'PUT', SETTINGS + '/',
             with_setting('Mine', 'content_based', CONTENT, ['Checkout', 'Payments']),
             lambda ctx: dict(name='Mine', services=['Checkout', 'Cart'], config=dict(aggregate='any')),
             groupings, exactly([('Mine', 'content_based', ('Cart', 'Checkout'))])),
    Scenario('pd_alert_grouping_setting append (PUT)', pd_alert_grouping_setting, 'PUT', SETTINGS + '/',
             with_setting('Mine', 'content_based', CONTENT, ['Checkout']),
             lambda ctx: dict(name='Mine', services=['Cart'], services_mode='append'),
             groupings, exactly([MINE])),
    Scenario('pd_alert_grouping_setting delete', pd_alert_grouping_setting, 'DELETE', SETTINGS + '/',
             with_setting('Mine', 'content_based', CONTENT, ['Checkout']), lambda ctx: dict(name='Mine', state='absent'),
             groupings, exactly([])),
    Scenario('pd_alert_grouping_setting move (PUT of the holder)', pd_alert_grouping_setting, 'PUT', SETTINGS + '/',
             with_setting('Global', 'content_based', CONTENT, ['Checkout', 'Payments']),
             lambda ctx: dict(name='Mine', type='content_based', config=CONTENT, services=['Checkout', 'Cart'],
                              move_services=True),
             groupings, exactly([('Global', 'content_based', ('Payments',)), MINE])),
    Scenario('pd_alert_grouping_setting move (DELETE of the holder)', pd_alert_grouping_setting, 'DELETE', SETTINGS + '/',
             with_setting('Solo', 'time', {'timeout': 120}, ['Checkout']),
             lambda ctx: dict(name='Mine', type='content_based', config=CONTENT, services=['Checkout', 'Cart'],
                              move_services=True),
             groupings, exactly([MINE])),
    Scenario('pd_alert_grouping_setting move (POST after it)', pd_alert_grouping_setting, 'POST', SETTINGS + '$',
             with_setting('Global', 'content_based', CONTENT, ['Checkout', 'Payments']),
             lambda ctx: dict(name='Mine', type='content_based', config=CONTENT, services=['Checkout', 'Cart'],
                              move_services=True),
             groupings, exactly([('Global', 'content_based', ('Payments',)), MINE])),
    Scenario('pd_service_custom_field create', pd_service_custom_field, 'POST', FIELDS + '$',
             lambda sim: {}, lambda ctx: TIER,
             fields, fields_exactly([('tier', 'Tier', True, ('tier-1', 'tier-2'))])),
    Scenario('pd_service_custom_field update', pd_service_custom_field, 'PUT', FIELDS + '/',
             seed_field, lambda ctx: dict(TIER, display_name='Service tier', field_options=['tier-1', 'tier-3']),
             fields, fields_exactly([('tier', 'Service tier', True, ('tier-1', 'tier-3'))])),
    Scenario('pd_service_custom_field delete', pd_service_custom_field, 'DELETE', FIELDS + '/',
             seed_field, lambda ctx: dict(name='tier', state='absent'), fields, fields_exactly([])),
    Scenario('pd_service custom field values (PUT)', pd_service, 'PUT', r'^/services/[^/]+/custom_fields/values$',
             seed_tiered_service, lambda ctx: dict(name='Checkout', custom_fields=dict(tier='tier-2')),
             tier_of_checkout, lambda snap, ctx: (0, 0, snap == ['tier-2'])),
]


@pytest.mark.parametrize('fault', list(FAULTS))
@pytest.mark.parametrize('scenario', SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_fault(sim, run_module, report, scenario, fault):
    run_fault_case(sim, run_module, report, scenario, fault)
