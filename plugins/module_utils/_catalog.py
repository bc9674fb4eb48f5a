# -*- coding: utf-8 -*-
# Copyright: contributors to oncall.pagerduty
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The whole service catalogue in one task (pd_service_catalog): read in bulk, plan, write in parallel.

Built from the service and integration kinds: each listed service and integration is planned and
written by the same code as pd_service and pd_integration (their options, validation, desired
state, comparison, writes and presentation), on items of the `services` option. What is added
here is what only a whole catalogue has: bulk reads, a plan of every action before any write
(identical in check mode and in the real run), purges inside a scope, a cap on deletions,
parallel writes, and a report of what was and was not done when something fails.
"""

from __future__ import annotations

import copy
import itertools
import math
import re
import threading
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.oncall.pagerduty.plugins.module_utils._client import ApiError, PAGE_LIMIT
from ansible_collections.oncall.pagerduty.plugins.module_utils._custom_field import read_custom_field_values
from ansible_collections.oncall.pagerduty.plugins.module_utils._integration import (
    EMAIL_FIELDS,
    INTEGRATION_OPTIONS_SPEC,
    TYPE_NAMES,
    IntegrationResource,
    present_integration,
)
from ansible_collections.oncall.pagerduty.plugins.module_utils._resource import (
    PREDICTED,
    Kind,
    TaskFailed,
    changed_fields,
)
from ansible_collections.oncall.pagerduty.plugins.module_utils._service_dependency import (
    DEPENDS_ON_OPTION,
    ServiceDirectory,
    parse_service_references,
    plan_dependencies,
    listed as listed_services,
    read_relationships,
    send_dependency_changes,
    service_node,
    supporting_refs,
    warn_gone,
)
from ansible_collections.oncall.pagerduty.plugins.module_utils._service import (
    SERVICE_INCLUDES,
    ServiceResource,
    enabled_status,
    present_service,
    service_by_name,
)

STATES = ['deleted', 'gathered', 'merged', 'overridden', 'replaced']
CATALOG_INCLUDES = ('integrations',) + SERVICE_INCLUDES
# Settings gathered in the input format, and how each is turned back into an option value.
GATHERED_SETTINGS = ('description', 'escalation_policy', 'status', 'auto_resolve_timeout', 'acknowledgement_timeout',
                     'incident_urgency_rule', 'support_hours', 'scheduled_actions', 'alert_grouping_parameters',
                     'auto_pause_notifications_parameters')
MAX_PARALLEL_WRITES = 16


def integration_item_spec():
    return copy.deepcopy(INTEGRATION_OPTIONS_SPEC)


def service_item_spec():
    """The options of one item of `services`: pd_service's (less id and state), and its integrations."""
    spec = {k: copy.deepcopy(v) for k, v in ServiceResource.argument_spec.items() if k not in ('id', 'state')}
    spec['name'] = dict(type='str', required=True)
    spec['integrations'] = dict(type='list', elements='dict', options=integration_item_spec(),
                                mutually_exclusive=[('type', 'vendor'), ('rotate_key', 'max_key_age_days')])
    spec['depends_on'] = copy.deepcopy(DEPENDS_ON_OPTION)
    return spec


class ObjectPlan:
    """What the run does to one object: its kind (which writes it), current and desired state, the action."""

    def __init__(self, kind, current, desired=None, action=None, changes=None):
        self.kind = kind
        self.current = current
        self.desired = desired
        self.action = action      # create, update, delete, rotate, recreate, or None (nothing)
        self.changes = changes or {}
        self.result = None
        self.done = False         # its writes were made


class ServicePlan(ObjectPlan):
    def __init__(self, name, kind, current, **plan):
        super().__init__(kind, current, **plan)
        self.name = name
        self.integrations = []        # ObjectPlan of each listed integration
        self.integration_deletes = []  # ObjectPlan of each integration the state removes
        self.dependencies = None      # the DependencyPlan of its depends_on, when the item lists it


