"""A configuration prepared for the engine: tracks, predicate tests, target bindings.

Done once per :class:`~slaclock.core.model.Config` so that applying an event is table
lookups: which clocks exist (a *track* is one metric of the customer policies, or one
OLA), which facts start, stop and pause each, and which target/calendar applies.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from slaclock.core.calendar import Calendar
from slaclock.core.conditions import evaluate, get_path
from slaclock.core.engine.ticket import Fact
from slaclock.core.model import (
    CalendarRef,
    Config,
    Escalation,
    MetricDef,
    Ola,
    PauseRule,
    Policy,
    Predicate,
    Reminder,
    Retarget,
    Target,
)

__all__ = ["Binding", "CompiledConfig", "Track", "matches", "pause_holds"]


@dataclass(frozen=True, slots=True)
class Track:
    """One clock line of a ticket: an SLA metric, or an OLA (``owner`` = the OLA id)."""

    kind: str  # "sla" | "ola"
    metric: str
    owner: str  # "" for SLA tracks
    definition: MetricDef
    ola: Ola | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.kind, self.metric, self.owner)


@dataclass(frozen=True, slots=True)
class Binding:
    """The target that applies to a clock now: who promised what, on which calendar."""

    policy_id: str
    policy_version: int
    target_seconds: int
    goal_seconds: int | None
    calendar: Calendar
    pause: PauseRule | None
    retarget: Retarget
    reminders: tuple[Reminder, ...]
    escalations: tuple[Escalation, ...]

    @property
    def identity(self) -> tuple[str, int, int, int | None, str]:
        """What a re-targeting compares: a change here re-targets running clocks."""
        return (
            self.policy_id,
            self.policy_version,
            self.target_seconds,
            self.goal_seconds,
            self.calendar.id,
        )


def matches(predicate: Predicate, fact: Fact, ticket: Mapping[str, Any]) -> bool:
    """Whether ``fact`` satisfies ``predicate`` (its event name, parameters and ``when``)."""
    if predicate.event != fact.name:
        return False
    for key, wanted in predicate.params.items():
        allowed = wanted if isinstance(wanted, list | tuple | frozenset | set) else (wanted,)
        if key == "by_group":
            if not fact.groups.intersection(allowed):
                return False
        elif fact.attrs.get(key) not in allowed:
            return False
    return predicate.when is None or evaluate(predicate.when, ticket)


def pause_holds(rule: PauseRule | None, ticket: Mapping[str, Any]) -> bool:
    """A pause holds while the status is listed, or while its ``when`` holds."""
    if rule is None:
        return False
    if ticket.get("status") in rule.statuses:
        return True
    return rule.when is not None and evaluate(rule.when, ticket)


class CompiledConfig:
    """The per-configuration tables the engine consults on every event."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.policies: tuple[Policy, ...] = config.policies
        self.tracks: tuple[Track, ...] = self._tracks(config)
        self.person_groups: Mapping[str, frozenset[str]] = {
            pid: frozenset(p.groups) for pid, p in config.people.items()
        }

    @staticmethod
    def _tracks(config: Config) -> tuple[Track, ...]:
        """SLA tracks for every metric some policy targets, then one per OLA."""
        used: dict[str, None] = {}
        for policy in config.policies:
            for name in policy.targets:
                if name in config.metrics:
                    used[name] = None
        tracks = [Track("sla", name, "", config.metrics[name]) for name in sorted(used)]
        for ola in config.olas:
            if ola.metric in config.metrics:
                tracks.append(Track("ola", ola.metric, ola.id, config.metrics[ola.metric], ola))
        return tuple(tracks)

    def choose_policy(self, ticket: Mapping[str, Any]) -> Policy | None:
        """The first policy, in order, whose ``match`` holds (no ``match``: always)."""
        for policy in self.policies:
            if policy.match is None or evaluate(policy.match, ticket):
                return policy
        return None

    def binding(
        self, track: Track, policy: Policy | None, ticket: Mapping[str, Any]
    ) -> Binding | None:
        """The target that applies to ``track`` now, or None (no instance)."""
        if track.ola is not None:
            ola = track.ola
            return self._bind(
                ola.id, ola.version, ola.target, ola.calendar, track, ticket,
                Retarget(), ola.reminders, ola.escalations,
            )  # fmt: skip
        if policy is None:
            return None
        target = policy.targets.get(track.metric)
        if target is None:
            return None
        return self._bind(
            policy.id, policy.version, target, policy.calendar, track, ticket,
            policy.retarget, policy.reminders, policy.escalations,
        )  # fmt: skip

    def _bind(
        self,
        owner_id: str,
        version: int,
        target: Target,
        default_calendar: CalendarRef,
        track: Track,
        ticket: Mapping[str, Any],
        retarget: Retarget,
        reminders: tuple[Reminder, ...],
        escalations: tuple[Escalation, ...],
    ) -> Binding | None:
        priority = ticket.get("priority")
        within = target.within_seconds(priority)
        if within is None:
            return None
        calendar = self.resolve_calendar(target.calendar or default_calendar, ticket)
        if calendar is None:
            return None
        pause = target.pause if target.pause is not None else track.definition.pause
        return Binding(
            owner_id, version, within, target.goal_seconds(priority), calendar, pause,
            retarget, reminders, escalations,
        )  # fmt: skip

    def resolve_calendar(self, ref: CalendarRef, ticket: Mapping[str, Any]) -> Calendar | None:
        """A calendar id, or the one a ticket field chooses (``{by, map, default}``)."""
        calendar_id = ref.id
        if calendar_id is None and ref.by is not None:
            found, value = get_path(ticket, ref.by)
            key = value if isinstance(value, str) else None
            calendar_id = ref.map.get(key, ref.default) if found and key else ref.default
        if calendar_id is None:
            return None
        return self.config.calendars.get(calendar_id)
