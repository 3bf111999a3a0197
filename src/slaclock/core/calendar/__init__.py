"""Business calendars: opening hours, holidays and exact business-time arithmetic.

Modules, in dependency order: ``spec`` (validate a mapping) → ``localtime`` (the one
place DST lives) → ``days`` (open spans in real time) → ``index`` (lazily grown prefix
sums) → ``bulk`` (NumPy versions) → ``business_calendar`` (the public :class:`Calendar`).
"""

from slaclock.core.calendar.business_calendar import Calendar
from slaclock.core.calendar.spec import CalendarDefinitionError

__all__ = ["Calendar", "CalendarDefinitionError"]
