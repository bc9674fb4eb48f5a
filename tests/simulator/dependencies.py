"""Business services and service dependencies.

A family of endpoints mixed into PagerDutyAccount (see pagerduty.py): `reset_dependencies()` sets up its
state, `routes_dependencies()` lists its (method, path pattern, handler) routes.
"""


class DependencyEndpoints:
    family = 'dependencies'

    def reset_dependencies(self):
        pass

    def routes_dependencies(self):
        return []

    def service_deleted_dependencies(self, service_id):
        """What happens to the dependencies of a service that is deleted."""