class ServiceCatalog(Kind):
    """pd_service_catalog: many services and their integrations, as one plan."""

    argument_spec = dict(
        services=dict(type='list', elements='dict', options=service_item_spec()),
        state=dict(type='str', default='merged', choices=STATES),
        scope=dict(type='dict', options=dict(
            teams=dict(type='list', elements='str'),
            name_prefix=dict(type='str'),
            name_regex=dict(type='str'),
        )),
        max_deletions=dict(type='int', default=10),
        parallel_writes=dict(type='int', default=4),
        return_keys=dict(type='bool', default=True, no_log=False),
    )
    option_rules = dict(required_if=[('state', 'overridden', ('scope',)), ('state', 'gathered', ('scope',))])

    # -- validation before any request -----------------------------------------------------------

    def validate(self):
        params = self.params
        state = params['state']
        items = params['services']
        if state == 'gathered':
            if items:
                self.fail('services: gathered reads the catalogue and takes no services; remove services, or use '
                          'merged to apply them')
        elif not items:
            self.fail('services: %s needs the services to apply; list them (to remove services, list them with state '
                      'deleted)' % state)
        if params['max_deletions'] < 0:
            self.fail('max_deletions: must be 0 or more, got %d' % params['max_deletions'])
        if not 1 <= params['parallel_writes'] <= MAX_PARALLEL_WRITES:
            self.fail('parallel_writes: must be 1 to %d, got %d' % (MAX_PARALLEL_WRITES, params['parallel_writes']))
        self.validate_scope(params['scope'], state)
        names = {}
        for index, item in enumerate(items or []):
            kind = self.service_kind(index, item)
            kind.validate()
            for name in filter(None, (item['name'], item['new_name'])):
                if name in names:
                    self.fail('services[%d].name: %r is also services[%d]; each service is listed once'
                              % (index, name, names[name]))
                names[name] = index
            if item['depends_on'] is not None:
                parse_service_references(kind, item['depends_on'], 'depends_on')
            seen = {}
            for position, integration in enumerate(item['integrations'] or []):
                self.integration_kind(kind, index, position, integration).validate()
                key = integration['name'] or integration['vendor'] or integration['type']
                if integration['name'] and key in seen:
                    self.fail('services[%d].integrations[%d].name: %r is also integrations[%d] of this service'
                              % (index, position, key, seen[key]))
                seen[key] = position

    def validate_scope(self, scope, state):
        if scope is None:
            return
        given = {k: v for k, v in scope.items() if v not in (None, '', [])}
        if state == 'overridden' and not given:
            self.fail('scope: must name teams, name_prefix or name_regex for overridden, which deletes every service '
                      'in the scope that is not listed; an empty scope would be the whole account')
        for team in scope.get('teams') or []:
            if not str(team).strip():
                self.fail('scope.teams: must not hold a blank name')
        if scope.get('name_regex'):
            try:
                re.compile(scope['name_regex'])
            except re.error as err:
                self.fail('scope.name_regex: %r is not a valid regular expression (%s)' % (scope['name_regex'], err))

    # -- the kinds of each item ------------------------------------------------------------------

    def service_kind(self, index, item):
        params = dict(self.params, **item)
        params.update(id=None, state='present')
        params.pop('services', None)
        return ServiceResource(self.task.item(params, 'services[%d].' % index), client=self.client)

    def integration_kind(self, service_kind, index, position, item):
        params = dict(self.params, **item)
        params.update(service=service_kind.params['new_name'] or service_kind.params['name'], id=None, state='present',
                      return_key=self.params['return_keys'])
        params.pop('services', None)
        where = 'services[%d].integrations[%d].' % (index, position)
        kind = IntegrationResource(self.task.item(params, where), client=self.client)
        kind.replace = kind.replacing_why = kind.before = None
        return kind

    # -- the run ---------------------------------------------------------------------------------

    def run(self):
        self.client.cached_collections = ('escalation_policies', 'vendors', 'teams', 'custom_fields')
        self.lock = threading.Lock()
        if self.params['state'] == 'gathered':
            return self.gather()
        self.doing = 'read the services'
        current = self.read_catalogue()
        self.doing = 'plan the changes'
        plans = [self.plan_service(index, item, current) for index, item in enumerate(self.params['services'])]
        self.plan_all_dependencies(plans, current)
        plans += self.plan_purge(plans, current)
        plan = self.describe_plan(plans)
        self.check_deletions(plan)
        self.doing = None
        failures = self.write(plans)
        if not failures:
            failures = self.write_dependencies(plans)
        result = dict(changed=bool(plan), plan=plan, services=self.services_after(plans))
        if self.task.diff:
            result['diff'] = self.diffs(plans)
        if failures:
            done, not_done = self.progress(plans)
            raise TaskFailed(self.failure_message(failures, done, not_done), plan=plan, done=done, not_done=not_done,
                             services=result['services'])
        return result

    # -- reading in bulk -------------------------------------------------------------------------

    def scope_query(self):
        """The listing's filters for the scope: the server narrows by team and by name (a substring)."""
        scope = self.params['scope'] or {}
        query = {'include[]': list(CATALOG_INCLUDES)}
        if scope.get('teams'):
            self.doing = 'find the teams of the scope'
            query['team_ids[]'] = [self.client.resolve('teams', team, 'scope.teams', 'team')['id'] for team in scope['teams']]
        if scope.get('name_prefix'):
            query['query'] = scope['name_prefix']
        return query

    def in_scope(self, service):
        scope = self.params['scope'] or {}
        name = service.get('name') or ''
        if scope.get('name_prefix') and not name.startswith(scope['name_prefix']):
            return False
        if scope.get('name_regex') and not re.search(scope['name_regex'], name):
            return False
        if scope.get('teams'):
            wanted = set(self.scope_team_ids)
            if not wanted & {t.get('id') for t in service.get('teams') or []}:
                return False
        return True

    def list_services(self, query):
        services = list(self.client.paginate('/services', 'services', query))
        if self.client.last_listing_truncated:
            self.fail_truncated(len(services))
        return services

    def fail_truncated(self, count):
        self.fail('services: the listing stopped at %d services, PagerDuty\'s limit for one listing, so the '
                  'catalogue cannot be read whole; narrow it with a scope (teams or name_prefix)' % count)

    def read_catalogue(self):
        """{name: service} of every listed service that exists, and of every service in the scope.

        With a scope, the scope's listing (filtered by the server). Without, the whole account by
        pages of 100, unless looking the listed services up by name costs fewer requests.
        """
        names = set()
        for item in self.params['services']:
            names.update(filter(None, (item['name'], item['new_name'])))
        found = {}
        self.scope_team_ids = []
        self.scoped_names = set()
        if self.params['scope'] is not None:
            query = self.scope_query()
            self.scope_team_ids = query.get('team_ids[]', [])
            for service in self.list_services(query):
                found[service['name']] = service
            self.scoped_names = {name for name, service in found.items() if self.in_scope(service)}
        missing = names - set(found)
        self.whole_account = None
        if missing:
            # Listed services not read yet (no scope, or outside it): the whole account by pages
            # of 100, or one lookup by name each, whichever costs fewer requests. The first page
            # says how many pages there are, and is kept either way.
            listing = self.client.paginate('/services', 'services', {'include[]': list(CATALOG_INCLUDES), 'total': 'true'})
            first_page = list(itertools.islice(listing, PAGE_LIMIT))  # one request
            total = self.client.last_listing_total or len(first_page)
            if math.ceil(total / float(PAGE_LIMIT)) <= len(missing):
                self.whole_account = first_page + list(listing)
                if self.client.last_listing_truncated:
                    self.fail_truncated(len(self.whole_account))
                for service in self.whole_account:
                    found.setdefault(service['name'], service)
            else:
                for service in first_page:
                    if service['name'] in missing:
                        found.setdefault(service['name'], service)
                for name in sorted(missing - set(found)):
                    service = service_by_name(self.client, name, option='services', includes=CATALOG_INCLUDES)
                    if service is not None:
                        found[service['name']] = service
        return {name: present_service(service) for name, service in found.items()}

    # -- planning --------------------------------------------------------------------------------

    def plan_service(self, index, item, current_services):
        kind = self.service_kind(index, item)
        current = current_services.get(item['name'])
        if current is None and item['new_name']:
            current = current_services.get(item['new_name'])  # renamed by an earlier run
        name = item['new_name'] or item['name']
        if self.params['state'] == 'deleted':
            return ServicePlan(item['name'], kind, current, action='delete' if current else None)
        if current is None and item['new_name']:
            kind.fail('%s: no service is named %r to rename to %r, nor %r yet; to create a service, give its name '
                      'without new_name' % (kind.option('name'), item['name'], item['new_name'], item['new_name']))
        desired = kind.desired(current)
        # Custom field values are written with the service, but are not part of it.
        custom_fields = {'custom_fields': kind.custom_field_changes} if kind.custom_field_changes else {}
        if current is None:
            kind.check_create(desired)
            plan = ServicePlan(name, kind, None, desired=desired, action='create', changes=dict(desired, **custom_fields))
        else:
            changes = changed_fields(desired, current)
            if changes:
                kind.check_update(current, changes)
            plan = ServicePlan(name, kind, current, desired=desired, action='update' if changes or custom_fields else None,
                               changes=dict(changes, **custom_fields))
        self.plan_integrations(plan, index, item)
        return plan

    def plan_integrations(self, plan, index, item):
        existing = list((plan.current or {}).get('integrations') or [])
        parent = dict(plan.current) if plan.current else {'id': None, 'name': plan.name, 'integrations': [],
                                                          PREDICTED: True}
        parent['name'] = plan.name  # derived names follow a rename
        claimed = set()
        for position, integration in enumerate(item['integrations'] or []):
            kind = self.integration_kind(plan.kind, index, position, integration)
            kind.service = parent
            current = kind.find_on_service(existing) if plan.current else None
            kind.before = current
            current = kind.present(current) if current else None
            desired = kind.desired(current)
            if current is None:
                kind.check_create(desired)
                plan.integrations.append(ObjectPlan(kind, None, desired, 'create', desired))
                continue
            claimed.add(current['id'])
            changes = changed_fields(desired, current)
            action = kind.replacing_why or ('update' if changes else None)
            plan.integrations.append(ObjectPlan(kind, current, desired, action, changes))
        if self.params['state'] in ('replaced', 'overridden') and item['integrations'] is not None:
            for integration in existing:
                if integration['id'] not in claimed:
                    kind = self.integration_kind(plan.kind, index, 0, {k: None for k in INTEGRATION_OPTIONS_SPEC})
                    kind.service = parent
                    plan.integration_deletes.append(ObjectPlan(kind, kind.present(integration), action='delete'))

    def plan_all_dependencies(self, plans, current_services):
        """The depends_on of each item that lists it: merged adds what is missing; replaced and
        overridden make the list exact. Supporting services the catalogue lists are known without a
        request (those it creates too); others are looked up once each."""
        listed = [(index, plan) for index, plan in enumerate(plans) if self.params['services'][index]['depends_on'] is not None]
        if not listed:
            return
        mode = 'append' if self.params['state'] == 'merged' else 'exclusive'
        catalogue = {}
        for plan in plans:
            service = plan.current or {'id': None, 'name': plan.name, PREDICTED: True}
            catalogue[plan.name] = service_node(dict(service, name=plan.name), 'technical')
        directory = ServiceDirectory(self, technical=self.whole_account)
        for index, plan in listed:
            kind = plan.kind
            node = catalogue[plan.name]
            relationships = []
            if node['id'] is not None:
                self.doing = 'read the dependencies of service %r' % plan.name
                relationships = read_relationships(self.client, node) or []
            items = parse_service_references(kind, self.params['services'][index]['depends_on'], 'depends_on')
            known = [(label, dict(catalogue[value])) for label, value, service_type in items
                     if value in catalogue and service_type in (None, 'technical')]
            others = [item for item in items if not (item[1] in catalogue and item[2] in (None, 'technical'))]
            wanted = known + directory.supporting(others, 'present', supporting_refs(node, relationships))
            plan.dependencies = plan_dependencies(kind, node, relationships, wanted, mode, 'present', directory.describe,
                                                  option='depends_on')
            warn_gone(kind, plan.dependencies)
            if plan.dependencies.changed:
                directory.name_all(plan.dependencies.before + plan.dependencies.after)

    def write_dependencies(self, plans):
        """Every service's dependency changes in one associate and one disassociate request, once the
        services exist (a service may depend on one this run creates)."""
        changed = [plan for plan in plans if plan.dependencies is not None and plan.dependencies.changed]
        if not changed or self.check_mode:
            return []
        ids = {plan.name: ((plan.result or {}).get('service') or plan.current or {}).get('id') for plan in plans}
        for plan in changed:
            dependencies = plan.dependencies
            for node in [dependencies.service] + dependencies.associate + dependencies.disassociate:
                if node['id'] is None:
                    node['id'] = ids.get(node['name'])
                    node.pop(PREDICTED, None)
        try:
            send_dependency_changes(self, [plan.dependencies for plan in changed])
        except TaskFailed as failure:
            return [(plan, failure.msg) for plan in changed]
        except ApiError as err:
            return [(plan, self.explain(err)) for plan in changed]
        for plan in changed:
            plan.dependencies.done = True
        return []

    def plan_purge(self, plans, current_services):
        """overridden: every service in the scope that is not listed is deleted."""
        if self.params['state'] != 'overridden':
            return []
        listed = {p.name for p in plans} | {p.kind.params['name'] for p in plans}
        purged = []
        for name in sorted(self.scoped_names - listed):
            kind = self.service_kind(0, {k: None for k in ServiceResource.argument_spec if k not in ('id', 'state')})
            kind.params['name'] = name
            purged.append(ServicePlan(name, kind, current_services[name], action='delete'))
        return purged

    def describe_plan(self, plans):
        """The plan as results show it: one entry per action, in the order the writes happen."""
        entries = []
        for plan in plans:
            if plan.action:
                entries.append(plan_entry(plan.action, 'service', plan.name, fields=plan.changes))
            for deleted in plan.integration_deletes:
                entries.append(plan_entry('delete', 'integration', plan.name, deleted.current['name']))
            for integration in plan.integrations:
                if integration.action:
                    name = integration.desired.get('name')
                    entries.append(plan_entry(integration.action, 'integration', plan.name, name, integration.changes))
            entries.extend(dependency_entries(plan))
        return entries

    def check_deletions(self, plan):
        deletions = [e for e in plan if e['action'] == 'delete']
        limit = self.params['max_deletions']
        if len(deletions) > limit:
            listing = ', '.join(describe_entry(e) for e in deletions)
            self.fail('max_deletions: the plan deletes %d object%s, more than max_deletions=%d, so nothing was changed: '
                      '%s. Check the scope and the list; raise max_deletions to allow it.'
                      % (len(deletions), '' if len(deletions) == 1 else 's', limit, listing), plan=plan)

    # -- writing ---------------------------------------------------------------------------------

    def write(self, plans):
        """Write every plan, services in parallel (parallel_writes), each service before its integrations.

        Returns [(plan, message)] of the services whose writes failed; the others are complete.
        """
        failures = []
        workers = 1 if self.check_mode else self.params['parallel_writes']
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for plan, message in pool.map(self.execute_service, plans):
                if message:
                    failures.append((plan, message))
        return failures

    def execute_service(self, plan):
        kind = plan.kind
        try:
            if plan.action == 'delete':
                plan.result = kind.ensure_absent(plan.current)
                plan.done = True
                return plan, None
            if plan.action == 'create':
                plan.result = kind.ensure_created(plan.desired)
            elif plan.action == 'update':
                plan.result = kind.ensure_updated(plan.current, plan.desired, changed=False)
            plan.done = True
            service = (plan.result or {}).get('service') or plan.current
            if not service:  # nothing to delete (state deleted)
                return plan, None
            parent = dict(service, integrations=list((plan.current or {}).get('integrations') or []))
            if plan.action == 'create':
                parent[PREDICTED] = bool(self.check_mode)
            for deleted in plan.integration_deletes:
                deleted.kind.service = parent
                deleted.result = deleted.kind.ensure_absent(deleted.current)
                deleted.done = True
            for integration in plan.integrations:
                integration.kind.service = parent
                if integration.action == 'create':
                    integration.result = integration.kind.ensure_created(integration.desired)
                elif integration.action:
                    integration.result = integration.kind.ensure_updated(integration.current, integration.desired, False)
                else:
                    integration.result = integration.kind.exit(integration=integration.current)
                integration.done = True
        except TaskFailed as failure:
            return plan, failure.msg
        except ApiError as err:
            return plan, kind.explain(err)
        return plan, None

    def progress(self, plans):
        """(done, not done): the plan's entries split by what the run completed."""
        done, not_done = [], []
        for plan in plans:
            if plan.action:
                (done if plan.done else not_done).append(plan_entry(plan.action, 'service', plan.name))
            for integration in plan.integration_deletes + plan.integrations:
                if integration.action:
                    name = (integration.desired or integration.current).get('name')
                    entry = plan_entry(integration.action, 'integration', plan.name, name)
                    (done if integration.done else not_done).append(entry)
            dependencies_done = plan.dependencies is not None and plan.dependencies.done
            for entry in dependency_entries(plan):
                (done if dependencies_done else not_done).append(entry)
        return done, not_done

    @staticmethod
    def failure_message(failures, done, not_done):
        reasons = '; '.join('service %r: %s' % (plan.name, message) for plan, message in failures)
        return ('%d of %d planned changes were made, %d were not (see done and not_done): %s'
                % (len(done), len(done) + len(not_done), len(not_done), reasons))

    # -- results ---------------------------------------------------------------------------------

    def services_after(self, plans):
        """Every listed service as the run leaves it, with its integrations (keys unless return_keys is false)."""
        services = []
        for plan in plans:
            if plan.action == 'delete' or self.params['state'] == 'deleted':
                continue
            service = dict((plan.result or {}).get('service') or plan.current or {})
            if not service:
                continue
            integrations = {i['id']: i for i in (plan.current or {}).get('integrations') or []}
            for deleted in plan.integration_deletes:
                if deleted.done:
                    integrations.pop(deleted.current['id'], None)
            listed = []
            for integration in plan.integrations:
                shown = (integration.result or {}).get('integration') or integration.current
                if integration.current:
                    integrations.pop(integration.current['id'], None)
                if shown:
                    listed.append(shown)
            others = [present_integration(i, self.params['return_keys']) for i in integrations.values()]
            service['integrations'] = listed + others
            if plan.dependencies is not None:
                service['depends_on'] = listed_services(plan.dependencies.result)
            services.append(service)
        return services

    def diffs(self, plans):
        """One diff per service that changes, as a person reviews a plan: its settings, then its integrations."""
        diffs = []
        for plan in plans:
            before, after = {}, {}
            service_diff = (plan.result or {}).get('diff')
            if service_diff:
                before.update(service_diff['before'])
                after.update(service_diff['after'])
            for integration in plan.integration_deletes + plan.integrations:
                integration_diff = (integration.result or {}).get('diff')
                if integration_diff:
                    name = (integration.desired or integration.current).get('name')
                    before.setdefault('integrations', {})[name] = integration_diff['before']
                    after.setdefault('integrations', {})[name] = integration_diff['after']
            if plan.dependencies is not None and plan.dependencies.changed:
                dependency_diff = plan.dependencies.diff()
                before.update(dependency_diff['before'])
                after.update(dependency_diff['after'])
            if before or after:
                diffs.append({'before_header': 'service %s' % plan.name, 'after_header': 'service %s' % plan.name,
                              'before': before, 'after': after})
        return diffs

    # -- gathered --------------------------------------------------------------------------------

    def gather(self):
        """The services in the scope, in the input format of `services`: feeding them back with
        merged changes nothing."""
        self.doing = 'read the services of the scope'
        query = self.scope_query()
        self.scope_team_ids = query.get('team_ids[]', [])
        services = [present_service(s) for s in self.list_services(query) if self.in_scope(s)]
        services.sort(key=lambda s: (s['name'].casefold(), s['name']))
        gathered = [gathered_service(s) for s in services]
        directory = ServiceDirectory(self)
        for item, service in zip(gathered, services):
            self.doing = 'read the custom field values of service %r' % service['name']
            values = {k: v for k, v in read_custom_field_values(self.client, service['id']).items() if v is not None}
            if values:
                item['custom_fields'] = values
            self.doing = 'read the dependencies of service %r' % service['name']
            node = service_node(service, 'technical')
            supporting = supporting_refs(node, read_relationships(self.client, node) or [])
            directory.name_all(supporting)
            if supporting:
                item['depends_on'] = [ref['name'] if ref['type'] == 'technical' else {'name': ref['name'], 'type': ref['type']}
                                      for ref in sorted(supporting, key=lambda r: (r['type'], r['name'] or ''))]
        return dict(changed=False, services=gathered)


