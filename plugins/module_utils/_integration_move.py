# -*- coding: utf-8 -*-
# Copyright: contributors to oncall.pagerduty
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Moving an integration to another service: finding it, the pre-checks, the move in place (and its
verification) or by recreating, and the result. Used by pd_integration_move."""

from __future__ import annotations

from ansible_collections.oncall.pagerduty.plugins.module_utils._client import PagerDutyError, looks_like_id
from ansible_collections.oncall.pagerduty.plugins.module_utils._integration import (
    EMAIL_TYPE,
    MAX_INTEGRATIONS_PER_SERVICE,
    copy_of,
    integration_path,
)
from ansible_collections.oncall.pagerduty.plugins.module_utils._resource import Kind
from ansible_collections.oncall.pagerduty.plugins.module_utils._service import enabled_status, present_service, resolve_service

MAX_OPEN_INCIDENTS_TO_MOVE = 8000
INCLUDES = ('integrations',)
COMPARED_SETTINGS = ('escalation_policy', 'incident_urgency_rule', 'support_hours', 'alert_grouping_parameters',
                     'auto_resolve_timeout', 'acknowledgement_timeout', 'status')


class IntegrationMove(Kind):
    argument_spec = dict(
        integration=dict(type='str', required=True),
        from_service=dict(type='str'),
        to_service=dict(type='str', required=True),
        new_name=dict(type='str'),
        strategy=dict(type='str', default='in_place', choices=['in_place', 'recreate']),
        on_settings_mismatch=dict(type='str', default='warn', choices=['fail', 'warn']),
    )

    def validate(self):
        self.fail_if_blank('integration', 'from_service', 'to_service', 'new_name')

    def run(self):
        params = self.params
        by_id = looks_like_id(params['integration'])
        if not by_id and not params['from_service']:
            self.fail('from_service: required when integration is given by name (%r)' % params['integration'])
        self.result = dict(moved=False, key_changed=False, settings_differences=[], open_incidents=None)
        self._source = None

        self.doing = 'find the destination service'
        destination = resolve_service(self.client, params['to_service'], 'to_service', INCLUDES)
        already = self.already_moved(destination, by_id)
        if already is not None:
            return self.finish(destination, already)

        self.doing = 'find the integration'
        source, integration = self.find_integration(by_id)
        if source['id'] == destination['id']:
            return self.finish(destination, integration)
        self.pre_checks(source, destination)
        if params['strategy'] == 'in_place':
            return self.move_in_place(source, destination, integration)
        return self.move_by_recreating(source, destination, integration)

    # -- finding ---------------------------------------------------------------------------------

    def already_moved(self, destination, by_id):
        """The integration when it is already on the destination (and not on the source), else None."""
        params = self.params
        here = destination.get('integrations') or []
        if by_id:
            found = [i for i in here if i['id'] == params['integration']]
            return found[0] if found else None
        names = {params['integration'], params['new_name']} - {None}
        found = [i for i in here if i['name'] in names]
        if not found:
            return None
        # The same name on the source means the source's integration has not moved yet.
        source = self.source_service()
        if source['id'] != destination['id'] and any(i['name'] == params['integration'] for i in source.get('integrations') or []):
            return None
        return found[0]

    def source_service(self):
        """from_service with its integrations, read once per run."""
        if self._source is None:
            self.doing = 'find the source service'
            self._source = resolve_service(self.client, self.params['from_service'], 'from_service', INCLUDES)
        return self._source

    def find_integration(self, by_id):
        """(source service, integration)."""
        params = self.params
        if params['from_service']:
            source = self.source_service()
            on_source = source.get('integrations') or []
            key = 'id' if by_id else 'name'
            found = [i for i in on_source if i[key] == params['integration']]
            if not found and by_id:
                found = [i for i in on_source if i['name'] == params['integration']]  # a name shaped like an ID
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

    # -- pre-checks, before anything changes -----------------------------------------------------

    def pre_checks(self, source, destination):
        if len(destination.get('integrations') or []) >= MAX_INTEGRATIONS_PER_SERVICE:
            self.fail('to_service: %r already has %d integrations, the most PagerDuty allows on one service; nothing changed'
                      % (destination['name'], MAX_INTEGRATIONS_PER_SERVICE))
        differences = settings_differences(source, destination)
        self.result['settings_differences'] = differences
        if differences:
            listing = '; '.join('%s: %s on %r, %s on %r' % (d['setting'], describe(d['from_service']), source['name'],
                                                            describe(d['to_service']), destination['name'])
                                for d in differences)
            if self.params['on_settings_mismatch'] == 'fail':
                self.fail('to_service: its settings differ from the source service, and on_settings_mismatch is fail; '
                          'nothing changed. %s' % listing, settings_differences=differences)
            self.warn('The integration\'s incidents will follow the settings of %r, which differ from %r: %s'
                      % (destination['name'], source['name'], listing))
        if destination.get('status') == 'disabled':
            self.warn('%r is disabled: incidents will not trigger from the integration while it is there'
                      % destination['name'])
        if self.params['strategy'] == 'in_place':
            self.doing = 'count the open incidents of %r' % source['name']
            data = self.client.request('GET', '/incidents', {
                'service_ids[]': [source['id']], 'statuses[]': ['triggered', 'acknowledged'], 'total': 'true', 'limit': 1,
                'date_range': 'all'})[1]  # without it, only the last month's incidents are counted
            open_incidents = (data or {}).get('total') or 0
            self.result['open_incidents'] = open_incidents
            if open_incidents > MAX_OPEN_INCIDENTS_TO_MOVE:
                self.warn('%r has %d open incidents: if more than %d of them belong to this integration, PagerDuty '
                          'refuses the move. Resolving incidents first avoids that.'
                          % (source['name'], open_incidents, MAX_OPEN_INCIDENTS_TO_MOVE))

    # -- moving ----------------------------------------------------------------------------------

    def move_in_place(self, source, destination, integration):
        new_name = self.params['new_name']
        if self.check_mode:
            predicted = dict(integration, service=reference(destination), **({'name': new_name} if new_name else {}))
            return self.finish(destination, predicted, moved=True, before=integration)
        self.doing = 'move integration %r to %r' % (integration['name'], destination['name'])
        body = {'integration': {'service': {'id': destination['id'], 'type': 'service_reference'}}}
        failure = None
        answer = None
        try:
            answer = (self.client.put(integration_path(source['id'], integration['id']), body) or {}).get('integration')
        except PagerDutyError as err:
            if err.status == 400 and 'open incidents' in str(err):
                self.fail('PagerDuty refused the move: an integration with more than %d open incidents cannot be moved '
                          '(%s). Nothing changed; resolve incidents first.' % (MAX_OPEN_INCIDENTS_TO_MOVE, err), **self.result)
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
            self.doing = 'read integration %r back under %r' % (integration['name'], destination['name'])
            moved = self.wait_until(lambda: self.integration_under(destination, integration),
                                    lambda found: found is not None,
                                    'reading integration %r back under %r' % (integration['name'], destination['name']))
        if failure is not None and not moved:
            raise failure
        if not moved or (moved.get('service') or {}).get('id') != destination['id']:
            self.fail('PagerDuty accepted the request but did not move integration %r to %r: nothing changed. '
                      'This API may not move integrations; strategy: recreate moves it by creating a copy on the '
                      'destination and deleting the original (its key changes).'
                      % (integration['name'], destination['name']), **self.result)
        if moved.get('integration_key') != integration.get('integration_key'):
            self.result.update(integration=moved, moved=True, key_changed=True)
            self.fail('integration %r moved to %r but its integration key changed; update the tools that send to it'
                      % (integration['name'], destination['name']), **self.result)
        if new_name and moved['name'] != new_name:
            self.doing = 'rename integration %r to %r' % (moved['name'], new_name)
            moved = self.client.put(integration_path(destination['id'], moved['id']), {'integration': {'name': new_name}})['integration']
        return self.finish(destination, moved, moved=True, before=integration)

    def integration_under(self, service, integration):
        """The integration as a read under `service` shows it, or None."""
        found = self.client.get(integration_path(service['id'], integration['id']))
        return (found or {}).get('integration')

    def move_by_recreating(self, source, destination, integration):
        name = self.params['new_name'] or integration['name']
        body = copy_of(integration, destination['id'], name)
        if self.check_mode:
            predicted = dict(body, id=None, service=reference(destination))
            return self.finish(destination, predicted, moved=True, key_changed=True, before=integration)
        original_path = integration_path(source['id'], integration['id'])
        address = integration.get('integration_email') if integration.get('type') == EMAIL_TYPE else None
        if address:
            # Free the unique address; the original keeps working under a temporary one meanwhile.
            self.doing = 'free the address of integration %r' % integration['name']
            local, domain = address.split('@', 1)
            temporary = '%s+moving-%s@%s' % (local, integration['id'].lower(), domain)
            self.client.put(original_path, {'integration': {'integration_email': temporary}})
        copy = None
        attempt = 0
        while copy is None:
            self.doing = 'create the copy of integration %r on %r' % (integration['name'], destination['name'])
            try:
                copy = self.client.post(integration_path(destination['id']), {'integration': body})['integration']
            except PagerDutyError as err:
                copy = self.copy_made_despite(err, destination, name)
                if copy is None and err.ambiguous and self.client.budget.wait(self.client.budget.backoff(attempt),
                                                                              attempt) is None:
                    attempt += 1
                    continue  # verified that no copy was made: send the create again
                if copy is None:
                    if address:
                        self.doing = 'restore the address of integration %r after the copy failed (%s)' % (integration['name'], err)
                        self.client.put(original_path, {'integration': {'integration_email': address}})
                    raise
        self.doing = 'delete the original of integration %r after copying it to %r' % (integration['name'], destination['name'])
        self.client.delete(original_path)
        return self.finish(destination, copy, moved=True, key_changed=True, before=integration)

    def copy_made_despite(self, err, destination, name):
        """After a create whose answer was lost, the copy it made, if it made one (read back by name)."""
        if not err.ambiguous:
            return None
        self.doing = 're-read %r after a failed create' % destination['name']

        def find_copy():
            reread = resolve_service(self.client, destination['id'], 'to_service', INCLUDES)
            made = [i for i in reread.get('integrations') or [] if i['name'] == name]
            return made[-1] if made else None

        return self.reread_after_failed_create(err, find_copy)

    def finish(self, destination, integration, moved=False, key_changed=False, before=None):
        self.result.update(moved=moved, key_changed=key_changed, integration=integration, changed=moved)
        if moved and self.task.diff:
            fields = ['service'] + (['name'] if before.get('name') != integration.get('name') else [])
            self.result['diff'] = {'before': {f: short(before.get(f)) for f in fields},
                                   'after': {f: short(integration.get(f)) for f in fields}}
        return dict(self.result)


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
