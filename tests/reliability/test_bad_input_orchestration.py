"""Wrong input to the event orchestration modules: each case fails with a message that names the option and
says the fix, with no traceback and nothing written (the simulator's request log shows no write that succeeded)."""

import pytest

from ansible_collections.oncall.pagerduty.plugins.modules import (
    pd_event_orchestration,
    pd_event_orchestration_route,
    pd_service_orchestration,
)
from tests.reliability.bad_input import case_id, check_bad_input

ROUTE = dict(orchestration='Monitoring', service='Web', conditions=["event.source matches part 'web'"])


def rules(*rules, **extra):
    return [dict(id='start', rules=list(rules))] + list(extra.get('more', []))


CASES = [
    # -- pd_event_orchestration -------------------------------------------------------------------
    (pd_event_orchestration, dict(), 'missing required arguments: name'),
    (pd_event_orchestration, dict(name=' '), 'name: must not be blank'),
    (pd_event_orchestration, dict(name='Monitoring '), "name: must not start or end with a space ('Monitoring ')"),
    (pd_event_orchestration, dict(name='New', team='Nobody'), "team: no team is named or identified by 'Nobody'"),
    (pd_event_orchestration, dict(name='Monitoring', state='absent'),
     "force: the event orchestration 'Monitoring' still routes events: 'Dynamic' to a service named in the event; "
     "'Databases' to"),
    (pd_event_orchestration, dict(name='Twice', description='x'), "name: 2 event orchestrations are named 'Twice'"),
    (pd_event_orchestration, dict(name='New', state='gone'), 'value of state must be one of: absent, present, got: gone'),
    # -- pd_event_orchestration_route -------------------------------------------------------------
    (pd_event_orchestration_route, dict(orchestration='Monitoring'), 'one of the following is required: service, label'),
    (pd_event_orchestration_route, dict(orchestration='Monitoring', label='Web'), 'state is present but all of the following are missing: service'),
    (pd_event_orchestration_route, dict(ROUTE, orchestration=''), 'orchestration: must not be blank'),
    (pd_event_orchestration_route, dict(ROUTE, orchestration='Monitorng'),
     "orchestration: no event orchestration is named or identified by 'Monitorng'; did you mean 'Monitoring'"),
    (pd_event_orchestration_route, dict(ROUTE, orchestration='Twice'), "orchestration: 2 event orchestrations are named 'Twice'"),
    (pd_event_orchestration_route, dict(ROUTE, service='Nowhere'), "service: no service is named or identified by 'Nowhere'"),
    (pd_event_orchestration_route, dict(ROUTE, service='Databases', label='Second database route'),
     "service: the router of 'Monitoring' already routes to the service 'Databases', with the route labelled 'Databases'"),
    (pd_event_orchestration_route, dict(ROUTE, conditions=["event.source != 'web'"]), "conditions[0]: \"event.source != 'web'\" is not PCL"),
    (pd_event_orchestration_route, dict(ROUTE, conditions=['event.team == "web"']), 'PCL strings are in single quotes'),
    (pd_event_orchestration_route, dict(ROUTE, conditions=["event.team matches 'web"]), 'is not closed with a single quote'),
    (pd_event_orchestration_route, dict(ROUTE, conditions=[42]), 'conditions[0]: give a PCL expression (a string), or {expression: <PCL>}'),
    (pd_event_orchestration_route, dict(ROUTE, position='top'), "position: must be first, last, or before: <the label of another route>, got 'top'"),
    (pd_event_orchestration_route, dict(ROUTE, position={'after': 'Databases'}), 'position: must be first, last, or before'),
    (pd_event_orchestration_route, dict(ROUTE, position={'before': 'Nothing'}),
     "position.before: no route of the router of 'Monitoring' is labelled 'Nothing'"),
    (pd_event_orchestration_route, dict(ROUTE, position={'before': 'Web'}), "position.before: 'Web' is the label of this route itself"),
    (pd_event_orchestration_route, dict(ROUTE, label='Dynamic'),
     "label: the rule labelled 'Dynamic' in the router of 'Monitoring' is not a route to one service"),
    (pd_event_orchestration_route, dict(orchestration='Monitoring', label='Web', state='absent', position='first'),
     'position: not with state=absent'),
    # -- pd_service_orchestration -----------------------------------------------------------------
    (pd_service_orchestration, dict(sets=rules()), 'missing required arguments: service'),
    (pd_service_orchestration, dict(service='Nowhere', sets=rules()), "service: no service is named or identified by 'Nowhere'"),
    (pd_service_orchestration, dict(service='Web', sets=[]), 'sets: must list at least the start set; to remove every rule, use state=absent'),
    (pd_service_orchestration, dict(service='Web', sets=[dict(id='first')]), 'sets: needs a set with the id start'),
    (pd_service_orchestration, dict(service='Web', sets=rules(more=[dict(id='start')])), "sets[1].id: 'start' is already the ID of sets[0]"),
    (pd_service_orchestration, dict(service='Web', sets=rules(dict(actions=dict(suppress=True)))),
     'sets[0].rules[0].label: required. PagerDuty gives rules IDs of its own, so this module tells rules apart by their labels'),
    (pd_service_orchestration, dict(service='Web', sets=rules(*[dict(label='r%d' % n) for n in range(26)])),
     'sets[0].rules: 26 rules; PagerDuty allows at most 25 in a set'),
    (pd_service_orchestration, dict(service='Web', sets=rules(dict(label='a', actions=dict(route_to='start')))),
     "sets[0].rules[0].actions.route_to: 'start' would loop"),
    (pd_service_orchestration, dict(service='Web', sets=rules(dict(label='a', actions=dict(suspend='soon')))),
     "sets[0].rules[0].actions.suspend: must be a number of seconds, got 'soon'"),
    (pd_service_orchestration, dict(service='Web', sets=rules(dict(label='a', actions=dict(suppress='maybe')))),
     "sets[0].rules[0].actions.suppress: must be true or false, got 'maybe'"),
    (pd_service_orchestration, dict(service='Web', sets=rules(dict(label='a', actions=dict(event_action='acknowledge')))),
     "sets[0].rules[0].actions.event_action: must be one of trigger, resolve, got 'acknowledge'"),
    (pd_service_orchestration, dict(service='Web', sets=rules(dict(label='a', actions=dict(variables=[dict(name='v', path='event.x')])))),
     'sets[0].rules[0].actions.variables[0].value: required'),
    (pd_service_orchestration, dict(service='Web', sets=rules(dict(label='a', actions=dict(extractions=[dict(target='event.summary')])))),
     'sets[0].rules[0].actions.extractions[0]: give either a template, or a regex and a source'),
    (pd_service_orchestration, dict(service='Web', sets=rules(dict(label='a', actions=dict(
        pagerduty_automation_actions=[dict(action_id='A1', trigger_types=['alert_resolved'])])))),
     'sets[0].rules[0].actions.pagerduty_automation_actions[0].trigger_types: must be a list of one of alert_triggered'),
    (pd_service_orchestration, dict(service='Web', sets=rules(dict(label='a', actions=dict(dynamic_route_to={})))),
     'sets[0].rules[0].actions.dynamic_route_to: an action of routers, not of a service orchestration'),
    (pd_service_orchestration, dict(service='Web', catch_all=dict(actions=dict(route_to='start'))),
     "catch_all.actions: unknown action 'route_to'"),
    (pd_service_orchestration, dict(service='Web', sets=rules(dict(label='a', conditions=["event.summary contains 'x'"]))),
     "PCL has no 'contains': write <a> matches part <b>"),
    (pd_service_orchestration, dict(service='Web', sets=rules(dict(label='a', conditions=[dict(expression='')]))),
     "sets[0].rules[0].conditions[0]: '' is not PCL: must not be blank"),
    (pd_service_orchestration, dict(service='Web', state='absent', sets=rules()), 'sets: not with state=absent, which removes every rule'),
    (pd_service_orchestration, dict(service='Web', sets=rules(dict(label='a', conditions=['event.summary']))),
     "sets[0].rules[0].conditions[0]: 'event.summary' is not PCL: the expression must be true or false"),
    (pd_service_orchestration, dict(service='Web', sets=rules(dict(label='a', conditions=["event.source matches regex 'a(?=b)'"]))),
     "'a(?=b)' is not an RE2 regular expression: RE2 has no lookahead"),
    (pd_service_orchestration, dict(service='Web', sets=rules(dict(label='a', actions=dict(
        automation_actions=[dict(name='n', url='https://x.example', trigger_types=['alert_suppressed'])])))),
     "sets[0].rules[0].actions.automation_actions[0].auto_send: must be true with trigger_types ['alert_suppressed']"),
    (pd_event_orchestration_route, dict(ROUTE, conditions=['now in Mon 09:00:00 to 17:00:00']),
     "conditions[0]: 'now in Mon 09:00:00 to 17:00:00' is not PCL"),
]


