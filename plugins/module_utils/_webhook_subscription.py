# -*- coding: utf-8 -*-
# Copyright: contributors to oncall.pagerduty
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""V3 webhook subscriptions, identified by their URL and their scope (a service, a team, or the account). Used by
pd_webhook_subscription.

What PagerDuty keeps of a subscription shapes the kind:
- the signing secret is in the answer to the create alone (reads show null): the task that creates a subscription
  returns it, later runs cannot;
- custom header values read back as "-- redacted --", and an update does not take the delivery method (URL and
  headers): a subscription's headers are compared by name, and a changed value reaches PagerDuty only by replacing
  the subscription (rotate_secret);
- PagerDuty keeps several subscriptions of one URL and scope: runs creating one at the same moment are settled to
  one by the engine (settle_twins).
"""

from __future__ import annotations

from ansible_collections.oncall.pagerduty.plugins.module_utils._resource import (
    PREDICTED,
    STATE_OPTION,
    Collection,
    Field,
    Resource,
    describe,
    doing,
)
from ansible_collections.oncall.pagerduty.plugins.module_utils._service import resolve_or_predict_service

WEBHOOKS = Collection('/webhook_subscriptions', 'webhook_subscription', name_filter=None, unique_names=False,
                      label='webhook subscription')
# The incident's life, which is what most receivers (chat, ticketing, status pages) follow; PagerDuty's list is
# longer and open ("additional event types may be added").
DEFAULT_EVENTS = ['incident.acknowledged', 'incident.escalated', 'incident.reassigned', 'incident.reopened',
                  'incident.resolved', 'incident.triggered', 'incident.unacknowledged']
FILTER_TYPES = {'service': 'service_reference', 'team': 'team_reference', None: 'account_reference'}
LIST_FILTERS = {'service_reference': 'service', 'team_reference': 'team', 'account_reference': 'account'}


def header_names(headers):
    return sorted((h.get('name') or '').casefold() for h in headers or [])


class WebhookSubscriptionResource(Resource):
    """A V3 webhook subscription."""

    result_key = 'webhook_subscription'
    collection = WEBHOOKS
    fields = (
        Field('events', dict(type='list', elements='str', default=DEFAULT_EVENTS)),
        Field('description'),
        Field('active', dict(type='bool')),
    )
    options = dict(
        url=dict(type='str', required=True),
        service=dict(type='str'),
        team=dict(type='str'),
        custom_headers=dict(type='list', elements='dict', options=dict(
            name=dict(type='str', required=True),
            value=dict(type='str', required=True, no_log=True),
        )),
        rotate_secret=dict(type='bool', default=False),
        state=STATE_OPTION,
    )
    option_rules = dict(mutually_exclusive=[('service', 'team')])

    # -- validation ------------------------------------------------------------------------------

    def validate(self):
        self.fail_if_blank('url', 'service', 'team', 'description')
        url = self.params['url'].strip()
        if not url.lower().startswith(('https://', 'http://')) or len(url.split('://', 1)[1].split('/')[0]) == 0:
            self.fail('%s: %r is not a URL PagerDuty can deliver to; give an https:// URL' % (self.option('url'), url))
        events = self.params['events']
        if not events:
            self.fail('%s: list at least one event type (the default is %s)' % (self.option('events'), ', '.join(DEFAULT_EVENTS)))
        repeated = sorted({e for e in events if events.count(e) > 1})
        if repeated:
            self.fail('%s: %s listed twice; list each event type once' % (self.option('events'), ', '.join(repeated)))
        names = [h['name'].casefold() for h in self.params['custom_headers'] or []]
        if len(set(names)) != len(names):
            self.fail('%s: header names must differ (PagerDuty keeps one value a name)' % self.option('custom_headers'))

    # -- identity --------------------------------------------------------------------------------

    def scope_option(self):
        return 'service' if self.params['service'] else 'team' if self.params['team'] else None

    def locate(self):
        """The filter of the scope: the service or team (found by name or ID), or the account."""
        option = self.scope_option()
        if option is None:
            return {'filter': {'type': FILTER_TYPES[None]}, 'scope': 'the account'}
        if option == 'service':
            found = resolve_or_predict_service(self, self.params[option], self.option(option))
        else:
            with doing('find the team %r' % self.params[option]):
                found = self.resolve_or_predict('teams', self.params[option], self.option(option), 'team')
        name = found.get('name') or found.get('summary')
        return {'filter': {'type': FILTER_TYPES[option], 'id': found.get('id')}, 'scope': '%s %r' % (option, name),
                PREDICTED: bool(found.get(PREDICTED))}

    def subscriptions(self, plan, fresh=False):
        """The subscriptions of this task's URL and scope, oldest first."""
        if plan.context.get(PREDICTED):
            return []
        wanted = plan.context['filter']
        query = {'filter_type': LIST_FILTERS[wanted['type']]}
        if wanted.get('id'):
            query['filter_id'] = wanted['id']
        url = self.params['url'].strip()
        return [s for s in self.listing(plan, query, fresh=fresh)
                if (s.get('delivery_method') or {}).get('url') == url and (s.get('filter') or {}).get('type') == wanted['type']
                and (s['filter'].get('id') == wanted.get('id') or wanted['type'] == FILTER_TYPES[None])]

    def find(self, plan):
        found = self.subscriptions(plan)
        if len(found) > 1:
            self.fail('%s: %d webhook subscriptions of %s deliver to this URL: %s. Delete the ones you do not want (in '
                      'the web app, or with state absent and their scope), and run the task again.'
                      % (self.option('url'), len(found), plan.context['scope'], ', '.join(describe(s) for s in found)))
        return found[0] if found else None

    def twins(self, plan):
        return self.subscriptions(plan, fresh=True)

    # -- the plan --------------------------------------------------------------------------------

    def desired(self, plan):
        desired = super().desired(plan)
        if plan.current is None or self.replacement(plan):
            desired['delivery_method'] = {'type': 'http_delivery_method', 'url': self.params['url'].strip(),
                                          'custom_headers': [{'name': h['name'], 'value': h['value']}
                                                             for h in self.params['custom_headers'] or []]}
            desired['filter'] = dict(plan.context['filter'])
        return desired

    def compare(self, plan):
        """Events as a set (PagerDuty keeps them in an order of its own); the delivery method is not updated."""
        self.check_headers(plan)
        changes = super().compare(plan)
        changes.pop('delivery_method', None)
        changes.pop('filter', None)
        if 'events' in changes and sorted(changes['events']) == sorted(plan.current.get('events') or []):
            del changes['events']
        return changes

    def replacement(self, plan):
        if plan.current is not None and self.params['rotate_secret']:
            return 'rotate'
        return None

    def replacement_first(self, plan):
        """Delete first: a run stopped between the writes leaves no subscription, which the next run creates (with a
        secret it returns); a new one first could leave two, and the engine would keep the older."""
        return 'delete'

    def check_headers(self, plan):
        """Header names other than the subscription's fail before any write unless the task replaces it: an update
        does not take them (whether anything else changes or not)."""
        headers = self.params['custom_headers']
        current = (plan.current.get('delivery_method') or {}).get('custom_headers')
        if headers is not None and header_names(headers) != header_names(current) and not self.replacement(plan):
            self.fail('%s: PagerDuty does not change the headers of a subscription, and this one has %s; set '
                      'rotate_secret: true to replace it with these headers (and a new signing secret)'
                      % (self.option('custom_headers'), ', '.join(header_names(current)) or 'none'))

    def predict_create(self, plan):
        delivery = dict(plan.desired['delivery_method'], secret=None, temporarily_disabled=False,
                        custom_headers=[{'name': h['name'], 'value': '-- redacted --'}
                                        for h in plan.desired['delivery_method']['custom_headers']])
        return dict({'type': 'webhook_subscription', 'description': '', 'active': True},
                    **dict(plan.desired, delivery_method=delivery), id=None)

    # -- writes ----------------------------------------------------------------------------------

    def body(self, fields):
        return {'webhook_subscription': dict(fields, type='webhook_subscription')}

    def create(self, plan, desired):
        created = super().create(plan, desired)
        secret = (created.get('delivery_method') or {}).get('secret')
        if secret:
            plan.notes['secret'] = (created['id'], secret)
        return created

    # -- presentation ----------------------------------------------------------------------------

    def present(self, obj):
        """Without the signing secret, which only the create's answer holds (result_fields returns it)."""
        if not obj:
            return obj
        delivery = dict(obj.get('delivery_method') or {})
        delivery.pop('secret', None)
        return dict(obj, delivery_method=delivery, description=obj.get('description') or '')

    def result_fields(self, plan):
        """`secret` when this run created the subscription that remains: the only time PagerDuty shows it."""
        made = plan.notes.get('secret')
        if made and plan.result and made[0] == plan.result.get('id'):
            return {'secret': made[1]}
        return {}
