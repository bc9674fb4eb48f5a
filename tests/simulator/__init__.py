"""A PagerDuty REST API (and Datadog PagerDuty-integration API) simulator for offline testing.

Start it with ``make sim`` or ``python -m tests.simulator``; embed it with ``SimulatorServer``.
"""

from .server import DEFAULT_READONLY_TOKEN, DEFAULT_TOKEN, SimulatorServer  # noqa: F401
