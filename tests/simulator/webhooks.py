"""V3 webhook subscriptions (/webhook_subscriptions).

A family of endpoints mixed into PagerDutyAccount (see pagerduty.py): `reset_webhooks()` sets up its state,
`routes_webhooks()` lists its (method, path pattern, handler) routes. Behaviour and sources are in README.md.
"""

import copy
import itertools
import secrets
import urllib.parse

from .api import invalid, not_found, takes_no_body

FILTER_TYPES = ('account_reference', 'service_reference', 'team_reference')
# The `filter_type` query of GET /webhook_subscriptions, and the filter type each stands for.
LIST_FILTER_TYPES = {'account': 'account_reference', 'service': 'service_reference', 'team': 'team_reference'}
REDACTED = '-- redacted --'
# The event types PagerDuty's Webhooks V3 overview lists. The list is open ("additional event types may be added
# to this list over time") and no rule refusing other names is published: the simulator takes any name.
DOCUMENTED_EVENT_TYPES = (
    'incident.acknowledged', 'incident.annotated', 'incident.conference_bridge.updated',
    'incident.custom_field_values.updated', 'incident.delegated', 'incident.escalated', 'incident.incident_type.changed',
    'incident.priority_updated', 'incident.reassigned', 'incident.reopened', 'incident.resolved',
    'incident.responder.added', 'incident.responder.replied', 'incident.role.assigned', 'incident.service_updated',
    'incident.status_update_published', 'incident.task.completed', 'incident.task.created', 'incident.task.updated',
    'incident.triggered', 'incident.unacknowledged', 'incident.action_invocation.created',
    'incident.action_invocation.terminated', 'incident.action_invocation.updated', 'incident.workflow.started',
    'incident.workflow.completed', 'service.created', 'service.custom_field_values.updated', 'service.deleted',
    'service.updated',
)


