#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to oncall.pagerduty
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: pd_webhook_subscription
short_description: Tell other systems about PagerDuty incidents with V3 webhook subscriptions
version_added: 0.3.0
description:
  - Make a PagerDuty V3 webhook subscription match what the task says. Create it, change its events, description
    or whether it is active, replace it to get a new signing secret, or delete it.
  - A subscription is found by its O(url) and its scope, O(service) or O(team), or the whole account when neither
    is given. An existing subscription is adopted, never duplicated.
  - PagerDuty shows a subscription's signing secret once, in its answer to the create. The task that creates the
    subscription returns it as RV(secret); no later run can read it. Store it where the receiver reads it, in the
    same play (see the examples), and set C(no_log) on the task.
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
      - Sends no write; the result predicts the subscription PagerDuty would return, without a secret.
  diff_mode:
    support: full
    details:
      - The diff holds only the settings that change, never a header value or the secret.
options:
  url:
    description:
      - Where PagerDuty delivers the events, an C(https://) URL. With the scope, it identifies the subscription.
    type: str
    required: true
  service:
    description:
      - The service whose events are delivered, by name or ID. Mutually exclusive with O(team).
    type: str
  team:
    description:
      - The team whose services' events are delivered, by name or ID. Mutually exclusive with O(service).
      - Without O(service) and O(team), the events of every service of the account are delivered.
    type: str
  events:
    description:
      - The event types to deliver, such as V(incident.triggered) or V(service.updated); PagerDuty's list of them
        is in its Webhooks V3 documentation. Compared as a set.
      - The default is the incident's life, V(incident.triggered), V(incident.acknowledged),
        V(incident.unacknowledged), V(incident.escalated), V(incident.reassigned), V(incident.reopened) and
        V(incident.resolved). A task without O(events) sets an existing subscription's events to these.
    type: list
    elements: str
    default: [incident.acknowledged, incident.escalated, incident.reassigned, incident.reopened, incident.resolved,
              incident.triggered, incident.unacknowledged]
  description:
    description:
      - The subscription's description.
    type: str
  active:
    description:
      - Whether PagerDuty delivers the events. A new subscription is active.
    type: bool
  custom_headers:
    description:
      - Headers PagerDuty sends with every delivery, such as a token the receiver checks.
      - PagerDuty reads back a header's name but not its value, and does not change the headers of a subscription.
        So the headers are sent when the subscription is created; a task whose header names differ from the
        subscription's fails before any write unless O(rotate_secret=true). A changed value is never seen; to send
        it, run the task once with O(rotate_secret=true).
    type: list
    elements: dict
    suboptions:
      name:
        description: The header's name.
        type: str
        required: true
      value:
        description: The header's value. It is kept out of the output and of diffs.
        type: str
        required: true
  rotate_secret:
    description:
      - Replace the subscription with a new one of the same settings, to get a new signing secret (RV(secret)), or
        to send changed O(custom_headers). The old one is deleted first, then the new one is created; events that
        happen between the two writes are not delivered.
      - The task is V(changed) on every run with V(true); set it for one run.
    type: bool
    default: false
  state:
    description:
      - V(present) creates or updates the subscription; V(absent) deletes it.
    type: str
    choices: [absent, present]
    default: present
notes:
  - A run that changes nothing costs one API request for the subscriptions of the scope (a page of 100), and one
    more to find the service or team.
  - The receiver should check each delivery's C(X-PagerDuty-Signature) header with the secret.
seealso:
  - module: oncall.pagerduty.pd_service
  - module: oncall.pagerduty.pd_team
  - name: PagerDuty's Webhooks V3 overview
    description: The event types, and how to verify a delivery's signature.
    link: https://developer.pagerduty.com/docs/webhooks/v3-overview/
'''

EXAMPLES = r'''
- name: Incidents of the storefront to the chat bridge
  oncall.pagerduty.pd_webhook_subscription:
    url: https://chat-bridge.example.com/pagerduty
    service: Storefront
    description: Storefront incidents to the on-call channel
    custom_headers:
      - name: X-Bridge-Token
        value: "{{ vault_bridge_token }}"
  register: bridge
  no_log: true

- name: Keep the signing secret, which only the create returns, in the receiver's secret store
  ansible.builtin.copy:
    content: "{{ bridge.secret }}"
    dest: /etc/chat-bridge/pagerduty-secret
    mode: "0600"
  when: bridge.secret is defined
  no_log: true

- name: Every incident of the account to the ticketing system, with a new secret
  oncall.pagerduty.pd_webhook_subscription:
    url: https://tickets.example.com/hooks/pagerduty
    events: [incident.triggered, incident.resolved]
    rotate_secret: true
  register: tickets
  no_log: true
'''

RETURN = r'''
webhook_subscription:
  description:
    - The subscription as PagerDuty returns it after the change, or as predicted in check mode (where a new one's
      V(id) is null), without the secret. Header values read as V(-- redacted --).
    - Empty after O(state=absent).
  returned: always
  type: dict
  contains:
    id:
      description: The subscription's ID.
      type: str
      sample: PXXXXXX
    events:
      description: The event types delivered.
      type: list
      elements: str
    active:
      description: Whether PagerDuty delivers the events.
      type: bool
    filter:
      description: The scope, a reference to the service, the team or the account.
      type: dict
      sample: {type: service_reference, id: PXXXXXX}
    delivery_method:
      description: Where the events go (V(url)), the header names, and V(temporarily_disabled) when PagerDuty
        stopped delivering after repeated failures.
      type: dict
secret:
  description:
    - The signing secret of the subscription this task created (or replaced, with O(rotate_secret)). PagerDuty
      shows it only then; set C(no_log) on the task.
  returned: when the task created the subscription
  type: str
'''

from ansible_collections.oncall.pagerduty.plugins.module_utils._module import run_module
from ansible_collections.oncall.pagerduty.plugins.module_utils._webhook_subscription import WebhookSubscriptionResource


def main():
    run_module(WebhookSubscriptionResource)


if __name__ == '__main__':
    main()
