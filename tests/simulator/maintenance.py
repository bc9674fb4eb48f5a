"""Maintenance windows on services.

A family of endpoints mixed into PagerDutyAccount (see pagerduty.py): `reset_maintenance()` sets up its
state, `routes_maintenance()` lists its (method, path pattern, handler) routes.
"""


class MaintenanceEndpoints:
    family = 'maintenance'

    def reset_maintenance(self):
        pass

    def routes_maintenance(self):
        return []

    def in_maintenance(self, service_id):
        """True while an ongoing maintenance window covers the service (its status is then 'maintenance')."""
        return False
