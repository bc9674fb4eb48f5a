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
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.oncall.pagerduty.plugins.module_utils._client import ApiError, PAGE_LIMIT
from ansible_collections.oncall.pagerduty.plugins.module_utils._custom_field import read_custom_field_values
from ansible_collections.oncall.pagerduty.plugins.module_utils._integration import (
    INTEGRATION_OPTIONS_SPEC,
    IntegrationResource,
    present_integration,
)
from ansible_collections.oncall.pagerduty.plugins.module_utils._resource import (
    PREDICTED,
    Kind,
    TaskFailed,
    doing,
    without_empty,
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
    present_service,
    service_by_id,
    service_by_name,
)

STATES = ['deleted', 'gathered', 'merged', 'overridden', 'replaced']
CATALOG_INCLUDES = ('integrations',) + SERVICE_INCLUDES
MAX_PARALLEL_WRITES = 16
# The states that remove what the catalogue does not list: their items must be inside the scope.
PURGING_STATES = ('deleted', 'overridden', 'replaced')


def integration_item_spec():
    """The options of one integration of an item: pd_integration's, and its ID (to name one whose name a task
    would refuse)."""
    return dict(copy.deepcopy(INTEGRATION_OPTIONS_SPEC), id=dict(type='str'))


def service_item_spec():
    """The options of one item of `services`: pd_service's (less state), and its integrations. An item names its
    service by `name`, or by `id` (then `name` renames it)."""
    spec = {k: copy.deepcopy(v) for k, v in ServiceResource.own_argument_spec().items() if k != 'state'}
    spec['integrations'] = dict(type='list', elements='dict', options=integration_item_spec(),
                                mutually_exclusive=[('type', 'vendor')])
    spec['depends_on'] = copy.deepcopy(DEPENDS_ON_OPTION)
    return spec


class ServicePlan:
    """What the run does to one listed service: its plan (the service kind's), its integrations' plans, and its
    dependencies."""

    def __init__(self, name, plan):
        self.name = name
        self.plan = plan                # the Plan of the service (ServiceResource)
        self.integrations = []          # the Plan of each listed integration
        self.integration_deletes = []   # the Plan of each integration the state removes
        self.dependencies = None        # the DependencyPlan of its depends_on, when the item lists it
        self.result = None              # the service kind's result
        self.integration_results = {}   # id(plan) -> the integration kind's result

    @property
    def action(self):
        return self.plan.action

    @property
    def changes(self):
        custom = {'custom_fields': True} if any(step.changes for step in self.plan.steps) else {}
        fields = {'create': self.plan.desired, 'update': self.plan.changes}.get(self.plan.action) or {}
        return dict(fields, **custom)


