"""A clock the test sets: pass ``clock.now`` where the code asks for the time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

__all__ = ["Clock"]


@dataclass
class Clock:
    """Reads ``at``; a test moves time by assigning it (``clock.at += timedelta(…)``)."""

    at: datetime

    def now(self) -> datetime:
        return self.at
