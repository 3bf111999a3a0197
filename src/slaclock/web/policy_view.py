"""The configuration in force as readable tables, for the policies page.

Policies in the order they are tried, each with its match condition in words, its
calendar, its targets as a table (metrics × priorities, with the internal goal), its
reminders and its escalation ladder in sentences; then the OLAs, the calendars as
weekly grids with their holidays, and the contracts. Everything is read from the
frozen :class:`~slaclock.core.model.Config` (nothing is computed here); the words come
from :mod:`slaclock.web.policy_words`.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from babel.numbers import format_currency, format_percent

from slaclock.core.conditions import describe
from slaclock.core.config.outline import target_for
from slaclock.core.model import PRIORITIES, Config, Contract, Ola, PauseRule, Policy, Target
from slaclock.web.calendar_grid import calendar_grid
from slaclock.web.labels import N_, PRIORITY_LABELS, label
from slaclock.web.policy_words import PolicyWords

__all__ = ["config_sections"]

PERIOD_LABELS = {"month": N_("month"), "quarter": N_("quarter")}
RETARGET_LABELS = {
    "keep_elapsed": N_("open clocks keep the time they have run"),
    "restart": N_("open clocks start again from zero"),
}


def config_sections(config: Config, now: datetime, words: PolicyWords) -> dict[str, Any]:
    """Every section of the page, as display values."""
    gettext = words.gettext
    return {
        "priorities": [label(PRIORITY_LABELS, p, gettext) for p in PRIORITIES],
        "policies": [_policy(n, policy, words) for n, policy in enumerate(config.policies, 1)],
        "olas": [_ola(ola, words) for ola in config.olas],
        "calendars": [calendar_grid(cal, now, words) for cal in config.calendars.values()],
        "contracts": [_contract(contract, words) for contract in config.contracts],
    }


def _policy(number: int, policy: Policy, words: PolicyWords) -> dict[str, Any]:
    gettext = words.gettext
    retarget = None
    if policy.retarget.mode in RETARGET_LABELS:
        retarget = gettext(RETARGET_LABELS[policy.retarget.mode])
        if policy.retarget.grace_seconds:
            retarget += " " + gettext("(grace %(time)s)") % {
                "time": words.hours(policy.retarget.grace_seconds)
            }
    return {
        "number": number,
        "id": policy.id,
        "name": policy.name,
        "version": policy.version,
        "match": describe(policy.match) if policy.match else gettext("always (every ticket)"),
        "calendar": words.calendar(policy.calendar),
        "calendar_id": policy.calendar.id,
        "retarget": retarget,
        "targets": [_target_row(metric, t, words) for metric, t in policy.targets.items()],
        "reminders": [words.reminder(r) for r in policy.reminders],
        "escalations": [words.escalation(e) for e in policy.escalations],
    }


def _target_row(metric: str, target: Target, words: PolicyWords) -> dict[str, Any]:
    """One metric's target per priority ("—": that priority gets no clock), with its
    internal goal, and where the target's pause rule or calendar differ."""
    gettext, cells = words.gettext, []
    for priority in PRIORITIES:
        within, goal = target_for(target, priority)
        cells.append({"within": words.hours(within) or "—", "goal": words.hours(goal)})
    notes = []
    if target.pause is not None:
        notes.append(gettext("pauses while %(rule)s") % {"rule": _pause(target.pause, words)})
    if target.calendar is not None:
        notes.append(
            gettext("on the calendar %(calendar)s") % {"calendar": words.calendar(target.calendar)}
        )
    return {"metric": metric, "cells": cells, "notes": "; ".join(notes)}


def _pause(pause: PauseRule, words: PolicyWords) -> str:
    parts = []
    if pause.statuses:
        parts.append(
            words.gettext("the status is %(statuses)s")
            % {"statuses": ", ".join(sorted(pause.statuses))}
        )
    if pause.when is not None:
        parts.append(describe(pause.when))
    return "; ".join(parts) or words.gettext("never")


def _ola(ola: Ola, words: PolicyWords) -> dict[str, Any]:
    group = words.config.groups.get(ola.group)
    return {
        "id": ola.id,
        "version": ola.version,
        "group": f"{group.name} ({ola.group})" if group else ola.group,
        "metric": ola.metric,
        "target": _target_row(ola.metric, ola.target, words),
        "calendar": words.calendar(ola.calendar),
        "calendar_id": ola.calendar.id,
        "supports": ", ".join(ola.supports),
        "reminders": [words.reminder(r) for r in ola.reminders],
        "escalations": [words.escalation(e) for e in ola.escalations],
    }


def _percent(value: Decimal, words: PolicyWords) -> str:
    return format_percent(value, format="#,##0.####%", locale=words.locale)


def _contract(contract: Contract, words: PolicyWords) -> dict[str, Any]:
    gettext = words.gettext
    return {
        "id": contract.id,
        "name": contract.name,
        "customers": describe(contract.customers),
        "exclude": describe(contract.exclude) if contract.exclude is not None else None,
        "period": label(PERIOD_LABELS, contract.period, gettext),
        "zone": str(contract.tz.key),
        "fee": format_currency(contract.fee.amount, contract.fee.currency, locale=words.locale),
        "metrics": ", ".join(contract.metrics),
        "target": _percent(contract.target, words),
        "credits": [
            {"below": _percent(tier.below, words), "credit": _percent(tier.credit, words)}
            for tier in contract.credits
        ],
        "cap": _percent(contract.cap, words),
    }
