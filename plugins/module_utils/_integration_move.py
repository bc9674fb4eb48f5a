# -*- coding: utf-8 -*-
# Copyright: contributors to oncall.pagerduty
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Moving an integration to another service: finding it, the pre-checks, the move in place (and its
verification) or by recreating, and the result. Used by pd_integration_move."""

from __future__ import annotations

from ansible_collections.oncall.pagerduty.plugins.module_utils._client import PagerDutyError
from ansible_collections.oncall.pagerduty.plugins.module_utils._lookup import looks_like_id
from ansible_collections.oncall.pagerduty.plugins.module_utils._integration import (
    EMAIL_TYPE,
    MAX_INTEGRATIONS_PER_SERVICE,
    copy_of,
    integration_path,
    integrations_of,
    key_changed,
    present_integration,
)
from ansible_collections.oncall.pagerduty.plugins.module_utils._resource import Field, Resource, doing, reference_name
from ansible_collections.oncall.pagerduty.plugins.module_utils._service import enabled_status, present_service, resolve_service

MAX_OPEN_INCIDENTS_TO_MOVE = 8000
INCLUDES = ('integrations',)
COMPARED_SETTINGS = ('escalation_policy', 'incident_urgency_rule', 'support_hours', 'alert_grouping_parameters',
                     'auto_resolve_timeout', 'acknowledgement_timeout', 'status')


class IntegrationMove(Resource):
    """An integration, moved to another service: in place (an update of its service, verified by reading it back
    under the destination) or by recreating it there (a replacement: a copy on the destination, then the original
    deleted). The integration on the destination is its identity's end state, so a second run changes nothing."""

    result_key = 'integration'
    secret_fields = ('integration_key',)
    settable_fields = ('service', 'name')
    fields = (Field('new_name', api='name'),)
    options = dict(
        integration=dict(type='str', required=True),
        from_service=dict(type='str'),
        to_service=dict(type='str', required=True),
        strategy=dict(type='str', default='in_place', choices=['in_place', 'recreate']),
        on_settings_mismatch=dict(type='str', default='warn', choices=['fail', 'warn']),
        return_key=dict(type='bool', default=True, no_log=False),
    )

    def label(self):
        return 'integration'

    def collection_of(self, plan):
        return integrations_of((plan.context.get('destination') if plan else None) or {})

    def validate(self):
        self.fail_if_blank('integration', 'from_service', 'to_service', 'new_name')
        self.check_name('new_name', self.params['new_name'])
        if not looks_like_id(self.params['integration']) and not self.params['from_service']:
            self.fail('from_service: required when integration is given by name (%r)' % self.params['integration'])

    # -- finding ---------------------------------------------------------------------------------

    def locate(self):
        with doing('find the destination service'):
            destination = resolve_service(self.client, self.params['to_service'], 'to_service', INCLUDES)
        source = None
        if self.params['from_service']:
            with doing('find the source service'):
                source = resolve_service(self.client, self.params['from_service'], 'from_service', INCLUDES)
        return {'destination': destination, 'source': source}

    def find(self, plan):
        """The integration: on the destination when it is there already (and not on the source), else where it is."""
        already = self.already_moved(plan)
        if already is not None:
            plan.context['source'] = plan.context['destination']
            return already
        with doing('find the integration'):
            source, integration = self.find_integration(plan)
        plan.context['source'] = source
        return integration

    def leftover_replacement(self, plan):
        """The copy a stopped recreate left on the destination under its trace name (see Resource.replace)."""
        if looks_like_id(self.params['integration']) and not self.params['new_name']:
            return None
        here = plan.context['destination'].get('integrations') or []
        return self.traced(plan, here, self.params['new_name'] or self.params['integration'])

    def already_moved(self, plan):
        """The integration when it is already on the destination (and not on the source), else None."""
        params = self.params
        destination, source = plan.context['destination'], plan.context['source']
        here = destination.get('integrations') or []
        if looks_like_id(params['integration']):
            found = [i for i in here if i['id'] == params['integration']]
            if found or source is None:
                return found[0] if found else None
        names = {params['integration'], params['new_name']} - {None}
        found = [i for i in here if i['name'] in names]
        if not found:
            return None
        # The same name on the source means the source's integration has not moved yet.
        if source['id'] != destination['id'] and any(i['name'] == params['integration']
                                                     for i in source.get('integrations') or []):
            return None
        return found[0]

    def find_integration(self, plan):
        """(source service, integration)."""
        params = self.params
        by_id = looks_like_id(params['integration'])
        source = plan.context['source']
        if source is not None:
            on_source = source.get('integrations') or []
            key = 'id' if by_id else 'name'
            found = [i for i in on_source if i[key] == params['integration']]
            if not found and by_id:
                found = [i for i in on_source if i['name'] == params['integration']]  # a name shaped like an ID
            if not found and self.leftover_replacement(plan) is not None:
                return source, None  # a stopped run's copy is on the destination, and the original is gone
            if not found:
                self.fail('integration: service %r has no integration %s %r' % (
                    source['name'], 'with the ID' if by_id else 'named', params['integration']))
            if len(found) > 1:
                self.fail('integration: service %r has %d integrations named %r: %s. Give the one you mean by ID.'
                          % (source['name'], len(found), params['integration'], ', '.join(i['id'] for i in found)))
            return source, found[0]
        for service in self.client.paginate('/services', 'services', {'include[]': list(INCLUDES)}):
            for integration in service.get('integrations') or []:
                if integration['id'] == params['integration']:
                    return service, integration
        self.fail('integration: no service has an integration with the ID %r' % params['integration'])

    # -- the plan --------------------------------------------------------------------------------

    def present(self, obj):
        return present_integration(obj, return_key=True)

    def desired(self, plan):
        destination = plan.context['destination']
        desired = {'service': reference(destination)}
        if self.params['new_name']:
            desired['name'] = self.params['new_name']
        return desired

    def compare(self, plan):
        changes = {}
        if (plan.current.get('service') or {}).get('id') != plan.desired['service']['id']:
            changes['service'] = plan.desired['service']
        if plan.desired.get('name') not in (None, plan.current.get('name')):
            changes['name'] = plan.desired['name']
        return changes

    def replacement(self, plan):
        if 'service' in plan.changes and self.params['strategy'] == 'recreate':
            name = plan.desired.get('name') or plan.current['name']
            plan.desired = dict(copy_of(plan.current, plan.context['destination']['id'], name),
                                service=plan.desired['service'])
            return 'recreate'
        return None

    def check_update(self, plan):
        if 'service' in plan.changes:
            self.pre_checks(plan)

    def check_create(self, plan):
        self.pre_checks(plan)

    def pre_checks(self, plan):
        """Before anything changes: room on the destination, its settings, and (in place) the open incidents."""
        source, destination = plan.context['source'], plan.context['destination']
        if len(destination.get('integrations') or []) >= MAX_INTEGRATIONS_PER_SERVICE:
            self.fail('to_service: %r already has %d integrations, the most PagerDuty allows on one service; nothing changed'
                      % (destination['name'], MAX_INTEGRATIONS_PER_SERVICE))
        differences = settings_differences(source, destination)
        plan.notes['settings_differences'] = differences
        if differences:
            listing = '; '.join('%s: %s on %r, %s on %r' % (d['setting'], describe(d['from_service']), source['name'],
                                                            describe(d['to_service']), destination['name'])
                                for d in differences)
            if self.params['on_settings_mismatch'] == 'fail':
                self.fail('to_service: its settings differ from the source service, and on_settings_mismatch is fail; '
                          'nothing changed. %s' % listing, **self.result_fields(plan))
            self.warn('The integration\'s incidents will follow the settings of %r, which differ from %r: %s'
                      % (destination['name'], source['name'], listing))
        if destination.get('status') == 'disabled':
            self.warn('%r is disabled: incidents will not trigger from the integration while it is there'
                      % destination['name'])
        if self.params['strategy'] == 'in_place':
            with doing('count the open incidents of %r' % source['name']):
                data = self.client.request('GET', '/incidents', {
                    'service_ids[]': [source['id']], 'statuses[]': ['triggered', 'acknowledged'], 'total': 'true',
                    'limit': 1, 'date_range': 'all'})[1]  # without it, only the last month's incidents are counted
            open_incidents = (data or {}).get('total') or 0
            plan.notes['open_incidents'] = open_incidents
            if open_incidents > MAX_OPEN_INCIDENTS_TO_MOVE:
                self.warn('%r has %d open incidents: if more than %d of them belong to this integration, PagerDuty '
                          'refuses the move. Resolving incidents first avoids that.'
                          % (source['name'], open_incidents, MAX_OPEN_INCIDENTS_TO_MOVE))

    def plan_steps(self, plan):
        """By recreating, an email integration's address (unique in an account) is freed first: the original keeps
        working under a temporary one meanwhile, and gets it back if the copy cannot be made."""
        current = plan.current
        address = current.get('integration_email') if current and current.get('type') == EMAIL_TYPE else None
        if plan.action != 'replace' or not address:
            return
        original_path = integration_path(plan.context['source']['id'], current['id'])
        local, domain = address.split('@', 1)
        marker = '+moving-%s' % current['id'].lower()
        if local.endswith(marker):
            # A stopped run freed the address already: the copy takes the address it had, and the original, should
            # the copy fail, gets it back.
            address = '%s@%s' % (local[:-len(marker)], domain)
            plan.desired['integration_email'] = address
            plan.step('give integration %r its address back if the copy fails' % current['name'], lambda plan: None,
                      undo=lambda plan: self.client.put(original_path, {'integration': {'integration_email': address}}),
                      after=False, changes=False)
            return
        temporary = '%s%s@%s' % (local, marker, domain)
        plan.step('free the address of integration %r' % current['name'],
                  lambda plan: self.client.put(original_path, {'integration': {'integration_email': temporary}}),
                  undo=lambda plan: self.client.put(original_path, {'integration': {'integration_email': address}}),
                  after=False)

    def predict_update(self, plan):
        return dict(plan.current, **plan.changes)

    def predict_create(self, plan):
        return dict(plan.desired, id=None)

    # -- moving ----------------------------------------------------------------------------------

    def update(self, plan, current, changes):
        """In place: the integration's new service in a PUT, then read back under the destination until reads show
        it there with its key; a new name goes in a second PUT once it is there."""
        source, destination = plan.context['source'], plan.context['destination']
        moved = current
        if 'service' in changes:
            moved = self.move_in_place(plan, source, destination, current)
        if 'name' in changes and moved['name'] != changes['name']:
            with doing('rename integration %r to %r' % (moved['name'], changes['name'])):
                moved = self.client.put(integration_path(destination['id'], moved['id']),
                                        {'integration': {'name': changes['name']}}, envelope='integration')
        return moved

    def move_in_place(self, plan, source, destination, integration):
        body = {'integration': {'service': {'id': destination['id'], 'type': 'service_reference'}}}
        failure = None
        answer = None
        try:
            with doing('move integration %r to %r' % (integration['name'], destination['name'])):
                answer = self.client.put(integration_path(source['id'], integration['id']), body, envelope='integration')
        except PagerDutyError as err:
            if err.status == 400 and 'open incidents' in str(err):
                self.fail('PagerDuty refused the move: an integration with more than %d open incidents cannot be moved '
                          '(%s). Nothing changed; resolve incidents first.' % (MAX_OPEN_INCIDENTS_TO_MOVE, err),
                          **self.result_fields(plan))
            # A move whose answer was lost, or whose retry found the integration gone from the
            # source (404), may have happened: the read-back below tells.
            if not (err.ambiguous or err.status == 404 or err.status is None):
                raise
            failure = err
        if answer is not None and (answer.get('service') or {}).get('id') != destination['id']:
            moved = None  # the answer itself says the API kept it where it was
        else:
            # PagerDuty's reads lag its writes: until they show the move, the integration still
            # reads as under the source. Read again within the retry budget before concluding.
            with doing('read integration %r back under %r' % (integration['name'], destination['name'])):
                moved = self.wait_until(lambda: self.read_back(plan, integration), lambda found: found is not None,
                                        'reading integration %r back under %r' % (integration['name'], destination['name']))
        if failure is not None and not moved:
            raise failure
        if not moved or (moved.get('service') or {}).get('id') != destination['id']:
            self.fail('PagerDuty accepted the request but did not move integration %r to %r: nothing changed. '
                      'This API may not move integrations; strategy: recreate moves it by creating a copy on the '
                      'destination and deleting the original (its key changes).'
                      % (integration['name'], destination['name']), **self.result_fields(plan))
        plan.wrote = True
        if moved.get('integration_key') != integration.get('integration_key'):
            plan.result = moved
            reported = self.result_fields(plan)
            reported.update(moved=True, key_changed=True, integration=self.reported(plan, moved))
            self.fail('integration %r moved to %r but its integration key changed; update the tools that send to it'
                      % (integration['name'], destination['name']), **reported)
        plan.notes['confirmed'] = moved
        return moved

    def read_back(self, plan, obj):
        """The integration as a read under the destination shows it, or None."""
        return self.client.get(integration_path(plan.context['destination']['id'], obj['id']), envelope='integration')

    def shows_write(self, plan, read, changes):
        return read is not None and all((read.get(k) or {}).get('id') == v['id'] if k == 'service' else read.get(k) == v
                                        for k, v in (changes or {}).items())

    def create(self, plan, desired):
        """By recreating: the copy on the destination (whose key is new)."""
        body = dict(desired)
        body['service'] = {'id': plan.context['destination']['id'], 'type': 'service_reference'}
        with doing('create the copy of integration %r on %r' % (plan.current['name'], plan.context['destination']['name'])):
            # A passing refusal (an account lock, a destination created a moment ago) is retried, as for any create
            # of an integration.
            return self.client.post(integration_path(plan.context['destination']['id']), {'integration': body},
                                    transient_refusals=True, envelope='integration')

    def twins(self, plan):
        destination = plan.context['destination']
        read = resolve_service(self.client, destination['id'], 'to_service', INCLUDES)
        name = self.untraced(plan.desired['name'])
        return [i for i in read.get('integrations') or []
                if self.untraced(i.get('name') or '') == name and (i.get('vendor') or {}).get('id') == (plan.desired.get('vendor') or {}).get('id')
                and (plan.desired.get('vendor') or i.get('type') == plan.desired.get('type'))]

    def delete(self, plan, obj):
        service_id = (obj.get('service') or {}).get('id') or plan.context['source']['id']
        self.client.delete(integration_path(service_id, obj['id']))

    def is_name_conflict(self, err):
        return False

    def warn_look_alike(self, plan):
        """The copy has the original's name: nothing to warn about."""

    # -- the result ------------------------------------------------------------------------------

    def result_fields(self, plan):
        if plan.reason == 'finish':  # a stopped run's copy, finished: the move (and the new key) are this run's
            moved, new_key = True, key_changed(plan.context['replaced'] or {}, plan.result or plan.current)
        else:
            moved = plan.action in ('update', 'replace') and 'service' in plan.changes
            new_key = plan.action == 'replace' and key_changed(plan.current, plan.result)
        fields = {'moved': moved, 'key_changed': new_key,
                  'settings_differences': plan.notes.get('settings_differences', []),
                  'open_incidents': plan.notes.get('open_incidents')}
        if plan.action == 'replace' and self.check_mode:
            fields['key_changed'] = True
        return fields

    def reported(self, plan, obj):
        return present_integration(obj, return_key=self.params['return_key']) if obj else obj

    def shown(self, fields):
        """The service by name: a diff holds no IDs."""
        return {k: reference_name(v) if k == 'service' else v for k, v in fields.items()}

    def plan_diff(self, plan):
        if not plan.changes:
            return {}, {}
        fields = ['service'] + (['name'] if plan.current.get('name') != (plan.result or {}).get('name') else [])
        return ({f: plan.current.get(f) for f in fields}, {f: (plan.result or {}).get(f) for f in fields})

    def failure_notes(self, plan):
        """A failed move says whether the integration moved after all (its own write was made) - never a key."""
        notes = self.result_fields(plan)
        notes.update(moved=plan.wrote and 'service' in plan.changes, key_changed=False)
        return notes


