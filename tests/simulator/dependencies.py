"""Business services and service dependencies (/business_services, /service_dependencies/...).

A family of endpoints mixed into PagerDutyAccount (see pagerduty.py): `reset_dependencies()` sets up its
state, `routes_dependencies()` lists its (method, path pattern, handler) routes. Behaviour and sources are
in README.md.

A relationship joins a supporting service to a dependent one; either end is a technical service (a
service of pagerduty.py) or a business service. Relationships are never deleted from `relationships`:
a removed one is marked so, which lets reads show it for a while after its removal, as PagerDuty's
eventually consistent dependency graph does (read_after_write_lag_seconds).
"""

import copy

from .api import ApiFailure, invalid, not_found

# POST /business_services: "There is a limit of 5,000 business services per account."
MAX_BUSINESS_SERVICES = 5000
# POST /service_dependencies/associate: "A service can have a maximum of 2,000 dependencies with a depth
# limit of 100."
MAX_DEPENDENCIES_PER_SERVICE = 2000
MAX_DEPTH = 100
# The types a relationship's ends are sent with (TF validates these, and PagerDuty answers the *_reference
# forms), and the types reads show.
SENT_TYPES = {'service': 'technical', 'technical_service_reference': 'technical',
              'business_service': 'business', 'business_service_reference': 'business'}
READ_TYPES = {'technical': 'technical_service_reference', 'business': 'business_service_reference'}
# The answer of POST/disassociate naming a service that does not exist (terraform-provider-pagerduty PR #376).
UNKNOWN_SERVICE = 'Business/Technical Service not found or lack permissions against'