@pytest.fixture
def world(sim):
    """Services Web and Databases; an orchestration Monitoring routing to Databases (and a dynamic route), and two
    orchestrations named Twice."""
    web, databases = sim.seed(services=[{'name': n, 'escalation_policy': 'Default'} for n in ('Web', 'Databases')])['services']
    monitoring = sim.api('POST', '/event_orchestrations', {'orchestration': {'name': 'Monitoring'}}).json()['orchestration']
    sim.api('PUT', '/event_orchestrations/%s/router' % monitoring['id'], {'orchestration_path': {'sets': [{'id': 'start', 'rules': [
        {'label': 'Dynamic', 'actions': {'dynamic_route_to': {
            'source': 'event.custom_details.service', 'regex': '(.*)', 'lookup_by': 'service_name'}}},
        {'label': 'Databases', 'conditions': [{'expression': "event.component matches 'postgres'"}],
         'actions': {'route_to': databases}}]}]}})
    for dummy in range(2):
        sim.api('POST', '/event_orchestrations', {'orchestration': {'name': 'Twice'}})
    before = sim.state()
    sim.clear_requests()
    return before


@pytest.mark.parametrize('module, options, message', CASES, ids=[case_id(c) for c in CASES])
def test_bad_input(sim, world, run_module, report, module, options, message):
    check_bad_input(sim, world, run_module, report, module, options, message)