class ServiceCatalog(Kind):
    """pd_service_catalog: many services and their integrations, as one plan of the service and integration
    kinds' plans, applied by parallel writers."""

    argument_spec = dict(
        services=dict(type='list', elements='dict', options=service_item_spec(),
                      required_one_of=[('name', 'id')], mutually_exclusive=[('id', 'new_name')]),
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

    def __init__(self, task, client=None):
        super().__init__(task, client)
        self.scope_team_ids = []   # the teams of the scope, by ID
        self.scoped_names = set()  # the services of the scope, by name
        self.whole_account = None  # every service of the account, when the run read them all
        self.services_read = []    # every service the run read (new services' look-alikes are found among them)

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
            for name in filter(None, (item['id'], item['name'], item['new_name'])):
                if name in names:
                    self.fail('services[%d].name: %r is also services[%d]; each service is listed once'
                              % (index, name, names[name]))
                names[name] = index
            if item['depends_on'] is not None:
                parse_service_references(kind, item['depends_on'], 'depends_on')
            seen = {}
            for position, integration in enumerate(item['integrations'] or []):
                self.integration_kind(index, item, position, integration).validate()
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

    def service_kind(self, index, item, state=None):
        params = {k: v for k, v in self.params.items() if k != 'services'}
        params.update(item)
        params['state'] = state or ('absent' if self.params['state'] == 'deleted' else 'present')
        return ServiceResource(self.task.item(params, 'services[%d].' % index), client=self.client)

    def integration_kind(self, index, item, position, integration, state='present'):
        params = {k: v for k, v in self.params.items() if k != 'services'}
        params.update(integration)
        params.update(service=item['new_name'] or item['name'] or item['id'], id=integration.get('id'), state=state,
                      return_key=self.params['return_keys'], recreate=bool(integration.get('recreate')))
        where = 'services[%d].integrations[%d].' % (index, position)
        return IntegrationResource(self.task.item(params, where), client=self.client)

    # -- the run ---------------------------------------------------------------------------------

    def run(self):
        self.lookups.cached_collections = ('escalation_policies', 'vendors', 'teams', 'custom_fields')
        if self.params['state'] == 'gathered':
            return self.gather()
        with doing('read the services'):
            current = self.read_catalogue()
        with doing('plan the changes'):
            plans = [self.plan_service(index, item, current) for index, item in enumerate(self.params['services'])]
            self.plan_all_dependencies(plans)
            plans += self.plan_purge(plans, current)
        plan = self.describe_plan(plans)
        self.check_deletions(plan)
        failures = self.write(plans)
        if not failures:
            failures = self.settle_integrations(plans)
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
            with doing('find the teams of the scope'):
                query['team_ids[]'] = [self.lookups.resolve('teams', team, 'scope.teams', 'team')['id']
                                       for team in scope['teams']]
        if scope.get('name_prefix'):
            query['query'] = scope['name_prefix']
        return query

    def outside_scope(self, name, team_ids):
        """The part of the scope that a service of this name and these teams is outside, or None when it is in."""
        scope = self.params['scope'] or {}
        if scope.get('name_prefix') and not name.startswith(scope['name_prefix']):
            return 'scope.name_prefix %r' % scope['name_prefix']
        if scope.get('name_regex') and not re.search(scope['name_regex'], name):
            return 'scope.name_regex %r' % scope['name_regex']
        if scope.get('teams') and team_ids is not None and not set(self.scope_team_ids) & set(team_ids):
            return 'scope.teams (%s)' % ', '.join(scope['teams'])
        return None

    def in_scope(self, service):
        return self.outside_scope(service.get('name') or '', [t.get('id') for t in service.get('teams') or []]) is None

    def list_services(self, query):
        services = list(self.client.paginate('/services', 'services', query))
        if self.client.last_listing_truncated:
            self.fail_truncated(len(services))
        return services

    def fail_truncated(self, count):
        self.fail('services: the listing stopped at %d services, PagerDuty\'s limit for one listing, so the '
                  'catalogue cannot be read whole; narrow it with a scope (teams or name_prefix)' % count)

    def read_catalogue(self):
        """{name or ID: service} of every listed service that exists (by its name, and by its ID when an item
        names it so), and of every service in the scope.

        With a scope, the scope's listing (filtered by the server). Without, the whole account by
        pages of 100, unless looking the listed services up by name costs fewer requests.
        """
        names, ids = set(), set()
        for item in self.params['services']:
            names.update(filter(None, (item['name'], item['new_name'])))
            if item['id']:
                ids.add(item['id'])
        found = {}
        if self.params['scope'] is not None:
            query = self.scope_query()
            self.scope_team_ids = query.get('team_ids[]', [])
            for service in self.list_services(query):
                found[service['name']] = service
            self.scoped_names = {name for name, service in found.items() if self.in_scope(service)}
        missing = names - set(found)
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
        self.services_read = list(self.whole_account or found.values())
        by_id = {service['id']: service for service in found.values()}
        for service_id in sorted(ids - set(by_id)):
            service = service_by_id(self.client, service_id, CATALOG_INCLUDES)
            if service is not None:
                by_id[service_id] = service
        found.update({'id:' + service_id: service for service_id, service in by_id.items()})
        return {key: present_service(service) for key, service in found.items()}

    # -- planning --------------------------------------------------------------------------------

    def plan_service(self, index, item, current_services):
        """The plans of one item: its service's, then its integrations' (the kinds' own plans)."""
        kind = self.service_kind(index, item)
        if item['id']:
            current = current_services.get('id:' + item['id'])
            if current is None and self.params['state'] != 'deleted':
                kind.fail('%s: no service has the ID %r' % (kind.option('id'), item['id']))
        else:
            current = current_services.get(item['name'])
            if current is None and item['new_name']:
                current = current_services.get(item['new_name'])  # renamed by an earlier run
            if current is None and item['new_name'] and self.params['state'] != 'deleted':
                kind.fail('%s: no service is named %r to rename to %r, nor %r yet; to create a service, give its name '
                          'without new_name' % (kind.option('name'), item['name'], item['new_name'], item['new_name']))
        plan = kind.plan(context={'read': self.services_read}, current=current, found=True)
        name = (plan.desired or {}).get('name') or (current or {}).get('name') or item['name']
        self.check_scope(kind, plan, name)
        service_plan = ServicePlan(name, plan)
        if self.params['state'] != 'deleted':
            self.plan_integrations(service_plan, index, item)
        return service_plan

    def check_scope(self, kind, plan, name):
        """With a state that removes what it does not list, every listed service is inside the scope: the scope is
        a promise that nothing outside it is touched. A service outside it fails before any write."""
        if self.params['state'] not in PURGING_STATES or self.params['scope'] is None:
            return
        current = plan.current
        if current is not None:
            team_ids = [t.get('id') for t in current.get('teams') or []]
        else:
            teams = plan.context.get('policy_teams')
            team_ids = None if teams is None else [t.get('id') for t in teams]
        for checked in filter(None, {(current or {}).get('name'), name}):
            outside = self.outside_scope(checked, team_ids)
            if outside:
                kind.fail('%s: the service %r is outside %s, and with state %s the catalogue changes only services '
                          'inside its scope. Remove it from the list, or widen the scope.'
                          % (kind.option('name'), checked, outside, self.params['state']))

    def plan_integrations(self, service_plan, index, item):
        plan = service_plan.plan
        existing = list((plan.current or {}).get('integrations') or [])
        parent = dict(plan.current) if plan.current else {'id': None, 'name': service_plan.name, PREDICTED: True}
        parent['name'] = service_plan.name  # derived names follow a rename
        parent['integrations'] = existing
        claimed = set()
        for position, integration in enumerate(item['integrations'] or []):
            kind = self.integration_kind(index, item, position, integration)
            # Look-alikes of new integrations are settled for all the catalogue's at once (settle_integrations).
            integration_plan = kind.plan(context={'service': parent, 'settled_later': True})
            if integration_plan.current is not None:
                claimed.add(integration_plan.current['id'])
            service_plan.integrations.append(integration_plan)
        if self.params['state'] in ('replaced', 'overridden') and item['integrations'] is not None:
            for integration in existing:
                if integration['id'] not in claimed:
                    kind = self.integration_kind(index, item, 0, {k: None for k in integration_item_spec()},
                                                 state='absent')
                    kind.params['id'] = integration['id']
                    service_plan.integration_deletes.append(
                        kind.plan(context={'service': parent}, current=integration, found=True))

    def plan_all_dependencies(self, plans):
        """The depends_on of each item that lists it: merged adds what is missing; replaced and
        overridden make the list exact. Supporting services the catalogue lists are known without a
        request (those it creates too); others are looked up once each."""
        items = self.params['services']
        listed = [(index, plan) for index, plan in enumerate(plans) if items[index]['depends_on'] is not None]
        if not listed:
            return
        mode = 'append' if self.params['state'] == 'merged' else 'exclusive'
        catalogue = {}
        for service_plan in plans:
            service = service_plan.plan.current or {'id': None, 'name': service_plan.name, PREDICTED: True}
            catalogue[service_plan.name] = service_node(dict(service, name=service_plan.name), 'technical')
        directory = ServiceDirectory(self, technical=self.whole_account)
        for index, service_plan in listed:
            kind = service_plan.plan.kind
            node = catalogue[service_plan.name]
            relationships = []
            if node['id'] is not None:
                with doing('read the dependencies of service %r' % service_plan.name):
                    relationships = read_relationships(self.client, node) or []
            parsed = parse_service_references(kind, items[index]['depends_on'], 'depends_on')
            known = [(label, dict(catalogue[value])) for label, value, service_type in parsed
                     if value in catalogue and service_type in (None, 'technical')]
            others = [entry for entry in parsed if not (entry[1] in catalogue and entry[2] in (None, 'technical'))]
            wanted = known + directory.supporting(others, 'present', supporting_refs(node, relationships))
            service_plan.dependencies = plan_dependencies(kind, node, relationships, wanted, mode, 'present',
                                                          directory.describe, option='depends_on')
            warn_gone(kind, service_plan.dependencies)
            if service_plan.dependencies.changed:
                directory.name_all(service_plan.dependencies.before + service_plan.dependencies.after)

    def plan_purge(self, plans, current_services):
        """overridden: every service in the scope that is not listed is deleted."""
        if self.params['state'] != 'overridden':
            return []
        listed = set()
        for service_plan in plans:
            listed.add(service_plan.name)
            listed.add((service_plan.plan.current or {}).get('name'))
        purged = []
        for name in sorted(self.scoped_names - listed):
            kind = self.service_kind(0, {k: None for k in service_item_spec()}, state='absent')
            kind.params['name'] = name
            purged.append(ServicePlan(name, kind.plan(context={}, current=current_services[name], found=True)))
        return purged

    def describe_plan(self, plans):
        """The plan as results show it: one entry per action, in the order the writes happen."""
        entries = []
        for service_plan in plans:
            if service_plan.plan.changed:
                action = service_plan.action or 'update'
                entries.append(plan_entry(action, 'service', service_plan.name,
                                          fields=service_plan.changes if action != 'delete' else None))
            for deleted in service_plan.integration_deletes:
                entries.append(plan_entry('delete', 'integration', service_plan.name, deleted.current['name']))
            for integration in service_plan.integrations:
                if integration.action:
                    fields = integration.desired if integration.action == 'create' else integration.changes
                    entries.append(plan_entry(integration.reason or integration.action, 'integration', service_plan.name,
                                              integration.desired.get('name'), fields))
            entries.extend(dependency_entries(service_plan))
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
        """Apply every plan (render it, in check mode), services in parallel (parallel_writes), each service before
        its integrations. Returns [(plan, message)] of the services whose writes failed; the others are complete."""
        failures = []
        workers = 1 if self.check_mode else self.params['parallel_writes']
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for service_plan, message in pool.map(self.execute_service, plans):
                if message:
                    failures.append((service_plan, message))
        return failures

    @staticmethod
    def run_plan(plan):
        kind = plan.kind
        return kind.render(plan) if kind.check_mode else kind.apply(plan)

    def execute_service(self, service_plan):
        kind = service_plan.plan.kind
        try:
            service_plan.result = self.run_plan(service_plan.plan)
            service = service_plan.result.get('service') or service_plan.plan.current
            if not service or service_plan.action == 'delete':
                return service_plan, None
            parent = dict(service, integrations=list((service_plan.plan.current or {}).get('integrations') or []))
            if service_plan.action == 'create' and self.check_mode:
                parent[PREDICTED] = True
            for integration_plan in service_plan.integration_deletes + service_plan.integrations:
                integration_plan.context['service'] = parent
                kind = integration_plan.kind
                service_plan.integration_results[id(integration_plan)] = self.run_plan(integration_plan)
        except TaskFailed as failure:
            return service_plan, failure.msg
        except ApiError as err:
            return service_plan, kind.explain(err)
        return service_plan, None

    def settle_integrations(self, plans):
        """The look-alikes of the integrations the run created, settled for all of them at once, as the integration
        kind settles one (Resource.settle_twins): read until every new integration shows, watch for as long as
        creates of other runs in flight at the same moment may take to land, read again, and keep the oldest of
        each name (deleting only this run's own). Reads cost a page of 100 services, or one read a service when
        that is less. Returns [(plan, message)] of the services that could not be settled."""
        made = [(service_plan, plan) for service_plan in plans for plan in service_plan.integrations
                if plan.action in ('create', 'replace') and (plan.result or {}).get('id')
                and id(plan) in service_plan.integration_results]
        if not made or self.check_mode:
            return []
        service_ids = sorted({plan.context['service']['id'] for dummy, plan in made})
        created = {plan.result['id'] for dummy, plan in made}
        try:
            with doing('read back the integrations the run created'):
                read = self.wait_until(lambda: self.integrations_of(service_ids),
                                       lambda found: created <= {i['id'] for found_list in found.values() for i in found_list},
                                       'reading back the new integrations')
                timelines = [plan.timeline for dummy, plan in made]
                now = timelines[0].clock()
                lag = now - max(timeline.answered for timeline in timelines)
                if self.pause(max(timeline.watch_end(lag) for timeline in timelines) - now):
                    read = self.integrations_of(service_ids)
        except ApiError as err:
            return [(service_plan, self.explain(err)) for service_plan in {id(p): p for p, dummy in made}.values()]
        failures = []
        for service_plan, plan in made:
            kind = plan.kind
            try:
                kept = kind.keep_oldest(plan, plan.result, kind.twins_among(plan, read.get(plan.context['service']['id']) or []))
            except ApiError as err:
                failures.append((service_plan, kind.explain(err)))
                continue
            if kept is not plan.result:
                plan.result = kept
                result = service_plan.integration_results[id(plan)]
                result['integration'] = kind.reported(plan, kept)
        return failures

    def integrations_of(self, service_ids):
        """{service ID: its integrations as a read shows them now}: a listing of every service (a page of 100 each)
        when that costs fewer requests than reading each service."""
        includes = {'include[]': ['integrations']}
        listing = self.client.paginate('/services', 'services', dict(includes, total='true'))
        first_page = list(itertools.islice(listing, PAGE_LIMIT))
        total = self.client.last_listing_total or len(first_page)
        if math.ceil(total / float(PAGE_LIMIT)) <= len(service_ids):
            services = first_page + list(listing)
        else:
            services = [s for s in first_page if s['id'] in service_ids]
            known = {s['id'] for s in services}
            services += [s for s in (service_by_id(self.client, i, ('integrations',)) for i in service_ids
                                     if i not in known) if s]
        return {s['id']: s.get('integrations') or [] for s in services if s['id'] in service_ids}

    def write_dependencies(self, plans):
        """Every service's dependency changes in one associate and one disassociate request, once the
        services exist (a service may depend on one this run creates)."""
        changed = [p for p in plans if p.dependencies is not None and p.dependencies.changed]
        if not changed or self.check_mode:
            return []
        ids = {p.name: ((p.result or {}).get('service') or p.plan.current or {}).get('id') for p in plans}
        for service_plan in changed:
            dependencies = service_plan.dependencies
            for node in [dependencies.service] + dependencies.associate + dependencies.disassociate:
                if node['id'] is None:
                    node['id'] = ids.get(node['name'])
                    node.pop(PREDICTED, None)
        try:
            send_dependency_changes(self, [p.dependencies for p in changed])
        except TaskFailed as failure:
            return [(p, failure.msg) for p in changed]
        except ApiError as err:
            return [(p, self.explain(err)) for p in changed]
        for service_plan in changed:
            service_plan.dependencies.done = True
        return []

    def progress(self, plans):
        """(done, not done): the plan's entries split by what the run completed."""
        done, not_done = [], []
        for service_plan in plans:
            if service_plan.plan.changed:
                entry = plan_entry(service_plan.action or 'update', 'service', service_plan.name)
                (done if service_plan.result is not None else not_done).append(entry)
            for integration in service_plan.integration_deletes + service_plan.integrations:
                if integration.action:
                    name = (integration.desired or integration.current).get('name')
                    entry = plan_entry(integration.reason or integration.action, 'integration', service_plan.name, name)
                    (done if id(integration) in service_plan.integration_results else not_done).append(entry)
            dependencies_done = service_plan.dependencies is not None and service_plan.dependencies.done
            for entry in dependency_entries(service_plan):
                (done if dependencies_done else not_done).append(entry)
        return done, not_done

    @staticmethod
    def failure_message(failures, done, not_done):
        reasons = '; '.join('service %r: %s' % (service_plan.name, message) for service_plan, message in failures)
        return ('%d of %d planned changes were made, %d were not (see done and not_done): %s'
                % (len(done), len(done) + len(not_done), len(not_done), reasons))

    # -- results ---------------------------------------------------------------------------------

    def services_after(self, plans):
        """Every listed service as the run leaves it, with its integrations (keys unless return_keys is false)."""
        services = []
        for service_plan in plans:
            if service_plan.action == 'delete' or self.params['state'] == 'deleted':
                continue
            service = dict((service_plan.result or {}).get('service') or service_plan.plan.current or {})
            if not service:
                continue
            integrations = {i['id']: i for i in (service_plan.plan.current or {}).get('integrations') or []}
            for deleted in service_plan.integration_deletes:
                if id(deleted) in service_plan.integration_results:
                    integrations.pop(deleted.current['id'], None)
            listed = []
            for integration in service_plan.integrations:
                result = service_plan.integration_results.get(id(integration)) or {}
                shown = result.get('integration') or integration.kind.reported(integration, integration.current)
                if integration.current:
                    integrations.pop(integration.current['id'], None)
                if shown:
                    listed.append(shown)
            others = [present_integration(i, self.params['return_keys']) for i in integrations.values()]
            service['integrations'] = listed + others
            if service_plan.dependencies is not None:
                service['depends_on'] = listed_services(service_plan.dependencies.result)
            services.append(service)
        return services

    def diffs(self, plans):
        """One diff per service that changes, as a person reviews a plan: its settings, then its integrations."""
        diffs = []
        for service_plan in plans:
            before, after = {}, {}
            service_diff = (service_plan.result or {}).get('diff')
            if service_diff:
                before.update(service_diff['before'])
                after.update(service_diff['after'])
            for integration in service_plan.integration_deletes + service_plan.integrations:
                integration_diff = (service_plan.integration_results.get(id(integration)) or {}).get('diff')
                if integration_diff:
                    name = (integration.desired or integration.current).get('name')
                    before.setdefault('integrations', {})[name] = integration_diff['before']
                    after.setdefault('integrations', {})[name] = integration_diff['after']
            if service_plan.dependencies is not None and service_plan.dependencies.changed:
                dependency_diff = service_plan.dependencies.diff()
                before.update(dependency_diff['before'])
                after.update(dependency_diff['after'])
            if before or after:
                diffs.append({'before_header': 'service %s' % service_plan.name,
                              'after_header': 'service %s' % service_plan.name, 'before': before, 'after': after})
        return diffs

    # -- gathered --------------------------------------------------------------------------------

    def gather(self):
        """The services in the scope, in the input format of `services`: feeding them back with merged changes
        nothing. What PagerDuty serves per service (custom field values, dependencies) is read in parallel."""
        with doing('read the services of the scope'):
            query = self.scope_query()
            self.scope_team_ids = query.get('team_ids[]', [])
            services = [present_service(s) for s in self.list_services(query) if self.in_scope(s)]
        services.sort(key=lambda s: (s['name'].casefold(), s['name']))
        kind = self.service_kind(0, {k: None for k in service_item_spec()})
        gathered = [self.gathered_service(kind, s) for s in services]
        directory = ServiceDirectory(self)
        with ThreadPoolExecutor(max_workers=self.params['parallel_writes']) as pool:
            extras = list(pool.map(self.service_extras, services))
        for item, service, (values, supporting) in zip(gathered, services, extras):
            if values:
                item['custom_fields'] = values
            directory.name_all(supporting)
            if supporting:
                item['depends_on'] = [ref['name'] if ref['type'] == 'technical' else {'name': ref['name'], 'type': ref['type']}
                                      for ref in sorted(supporting, key=lambda r: (r['type'], r['name'] or ''))]
        return dict(changed=False, services=gathered)

    def gathered_service(self, kind, service):
        """One service as an item of `services`: the service kind's own mapping, its integrations the integration
        kind's. A name that a task would refuse as new input (a space at either end, ...) names it by its ID."""
        item = kind.gathered(service)
        try:
            kind.check_name('name', service['name'])
        except TaskFailed:
            item = dict(item, id=service['id'])
            del item['name']
        item['integrations'] = [IntegrationResource.gathered_of(i) for i in service.get('integrations') or []]
        return without_empty(item)

    def service_extras(self, service):
        """(custom field values, supporting services) of one service: PagerDuty serves them per service."""
        with doing('read the custom field values of service %r' % service['name']):
            values = {k: v for k, v in read_custom_field_values(self.client, service['id']).items() if v is not None}
        with doing('read the dependencies of service %r' % service['name']):
            node = service_node(service, 'technical')
            supporting = supporting_refs(node, read_relationships(self.client, node) or [])
        return values, supporting


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