def dependency_entries(plan):
    """A create (associate) or delete (disassociate) entry per dependency the run changes."""
    dependencies = plan.dependencies
    if dependencies is None:
        return []
    return ([dict(plan_entry('create', 'dependency', plan.name), depends_on=node['name']) for node in dependencies.associate]
            + [dict(plan_entry('delete', 'dependency', plan.name), depends_on=node['name'])
               for node in dependencies.disassociate])


def plan_entry(action, kind, service, integration=None, fields=None):
    entry = {'action': action, 'kind': kind, 'service': service}
    if integration is not None:
        entry['integration'] = integration
    if fields:
        entry['fields'] = sorted(fields)
    return entry


def describe_entry(entry):
    if entry['kind'] == 'dependency':
        return 'the dependency of service %r on %r' % (entry['service'], entry['depends_on'])
    if entry['kind'] == 'integration':
        return 'integration %r of service %r' % (entry['integration'], entry['service'])
    return 'service %r' % entry['service']


# -- the input format of gathered services -----------------------------------------------------------

def without_empty(value):
    """`value` without nulls and empty containers, at every depth (they are options left unset)."""
    if isinstance(value, dict):
        cleaned = {k: without_empty(v) for k, v in value.items()}
        return {k: v for k, v in cleaned.items() if v not in (None, {}, [])}
    if isinstance(value, list):
        return [without_empty(v) for v in value]
    return value


