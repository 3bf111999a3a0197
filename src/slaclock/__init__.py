"""slaclock — an SLA engine and service for customer-support teams.

The public Python surface is deliberately small: business calendars
(:class:`Calendar`) and, in :mod:`slaclock.core`, the configuration loader and the
SLA engine. Everything else is reached through the CLI, the REST API or the dashboard.

``Calendar`` is imported when first asked for, not with the package: a command can
then set up its process (:mod:`slaclock.cli.standalone`) before NumPy is loaded.
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from slaclock.core.calendar import Calendar

__all__ = ["Calendar", "__version__"]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    if name == "Calendar":
        from slaclock.core.calendar import Calendar

        return Calendar
    raise AttributeError(f"module 'slaclock' has no attribute {name!r}")
