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

    def orchestration_of_routing_key(self, routing_key):
        """The global orchestration whose routing key this is, or None (the Events API asks)."""
        return None

    def route_orchestration_event(self, orchestration, event):
        """The service (or None: unrouted) an event sent to a global orchestration's key goes to."""
        return None

    def apply_service_orchestration(self, service_id, event):
        """An event on its way to a service, after the service's own orchestration rules (when active):
        the event as changed by them, or None when they suppress or drop it."""
        return event
