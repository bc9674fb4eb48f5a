"""The simulated Datadog account: the service objects of its PagerDuty integration.

Served by the same server under Datadog's real paths (/api/v1/integration/pagerduty/...), which
do not collide with PagerDuty's, as in shared/reference/datadog-pagerduty-integration-openapi.yaml:
create (201, a 400 when the name exists), get (never returns the key), update (200), delete (204),
404 for a missing name, errors as {"errors": [...]}, keys in DD-API-KEY and DD-APPLICATION-KEY.
"""

import os

from .pagerduty import ApiFailure

DEFAULT_API_KEY = 'sim-datadog-api-key'
DEFAULT_APP_KEY = 'sim-datadog-app-key'
SERVICES_PATH = '/api/v1/integration/pagerduty/configuration/services'


def failure(status, *errors, headers=None):
    """An error response in Datadog's envelope."""
    error = ApiFailure(status, None, headers=headers)
    error.body = {'errors': list(errors)}
    return error


class DatadogAccount:
    """Datadog's PagerDuty integration tile: its service objects, with their keys."""

    def __init__(self):
        self.api_key = os.environ.get('SIM_DD_API_KEY', DEFAULT_API_KEY)
        self.app_key = os.environ.get('SIM_DD_APP_KEY', DEFAULT_APP_KEY)
        self.reset()

    def reset(self):
        self.services = {}          # service_name -> service_key
        self.tile_installed = True
        self.can_manage_integrations = True

    def settings(self, body):
        """Change the switches; the answer holds the switches only, never keys."""
        if 'tile_installed' in body:
            self.tile_installed = bool(body['tile_installed'])
        if 'can_manage_integrations' in body:
            self.can_manage_integrations = bool(body['can_manage_integrations'])
        return {'tile_installed': self.tile_installed, 'can_manage_integrations': self.can_manage_integrations}

    def state(self):
        """What Datadog holds, keys included, for tests to check (read it with no_log in playbooks)."""
        return dict(self.settings({}), services=dict(self.services))

    def authenticate(self, headers, method):
        if headers.get('DD-API-KEY') != self.api_key or headers.get('DD-APPLICATION-KEY') != self.app_key:
            raise failure(403, 'Forbidden')
        if method != 'GET' and not self.can_manage_integrations:
            raise failure(403, 'Forbidden: this application key lacks the manage_integrations permission')
        if not self.tile_installed:
            raise failure(404, 'The PagerDuty integration is not installed for this organization')

    @staticmethod
    def _name(body):
        if not isinstance(body, dict) or not isinstance(body.get('service_name'), str) or not body['service_name']:
            raise failure(400, "Invalid request: 'service_name' is required")
        return body['service_name']

    def create(self, query, body):
        name = self._name(body)
        if not isinstance(body.get('service_key'), str) or not body['service_key']:
            raise failure(400, "Invalid request: 'service_key' is required")
        if name in self.services:
            raise failure(400, 'Service %s already exists' % name)
        self.services[name] = body['service_key']
        return 201, {'service_name': name}

    def _existing(self, name):
        if name not in self.services:
            raise failure(404, 'Service %s not found' % name)
        return name

    def get(self, query, body, name):
        return 200, {'service_name': self._existing(name)}

    def update(self, query, body, name):
        self._existing(name)
        if not isinstance(body, dict) or not isinstance(body.get('service_key'), str) or not body['service_key']:
            raise failure(400, "Invalid request: 'service_key' is required")
        self.services[name] = body['service_key']
        return 200, None

    def delete(self, query, body, name):
        del self.services[self._existing(name)]
        return 204, None

    def routes(self):
        one = SERVICES_PATH + '/([^/]+)'
        return [
            ('POST', SERVICES_PATH, self.create),
            ('GET', one, self.get),
            ('PUT', one, self.update),
            ('DELETE', one, self.delete),
        ]
