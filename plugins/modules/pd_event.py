#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to oncall.pagerduty
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: pd_event
short_description: Send an event to PagerDuty's Events API v2, and optionally wait for its incident
version_added: 0.2.0
description:
  - Trigger, acknowledge or resolve an alert, or record a change event (a deploy, a configuration change), through
    PagerDuty's Events API v2 and the routing key of an integration.
  - An event is an action, like M(ansible.builtin.command) - every event sent reports V(changed). A trigger returns
    its RV(dedup_key), which later V(acknowledge) and V(resolve) events name.
  - With O(wait_for_incident=true), a trigger waits until the event has opened or joined an incident and returns it
    as RV(incident), so a play can prove that a new integration's key works end to end, then resolve it with the same
    O(dedup_key). An incident the alert joined through the service's alert grouping is found by the alert, whatever
    key the incident has.
  - What the Events API would refuse (a missing or unknown field, a severity it does not know, a summary longer than
    1024 characters, an event larger than 512 KB) fails before anything is sent, naming the option.
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
      - Sends nothing and waits for nothing; the task reports V(changed) and the RV(dedup_key) it would send.
  diff_mode:
    support: full
    details:
      - The diff shows the event that is (or would be) sent, without its routing key.
options:
  routing_key:
    description:
      - The 32-character integration key of an Events API v2 integration (RV(oncall.pagerduty.pd_integration#module:integration.integration_key)),
        or the routing key of a global event orchestration.
      - Required. If not set, the environment variable E(PAGERDUTY_ROUTING_KEY) is used.
      - A secret - it is never shown in results, diffs or logs.
    type: str
  event_action:
    description:
      - V(trigger) opens an alert (or adds to the open alert with the same O(dedup_key)).
      - V(acknowledge) and V(resolve) act on the open alert with O(dedup_key), sent with the same O(routing_key);
        PagerDuty drops them when there is none.
      - V(change) records a change event on the service - it opens no incident and pages nobody.
    type: str
    choices: [acknowledge, change, resolve, trigger]
    default: trigger
  dedup_key:
    description:
      - Identifies the alert, at most 255 characters. Required for V(acknowledge) and V(resolve).
      - A trigger without one gets a new random key, made by the module and returned in RV(dedup_key); a repeat of
        the trigger after a lost answer then adds to the same alert rather than open a second one.
      - Not for V(change) events.
    type: str
  summary:
    description:
      - A brief text summary of the event, at most 1024 characters; the alert's and incident's title.
      - Required for V(trigger) and V(change).
    type: str
  source:
    description:
      - Where the problem is, preferably a host name or FQDN. Required for V(trigger); optional for V(change).
    type: str
  severity:
    description: How bad it is. Required for V(trigger).
    type: str
    choices: [critical, error, info, warning]
  component:
    description: The part of the source that is affected, for example V(mysql). V(trigger) only.
    type: str
  group:
    description: A logical grouping of components, for example V(app-stack). V(trigger) only.
    type: str
  class:
    description: The class or type of the event, for example V(ping failure). V(trigger) only.
    type: str
  custom_details:
    description: Free-form details of the event, shown on the alert. V(trigger) and V(change).
    type: dict
  timestamp:
    description:
      - When the event happened, an ISO 8601 date and time with a time zone; PagerDuty uses the time it receives
        the event when it is unset. V(trigger) and V(change).
    type: str
  links:
    description: Links shown on the alert or change event. V(trigger) and V(change).
    type: list
    elements: dict
    suboptions:
      href:
        description: The URL.
        type: str
        required: true
      text:
        description: The text of the link.
        type: str
  images:
    description: Images shown on the alert. V(trigger) and V(change).
    type: list
    elements: dict
    suboptions:
      src:
        description: The image's URL; PagerDuty shows only images served over HTTPS, so it must start with C(https://).
        type: str
        required: true
      href:
        description: A URL the image links to.
        type: str
      alt:
        description: The image's alternative text.
        type: str
  client:
    description: The name of the monitoring client that sends the event. V(trigger) only.
    type: str
  client_url:
    description: The URL of the monitoring client. V(trigger) only.
    type: str
  wait_for_incident:
    description:
      - With V(trigger), wait until the event has opened or joined an incident, and return it in RV(incident).
      - The incident is the open one holding the open alert with the O(dedup_key). When the service groups alerts
        (time, content-based or intelligent alert grouping), the alert may join an incident that another alert
        opened; that incident keeps its own C(incident_key), and it is the one returned.
      - Reads the incident through the REST API, so it needs O(api_token) (a read-only key is enough).
      - With O(service), a service in maintenance is not waited for - PagerDuty accepts the event but opens no
        incident for it, neither during nor after the window - so the task returns at once with RV(incident) null,
        RV(maintenance_until) and a warning; a disabled service fails at once.
      - The task fails when no open incident holds the alert within O(wait_timeout), saying why when it can (a
        disabled service, or one in maintenance, when O(service) is given). An event that a service orchestration
        rule suppresses opens no incident either, and PagerDuty's REST API does not show it, so that case waits
        for O(wait_timeout).
    type: bool
    default: false
  wait_timeout:
    description: How many seconds O(wait_for_incident) waits at most.
    type: int
    default: 60
  service:
    description:
      - With O(wait_for_incident), the service the incident should be on, by name or ID. The search is narrowed to it,
        and an incident on another service does not count.
      - Its status, read before the event is sent, tells a service in maintenance or disabled, which is then not
        waited for.
    type: str
  events_url:
    description:
      - Base URL of the Events API, overriding O(region) - V(us) sends to U(https://events.pagerduty.com), V(eu) to
        U(https://events.eu.pagerduty.com). For a proxy, or the bundled simulator used by the tests.
      - If not set, the environment variable E(PAGERDUTY_EVENTS_URL) is used.
    type: str
notes:
  - Sending costs one request. O(wait_for_incident) adds one request to find O(service), and one per look for the
    incident (the first look comes right after the event) - the open incidents listed by the O(dedup_key), which
    PagerDuty matches against incidents' own keys and their alerts' keys. The one incident listed with the
    O(dedup_key) as its own key is taken as it is; any other (the alert joined an incident through alert grouping, or
    several are listed) is checked through its open alerts, one request each, newest first. For a service in
    maintenance, one request reads when the window ends, instead of any look.
  - Rate limits (HTTP 429) and server errors (5xx) are retried within O(retries) and O(retry_timeout), as the Events
    API documents; an alert event can be sent again safely because it always carries a O(dedup_key).
  - A change event has no O(dedup_key), and PagerDuty would record a repeat twice. One answered with a server error
    was not taken (so the Events API documents) and is sent again; one whose answer is lost is not, and the task
    fails saying that the event may have been recorded.
  - The credentials O(api_token), O(region) and O(api_url) are used only by O(wait_for_incident); the task's own
    events need only O(routing_key). The module belongs to the C(group/oncall.pagerduty.pagerduty) action group, so
    C(module_defaults) set for that group reach it.
seealso:
  - module: oncall.pagerduty.pd_integration
  - module: oncall.pagerduty.pd_maintenance_window
'''

EXAMPLES = r'''
- name: Prove that a new integration pages, then resolve the test incident
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/oncall.pagerduty.pagerduty:
      api_token: "{{ vault_pagerduty_api_token }}"
  tasks:
    - name: Add an Events API v2 integration to the service
      oncall.pagerduty.pd_integration:
        service: Checkout
        type: events_api_v2
        name: Deploy pipeline
      register: integration
      no_log: true

    - name: Trigger a test alert and wait for its incident
      oncall.pagerduty.pd_event:
        routing_key: "{{ integration.integration.integration_key }}"
        summary: Test alert from the provisioning play
        source: "{{ inventory_hostname }}"
        severity: info
        dedup_key: provisioning-test-checkout
        wait_for_incident: true
        service: Checkout
      register: test_alert

    - name: Show the incident
      ansible.builtin.debug:
        msg: "Incident {{ test_alert.incident.incident_number }} opened on {{ test_alert.incident.service.summary }}"

    - name: Resolve it
      oncall.pagerduty.pd_event:
        routing_key: "{{ integration.integration.integration_key }}"
        event_action: resolve
        dedup_key: provisioning-test-checkout

    - name: Record the deploy as a change event
      oncall.pagerduty.pd_event:
        routing_key: "{{ integration.integration.integration_key }}"
        event_action: change
        summary: Deployed checkout 2.4.1
        source: ci
        custom_details:
          version: 2.4.1
        links:
          - href: https://ci.example.com/builds/1234
            text: Build 1234
'''

RETURN = r'''
dedup_key:
  description:
    - The alert's deduplication key, as given or as made by the module; name it in later V(acknowledge) and V(resolve)
      events.
  returned: for trigger, acknowledge and resolve events
  type: str
  sample: provisioning-test-checkout
message:
  description: What the Events API said, for example V(Event processed).
  returned: when an event was sent
  type: str
  sample: Event processed
incident:
  description:
    - The open incident the trigger opened or joined, as the REST API returns it.
    - V(null) when O(service) is in maintenance (see RV(maintenance_until)).
  returned: with O(wait_for_incident=true), outside check mode
  type: dict
  contains:
    id:
      description: The incident's ID.
      type: str
      sample: PT4KHLK
    incident_number:
      description: The incident's number in the account.
      type: int
      sample: 1234
    status:
      description: V(triggered) or V(acknowledged).
      type: str
      sample: triggered
    title:
      description: The incident's title (the trigger's O(summary) when it opened the incident).
      type: str
    incident_key:
      description: The incident's own key - the O(dedup_key) of the alert that opened it, which is another alert's
        when the trigger joined the incident through alert grouping.
      type: str
    service:
      description: A reference to the service (V(id), V(summary) its name).
      type: dict
    html_url:
      description: The incident's page in PagerDuty.
      type: str
maintenance_until:
  description:
    - When the maintenance of O(service) ends (UTC), the service being in maintenance when the event was sent; no
      incident is opened for the event. V(null) if PagerDuty lists no ongoing window.
  returned: with O(wait_for_incident=true) when O(service) is in maintenance
  type: str
  sample: '2025-05-01T22:00:00Z'
'''

from ansible_collections.oncall.pagerduty.plugins.module_utils._event import EventAction
from ansible_collections.oncall.pagerduty.plugins.module_utils._module import run_module


def main():
    run_module(EventAction)


if __name__ == '__main__':
    main()
