"""Check mode of a task that only changes an object that an earlier task of the same run creates.

In check mode the earlier task writes nothing, so the object is missing when the later task runs, and
the later task lacks what a create needs (a service's escalation policy, a setting's type, ...). As for
a missing parent, check mode warns and predicts; a real run still fails when the object is missing."""

import pytest

from ansible_collections.oncall.pagerduty.plugins.modules import (
    pd_alert_grouping_setting,
    pd_escalation_policy,
    pd_integration,
    pd_service,
    pd_service_custom_field,
)
from tests.conftest import warning_texts

CASES = [
    (pd_service, dict(name='Created earlier', description='changed later'),
     "escalation_policy: required to create the service 'Created earlier'"),
    (pd_escalation_policy, dict(name='Created earlier', description='changed later'),
     "rules: required to create the escalation policy 'Created earlier'"),
    (pd_integration, dict(service='Shopping Cart', name='Created earlier', return_key=False),
     "type or vendor: one is required to create integration 'Created earlier'"),
    (pd_alert_grouping_setting, dict(name='Created earlier', services=['Shopping Cart'], services_mode='append'),
     "type: required to create the alert grouping setting 'Created earlier'"),
    (pd_alert_grouping_setting, dict(name='Created earlier', description='changed later'),
     "type: required to create the alert grouping setting 'Created earlier'"),
    (pd_service_custom_field, dict(name='created_earlier', description='changed later'),
     "display_name: required to create the custom field 'created_earlier'"),
]


@pytest.mark.parametrize('module, options, message', CASES, ids=lambda v: getattr(v, '__name__', None))
def test_check_mode_warns_and_predicts_where_a_real_run_fails(sim, run_module, module, options, message):
    sim.seed(services=[{'name': 'Shopping Cart', 'escalation_policy': 'Default'}])
    sim.clear_requests()
    checked = run_module(module, check_mode=True, diff=True, **options)
    assert not checked.get('failed'), checked.get('msg')
    assert checked['changed'] and sim.writes() == []
    warned = [w for w in warning_texts(checked) if w.startswith(message)]
    assert warned and 'It does not exist yet: check mode assumes that an earlier task of this run creates it' in warned[0]
    real = run_module(module, **options)
    assert real['failed'] and real['msg'].startswith(message) and sim.writes() == []
