"""slaclock — an SLA engine and service for customer-support teams.

The public Python surface is deliberately small: business calendars
(:class:`Calendar`) and, in :mod:`slaclock.core`, the configuration loader and the
SLA engine. Everything else is reached through the CLI, the REST API or the dashboard.
"""

from slaclock.core.calendar import Calendar

__all__ = ["Calendar", "__version__"]
__version__ = "0.1.0"
