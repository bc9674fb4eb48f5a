"""PagerDuty's Events API v2 (/v2/enqueue, /v2/change/enqueue): alerts, incidents, change events.

A family of endpoints mixed into PagerDutyAccount (see pagerduty.py): `reset_events()` sets up its
state, `routes_events()` lists its (method, path pattern, handler) routes.
"""


class EventsEndpoints:
    family = 'events'

    def reset_events(self):
        pass

    def routes_events(self):
        return []
