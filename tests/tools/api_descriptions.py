"""The published OpenAPI descriptions of the APIs the collection calls, as the tests check against them.

They are reference material kept beside the repository (../shared/reference), never in it: without them the
checks skip. Where the real API is known to differ from its description, `real_api_description` follows the
real API and says so, with the source, at the place where it adjusts the description
(see shared/reference/pagerduty-api-facts.md).
"""

import json
import os

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REFERENCE = os.path.join(os.path.dirname(REPO_ROOT), 'shared', 'reference')
SPEC_PATH = os.path.join(REFERENCE, 'pagerduty-rest-openapiv3.json')
EVENTS_SPEC_PATH = os.path.join(REFERENCE, 'pagerduty-events-v2-openapiv3.json')
DATADOG_SPEC_PATH = os.path.join(REFERENCE, 'datadog-pagerduty-integration-openapi.yaml')

SPEC_AVAILABLE = os.path.exists(SPEC_PATH)


def real_api_description(base_url):
    """PagerDuty's REST API description, served at `base_url`, adjusted where the real API differs."""
    with open(SPEC_PATH) as handle:
        spec = json.load(handle)
    spec['servers'] = [{'url': base_url}]
    # Real API: GET /vendors/{id} returns {"vendor": {...}}; the description says an array.
    vendor = spec['paths']['/vendors/{id}']['get']['responses']['200']['content']['application/json']['schema']
    vendor['properties']['vendor'] = {'$ref': '#/components/schemas/Vendor'}
    # Real API: include[] expands references into full objects (the description says so for
    # integrations, but types all three as references only).
    service = spec['components']['schemas']['Service']['allOf'][1]['properties']
    for field, reference, full in (('escalation_policy', 'EscalationPolicyReference', 'EscalationPolicy'),
                                   ('teams', 'TeamReference', 'Team'),
                                   ('integrations', 'IntegrationReference', 'Integration')):
        either = {'anyOf': [{'$ref': '#/components/schemas/' + reference}, {'$ref': '#/components/schemas/' + full}]}
        if service[field].get('type') == 'array':
            service[field]['items'] = either
        else:
            service[field] = either
    # Real API: DELETE of an integration exists (204); the description omits it.
    spec['paths']['/services/{id}/integrations/{integration_id}']['delete'] = {
        'parameters': [{'name': 'id', 'in': 'path', 'required': True, 'schema': {'type': 'string'}},
                       {'name': 'integration_id', 'in': 'path', 'required': True, 'schema': {'type': 'string'}}],
        'responses': {'204': {'description': 'deleted'}}}
    schemas = spec['components']['schemas']
    # Real API: a reference is written as its `id` and `type` (developer-docs REST-API/11-References.md: "identified
    # only by `id` and `type`"; `type` is "(required)"), as the description's own request examples do
    # (POST /services: "escalation_policy": {"id": ..., "type": "escalation_policy_reference"}); its base object
    # marks both readOnly, which would refuse every reference and every `type` sent.
    for field in ('id', 'type'):
        schemas['Tag']['allOf'][0]['properties'][field].pop('readOnly')
    # Real API: a service's support hours are written with `days_of_week` (the POST /services request example
    # sends [1, 2, 3, 4, 5]); the description marks it readOnly (pagerduty-api-facts.md §6, quirk 10).
    days = schemas['SupportHours']['properties']['days_of_week']
    days.pop('readOnly')
    days['items'].pop('readOnly')
    # Real API: `aggregate` is `all` or `any`, as its own description says; the enum is the one string "all, any"
    # (pagerduty-api-facts.md §6, quirk 7).
    for name in ('ContentBasedAlertGroupingConfiguration', 'ContentBasedIntelligentAlertGroupingConfiguration'):
        schemas[name]['properties']['aggregate']['enum'] = ['all', 'any']
    # Real API: 0 asks for the recommended window or for grouping until the incident resolves, as the fields' own
    # descriptions say ("To use the recommended_time_window, set the value to 0"; "To continue grouping Alerts
    # until the Incident is resolved, set this value to 0"); their minimums say 300 and 1 (quirk 8).
    for name, field in (('FlexibleTimeWindowIntelligentAlertGroupingConfig', 'time_window'),
                        ('ContentBasedAlertGroupingConfiguration', 'time_window'),
                        ('TimeBasedAlertGroupingConfiguration', 'timeout')):
        schemas[name]['properties'][field]['minimum'] = 0
    # Real API: `config` is the one of the grouping `type` (the branches' titles: Time Grouping, Intelligent
    # Alert Grouping, Content Only Grouping); as a bare oneOf, the POST /services request example's own
    # {"type": "time", "config": {"timeout": 2}} matches three branches (none has required fields) and fails.
    grouping = schemas['AlertGroupingParameters']
    configs = grouping['properties'].pop('config')['oneOf']
    grouping['anyOf'] = [{'properties': {'type': {'enum': [kind]}, 'config': config}}
                         for kind, config in zip(('intelligent', 'time', 'content_based'), configs)]
    grouping['anyOf'].append({'properties': {'type': {'enum': [None]}}})
    # ...and the other form a service's grouping takes, a reference to an Alert Grouping Setting, has the `id` and
    # `type` every reference has (developer-docs REST-API/11-References.md): without them required, any grouping
    # now valid would be that reference as well, and the oneOf of the two would refuse every one.
    held = spec['components']['schemas']['Service']['allOf'][1]['properties']['alert_grouping_parameters']['oneOf'][1]
    held['required'] = ['id', 'type']
    # Real API: a custom field's value is the value itself, as the description's own request examples of
    # PUT /services/{id}/custom_fields/values send it ({"name": "environment", "value": "production"},
    # {"id": ..., "value": ["production", "staging"]}); its schema wraps each kind in one more object, and the
    # kinds overlap (an integer is a float too), so a oneOf of them refuses every integer.
    kinds = schemas['CustomFieldsFieldValue']['properties']['value']['oneOf']
    kinds[:] = [kind['properties']['value'] for kind in kinds]
    for branch in schemas['ServiceCustomFieldsFieldValueUpdateModel']['oneOf']:
        branch['properties']['value']['anyOf'] = branch['properties']['value'].pop('oneOf')
    # Real API: GET /vendors takes `query` (the description never listed it): terraform-provider-pagerduty issue
    # #675 shows GET /vendors?query=Github answering the matching vendors (pagerduty-api-facts.md §4.1).
    spec['paths']['/vendors']['get']['parameters'].append(
        {'name': 'query', 'in': 'query', 'required': False, 'schema': {'type': 'string'}})
    # Real API: an email parser's predicate needs `part` (and `matcher`) only when it matches text, and `children`
    # only when it combines others, as the fields' own descriptions say ("Required if the type is `contains`,
    # `exactly` or `regex`", "Must be not empty if the type is `all`, `any`, or `not`"); its `required` asks all
    # three of every predicate. terraform-provider-pagerduty writes them so (vendored heimweh/go-pagerduty
    # service.go: MatchPredicate has no `part`, Predicate omits empty `children`).
    predicate = schemas['MatchPredicate']
    predicate['required'] = ['type']
    predicate['anyOf'] = [
        {'properties': {'type': {'enum': ['all', 'any', 'not']}, 'children': {'minItems': 1}}, 'required': ['children']},
        {'properties': {'type': {'enum': ['contains', 'exactly', 'regex']}}, 'required': ['matcher', 'part']}]
    # Real API: an orchestration's rules are written with their `id`s, which keep them: terraform-provider-pagerduty
    # sends each rule's `id` in its PUTs of router and service orchestrations since it supports them (PR #512,
    # expandRules in resource_pagerduty_event_orchestration_path_router.go); the description marks it readOnly.
    rule = schemas['OrchestrationGlobal']['allOf'][0]['properties']['orchestration_path']['properties']['sets']
    rule['items']['properties']['rules']['items']['properties']['id'].pop('readOnly')
    # Real API: a schedule's `teams` are written with the schedule: terraform-provider-pagerduty's pagerduty_schedule
    # takes `teams` and sends them in its POST and PUT (public configurations set it, e.g. `teams = [...]` beside
    # `layer`); the description marks them readOnly.
    schemas['Schedule']['allOf'][1]['properties']['teams'].pop('readOnly')
    # Real API: POST /users takes no From header: terraform-provider-pagerduty (pagerduty_user, through the vendored
    # heimweh/go-pagerduty user.go) and PagerDuty/go-pagerduty's CreateUserWithContext create users without one
    # (tests/simulator/README.md, users); the description marks it required.
    users_post = spec['paths']['/users']['post']
    users_post['parameters'] = [p for p in users_post['parameters'] if p.get('$ref') != '#/components/parameters/from_header']
    return spec


def events_api_description(base_url):
    """PagerDuty's Events API v2 description, served at `base_url` + /v2 (the simulator's path for it)."""
    with open(EVENTS_SPEC_PATH) as handle:
        spec = json.load(handle)
    spec['servers'] = [{'url': base_url + '/v2'}]
    for operation in (spec['paths']['/enqueue']['post'], spec['paths']['/change/enqueue']['post']):
        # The description's 400 and 429 name a response ("#/components/responses/ArgumentError") in their text
        # instead of referring to one, so they declare no body; the API answers them in its error body, which the
        # description's Error response describes (its example: "status", "message", "errors").
        for status in ('400', '429'):
            operation['responses'][status] = {'$ref': '#/components/responses/Error'}
    return spec


def datadog_api_description(base_url):
    """Datadog's description of its PagerDuty integration endpoints, served at `base_url`."""
    import yaml

    with open(DATADOG_SPEC_PATH) as handle:
        spec = yaml.safe_load(handle)
    spec['servers'] = [{'url': base_url}]
    return spec