class DependencyEndpoints:
    family = 'dependencies'

    def reset_dependencies(self):
        self.business_services = {}
        self.relationships = {}   # relationship id -> relationship, with 'removed' once disassociated

    def routes_dependencies(self):
        segment = r'([^/]+)'
        return [
            ('GET', r'/business_services', self.list_business_services),
            ('POST', r'/business_services', self.create_business_service),
            ('GET', r'/business_services/' + segment, self.get_business_service),
            ('PUT', r'/business_services/' + segment, self.update_business_service),
            ('DELETE', r'/business_services/' + segment, self.delete_business_service),
            ('POST', r'/service_dependencies/associate', self.associate_dependencies),
            ('POST', r'/service_dependencies/disassociate', self.disassociate_dependencies),
            ('GET', r'/service_dependencies/technical_services/' + segment, self.technical_service_dependencies),
            ('GET', r'/service_dependencies/business_services/' + segment, self.business_service_dependencies),
        ]

    # -- what other families call ----------------------------------------------------------------

    def service_deleted_dependencies(self, service_id):
        """A deleted service's relationships go with it; reads may show them for a while (the lag)."""
        self._remove_relationships_of(service_id)

    def add_business_service(self, name, **fields):
        """A business service made outside the API (tests): names are not checked, as the API does not either."""
        with self.seeding():
            created = self.create_business_service({}, {'business_service': dict(fields, name=name)})[1]
        return self.business_services[created['business_service']['id']]

    # -- business services -----------------------------------------------------------------------

    def business_service_view(self, business_service):
        return copy.deepcopy(business_service)

    def _business_service(self, business_service_id):
        """A business service a write addresses: writes see the latest state, whatever reads lag behind."""
        if business_service_id not in self.business_services:
            raise not_found(2100, 'Not Found')
        return self.business_services[business_service_id]

    def _apply_business_service_fields(self, business_service, fields, creating):
        errors = []
        if 'name' in fields or creating:
            name = fields.get('name')
            if not isinstance(name, str) or not name.strip():
                errors.append("Name can't be blank")
            else:
                business_service['name'] = business_service['summary'] = name
        for key in ('description', 'point_of_contact'):
            if key in fields:
                value = fields[key]
                if value is not None and not isinstance(value, str):
                    errors.append('%s must be a string' % key.replace('_', ' ').capitalize())
                else:
                    business_service[key] = value or ''
        if 'team' in fields:
            team = fields['team']
            if team is None or team == {}:  # {}: as terraform-provider-pagerduty clears it; null as the schema allows
                business_service['team'] = None
            elif not isinstance(team, dict) or team.get('id') not in self.teams:
                errors.append('Team %s was not found' % (team.get('id') if isinstance(team, dict) else team))
            else:
                # The description's examples: a team reference without a summary.
                business_service['team'] = {'id': team['id'], 'type': 'team_reference', 'self': self.teams[team['id']]['self']}
        if errors:
            raise invalid(*errors)

    def list_business_services(self, query, body):
        # The description documents no filter for this list (no query, no name): every page is read.
        items = [self.as_read(b['id'], b) for b in self._sorted(self.business_services) if self.readable(b['id'])]
        result = self.page(items, query, 'business_services')
        result['business_services'] = [self.business_service_view(b) for b in result['business_services']]
        return 200, result

    def get_business_service(self, query, body, business_service_id):
        business_service = self.business_services.get(business_service_id)
        if business_service is None or not self.readable(business_service_id):
            raise not_found(2100, 'Not Found')
        return 200, {'business_service': self.business_service_view(self.as_read(business_service_id, business_service))}

    def create_business_service(self, query, body):
        fields = self.envelope(body, 'business_service')
        if len(self.business_services) >= MAX_BUSINESS_SERVICES:
            raise ApiFailure(400, 2019, ['The account already has %d business services, the most it may have'
                                         % MAX_BUSINESS_SERVICES])
        business_service = {'team': None}
        self._apply_business_service_fields(business_service, fields, creating=True)
        business_service_id = self.new_id()
        created = self._object(business_service_id, 'business_service', business_service['name'], html_url=None)
        created.update(business_service)
        self.business_services[business_service_id] = created
        self.note_created(business_service_id)
        # The description answers a create with 200, not 201.
        return 200, {'business_service': self.business_service_view(created)}

    def update_business_service(self, query, body, business_service_id):
        current = self._business_service(business_service_id)
        updated = copy.deepcopy(current)
        self._apply_business_service_fields(updated, self.envelope(body, 'business_service'), creating=False)
        self.note_updated(business_service_id, current)
        self.business_services[business_service_id] = updated
        return 200, {'business_service': self.business_service_view(updated)}

    def delete_business_service(self, query, body, business_service_id):
        self._business_service(business_service_id)
        del self.business_services[business_service_id]
        self._remove_relationships_of(business_service_id)
        return 204, None

    # -- relationships ---------------------------------------------------------------------------

    def _exists(self, end_type, service_id):
        """True when the service exists and the dependency graph sees it (not while a create lags)."""
        services = self.services if end_type == 'technical' else self.business_services
        return service_id in services and self.readable(service_id)

    def _associable(self, end_type, service_id):
        """True when a relationship may name the service: it exists, and the dependency graph has learnt of it
        (not for dependency_graph_lag_seconds after it was created, whatever reads show)."""
        age = self.age(service_id)
        learnt = age is None or age >= float(self.settings['dependency_graph_lag_seconds'] or 0)
        return self._exists(end_type, service_id) and learnt

    def _live(self):
        """The relationships that exist now, as writes see them."""
        return [r for r in self.relationships.values() if not r['removed']]

    def _as_read(self, relationship):
        """A relationship as reads show it (None when reads do not show it): a new one appears, a removed
        one disappears, once the lag has passed."""
        if not self.readable(relationship['id']):
            return None
        shown = self.as_read(relationship['id'], relationship)
        return None if shown['removed'] else shown

    @staticmethod
    def _end_key(end):
        return end['id'], end['type']

    def _relationship_key(self, relationship):
        return self._end_key(relationship['supporting']) + self._end_key(relationship['dependent'])

    def _relationship_view(self, relationship):
        view = {'id': relationship['id'], 'type': 'service_dependency'}
        for end in ('supporting', 'dependent'):
            view[end + '_service'] = {'id': relationship[end]['id'], 'type': READ_TYPES[relationship[end]['type']]}
        return view

    def _remove_relationships_of(self, service_id):
        for relationship in self._live():
            if service_id in (relationship['supporting']['id'], relationship['dependent']['id']):
                self._mark_removed(relationship)

    def _mark_removed(self, relationship):
        self.note_updated(relationship['id'], relationship)
        self.relationships[relationship['id']] = dict(relationship, removed=True)

    def _requested_relationships(self, body):
        """The relationships a request names, as (supporting end, dependent end); errors as PagerDuty gives them."""
        items = body.get('relationships') if isinstance(body, dict) else None
        if not isinstance(items, list) or not items:
            raise invalid('relationships must be a non-empty list')
        requested, missing = [], False
        for index, item in enumerate(items):
            ends = []
            for end in ('supporting_service', 'dependent_service'):
                ref = item.get(end) if isinstance(item, dict) else None
                if not isinstance(ref, dict) or not ref.get('id') or ref.get('type') not in SENT_TYPES:
                    raise invalid('Relationship %d %s must have an id and a type of %s'
                                  % (index, end, ', '.join(sorted(SENT_TYPES))))
                end_type = SENT_TYPES[ref['type']]
                # An ID of the wrong type is not found either (TF's message lists "incorrect service types").
                missing = missing or not self._associable(end_type, ref['id'])
                ends.append({'id': ref['id'], 'type': end_type})
            requested.append(tuple(ends))
        if missing:
            raise ApiFailure(404, 2100, [UNKNOWN_SERVICE], message='Not Found')
        return requested

    def _check_limits(self, relationships):
        """Refuse a graph past the documented limits: dependencies per service, and depth (a cycle has none)."""
        counts = {}
        supporting_of = {}
        for supporting, dependent in relationships:
            for end in (supporting, dependent):
                counts[self._end_key(end)] = counts.get(self._end_key(end), 0) + 1
            supporting_of.setdefault(self._end_key(dependent), []).append(self._end_key(supporting))
        crowded = sorted('%s %s' % (kind, service_id) for (service_id, kind), count in counts.items()
                         if count > MAX_DEPENDENCIES_PER_SERVICE)
        if crowded:
            raise ApiFailure(400, 2019, ['A service can have at most %d dependencies: %s would have more'
                                         % (MAX_DEPENDENCIES_PER_SERVICE, ', '.join(crowded))])
        depths = {}

        def depth(node, path):
            if node in path:
                raise invalid('Service dependencies can not form a cycle')
            if node not in depths:
                depths[node] = 1 + max([depth(s, path | {node}) for s in supporting_of.get(node, [])] or [0])
            return depths[node]

        for node in list(supporting_of):
            if depth(node, frozenset()) > MAX_DEPTH:
                raise invalid('Service dependencies can be at most %d services deep' % MAX_DEPTH)

    def associate_dependencies(self, query, body):
        requested = self._requested_relationships(body)
        for supporting, dependent in requested:
            if self._end_key(supporting) == self._end_key(dependent):
                raise invalid('A service can not depend on itself')
        existing = {self._relationship_key(r): r for r in self._live()}
        pairs = [(r['supporting'], r['dependent']) for r in existing.values()]
        new = []
        for supporting, dependent in requested:
            key = self._end_key(supporting) + self._end_key(dependent)
            if key not in existing and key not in [self._end_key(s) + self._end_key(d) for s, d in new]:
                new.append((supporting, dependent))
        self._check_limits(pairs + new)  # all or nothing: nothing is created when one would break a limit
        answered = []
        for supporting, dependent in requested:
            key = self._end_key(supporting) + self._end_key(dependent)
            relationship = existing.get(key)
            if relationship is None:  # a relationship asked twice is made once and answered as it is
                first = self.new_id()
                relationship = {'id': 'D' + first[1:] + self.new_id()[1:] + first[1:4], 'supporting': supporting,
                                'dependent': dependent, 'removed': False}
                self.relationships[relationship['id']] = relationship
                self.note_created(relationship['id'])
                existing[key] = relationship
            answered.append(self._relationship_view(relationship))
        return 200, {'relationships': answered}

    def disassociate_dependencies(self, query, body):
        requested = self._requested_relationships(body)
        existing = {self._relationship_key(r): r for r in self._live()}
        removed = []
        for supporting, dependent in requested:
            relationship = existing.pop(self._end_key(supporting) + self._end_key(dependent), None)
            if relationship is not None:  # one that does not exist is passed over
                self._mark_removed(relationship)
                removed.append(self._relationship_view(relationship))
        return 200, {'relationships': removed}

    def _dependencies_of(self, end_type, service_id):
        if not self._exists(end_type, service_id):
            # terraform-provider-pagerduty #226: a 404 whose error code is 404, "Service Not Found".
            raise ApiFailure(404, 404, message='Service Not Found')
        shown = []
        for relationship in sorted(self.relationships.values(), key=lambda r: r['id']):
            if service_id not in (relationship['supporting']['id'], relationship['dependent']['id']):
                continue
            read = self._as_read(relationship)
            if read is not None:
                shown.append(self._relationship_view(read))
        return 200, {'relationships': shown}

    def technical_service_dependencies(self, query, body, service_id):
        return self._dependencies_of('technical', service_id)

    def business_service_dependencies(self, query, body, business_service_id):
        return self._dependencies_of('business', business_service_id)
