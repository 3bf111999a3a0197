"""A configuration prepared for the engine: tracks, predicate tests, target bindings.

Done once per :class:`~slaclock.core.model.Config` so that applying an event is table
lookups: which clocks exist (a *track* is one metric of the customer policies, or one
OLA), which facts start, stop and pause each, and which target/calendar applies.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from slaclock.core.calendar import Calendar
from slaclock.core.conditions import evaluate, get_path
from slaclock.core.engine.ticket import value_at
from slaclock.core.engine.track import Track
from slaclock.core.model import (
    CalendarRef,
    Condition,
    ConditionGroup,
    Config,
    Escalation,
    PauseRule,
    Policy,
    Reminder,
    Retarget,
    Target,
)

__all__ = ["Binding", "CompiledConfig", "pause_holds"]


class Binding:
    """The target that applies to a clock now: who promised what, on which calendar.

    Immutable by convention and compared by value.
    """

    __slots__ = (
        "calendar", "escalations", "goal_seconds", "identity", "pause", "policy_id",
        "policy_version", "reminders", "retarget", "target_seconds",
    )  # fmt: skip

    def __init__(
        self,
        policy_id: str,
        policy_version: int,
        target_seconds: int,
        goal_seconds: int | None,
        calendar: Calendar,
        pause: PauseRule | None,
        retarget: Retarget,
        reminders: tuple[Reminder, ...],
        escalations: tuple[Escalation, ...],
    ) -> None:
        self.policy_id = policy_id
        self.policy_version = policy_version
        self.target_seconds = target_seconds
        self.goal_seconds = goal_seconds
        self.calendar = calendar
        self.pause = pause
        self.retarget = retarget
        self.reminders = reminders
        self.escalations = escalations
        #: What a re-targeting compares: a change here re-targets running clocks.
        self.identity: tuple[str, int, int, int | None, str] = (
            policy_id, policy_version, target_seconds, goal_seconds, calendar.id,
        )  # fmt: skip

    def _fields(self) -> tuple[Any, ...]:
        return (
            self.policy_id, self.policy_version, self.target_seconds, self.goal_seconds,
            self.calendar, self.pause, self.retarget, self.reminders, self.escalations,
        )  # fmt: skip

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Binding):
            return NotImplemented
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        return (
            f"Binding(policy_id={self.policy_id!r}, policy_version={self.policy_version!r}, "
            f"target_seconds={self.target_seconds!r}, goal_seconds={self.goal_seconds!r}, "
            f"calendar={self.calendar.id!r})"
        )

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return (Binding, self._fields())


def pause_holds(rule: PauseRule | None, ticket: Mapping[str, Any]) -> bool:
    """A pause holds while the status is listed, or while its ``when`` holds."""
    if rule is None:
        return False
    if ticket.get("status") in rule.statuses:
        return True
    return rule.when is not None and evaluate(rule.when, ticket)


#: For an event's fact names: ``(track, key, may_stop, may_start, reopen)`` per track.
Plan = tuple[tuple[Track, tuple[str, str, str], bool, bool, bool], ...]


class CompiledConfig:
    """The per-configuration tables the engine consults on every event."""

    __slots__ = (
        "_binding_cache", "_binding_paths", "_plans", "_plans_all", "_policy_cache",
        "_policy_paths", "binding_tops", "config", "exhaustive", "pause_tops",
        "person_groups", "policies", "policy_tops", "tracks",
    )  # fmt: skip

    def __init__(self, config: Config, exhaustive: bool = False) -> None:
        self.config = config
        #: Re-evaluate everything on every event (no shortcuts): the reference behaviour
        #: the shortcuts are tested against.
        self.exhaustive = exhaustive
        self.policies: tuple[Policy, ...] = config.policies
        self.tracks: tuple[Track, ...] = self._tracks(config)
        self.person_groups: Mapping[str, frozenset[str]] = {
            pid: frozenset(p.groups) for pid, p in config.people.items()
        }
        # Policy choice and bindings are pure functions of a few ticket fields: cache them
        # by those fields' values (typed, so True and 1 stay apart).
        paths: dict[str, None] = {}
        for policy in config.policies:
            if policy.match is not None:
                _condition_paths(policy.match, paths)
        self._policy_paths = tuple(tuple(path.split(".")) for path in paths)
        self._policy_cache: dict[tuple[Any, ...], Policy | None] = {}
        by_paths = {ref.by for ref in _calendar_refs(config) if ref.by is not None}
        self._binding_paths = tuple(
            tuple(path.split(".")) for path in ("priority", *sorted(by_paths))
        )
        self._binding_cache: dict[tuple[Any, ...], Binding | None] = {}
        #: :meth:`plan` by set of fact names, without and with ``every_track``.
        self._plans: dict[frozenset[str], Plan] = {}
        self._plans_all: dict[frozenset[str], Plan] = {}
        #: Top-level ticket keys whose change can change the policy, a binding, a pause.
        self.policy_tops = frozenset(path[0] for path in self._policy_paths)
        self.binding_tops = frozenset(path[0] for path in self._binding_paths)
        self.pause_tops = frozenset({"status"} | _pause_tops(config))

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

    def plan(self, names: frozenset[str], every_track: bool) -> Plan:
        """For an event stating ``names``: ``(track, key, may_stop, may_start, reopen)``
        for every track it concerns (all tracks when ``every_track``: the bindings may
        have changed), worked out once per set of fact names."""
        plans = self._plans_all if every_track else self._plans
        try:
            return plans[names]
        except KeyError:
            pass
        plan = []
        for track in self.tracks:
            reopen = track.resumes and "reopened" in names
            may_start = reopen or not names.isdisjoint(track.start_names)
            may_stop = not names.isdisjoint(track.stop_names)
            if every_track or may_start or may_stop:
                plan.append((track, track.key, may_stop, may_start, reopen))
        found = plans[names] = tuple(plan)
        return found

    def choose_policy(self, ticket: Mapping[str, Any]) -> Policy | None:
        """The first policy, in order, whose ``match`` holds (no ``match``: always)."""
        key = tuple([_typed(value_at(ticket, path)) for path in self._policy_paths])
        try:
            return self._policy_cache[key]
        except KeyError:
            pass
        if len(self._policy_cache) > _CACHE_LIMIT:
            self._policy_cache.clear()
        chosen = self._policy_cache[key] = self._first_match(ticket)
        return chosen

    def _first_match(self, ticket: Mapping[str, Any]) -> Policy | None:
        for policy in self.policies:
            if policy.match is None or evaluate(policy.match, ticket):
                return policy
        return None

    def binding_key(self, ticket: Mapping[str, Any]) -> tuple[Any, ...]:
        """The ticket values a binding depends on (priority, calendar ``by`` fields)."""
        return tuple([_typed(value_at(ticket, path)) for path in self._binding_paths])

    def binding(
        self,
        track: Track,
        policy: Policy | None,
        ticket: Mapping[str, Any],
        values: tuple[Any, ...] | None = None,
    ) -> Binding | None:
        """The target that applies to ``track`` now, or None (no instance)."""
        if values is None:
            values = self.binding_key(ticket)
        key = (track.key, None if policy is None else id(policy), values)
        try:
            return self._binding_cache[key]
        except KeyError:
            pass
        if len(self._binding_cache) > _CACHE_LIMIT:
            self._binding_cache.clear()
        bound = self._binding_cache[key] = self._binding(track, policy, ticket)
        return bound

    def _binding(
        self, track: Track, policy: Policy | None, ticket: Mapping[str, Any]
    ) -> Binding | None:
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


_CACHE_LIMIT = 100_000


def _typed(value: Any) -> Any:
    """A hashable stand-in for a JSON value that keeps its type (``True`` is not ``1``)."""
    kind = type(value)
    if kind is str:
        return value  # the common case; no other type's stand-in is a bare str
    if kind is list or kind is tuple:
        return ("list", tuple([_typed(v) for v in value]))
    if isinstance(value, Mapping):
        return _typed_map(value)
    return (kind.__name__, value)


def _typed_map(value: Mapping[str, Any]) -> Any:
    """:func:`_typed` of an object."""
    return ("map", tuple(sorted((k, _typed(v)) for k, v in value.items())))


def _condition_paths(node: Condition | ConditionGroup, out: dict[str, None]) -> None:
    if isinstance(node, Condition):
        out[node.field] = None
        return
    for child in (*node.all, *(node.any or ())):
        _condition_paths(child, out)


def _calendar_refs(config: Config) -> list[CalendarRef]:
    refs = [policy.calendar for policy in config.policies]
    refs += [t.calendar for p in config.policies for t in p.targets.values() if t.calendar]
    refs += [ola.calendar for ola in config.olas]
    refs += [ola.target.calendar for ola in config.olas if ola.target.calendar]
    return refs


def _pause_tops(config: Config) -> set[str]:
    """Top-level keys read by any pause rule's ``when``."""
    rules = [m.pause for m in config.metrics.values()]
    rules += [t.pause for p in config.policies for t in p.targets.values()]
    rules += [ola.target.pause for ola in config.olas]
    paths: dict[str, None] = {}
    for rule in rules:
        if rule is not None and rule.when is not None:
            _condition_paths(rule.when, paths)
    return {path.split(".", 1)[0] for path in paths}
