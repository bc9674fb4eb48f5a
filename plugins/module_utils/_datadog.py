# -*- coding: utf-8 -*-
# Copyright: contributors to oncall.pagerduty
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Datadog's PagerDuty service objects (a name and an integration key). Used by pd_datadog_service."""

from __future__ import annotations

import re
from urllib.parse import quote

from ansible_collections.oncall.pagerduty.plugins.module_utils._integration import CHECK_MODE_KEY
from ansible_collections.oncall.pagerduty.plugins.module_utils._resource import (
    DATADOG_STATUS_ADVICE,
    STATE_OPTION,
    Field,
    Resource,
)

SERVICES_PATH = '/api/v1/integration/pagerduty/configuration/services'
# A PagerDuty integration key: 32 letters and digits.
_INTEGRATION_KEY = re.compile(r'^[A-Za-z0-9]{32}$')
# What a diff shows where Datadog takes a key it never shows again.
KEY_SENT = '(write-only: sent again, not shown)'


class DatadogServiceResource(Resource):
    """A service object of Datadog's PagerDuty integration, found by its name (Datadog keeps names unique)."""

    result_key = 'datadog_service'
    secret_fields = ('service_key',)
    status_advice = DATADOG_STATUS_ADVICE
    connection = 'datadog'
    fields = (Field('service_name', dict(type='str', required=True)),
              Field('service_key', dict(type='str', no_log=True), settable=False))
    options = dict(
        state=STATE_OPTION,
        update_key=dict(type='str', default='on_create', choices=['always', 'on_create'], no_log=False),
    )
    option_rules = dict(required_if=[('state', 'present', ('service_key',))])
    # Datadog answers a write with the object as it holds it: there is no lag to wait out.
    settles = False

    def label(self):
        return 'Datadog service object'

    def validate(self):
        self.fail_if_blank('service_name', 'service_key')
        key = self.params['service_key']
        if key is None:
            return
        if key == CHECK_MODE_KEY and not self.check_mode:
            self.fail('service_key: this is the placeholder pd_integration returns in check mode, not a key; in a '
                      'real run, give the integration_key pd_integration returned')
        if not _INTEGRATION_KEY.match(key):
            # The key itself is never shown: it is a secret even when it is wrong.
            self.fail('service_key: is not a PagerDuty integration key (32 letters and digits, %d characters given); '
                      "give the integration_key of the service's Datadog integration, from pd_integration" % len(key))

    def path(self):
        # The name is one path segment: spaces as %20, and a slash escaped too.
        return '%s/%s' % (SERVICES_PATH, quote(self.params['service_name'], safe=''))

    def find(self, plan):
        return self.client.get(self.path())

    def desired(self, plan):
        return {'service_name': self.params['service_name']}

    def compare(self, plan):
        """The key cannot be read back, so with update_key=always it is sent again on every run, as a change."""
        if self.params['update_key'] == 'always':
            plan.diff_after['service_key (write-only)'] = KEY_SENT
            return {'service_key': self.params['service_key']}
        return {}

    def predict_create(self, plan):
        return dict(plan.desired)  # Datadog's service objects have a name, no ID

    def predict_update(self, plan):
        return dict(plan.current)

    def create(self, plan, desired):
        return self.client.post(SERVICES_PATH, dict(desired, service_key=self.params['service_key']))

    def update(self, plan, current, changes):
        self.client.put(self.path(), {'service_key': changes['service_key']})
        return current

    def delete(self, plan, obj):
        self.client.delete(self.path())

    def identified(self, plan):
        return self.find(plan)

    def is_name_conflict(self, err):
        return err.status == 400 and 'already exists' in str(err)

    def check_update(self, plan):
        """Nothing a Datadog service object holds can be refused."""
