"""Service custom fields: their definitions and the values on services.

A family of endpoints mixed into PagerDutyAccount (see pagerduty.py): `reset_custom_fields()` sets up its
state, `routes_custom_fields()` lists its (method, path pattern, handler) routes.
"""


class CustomFieldEndpoints:
    family = 'custom_fields'

    def reset_custom_fields(self):
        pass

    def routes_custom_fields(self):
        return []
