"""What a validated configuration means, rendered for people (``slaclock validate``).

Each function renders one section as Rich renderables; nothing here validates or
computes SLA state: it only reads the frozen :class:`Config` values.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from rich.console import Group as RichGroup
from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from slaclock.core.calendar import Calendar
from slaclock.core.conditions import describe
from slaclock.core.config.outline import WEEKDAYS, target_for, upcoming_holidays
from slaclock.core.durations import format_duration
from slaclock.core.model import (
    PRIORITIES,
    CalendarRef,
    Config,
    Escalation,
    MetricDef,
    Ola,
    PauseRule,
    Policy,
    Predicate,
    Reminder,
    Target,
)

__all__ = ["render_config"]

HOLIDAYS_SHOWN = 3


def render_config(config: Config, today: date) -> Iterator[RenderableType]:
    """Every section in reading order: calendars, metrics, policies, OLAs, directory."""
    yield _calendars(config, today)
    yield _metrics(config)
    yield Text("Policies (the first whose conditions hold applies)", style="bold")
    for number, policy in enumerate(config.policies, 1):
        yield _policy(number, policy)
    if config.olas:
        yield Text("OLAs", style="bold")
        for ola in config.olas:
            yield _ola(ola)
    yield _directory(config)


# ------------------------------------------------------------------------- calendars


def _calendars(config: Config, today: date) -> Table:
    table = Table(title="Calendars", title_justify="left", show_lines=False)
    for column in ("id", "time zone", "opening hours", "per week", "next holidays"):
        table.add_column(column)
    for cal in config.calendars.values():
        table.add_row(
            cal.id,
            str(cal.tz.key),
            _week_words(cal),
            format_duration(cal.weekly_open_seconds(), days=False),
            _next_holidays(cal, today),
        )
    return table


def _week_words(cal: Calendar) -> str:
    """``mon-fri 09:00-17:00`` runs of days with the same hours; ``always open``."""
    data = cal.to_dict()
    if data.get("always_open"):
        return "always open"
    week = data.get("week") or {}
    runs: list[tuple[list[str], str]] = []
    for day in WEEKDAYS:
        hours = ", ".join(week.get(day) or [])
        if runs and runs[-1][1] == hours:
            runs[-1][0].append(day)
        else:
            runs.append(([day], hours))
    parts = [f"{days[0]}-{days[-1]}" if len(days) > 1 else days[0] for days, hours in runs if hours]
    hours_of = [hours for _days, hours in runs if hours]
    return "\n".join(f"{days} {hours}" for days, hours in zip(parts, hours_of, strict=True))


def _next_holidays(cal: Calendar, today: date) -> str:
    found = upcoming_holidays(cal, today)
    shown = [f"{day.isoformat()} {name}" for day, name in found[:HOLIDAYS_SHOWN]]
    if len(found) > HOLIDAYS_SHOWN:
        shown.append(f"… {len(found) - HOLIDAYS_SHOWN} more within a year")
    return "\n".join(shown) or "none within a year"


# --------------------------------------------------------------------------- metrics


def _metrics(config: Config) -> Table:
    table = Table(title="Metrics", title_justify="left")
    for column in ("metric", "starts at", "stops at", "pauses while", "repeats"):
        table.add_column(column)
    for metric in config.metrics.values():
        table.add_row(
            _metric_name(metric),
            "\n".join(_predicate_words(p) for p in metric.start),
            "\n".join(_predicate_words(p) for p in metric.stop),
            _pause_words(metric.pause),
            "yes" if metric.repeat else "no",
        )
    return table


def _metric_name(metric: MetricDef) -> str:
    builtin = metric.name in ("first_response", "next_response", "periodic_update", "resolution")
    if metric.builtin:
        return f"{metric.name} (built-in)"
    return f"{metric.name} (overridden)" if builtin else metric.name


def _predicate_words(predicate: Predicate) -> str:
    params = ", ".join(f"{key}={_value_words(value)}" for key, value in predicate.params.items())
    text = predicate.event + (f" ({params})" if params else "")
    if predicate.when is not None:
        text += f" when {describe(predicate.when)}"
    return text


def _value_words(value: Any) -> str:
    if isinstance(value, tuple | list):
        return " or ".join(str(item) for item in value)
    return str(value)


def _pause_words(pause: PauseRule | None) -> str:
    if pause is None or (not pause.statuses and pause.when is None):
        return "never"
    parts = []
    if pause.statuses:
        parts.append("status is " + " or ".join(sorted(pause.statuses)))
    if pause.when is not None:
        parts.append(describe(pause.when))
    return " or ".join(parts)


# -------------------------------------------------------------------------- policies


def _policy(number: int, policy: Policy) -> RichGroup:
    lines: list[RenderableType] = [
        Text(f"{number}. {policy.id} — {policy.name}", style="bold cyan"),
        Text(f"   applies when: {describe(policy.match) if policy.match else 'always'}"),
        Text(f"   calendar: {_calendar_words(policy.calendar)}"),
    ]
    if policy.retarget.mode != "retroactive":
        grace = policy.retarget.grace_seconds
        extra = f", grace {format_duration(grace)}" if grace else ""
        lines.append(Text(f"   on a change of target: {policy.retarget.mode}{extra}"))
    lines.append(_targets_table(policy))
    lines += [Text("   " + _reminder_words(r)) for r in policy.reminders]
    lines += [Text("   " + _escalation_words(e)) for e in policy.escalations]
    return RichGroup(*lines)


def _calendar_words(ref: CalendarRef) -> str:
    if ref.id is not None:
        return ref.id
    choices = ", ".join(f"{value} → {cal}" for value, cal in ref.map.items())
    return f"by {ref.by}: {choices}; otherwise {ref.default}"


def _targets_table(policy: Policy) -> Table:
    """Rows: metrics; columns: priorities; cells: within (goal)."""
    table = Table(show_header=True, box=None, padding=(0, 2), pad_edge=True)
    table.add_column("   metric")
    for priority in PRIORITIES:
        table.add_column(priority, justify="right")
    table.add_column("pause / calendar")
    for metric, target in policy.targets.items():
        cells = [_cell(target, p) for p in PRIORITIES]
        notes = []
        if target.pause is not None:
            notes.append("pauses: " + _pause_words(target.pause))
        if target.calendar is not None:
            notes.append("calendar: " + _calendar_words(target.calendar))
        table.add_row(f"   {metric}", *cells, "; ".join(notes))
    return table


def _cell(target: Target, priority: str) -> str:
    seconds, goal_seconds = target_for(target, priority)
    if seconds is None:
        return "—"
    text = format_duration(seconds, days=False)
    if goal_seconds is None:
        return text
    return f"{text} (goal {format_duration(goal_seconds, days=False)})"


def _scope_words(metrics: tuple[str, ...] | None, clock: str, when: Any) -> str:
    text = f" for {', '.join(metrics)}" if metrics else ""
    text += " (real time)" if clock == "real" else ""
    return text + (f" when {describe(when)}" if when is not None else "")


def _reminder_words(reminder: Reminder) -> str:
    if reminder.before_seconds is not None:
        moment = f"{format_duration(reminder.before_seconds)} before due"
    else:
        moment = f"at {reminder.at_percent:g}% of the target"
    scope = _scope_words(reminder.metrics, reminder.clock, reminder.when)
    return f"reminder {moment}{scope}: notify {', '.join(reminder.notify)}"


def _escalation_words(escalation: Escalation) -> str:
    after = escalation.after_seconds
    moment = "at the breach" if after == 0 else f"{format_duration(after)} after the breach"
    scope = _scope_words(escalation.metrics, escalation.clock, escalation.when)
    doing = []
    if escalation.notify:
        doing.append("notify " + ", ".join(escalation.notify))
    for action in escalation.actions:
        doing.append(f"{action.kind} {_action_words(action.value)}")
    return f"escalation {moment}{scope}: {'; '.join(doing)}"


def _action_words(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{key}={_value_words(item)}" for key, item in value.items())
    return _value_words(value)


# ------------------------------------------------------------------------------ OLAs


def _ola(ola: Ola) -> RichGroup:
    within = ola.target.within
    if isinstance(within, int):
        promise = format_duration(within, days=False)
    else:
        promise = ", ".join(f"{p} {format_duration(s, days=False)}" for p, s in within.items())
    lines: list[RenderableType] = [
        Text(f"{ola.id}: group {ola.group}, metric {ola.metric} within {promise}", style="cyan"),
        Text(f"   calendar: {_calendar_words(ola.calendar)}"),
    ]
    if ola.supports:
        lines.append(Text(f"   protects: {', '.join(ola.supports)}"))
    lines += [Text("   " + _reminder_words(r)) for r in ola.reminders]
    lines += [Text("   " + _escalation_words(e)) for e in ola.escalations]
    return RichGroup(*lines)


def _directory(config: Config) -> Text:
    counts = [
        _count(len(config.people), "person", "people"),
        _count(len(config.groups), "group", "groups"),
        _count(len(config.roles), "role", "roles"),
        _count(len(config.webhooks), "webhook", "webhooks"),
        _count(len(config.sources), "inbound source", "inbound sources"),
    ]
    return Text("Directory: " + ", ".join(counts))


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"
