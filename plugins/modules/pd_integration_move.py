#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to oncall.pagerduty
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: pd_integration_move
short_description: Move an integration to another PagerDuty service, keeping its key
version_added: 0.1.0
description:
  - Move an integration from one service to another, as PagerDuty's web UI allows. Its incidents
    follow it and, with the default O(strategy=in_place), its integration key stays the same, so
    the monitoring tools that send to it need no change.
  - Teams use it to consolidate monitoring under the right service, and to silence an integration
    for a while by moving it to a disabled service.
  - Before anything changes, the module checks the destination's room for integrations, the open
    incidents that PagerDuty would refuse to move, and how the destination's settings differ from
    the source's.
  - Idempotent; an integration that is already on O(to_service) is left alone.
author:
  - oncall.pagerduty maintainers (@oncall)
extends_documentation_fragment:
  - oncall.pagerduty.pagerduty
  - oncall.pagerduty.pagerduty.transport
  - oncall.pagerduty.attributes
  - oncall.pagerduty.attributes.pagerduty_group
attributes:
  check_mode:
    support: full
    details:
      - Runs every pre-check and predicts the move without a write.
  diff_mode:
    support: full
    details:
      - The diff shows the change of service (and of name, with O(new_name)).
options:
  integration:
    description:
      - The integration to move, by exact name (on O(from_service)) or by ID.
    type: str
    required: true
  from_service:
    description:
      - The service the integration is on, by exact name or by ID.
      - Required when O(integration) is a name. Without it, an integration ID is searched for on
        every service (one request per 100 services).
    type: str
  to_service:
    description:
      - The destination service, by exact name or by ID.
    type: str
    required: true
  new_name:
    description:
      - Rename the integration as part of the move.
    type: str
  strategy:
    description:
      - V(in_place) moves the integration itself and then reads it back under O(to_service) to
        verify that it moved with the same key. PagerDuty's public API does not document moving;
        if the API does not move it, the task fails and nothing has changed.
      - V(recreate) creates an identical integration (type or vendor, name, email settings) on
        O(to_service) and deletes the original. The key changes (the result says
        RV(key_changed=true)) and incidents stay on the old service. For an email integration,
        whose address must be unique, the original's address is first changed to a temporary
        one and restored if the copy cannot be created, so a failure leaves the original or the
        complete copy, never neither.
    type: str
    choices: [in_place, recreate]
    default: in_place
  on_settings_mismatch:
    description:
      - What to do when the destination's escalation policy, urgency rule, support hours, alert
        grouping, timeouts or status differ from the source's. Incidents from the integration will
        follow the destination's settings.
      - V(warn) moves and warns, listing each difference; V(fail) fails before anything changes.
      - The differences are returned as RV(settings_differences) either way.
    type: str
    choices: [fail, warn]
    default: warn
notes:
  - PagerDuty refuses to move an integration with more than 8,000 open (triggered or acknowledged)
    incidents. The API cannot count incidents per integration, so the module counts the source
    service's open incidents (one request), an upper bound; over 8,000 it warns before moving,
    and if PagerDuty refuses it reports the limit and that nothing changed. Resolving incidents
    first is the remedy.
  - A service can hold at most 250 integrations; a full destination fails before any change.
  - A moved integration on a disabled destination raises no incidents; the module warns.
  - When the integration is already on O(to_service), a run costs one request (by ID) or two (by name).
seealso:
  - module: oncall.pagerduty.pd_integration
'''

EXAMPLES = r'''
- name: Consolidate and silence integrations
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/oncall.pagerduty.pagerduty:
      api_token: "{{ vault_pagerduty_api_token }}"
  tasks:
    - name: Move the Datadog integration to the service that owns checkout now
      oncall.pagerduty.pd_integration_move:
        integration: Datadog-Shopping-Cart
        from_service: Shopping Cart
        to_service: Checkout
        new_name: Datadog-Checkout
        on_settings_mismatch: fail

    - name: Park a noisy integration on a disabled service for the maintenance window
      oncall.pagerduty.pd_integration_move:
        integration: PXXXXXX
        from_service: Shop Web
        to_service: Parking (disabled)

    - name: Move an integration by recreating it where PagerDuty does not move it (the key changes)
      oncall.pagerduty.pd_integration_move:
        integration: Nagios
        from_service: Legacy
        to_service: Platform
        strategy: recreate
      register: moved

    - name: Hand the new key to the monitoring tool
      ansible.builtin.debug:
        msg: "Reconfigure Nagios: the key changed"
      when: moved.key_changed
'''

RETURN = r'''
integration:
  description: The integration on O(to_service) after the move, or as predicted in check mode.
  returned: always
  type: dict
  contains:
    id:
      description: The integration's ID (a new one after O(strategy=recreate)).
      type: str
    name:
      description: The integration's name.
      type: str
    service:
      description: A reference to the service it is on.
      type: dict
    integration_key:
      description: The integration's key, when it has one; never shown in a diff.
      type: str
      returned: when PagerDuty returns it