class WebhookEndpoints:
    family = 'webhooks'

    def reset_webhooks(self):
        self.webhook_subscriptions = {}
        self._webhook_secrets = {}     # subscription id -> its signing secret (answered once, by the create)
        self._webhook_sequence = itertools.count(1)

    def routes_webhooks(self):
        segment = r'([^/]+)'
        return [
            ('GET', r'/webhook_subscriptions', self.list_webhook_subscriptions),
            ('POST', r'/webhook_subscriptions', self.create_webhook_subscription),
            ('POST', r'/webhook_subscriptions/%s/enable' % segment, self.enable_webhook_subscription),
            ('POST', r'/webhook_subscriptions/%s/ping' % segment, self.ping_webhook_subscription),
            ('GET', r'/webhook_subscriptions/' + segment, self.get_webhook_subscription),
            ('PUT', r'/webhook_subscriptions/' + segment, self.update_webhook_subscription),
            ('DELETE', r'/webhook_subscriptions/' + segment, self.delete_webhook_subscription),
        ]

    # -- what tests in the simulator's process ask -----------------------------------------------

    def webhook_secret(self, subscription_id):
        """The signing secret of a subscription, which the API shows only in the answer of its create."""
        return self._webhook_secrets[subscription_id]

    def disable_webhook_temporarily(self, subscription_id):
        """What PagerDuty does after repeated failed deliveries: `temporarily_disabled` becomes true until
        POST /webhook_subscriptions/{id}/enable."""
        current = self.webhook_subscriptions[subscription_id]
        disabled = copy.deepcopy(current)
        disabled['delivery_method']['temporarily_disabled'] = True
        self.note_updated(subscription_id, current)
        self.webhook_subscriptions[subscription_id] = disabled

    # -- helpers ---------------------------------------------------------------------------------

    def webhook_view(self, subscription, secret=None):
        """A subscription as the API renders it: header values redacted, the secret shown only when given
        (the answer of the create)."""
        view = copy.deepcopy(subscription)
        del view['sequence_number']
        method = view['delivery_method']
        method['secret'] = secret
        method['custom_headers'] = [{'name': h['name'], 'value': REDACTED} for h in method['custom_headers']]
        return view

    def _subscription(self, subscription_id):
        """A subscription a write addresses: writes see the latest state, whatever reads lag behind."""
        if subscription_id not in self.webhook_subscriptions:
            raise not_found(2100, 'Not Found')
        return self.webhook_subscriptions[subscription_id]

    @staticmethod
    def _webhook_url_errors(url):
        if not isinstance(url, str) or not url.strip():
            return ['Delivery method url must be specified']
        parts = urllib.parse.urlsplit(url.strip())
        if parts.scheme.lower() not in ('http', 'https') or not parts.hostname:
            return ['Delivery method url must be an http or https URL']
        return []

    @staticmethod
    def _custom_headers(headers, errors):
        if headers is None:
            return []
        if not isinstance(headers, list):
            errors.append('Custom headers must be a list')
            return []
        stored, names = [], set()
        for index, header in enumerate(headers):
            name = header.get('name') if isinstance(header, dict) else None
            value = header.get('value') if isinstance(header, dict) else None
            if not isinstance(name, str) or not name.strip():
                errors.append('Custom header %d must have a name' % (index + 1))
            elif not isinstance(value, str):
                errors.append('Custom header %s must have a string value' % name)
            elif name.casefold() in names:
                errors.append('Custom header names must be unique: %s is given twice' % name)
            else:
                names.add(name.casefold())
                stored.append({'name': name, 'value': value})
        return stored

    def _delivery_method(self, fields, errors):
        method = fields.get('delivery_method')
        if not isinstance(method, dict):
            errors.append('Delivery method must be specified')
            return None
        if method.get('type', 'http_delivery_method') != 'http_delivery_method':
            errors.append('Delivery method type must be http_delivery_method')
        errors.extend(self._webhook_url_errors(method.get('url')))
        headers = self._custom_headers(method.get('custom_headers'), errors)
        return {'type': 'http_delivery_method', 'url': method.get('url'), 'temporarily_disabled': False,
                'custom_headers': headers}

    @staticmethod
    def _events(events, errors):
        if not isinstance(events, list) or not events:
            errors.append('Events must be a list of at least one event type')
            return []
        if not all(isinstance(e, str) and e.strip() for e in events):
            errors.append('Events must be event type names')
            return []
        if len(set(events)) != len(events):
            errors.append('Events must not repeat an event type')
        return list(events)

    def _filter(self, sent, errors):
        if not isinstance(sent, dict) or sent.get('type') not in FILTER_TYPES:
            errors.append('Filter type must be one of %s' % ', '.join(FILTER_TYPES))
            return None
        kind, filter_id = sent['type'], sent.get('id')
        if kind == 'account_reference':
            return {'type': kind, 'id': filter_id} if filter_id else {'type': kind}
        objects, label = (self.services, 'Service') if kind == 'service_reference' else (self.teams, 'Team')
        if not isinstance(filter_id, str) or not filter_id:
            errors.append('Filter id must be specified for a %s filter' % kind)
        elif filter_id not in objects:
            errors.append('%s %s was not found' % (label, filter_id))
        return {'type': kind, 'id': filter_id}

    def _apply_webhook_fields(self, subscription, fields, creating, errors):
        if 'description' in fields:
            description = fields['description']
            if description is not None and not isinstance(description, str):
                errors.append('Description must be a string')
            else:
                subscription['description'] = description or ''
        if 'events' in fields or creating:
            subscription['events'] = self._events(fields.get('events'), errors)
        if 'filter' in fields or creating:
            subscription['filter'] = self._filter(fields.get('filter'), errors)
        if 'active' in fields:
            if not isinstance(fields['active'], bool):
                errors.append('Active must be true or false')
            else:
                subscription['active'] = fields['active']
        if 'oauth_client_id' in fields:
            client_id = fields['oauth_client_id']
            if client_id is not None and not isinstance(client_id, str):
                errors.append('OAuth client id must be a string')
            else:
                subscription['oauth_client'] = {'id': client_id, 'type': 'oauth_client_reference'} if client_id else None

    # -- handlers --------------------------------------------------------------------------------

    def list_webhook_subscriptions(self, query, body):
        filter_type = query.get('filter_type', [None])[0]
        filter_id = query.get('filter_id', [None])[0]
        if filter_type is not None and filter_type not in LIST_FILTER_TYPES:
            raise invalid('filter_type must be one of %s' % ', '.join(LIST_FILTER_TYPES))
        if filter_type in ('service', 'team') and not filter_id:
            raise invalid('filter_id is required when filter_type is %s' % filter_type)
        items = []
        for subscription_id in sorted(self.webhook_subscriptions,
                                      key=lambda i: self.webhook_subscriptions[i]['sequence_number']):
            if not self.readable(subscription_id):
                continue
            subscription = self.as_read(subscription_id, self.webhook_subscriptions[subscription_id])
            if filter_type is not None:
                if subscription['filter']['type'] != LIST_FILTER_TYPES[filter_type]:
                    continue
                if filter_type != 'account' and subscription['filter'].get('id') != filter_id:
                    continue
            items.append(subscription)
        result = self.page(items, query, 'webhook_subscriptions')
        result['webhook_subscriptions'] = [self.webhook_view(s) for s in result['webhook_subscriptions']]
        return 200, result

    def get_webhook_subscription(self, query, body, subscription_id):
        subscription = self.webhook_subscriptions.get(subscription_id)
        if subscription is None or not self.readable(subscription_id):
            raise not_found(2100, 'Not Found')
        return 200, {'webhook_subscription': self.webhook_view(self.as_read(subscription_id, subscription))}

    def create_webhook_subscription(self, query, body):
        fields = self.envelope(body, 'webhook_subscription')
        errors = []
        if fields.get('type', 'webhook_subscription') != 'webhook_subscription':
            errors.append('Type must be webhook_subscription')
        delivery_method = self._delivery_method(fields, errors)
        subscription = {'description': '', 'active': True, 'oauth_client': None}
        self._apply_webhook_fields(subscription, fields, creating=True, errors=errors)
        if errors:
            raise invalid(*errors)
        subscription_id = self.new_id()
        delivery_method['id'] = self.new_id()
        subscription = dict({'id': subscription_id, 'type': 'webhook_subscription',
                             'sequence_number': next(self._webhook_sequence), 'delivery_method': delivery_method},
                            **subscription)
        self.webhook_subscriptions[subscription_id] = subscription
        self._webhook_secrets[subscription_id] = secrets.token_urlsafe(48)
        self.note_created(subscription_id)
        return 200, {'webhook_subscription': self.webhook_view(subscription, self._webhook_secrets[subscription_id])}

    def update_webhook_subscription(self, query, body, subscription_id):
        current = self._subscription(subscription_id)
        fields = self.envelope(body, 'webhook_subscription')
        subscription = copy.deepcopy(current)
        errors = []
        # `delivery_method` (and `type`) are not fields of the update: whatever is sent there is passed over.
        self._apply_webhook_fields(subscription, fields, creating=False, errors=errors)
        if errors:
            raise invalid(*errors)
        self.note_updated(subscription_id, current)
        self.webhook_subscriptions[subscription_id] = subscription
        return 200, {'webhook_subscription': self.webhook_view(subscription)}

    def delete_webhook_subscription(self, query, body, subscription_id):
        self._subscription(subscription_id)
        del self.webhook_subscriptions[subscription_id]
        self._webhook_secrets.pop(subscription_id, None)
        return 204, None

    @takes_no_body
    def enable_webhook_subscription(self, query, body, subscription_id):
        current = self._subscription(subscription_id)
        subscription = copy.deepcopy(current)
        subscription['delivery_method']['temporarily_disabled'] = False
        if subscription != current:
            self.note_updated(subscription_id, current)
            self.webhook_subscriptions[subscription_id] = subscription
        return 200, {'webhook_subscription': self.webhook_view(subscription)}

    @takes_no_body
    def ping_webhook_subscription(self, query, body, subscription_id):
        self._subscription(subscription_id)
        return 202, None
