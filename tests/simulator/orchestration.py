"""Event orchestrations: global ones with their routers, and services' own rules.

A family of endpoints mixed into PagerDutyAccount (see pagerduty.py): `reset_orchestration()` sets up its
state, `routes_orchestration()` lists its (method, path pattern, handler) routes.
"""


class OrchestrationEndpoints:
    family = 'orchestration'

    def reset_orchestration(self):
        pass

    def routes_orchestration(self):
        return []
