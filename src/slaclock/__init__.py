"""slaclock — an SLA engine and service for customer-support teams.

The public Python surface is deliberately small: business calendars
(:class:`Calendar`) and, in :mod:`slaclock.core`, the configuration loader and the
SLA engine. Everything else is reached through the CLI, the REST API or the dashboard.
"""

from slaclock import _accel

_accel.install()  # before any hot module is imported: their compiled copies, if current

from slaclock.core.calendar import Calendar  # noqa: E402

__all__ = ["Calendar", "__version__"]
__version__ = "0.1.0"
