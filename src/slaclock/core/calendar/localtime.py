"""Local wall-clock time to real (UTC) time: the only place that knows about DST.

The rule (calendar.md): a local time that does not exist (spring-forward gap) maps to
the first instant after the gap; an ambiguous local time (fall-back) maps to its first
occurrence. Both are the same statement: a wall time ``w`` maps to the earliest instant
at which the local clock has reached ``w``. The map is monotonic, so opening hours
converted boundary by boundary stay ordered.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

DAY_SECONDS_LOCAL = 86_400
_TWO_DAYS = 2 * DAY_SECONDS_LOCAL
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def wall_of(instant: int, tz: ZoneInfo) -> datetime:
    """The naive local wall time shown in ``tz`` at epoch second ``instant``."""
    return datetime.fromtimestamp(instant, tz).replace(tzinfo=None)


def local_to_utc(wall: datetime, tz: ZoneInfo) -> int:
    """Epoch seconds of the naive local time ``wall`` in ``tz`` (whole seconds)."""
    guess = int(wall.replace(tzinfo=tz, fold=0).timestamp())  # fold=0: first occurrence
    if wall_of(guess, tz) == wall:
        return guess
    # In a gap, fold=0 applies the offset from before the transition, which lands after
    # it; the transition itself is the first instant whose wall clock reaches ``wall``.
    low, high = guess - _TWO_DAYS, guess  # wall_of(low) < wall <= wall_of(high)
    while high - low > 1:
        middle = (low + high) // 2
        if wall_of(middle, tz) >= wall:
            high = middle
        else:
            low = middle
    return high


def day_time_to_utc(day: date, seconds: int, tz: ZoneInfo) -> int:
    """Epoch seconds of ``seconds`` after the local midnight of ``day`` (may exceed a day)."""
    wall = datetime(day.year, day.month, day.day) + timedelta(seconds=seconds)  # noqa: DTZ001
    return local_to_utc(wall, tz)


class DayConverter:
    """Converts many times of consecutive local days, probing the zone once per day.

    When the UTC offset is the same at the local midnights of ``day``, ``day + 1`` and
    ``day + 2``, no transition falls inside those two days (zones never change twice
    and back within 48 hours), so every time of ``day`` (including an overnight spill)
    is plain arithmetic. Otherwise each time goes through :func:`local_to_utc`.
    """

    def __init__(self, tz: ZoneInfo) -> None:
        self.tz = tz
        self._offsets: dict[date, int] = {}

    def _offset(self, day: date) -> int:
        found = self._offsets.get(day)
        if found is None:
            midnight = datetime(day.year, day.month, day.day, tzinfo=self.tz)
            delta = midnight.utcoffset()
            found = int(delta.total_seconds()) if delta is not None else 0
            self._offsets[day] = found
        return found

    def forget(self) -> None:
        """Drop the probed offsets (a long index build would otherwise keep them all)."""
        self._offsets.clear()

    def to_utc(self, day: date, seconds: list[int]) -> list[int]:
        """Epoch seconds of each ``seconds`` after the local midnight of ``day``."""
        offset = self._offset(day)
        one = timedelta(days=1)
        if offset == self._offset(day + one) == self._offset(day + 2 * one):
            base = (day.toordinal() - EPOCH_ORDINAL) * DAY_SECONDS_LOCAL - offset
            return [base + s for s in seconds]
        return [day_time_to_utc(day, s, self.tz) for s in seconds]


def utc_year_start(year: int) -> int:
    """Epoch seconds of January 1st of ``year``, 00:00 UTC."""
    return int(datetime(year, 1, 1, tzinfo=UTC).timestamp())