def gathered_service(service):
    """One service as an item of `services`: settings a user can set, references by name."""
    item = {'name': service['name']}
    for setting in GATHERED_SETTINGS:
        value = service.get(setting)
        if setting == 'escalation_policy':
            value = (value or {}).get('summary')
        elif setting == 'status':
            value = enabled_status(value)
        elif setting == 'incident_urgency_rule':
            value = gathered_urgency_rule(value)
        elif setting == 'support_hours' and value:
            value = {k: value.get(k) for k in ('time_zone', 'start_time', 'end_time', 'days_of_week')}
        elif setting == 'scheduled_actions':
            value = [{'at': (a.get('at') or {}).get('name'), 'to_urgency': a.get('to_urgency')} for a in value or []] or None
        elif setting == 'alert_grouping_parameters':
            value = gathered_grouping(value)
        elif setting == 'auto_pause_notifications_parameters' and value:
            value = {'enabled': value.get('enabled'), 'timeout': value.get('timeout') if value.get('enabled') else None}
        item[setting] = value
    item['integrations'] = [gathered_integration(i) for i in service.get('integrations') or []]
    return without_empty(item)


def gathered_urgency_rule(rule):
    if not rule:
        return None
    if rule.get('type') == 'constant':
        return {'type': 'constant', 'urgency': rule.get('urgency')}
    return {'type': 'use_support_hours',
            'during_support_hours': (rule.get('during_support_hours') or {}).get('urgency'),
            'outside_support_hours': (rule.get('outside_support_hours') or {}).get('urgency')}


