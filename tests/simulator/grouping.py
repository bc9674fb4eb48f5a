"""Alert Grouping Settings (/alert_grouping_settings).

A family of endpoints mixed into PagerDutyAccount (see pagerduty.py): `reset_grouping()` sets up its
state, `routes_grouping()` lists its (method, path pattern, handler) routes.
"""


class GroupingEndpoints:
    family = 'grouping'

    def reset_grouping(self):
        pass

    def routes_grouping(self):
        return []

    def service_viewed_grouping(self, view, includes):
        """Rewrite a service as the API shows it while an Alert Grouping Setting holds its grouping."""
