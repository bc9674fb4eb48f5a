"""POST /_sim/seed: add objects in bulk for scale and limit tests (shape in README.md)."""


def _resolve_service(account, value):
    if value in account.services:
        return value
    for service in account.services.values():
        if service['name'] == value:
            return service['id']
    raise ValueError('seed: no service %r' % value)


def _escalation_policy_id(account, value):
    if value in account.escalation_policies:
        return value
    for ep in account.escalation_policies.values():
        if ep['name'] == value:
            return ep['id']
    raise ValueError('seed: no escalation policy %r' % value)


def _expand(spec, default_prefix):
    """A list of object specs from either a list or {"count": N, "name_prefix": ..., ...}."""
    if isinstance(spec, list):
        return spec
    count = int(spec.get('count', 0))
    prefix = spec.get('name_prefix', default_prefix)
    template = {k: v for k, v in spec.items() if k not in ('count', 'name_prefix')}
    return [dict(template, name='%s%05d' % (prefix, index + 1)) for index in range(count)]


def seed(account, body):
    """Create what `body` asks for, as it was before the test (readable at once); returns the IDs created, per
    kind."""
    with account.seeding():
        return _seed(account, body)


def _seed(account, body):
    created = {'escalation_policies': [], 'vendors': [], 'services': [], 'integrations': [], 'incidents': []}
    for spec in body.get('escalation_policies') or []:
        ep = account.add_escalation_policy(spec['name'], spec.get('team'), spec.get('users', ['PUSR001']))
        created['escalation_policies'].append(ep['id'])
    for spec in _expand(body.get('vendors') or [], 'Seeded Vendor '):
        vendor = account.add_vendor(spec['name'], spec.get('generic_service_type', 'events_api_v2'))
        created['vendors'].append(vendor['id'])
    for spec in _expand(body.get('services') or [], 'seeded-service-'):
        fields = dict(spec)
        fields['escalation_policy'] = {'id': _escalation_policy_id(account, spec.get('escalation_policy', 'Default')),
                                       'type': 'escalation_policy_reference'}
        status = fields.pop('status', 'active')
        service = account.create_service({}, {'service': fields})[1]['service']
        if status != 'active':
            account.update_service({}, {'service': {'status': status}}, service['id'])
        created['services'].append(service['id'])
    for spec in body.get('integrations') or []:
        service_id = _resolve_service(account, spec['service'])
        fields = {k: v for k, v in spec.items() if k not in ('service', 'count', 'created_at')}
        for index in range(int(spec.get('count', 1))):
            if spec.get('count') and 'name' in spec:
                fields['name'] = '%s %d' % (spec['name'], index + 1)
            integration = account.create_integration({}, {'integration': fields}, service_id)[1]['integration']
            if spec.get('created_at'):  # an integration made long ago (its key's age)
                account.integrations[integration['id']]['created_at'] = spec['created_at']
            created['integrations'].append(integration['id'])
    for spec in body.get('incidents') or []:
        created['incidents'].extend(account.add_incidents(
            _resolve_service(account, spec['service']), spec.get('integration'),
            int(spec.get('count', 1)), spec.get('status', 'triggered'), spec.get('created_at')))
    return created