def gathered_grouping(grouping):
    """Grouping set on the service, in the option's form; nothing when unset or held by a setting."""
    if not grouping or not grouping.get('type') or grouping.get('type') not in ('time', 'intelligent', 'content_based'):
        return None
    config = {k: v for k, v in (grouping.get('config') or {}).items()
              if k in ('timeout', 'time_window', 'aggregate', 'fields')}
    return {'type': grouping['type'], 'config': config}


def gathered_integration(integration):
    item = {'name': integration.get('name')}
    if integration.get('vendor'):
        item['vendor'] = integration['vendor'].get('summary') or integration['vendor'].get('id')
    else:
        item['type'] = TYPE_NAMES.get(integration.get('type'), integration.get('type'))
    for field in EMAIL_FIELDS:
        value = integration.get(field)
        if field == 'email_filters' and value:
            value = [{k: v for k, v in rule.items() if k != 'id'} for rule in value]
        elif field == 'email_parsers' and value:
            value = [{'action': p.get('action'), 'match_predicate': strip_ids(p.get('match_predicate')),
                      'value_extractors': strip_ids(p.get('value_extractors'))} for p in value]
        item[field] = value
    return item


def strip_ids(value):
    if isinstance(value, list):
        return [strip_ids(v) for v in value]
    if isinstance(value, dict):
        return {k: strip_ids(v) for k, v in value.items() if k != 'id'}
    return value