moved:
  description: Whether this run moved the integration (or would have, in check mode).
  returned: always
  type: bool
key_changed:
  description: Whether the integration key changed (only with O(strategy=recreate)).
  returned: always
  type: bool
settings_differences:
  description: The settings in which O(to_service) differs from the service the integration was on.
  returned: always
  type: list
  elements: dict
  contains:
    setting:
      description: The setting's name, as in M(oncall.pagerduty.pd_service).
      type: str
      sample: escalation_policy
    from_service:
      description: Its value on the source service.
      type: raw
    to_service:
      description: Its value on the destination service.
      type: raw
open_incidents:
  description:
    - The source service's open incidents, an upper bound of the integration's.
    - Null when they were not counted (the integration had already moved, or O(strategy=recreate)).
  returned: always
  type: int
'''

from ansible_collections.oncall.pagerduty.plugins.module_utils._client import PagerDutyError, looks_like_id
from ansible_collections.oncall.pagerduty.plugins.module_utils._integration import (
    EMAIL_TYPE,
    MAX_INTEGRATIONS_PER_SERVICE,
    copy_of,
    integration_path,
)
from ansible_collections.oncall.pagerduty.plugins.module_utils._resource import PagerDutyModule
from ansible_collections.oncall.pagerduty.plugins.module_utils._service import present_service, resolve_service

MAX_OPEN_INCIDENTS_TO_MOVE = 8000
INCLUDES = ('integrations',)
COMPARED_SETTINGS = ('escalation_policy', 'incident_urgency_rule', 'support_hours', 'alert_grouping_parameters',
                     'auto_resolve_timeout', 'acknowledgement_timeout', 'status')


class IntegrationMove(PagerDutyModule):
    argument_spec = dict(
        integration=dict(type='str', required=True),
        from_service=dict(type='str'),
        to_service=dict(type='str', required=True),
        new_name=dict(type='str'),
        strategy=dict(type='str', default='in_place', choices=['in_place', 'recreate']),
        on_settings_mismatch=dict(type='str', default='warn', choices=['fail', 'warn']),
    )
    module_kwargs = dict(supports_check_mode=True)

    def run(self):
        params = self.params
        self.fail_if_blank('integration', 'from_service', 'to_service', 'new_name')
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
            self.module.warn('The integration\'s incidents will follow the settings of %r, which differ from %r: %s'
                             % (destination['name'], source['name'], listing))
        if destination.get('status') == 'disabled':
            self.module.warn('%r is disabled: incidents will not trigger from the integration while it is there'
                             % destination['name'])
        if self.params['strategy'] == 'in_place':
            self.doing = 'count the open incidents of %r' % source['name']
            data = self.client.request('GET', '/incidents', {
                'service_ids[]': [source['id']], 'statuses[]': ['triggered', 'acknowledged'], 'total': 'true', 'limit': 1})[1]
            open_incidents = (data or {}).get('total') or 0
            self.result['open_incidents'] = open_incidents
            if open_incidents > MAX_OPEN_INCIDENTS_TO_MOVE:
                self.module.warn('%r has %d open incidents: if more than %d of them belong to this integration, PagerDuty '
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
        try:
            self.client.put(integration_path(source['id'], integration['id']), body)
        except PagerDutyError as err:
            if err.status == 400 and 'open incidents' in str(err):
                self.fail('PagerDuty refused the move: an integration with more than %d open incidents cannot be moved '
                          '(%s). Nothing changed; resolve incidents first.' % (MAX_OPEN_INCIDENTS_TO_MOVE, err), **self.result)
            # A move whose answer was lost, or whose retry found the integration gone from the
            # source (404), may have happened: the read-back below tells.
            if not (err.ambiguous or err.status == 404 or err.status is None):
                raise
            failure = err
        self.doing = 'read integration %r back under %r' % (integration['name'], destination['name'])
        moved = self.client.get(integration_path(destination['id'], integration['id']))
        moved = (moved or {}).get('integration')
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
        while copy is None:
            self.doing = 'create the copy of integration %r on %r' % (integration['name'], destination['name'])
            try:
                copy = self.client.post(integration_path(destination['id']), {'integration': body})['integration']
            except PagerDutyError as err:
                copy = self.copy_made_despite(err, destination, name)
                if copy is None and err.ambiguous and self.client.budget.wait(self.client.budget.backoff(0)) is None:
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
        if moved and self.module._diff:
            fields = ['service'] + (['name'] if before.get('name') != integration.get('name') else [])
            self.result['diff'] = {'before': {f: short(before.get(f)) for f in fields},
                                   'after': {f: short(integration.get(f)) for f in fields}}
        return self.exit(**self.result)


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
        elif before == after:
            continue
        differences.append({'setting': setting, 'from_service': before, 'to_service': after})
    return differences


def describe(value):
    if isinstance(value, dict) and 'summary' in value:
        return value['summary']
    return value


def main():
    IntegrationMove().execute()


if __name__ == '__main__':
    main()