def reference(service):
    return {'id': service['id'], 'type': 'service_reference', 'summary': service['name']}


def short(value):
    """A reference shown by its ID and name; anything else as it is."""
    if isinstance(value, dict) and 'id' in value:
        return {'id': value['id'], 'summary': value.get('summary')}
    return value


def settings_differences(source, destination):
    source, destination = present_service(source), present_service(destination)
    differences = []
    for setting in COMPARED_SETTINGS:
        before, after = source.get(setting), destination.get(setting)
        if setting == 'escalation_policy':
            before, after = short(before), short(after)
            if (before or {}).get('id') == (after or {}).get('id'):
                continue
        elif setting == 'status':
            # Only disabled is a setting; warning, critical and maintenance come from incidents.
            before, after = enabled_status(before), enabled_status(after)
            if before == after:
                continue
        elif before == after:
            continue
        differences.append({'setting': setting, 'from_service': before, 'to_service': after})
    return differences


def describe(value):
    """A setting as a sentence shows it: a reference by its name, a structure as key value pairs."""
    if isinstance(value, dict) and 'summary' in value:
        return repr(value['summary'])
    if isinstance(value, dict):
        shown = ['%s %s' % (key, describe(item)) for key, item in sorted(value.items()) if key != 'type' and item is not None]
        if value.get('type'):
            shown.insert(0, str(value['type']))
        return '(%s)' % ', '.join(shown) if shown else 'none'
    if isinstance(value, list):
        return '[%s]' % ', '.join(describe(item) for item in value) if value else 'none'
    if value is None:
        return 'none'
    return str(value)
