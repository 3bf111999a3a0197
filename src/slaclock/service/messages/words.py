"""The facts in words of one language: metrics, priorities, due times, time left.

Strings are marked with ``N_`` (translated later) or written as ``_(…)`` calls on the
reader's catalogue, so ``pybabel extract`` finds them; dates and durations are Babel's
(CLDR), in the reader's time zone.
"""

from __future__ import annotations

import functools
import gettext
from collections.abc import Mapping
from datetime import datetime, timedelta, tzinfo
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel.dates import format_datetime, format_timedelta

from slaclock.service.labels import N_, label

__all__ = [
    "METRIC_WORDS",
    "N_",
    "PRIORITY_WORDS",
    "at_time",
    "headline",
    "metric_words",
    "priority_words",
    "status",
    "zone",
]


METRIC_WORDS: Mapping[str, str] = {
    "first_response": N_("first response"),
    "next_response": N_("next response"),
    "resolution": N_("resolution"),
    "periodic_update": N_("periodic update"),
}
PRIORITY_WORDS: Mapping[str, str] = {
    "low": N_("low"),
    "normal": N_("normal"),
    "high": N_("high"),
    "urgent": N_("urgent"),
}
_HEADLINES: Mapping[str, str] = {
    "sla.reminder": N_("Reminder: a deadline on this ticket is coming up."),
    "sla.breached": N_("A deadline on this ticket has been missed."),
    "sla.escalation": N_("Escalation: a missed deadline on this ticket still needs attention."),
}
#: The unit a time is said in, where its count still says it closely enough: minutes
#: below two hours ("90 minutes"), hours below three days, then days; a whole number of
#: a larger unit is said in that unit ("1 hour", "1 day").
_Unit = Literal["day", "hour", "minute", "second"]
_UNITS: tuple[tuple[_Unit, int], ...] = (("day", 86400), ("hour", 3600), ("minute", 60))


def metric_words(metric: str, translations: gettext.NullTranslations) -> str:
    """A built-in metric in words; a custom one's id made readable
    ("engineering_triage" → "engineering triage")."""
    english = METRIC_WORDS.get(metric)
    if english is not None:
        return translations.gettext(english)
    return " ".join(metric.replace("_", " ").replace("-", " ").split())


def priority_words(priority: str | None, translations: gettext.NullTranslations) -> str | None:
    """A priority in words; one not listed (a helpdesk's own) as it is."""
    return None if priority is None else label(PRIORITY_WORDS, priority, translations.gettext)


def headline(message_type: str, translations: gettext.NullTranslations) -> str:
    return translations.gettext(_HEADLINES[message_type])


def _rounded(seconds: int) -> tuple[_Unit, timedelta]:
    """``|seconds|`` (to the minute from one minute on) and the unit to say it in."""
    seconds = abs(seconds)
    if seconds < 60:
        return "second", timedelta(seconds=seconds)
    seconds = round(seconds / 60) * 60
    by_size = 0 if seconds >= 3 * 86400 else 1 if seconds >= 2 * 3600 else 2
    whole = next(index for index, (_, size) in enumerate(_UNITS) if seconds % size == 0)
    return _UNITS[min(by_size, whole)][0], timedelta(seconds=seconds)


def _span(seconds: int, formats: Locale, direction: bool) -> str:
    unit, delta = _rounded(seconds)
    # A threshold no count reaches makes Babel say it in ``unit`` (its granularity).
    return format_timedelta(
        delta, granularity=unit, threshold=1e12, add_direction=direction, locale=formats
    )


def status(remaining_seconds: int, translations: gettext.NullTranslations, formats: Locale) -> str:
    """The time left or overdue in words: "due in 15 minutes", "overdue by 2 hours",
    "overdue" (within the first minute)."""
    _ = translations.gettext
    if remaining_seconds > 0:
        return _("due %(relative)s") % {"relative": _span(remaining_seconds, formats, True)}
    if remaining_seconds > -60:
        return _("overdue")
    return _("overdue by %(duration)s") % {"duration": _span(remaining_seconds, formats, False)}


@functools.lru_cache(maxsize=64)
def zone(name: str | None) -> tzinfo:
    """The IANA zone ``name``; UTC for none or an unknown name (the message names the
    zone it writes times in, so it is never misread)."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


@functools.lru_cache(maxsize=64)
def _pattern(formats: Locale) -> str:
    """The locale's full date with its short time, then the zone's long name."""
    date_time = str(formats.datetime_formats["full"])
    date = formats.date_formats["full"].pattern
    time = formats.time_formats["short"].pattern
    return date_time.replace("{1}", date).replace("{0}", time) + " (zzzz)"


def at_time(value: datetime | None, tz: tzinfo, formats: Locale) -> str | None:
    """An instant in the reader's zone and language: "Monday, March 2, 2026, 10:15 AM
    (Central European Standard Time)"; None for none."""
    if value is None:
        return None
    return format_datetime(value, _pattern(formats), tzinfo=tz, locale=formats)
