"""Reminders, escalations and their recipients in words, for the policies page.

A support lead reads "30 min before due: remind the assignee by email" faster than
``{before: 30m, notify: [assignee]}``. The sentences are built from translated pieces
(``gettext``) and Babel's lists, in the page's language; ids stay visible beside names
(``Anna de Vries (person:anna)``) so a sentence can be traced back to the file.
Conditions (``when``) are the engine's own words (:func:`slaclock.core.conditions.describe`),
in English, as on the ticket page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from babel.lists import format_list
from babel.units import format_unit

from slaclock.core.conditions import describe
from slaclock.core.model import CalendarRef, Config, Escalation, Reminder
from slaclock.web.labels import CHANNEL_LABELS, label

__all__ = ["PolicyWords"]

Gettext = Callable[[str], str]
_UNITS = ((3600, "duration-hour"), (60, "duration-minute"), (1, "duration-second"))


class PolicyWords:
    """Words for one page: its language, ``gettext`` and the configuration's names."""

    def __init__(self, locale: str, gettext: Gettext, config: Config) -> None:
        self.locale = locale
        self.gettext = gettext
        self.config = config

    # ------------------------------------------------------------------ basics

    def hours(self, seconds: int | None) -> str:
        """Open time as hours, minutes and seconds ("40 hr", "1 hr 30 min"): never days,
        since a target counts open hours, where a 24-hour "day" would mislead."""
        if seconds is None:
            return ""
        rest, parts = int(seconds), []
        for size, unit in _UNITS:
            count, rest = divmod(rest, size)
            if count:
                parts.append(format_unit(count, unit, length="short", locale=self.locale))
        return " ".join(parts) or format_unit(0, "duration-minute", "short", locale=self.locale)

    def listed(self, items: Iterable[str]) -> str:
        """``a, b and c`` in the page's language."""
        return format_list(list(items), locale=self.locale)

    def sentence(self, text: str) -> str:
        return text[:1].upper() + text[1:]

    def calendar(self, ref: CalendarRef) -> str:
        """A calendar id, or the choice by a ticket field in words."""
        if ref.id is not None:
            return ref.id
        choices = ", ".join(f"{value} → {cal}" for value, cal in ref.map.items())
        return self.gettext("by %(field)s: %(choices)s; otherwise %(default)s") % {
            "field": ref.by,
            "choices": choices,
            "default": ref.default,
        }

    # -------------------------------------------------------------- recipients

    def recipient(self, code: str) -> str:
        """One ``notify`` entry as who gets it and by which channel."""
        who, channel = self._who(code)
        return self.gettext("%(who)s by %(channel)s") % {
            "who": who,
            "channel": label(CHANNEL_LABELS, channel, self.gettext),
        }

    def recipients(self, codes: Iterable[str]) -> str:
        return self.listed(self.recipient(code) for code in codes)

    def _who(self, code: str) -> tuple[str, str]:
        kind, _, ref = code.partition(":")
        config, gettext = self.config, self.gettext
        if code == "assignee":
            return gettext("the assignee"), "email"
        if code == "group_lead":
            return gettext("the lead of the ticket's group"), "email"
        if code == "customer":
            return gettext("the customer"), "email"
        if kind == "person":
            person = config.people.get(ref)
            return f"{person.name if person else ref} ({code})", "email"
        if kind == "group":
            group = config.groups.get(ref)
            name = group.name if group else ref
            return gettext("the members of %(group)s") % {"group": f"{name} ({code})"}, "email"
        if kind == "role":
            people = config.roles.get(ref, ())
            names = [config.people[p].name if p in config.people else p for p in people]
            who = self.listed(names) if names else gettext("nobody")
            return f"{who} ({code})", "email"
        if kind == "webhook":
            hook = config.webhooks.get(ref)
            channel = "slack" if hook is not None and hook.format == "slack" else "webhook"
            return ref, channel
        return ref or code, "email"  # email:<address>

    # ------------------------------------------------- reminders and escalations

    def reminder(self, reminder: Reminder) -> str:
        """``30 min before due: remind the assignee by email``."""
        gettext = self.gettext
        if reminder.before_seconds is not None:
            moment = gettext("%(time)s before due") % {"time": self.hours(reminder.before_seconds)}
        else:
            moment = gettext("at %(percent)s %% of the target") % {
                "percent": f"{reminder.at_percent:g}"
            }
        moment += self._scope(reminder.metrics, reminder.clock, reminder.when, reminder.urgent)
        doing = gettext("remind %(who)s") % {"who": self.recipients(reminder.notify)}
        return self.sentence(f"{moment}: {doing}")

    def escalation(self, escalation: Escalation) -> str:
        """``1 hr after the breach: escalate to Mark Jansen (person:mark) by email; set
        priority to urgent``."""
        gettext = self.gettext
        if escalation.after_seconds == 0:
            moment = gettext("at the breach")
        else:
            moment = gettext("%(time)s after the breach") % {
                "time": self.hours(escalation.after_seconds)
            }
        moment += self._scope(
            escalation.metrics, escalation.clock, escalation.when, escalation.urgent
        )
        doing = []
        if escalation.notify:
            doing.append(
                gettext("escalate to %(who)s") % {"who": self.recipients(escalation.notify)}
            )
        doing += [self._action(action.kind, action.value) for action in escalation.actions]
        text = f"{moment}: {'; '.join(doing)}"
        if escalation.unless_acknowledged:
            text += "; " + gettext("not if the clock was acknowledged before")
            if escalation.ack_expires_seconds is not None:
                text += " " + gettext("(an acknowledgement lapses after %(time)s)") % {
                    "time": self.hours(escalation.ack_expires_seconds)
                }
        return self.sentence(text)

    def _scope(self, metrics: tuple[str, ...] | None, clock: str, when: Any, urgent: bool) -> str:
        gettext, notes = self.gettext, []
        if metrics:
            notes.append(gettext("for %(metrics)s only") % {"metrics": self.listed(metrics)})
        if clock == "real":
            notes.append(gettext("in real time"))
        if when is not None:
            notes.append(gettext("when %(condition)s") % {"condition": describe(when)})
        if urgent:
            notes.append(gettext("never held for quiet hours"))
        return f" ({'; '.join(notes)})" if notes else ""

    def _action(self, kind: str, value: Any) -> str:
        gettext = self.gettext
        if kind == "set" and isinstance(value, dict):
            return self.listed(
                gettext("set %(field)s to %(value)s") % {"field": field, "value": _plain(v)}
                for field, v in value.items()
            )
        if kind == "add_tags":
            return gettext("add the tags %(tags)s") % {"tags": _plain(value)}
        if kind == "reassign":
            return gettext("reassign to the lead of the ticket's group")
        if kind == "webhook":
            return gettext("call the webhook %(id)s") % {"id": value}
        return f"{kind} {_plain(value)}"


def _plain(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return str(value)
