# -*- coding: utf-8 -*-
# Copyright: contributors to oncall.pagerduty
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Service dependencies: the services a technical or business service depends on (its supporting services).

Used by pd_service_dependency, and by the catalogue for the ``depends_on`` of each service. A
relationship joins a supporting service to a dependent one; either end is a technical service (what
PagerDuty calls a service) or a business service. PagerDuty reads the immediate relationships of one
service (both directions) in one request, and writes any number of relationships, of any services, in
one associate or one disassociate request. So a task:

1. finds the services (``ServiceDirectory``; business services have no name filter, so they are listed
   once for the task, and the catalogue can hand in what it already read),
2. reads each service's relationships (``read_relationships``),
3. plans what to associate and disassociate for each service (``plan_dependencies``), compared as sets,
4. sends every plan's changes at once (``send_dependency_changes``): at most one associate and one
   disassociate request, re-read before anything is sent again, then read back until reads show it.
"""

from __future__ import annotations

from urllib.parse import quote

from ansible_collections.oncall.pagerduty.plugins.module_utils._business_service import list_business_services
from ansible_collections.oncall.pagerduty.plugins.module_utils._client import ApiError
from ansible_collections.oncall.pagerduty.plugins.module_utils._lookup import Lookups, looks_like_id, rank_close
from ansible_collections.oncall.pagerduty.plugins.module_utils._resource import PREDICTED, Kind, doing
from ansible_collections.oncall.pagerduty.plugins.module_utils._service import find_service, service_by_id

SERVICE_TYPES = ('business', 'technical')
TYPE_LABELS = {'technical': 'technical service', 'business': 'business service'}
MODES = ('append', 'exclusive')
# How a relationship's ends are typed when sent.
SENT_TYPES = {'technical': 'service', 'business': 'business_service'}
DEPENDENCY_PATHS = {'technical': '/service_dependencies/technical_services/%s',
                    'business': '/service_dependencies/business_services/%s'}
# POST /service_dependencies/associate: "A service can have a maximum of 2,000 dependencies".
MAX_DEPENDENCIES = 2000

# The option of the supporting services: each a name or ID, or {name, type}.
DEPENDS_ON_OPTION = dict(type='list', elements='raw')


# -- services as the ends of relationships ---------------------------------------------------------

def service_node(obj, service_type):
    """A service as one end of a relationship: {id, name, type} (type technical or business)."""
    node = {'id': obj.get('id'), 'name': obj.get('name') or obj.get('summary'), 'type': service_type}
    if obj.get(PREDICTED):
        node[PREDICTED] = True
    return node


def node_key(node):
    """What identifies a service among relationships; a service that check mode predicts has only its name."""
    return (node['id'] or 'predicted:%s' % node['name'], node['type'])


def service_label(node):
    """'name' (technical service, ID) for messages."""
    return '%r (%s, %s)' % (node.get('name') or node['id'], TYPE_LABELS[node['type']], node['id'] or 'to be created')


def listed(nodes):
    """Services as results show them: {id, name, type}, by type and name."""
    shown = [{'id': n['id'], 'name': n['name'], 'type': n['type']} for n in nodes]
    return sorted(shown, key=lambda n: (n['type'], n['name'] or '', n['id'] or ''))


def shown_in_diff(nodes):
    """Services as a diff shows them: what a user writes in depends_on, never IDs."""
    return sorted(({'name': n['name'] or n['id'], 'type': n['type']} for n in nodes), key=lambda n: (n['type'], n['name']))


# -- the option ------------------------------------------------------------------------------------

def parse_service_references(kind, values, option):
    """[(label, value, type or None)] of a list option whose items are a name or ID, or {name, type}.

    Fails, naming the item, on anything else, and on an item listed twice.
    """
    parsed = []
    seen = {}
    for index, item in enumerate(values or []):
        label = '%s[%d]' % (kind.option(option), index)
        service_type = None
        if isinstance(item, dict):
            unknown = sorted(set(item) - {'name', 'type'})
            if unknown:
                kind.fail('%s: unknown key %s; an item is a service name or ID, or {name, type}'
                          % (label, ', '.join(map(str, unknown))))
            name, service_type = item.get('name'), item.get('type')
            if service_type is not None and service_type not in SERVICE_TYPES:
                kind.fail('%s.type: must be technical or business, got %r' % (label, service_type))
            where = label + '.name'
        else:
            name, where = item, label
        if isinstance(name, int) and not isinstance(name, bool):
            name = str(name)  # YAML reads a name of digits as a number
        if not isinstance(name, str):
            kind.fail('%s: must be a service name or ID, or {name, type}, got %r' % (where, name))
        if not name.strip():
            kind.fail('%s: must not be blank' % where)
        if (name, service_type) in seen:
            kind.fail('%s: %r is listed twice (also %s)' % (label, name, seen[(name, service_type)]))
        seen[(name, service_type)] = label
        parsed.append((label, name, service_type))
    return parsed


# -- finding services ------------------------------------------------------------------------------

class ServiceDirectory:
    """Technical and business services found by name or ID, for one task.

    A technical service is found by PagerDuty's exact-name filter (one request each, remembered); the
    business services are listed once, when a look-up first needs them, since their list has no name
    filter. The catalogue hands in the services it already read (``technical``, ``business``), and then
    look-ups cost nothing. A name that both a technical and a business service have fails, listing both,
    unless the item says its type.
    """

    def __init__(self, kind, technical=None, business=None):
        self.kind = kind
        self._technical = None if technical is None else list(technical)
        self._business = None if business is None else list(business)
        self._technical_found = {}

    @property
    def client(self):
        return self.kind.client

    def business_services(self):
        if self._business is None:
            with doing('list the business services'):
                self._business = list_business_services(self.client)
        return self._business

    def technical_matches(self, value, option):
        if self._technical is not None:
            return [s for s in self._technical if s.get('id') == value] or \
                [s for s in self._technical if s.get('name') == value]
        if value not in self._technical_found:
            with doing('find the service %r' % value):
                self._technical_found[value] = find_service(self.client, value, option)
        found = self._technical_found[value]
        return [found] if found else []

    def business_matches(self, value):
        services = self.business_services()
        return [b for b in services if b.get('id') == value] or [b for b in services if b.get('name') == value]

    def find(self, value, service_type, option):
        """The service named or identified by `value` (of `service_type` when given), or None."""
        matches = []
        if service_type != 'business':
            matches.extend(service_node(s, 'technical') for s in self.technical_matches(value, option))
        found_by_id = matches and looks_like_id(value) and matches[0]['id'] == value
        if service_type != 'technical' and not found_by_id:
            matches.extend(service_node(b, 'business') for b in self.business_matches(value))
        if len(matches) > 1:
            types = {m['type'] for m in matches}
            hint = ('say which with {name: %r, type: technical} or type: business' % value if len(types) > 1
                    else 'give the ID of the one you mean')
            self.kind.fail('%s: %d services are named %r: %s; %s'
                           % (option, len(matches), value, ', '.join(service_label(m) for m in matches), hint))
        return matches[0] if matches else None

    def resolve(self, value, service_type, option, state='present'):
        """The service for an option; None with state absent when there is none.

        In check mode, a service that does not exist is taken as created by an earlier task of the run
        (with a warning); a real run fails, naming the option and the closest names.
        """
        node = self.find(value, service_type, option)
        if node is not None or state == 'absent':
            return node
        if self.kind.check_mode:
            singular = 'business_service' if service_type == 'business' else 'service'
            return service_node(self.kind.predicted_parent(value, option, singular), service_type or 'technical')
        self.kind.fail(self.not_found_message(value, service_type, option))

    def not_found_message(self, value, service_type, option):
        what = TYPE_LABELS[service_type] if service_type else 'technical or business service'
        pool = []
        if service_type != 'business':
            technical = (rank_close(value, self._technical) if self._technical is not None
                         else Lookups.of(self.client).close_matches('services', value))
            pool.extend(service_node(s, 'technical') for s in technical)
        if service_type != 'technical':
            pool.extend(service_node(b, 'business') for b in rank_close(value, self.business_services()))
        message = '%s: no %s is named or identified by %r' % (option, what, value)
        close = rank_close(value, pool)
        if close:
            message += '; did you mean %s?' % ' or '.join(service_label(n) for n in close)
        return message

    def supporting(self, items, state, current=()):
        """[(label, node)] of parsed depends_on items.

        An ID among `current` (the supporting services the service has) is taken as it is, without a
        request. With state absent, a service that does not exist is left out with a warning: nothing can
        depend on it.
        """
        resolved = []
        labels = {}
        for label, value, service_type in items:
            known = [ref for ref in current if ref['id'] == value and service_type in (None, ref['type'])]
            node = dict(known[0]) if known else self.resolve(value, service_type, label, state)
            if node is None:
                self.kind.warn('%s: no %s is named or identified by %r, so nothing depends on it; nothing to remove'
                               % (label, TYPE_LABELS[service_type] if service_type else 'service', value))
                continue
            if node_key(node) in labels:
                self.kind.fail('%s: %r is the same service as %s' % (label, value, labels[node_key(node)]))
            labels[node_key(node)] = label
            resolved.append((label, node))
        return resolved

    def describe(self, ref):
        """The service a relationship end {id, type} names, with its name; None when it no longer exists."""
        if ref['type'] == 'business':
            found = [b for b in self.business_services() if b.get('id') == ref['id']]
        elif self._technical is not None:
            found = [s for s in self._technical if s.get('id') == ref['id']]
        else:
            with doing('read the service %r' % ref['id']):
                found = [s for s in [service_by_id(self.client, ref['id'])] if s]
        return service_node(found[0], ref['type']) if found else None

    def name_all(self, nodes):
        """Give names to services known only by ID (for a diff); each looked up once."""
        names = {}
        for node in nodes:
            if node['name'] is None and node['id'] is not None:
                if node_key(node) not in names:
                    described = self.describe(node)
                    names[node_key(node)] = described['name'] if described else None
                node['name'] = names[node_key(node)]


# -- reading and planning --------------------------------------------------------------------------

def read_relationships(client, service):
    """The immediate relationships of the service, as dependent and as supporting; None when it does not exist."""
    path = DEPENDENCY_PATHS[service['type']] % quote(service['id'], safe='')
    data = client.get(path)
    if data is None:
        return None
    return list(client.enveloped(data, 'relationships', 'GET', path, listing=True))


def relationship_end(relationship, end):
    ref = relationship.get(end + '_service') or {}
    # Read as technical_service_reference or business_service_reference; sent as service or business_service.
    return {'id': ref.get('id'), 'name': None, 'type': 'business' if 'business' in (ref.get('type') or '') else 'technical'}


def relationship_key(relationship):
    """(supporting id, its type, dependent id, its type) of a relationship read or sent."""
    return node_key(relationship_end(relationship, 'supporting')) + node_key(relationship_end(relationship, 'dependent'))


def supporting_refs(service, relationships):
    """The services the service depends on, as {id, name: None, type}, each once."""
    return _other_ends(service, relationships, 'dependent', 'supporting')


def dependent_refs(service, relationships):
    """The services that depend on the service, each once."""
    return _other_ends(service, relationships, 'supporting', 'dependent')


def _other_ends(service, relationships, own_end, other_end):
    found = {}
    for item in relationships or []:
        if node_key(relationship_end(item, own_end)) == node_key(service):
            other = relationship_end(item, other_end)
            found.setdefault(node_key(other), other)
    return list(found.values())


def relationship(supporting, dependent):
    """A relationship as PagerDuty takes it in associate and disassociate requests."""
    return {'supporting_service': {'id': supporting['id'], 'type': SENT_TYPES[supporting['type']]},
            'dependent_service': {'id': dependent['id'], 'type': SENT_TYPES[dependent['type']]}}


class DependencyPlan:
    """What a task does to the dependencies of one service."""

    def __init__(self, service):
        self.service = service
        self.associate = []     # supporting services to add
        self.disassociate = []  # supporting services to remove
        self.before = []        # what the diff shows before and after
        self.after = []
        self.result = []        # the supporting services after the run
        self.gone = []          # relationships PagerDuty still lists with a service that no longer exists
        self.disassociate_first = False
        self.done = False       # its writes were made (the catalogue reports what was done)

    @property
    def changed(self):
        return bool(self.associate or self.disassociate)

    def relationships(self, supporting):
        return [relationship(node, self.service) for node in supporting]

    def diff(self):
        return {'before': {'depends_on': shown_in_diff(self.before)}, 'after': {'depends_on': shown_in_diff(self.after)}}


def plan_dependencies(kind, service, relationships, wanted, mode='append', state='present', describe_ref=None,
                      option='depends_on'):
    """The plan for one service, from its relationships (read_relationships) and `wanted`, [(label, node)].

    state present with mode append adds what is missing; mode exclusive also removes the supporting
    services not wanted; state absent removes the wanted ones that exist. Compared as sets of services.
    `describe_ref(ref)` names a supporting service that exclusive removes (None when it no longer exists:
    such a relationship is not sent, but reported in `gone`). What PagerDuty would refuse (a service
    depending on itself, a two-way dependency, more than 2,000 dependencies) fails here, before any write.
    """
    plan = DependencyPlan(service)
    current = supporting_refs(service, relationships)
    current_keys = {node_key(ref) for ref in current}
    wanted_nodes = [node for dummy, node in wanted]
    wanted_keys = {node_key(node) for node in wanted_nodes}
    for label, node in wanted:
        if node_key(node) == node_key(service):
            kind.fail('%s: %s is the service itself; a service cannot depend on itself' % (label, service_label(node)))
    kept = [ref for ref in current if node_key(ref) not in wanted_keys]
    if state == 'absent':
        plan.disassociate = [node for node in wanted_nodes if node_key(node) in current_keys]
        plan.before, plan.after, plan.result = list(plan.disassociate), [], kept
        return plan
    dependents = {node_key(ref) for ref in dependent_refs(service, relationships)}
    for label, node in wanted:
        if node_key(node) not in current_keys and node_key(node) in dependents:
            kind.fail('%s: %s depends on %s already; a dependency both ways would be a cycle, which PagerDuty refuses'
                      % (label, service_label(node), service_label(service)))
    plan.associate = [node for node in wanted_nodes if node_key(node) not in current_keys]
    plan.before = [node for node in wanted_nodes if node_key(node) in current_keys]
    plan.after = plan.result = list(wanted_nodes)
    if mode == 'exclusive':
        for ref in kept:
            described = describe_ref(ref) if describe_ref else ref
            if described is None:
                plan.gone.append(ref)
            else:
                plan.disassociate.append(described)
        plan.before = plan.before + plan.disassociate
    else:
        plan.result = plan.result + kept
    count = len(relationships or []) + len(plan.associate) - len(plan.disassociate)
    if count > MAX_DEPENDENCIES:
        kind.fail('%s: %s would have %d dependencies (those it depends on and those depending on it), and PagerDuty '
                  'allows %d' % (kind.option(option), service_label(service), count, MAX_DEPENDENCIES))
    # Removing first only when adding first would pass the limit: otherwise a failure leaves no dependency lost.
    plan.disassociate_first = len(relationships or []) + len(plan.associate) > MAX_DEPENDENCIES
    return plan


def warn_gone(kind, plan):
    for ref in plan.gone:
        kind.warn('PagerDuty still lists a dependency of %s on the %s %s, which no longer exists; PagerDuty removes '
                  'the dependencies of a deleted service by itself, so nothing was sent for it'
                  % (service_label(plan.service), TYPE_LABELS[ref['type']], ref['id']))


# -- writing ---------------------------------------------------------------------------------------

def send_dependency_changes(kind, plans, option='depends_on'):
    """Send the changes of every plan: one associate request, one disassociate request (when there is something
    to send), then read each changed service's relationships until reads show the changes.

    Associations go first, so that a failure half-way loses no dependency (unless that would pass the
    limit of dependencies). A request that got no clear answer is never sent again blindly: the
    relationships are read first, and only what is still missing is sent again, within the retry budget.
    """
    changed = [plan for plan in plans if plan.changed]
    if not changed:
        return
    associate = [r for plan in changed for r in plan.relationships(plan.associate)]
    disassociate = [r for plan in changed for r in plan.relationships(plan.disassociate)]

    def present_keys():
        keys = set()
        for plan in changed:
            with doing('read the dependencies of %s' % service_label(plan.service)):
                keys.update(relationship_key(r) for r in read_relationships(kind.client, plan.service) or [])
        return keys

    steps = [('associate', associate, True), ('disassociate', disassociate, False)]
    if any(plan.disassociate_first for plan in changed):
        steps.reverse()
    for action, relationships, exist in steps:
        if relationships:
            _post_relationships(kind, action, relationships, exist, present_keys, option)

    def shows_every_change(keys):
        return (all(relationship_key(r) in keys for r in associate)
                and not any(relationship_key(r) in keys for r in disassociate))

    kind.wait_until(present_keys, shows_every_change, 'reading back the dependencies')


def _post_relationships(kind, action, relationships, exist, present_keys, option):
    """POST /service_dependencies/<action> with the relationships, once (Kind.write_once): after an unclear
    failure, reads tell what was done, and only what they do not show is sent again (`exist`: whether done means
    present). PagerDuty answers 404 for a service created a moment ago until its dependency graph knows it: that is
    sent again until reads catch up, within the retry budget."""
    pending = list(relationships)

    def send():
        with doing('%s %d service dependenc%s' % (action, len(pending), 'y' if len(pending) == 1 else 'ies')):
            return kind.client.post('/service_dependencies/' + action, {'relationships': pending})

    def all_done():
        keys = present_keys()
        pending[:] = [r for r in pending if (relationship_key(r) in keys) != exist]
        return not pending

    try:
        kind.write_once(send, all_done, not_yet=lambda err: err.status == 404)
    except ApiError as err:
        if err.status == 404:
            kind.fail('%s: PagerDuty did not find a service of these dependencies (%s) within the retry budget '
                      '(retry_timeout): it may have been deleted since the task looked it up; run the task again (%s)'
                      % (kind.option(option), action, err), **err.result_fields())
        raise


# -- the kind --------------------------------------------------------------------------------------

class ServiceDependencyKind(Kind):
    """pd_service_dependency: the supporting services of one technical or business service."""

    argument_spec = dict(
        service=dict(type='str', required=True),
        service_type=dict(type='str', choices=list(SERVICE_TYPES)),
        depends_on=dict(DEPENDS_ON_OPTION, required=True),
        mode=dict(type='str', default='append', choices=list(MODES)),
        state=dict(type='str', default='present', choices=['absent', 'present']),
    )

    def validate(self):
        self.fail_if_blank('service')
        params = self.params
        if params['state'] == 'absent' and params['mode'] == 'exclusive':
            self.fail('%s: exclusive makes depends_on the whole list of dependencies, which only state present does; '
                      'with state absent, list the dependencies to remove' % self.option('mode'))
        self.items = parse_service_references(self, params['depends_on'], 'depends_on')
        if len(self.items) > MAX_DEPENDENCIES:
            self.fail('%s: PagerDuty allows a service %d dependencies, got %d'
                      % (self.option('depends_on'), MAX_DEPENDENCIES, len(self.items)))

    def run(self):
        params = self.params
        state = params['state']
        directory = ServiceDirectory(self)
        with doing('find the service %r' % params['service']):
            service = directory.resolve(params['service'], params['service_type'], self.option('service'), state)
        if service is None:
            return self.nothing_to_remove('no %s is named or identified by %r'
                                          % (TYPE_LABELS.get(params['service_type'], 'service'), params['service']))
        relationships = []
        if not service.get(PREDICTED):
            with doing('read the dependencies of %s' % service_label(service)):
                relationships = read_relationships(self.client, service)
            if relationships is None:  # deleted between the look-up and this read
                if state == 'absent':
                    return self.nothing_to_remove('%s no longer exists' % service_label(service))
                self.fail('%s: %s no longer exists (PagerDuty says so for its dependencies); it was deleted '
                          'meanwhile' % (self.option('service'), service_label(service)))
        wanted = directory.supporting(self.items, state, supporting_refs(service, relationships))
        plan = plan_dependencies(self, service, relationships, wanted, params['mode'], state, directory.describe)
        warn_gone(self, plan)
        if plan.changed:
            directory.name_all(plan.before + plan.after)
            if not self.check_mode:
                send_dependency_changes(self, [plan])
        result = dict(changed=plan.changed, service=listed([service])[0], depends_on=listed(plan.result),
                      associated=listed(plan.associate), disassociated=listed(plan.disassociate))
        if plan.changed and self.task.diff:
            result['diff'] = plan.diff()
        return result

    def nothing_to_remove(self, reason):
        """state absent for a service that does not exist: nothing depends on it, and nothing is to do."""
        self.warn('%s: %s, so it has no dependencies to remove' % (self.option('service'), reason))
        return dict(changed=False, service={}, depends_on=[], associated=[], disassociated=[])
