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
