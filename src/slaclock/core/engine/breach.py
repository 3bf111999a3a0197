"""When a running clock turns breached (policies.md): once its elapsed open time exceeds
its target, that is once its calendar runs on past ``due_at``."""

from __future__ import annotations

from datetime import datetime

from slaclock.core.calendar import Calendar

__all__ = ["overdue_from"]


def overdue_from(calendar: Calendar, due_at: datetime) -> datetime:
    """The instant ``calendar`` runs on past ``due_at``: ``due_at`` itself when it is open
    right after it, else its next opening. A running clock is breached once time passes
    this instant: a target used up at Friday's closing time is not overdue over the
    weekend, and real ServiceNow data judges a ticket closed on the Saturday as met."""
    return calendar.next_open(due_at)
