"""A track: one clock line of a ticket, and the predicates that start and stop it.

A *track* is one metric of the customer policies, or one OLA. Its predicates
(policies.md, "Metrics") are prepared once per configuration: those with no parameter
and no ``when`` match on a fact's name alone; the others keep their allowed values as
tuples.
"""

from __future__ import annotations

from typing import Any

from slaclock.core.conditions import evaluate
from slaclock.core.engine.ticket import Fact
from slaclock.core.model import ConditionGroup, MetricDef, Ola, Predicate

__all__ = ["Track"]


class Track:
    """One clock line of a ticket: an SLA metric, or an OLA (``owner`` = the OLA id).

    ``start_names``/``stop_names`` are the fact names its predicates listen to, so an
    event that states none of them costs nothing for this track.
    """

    __slots__ = (
        "definition", "gated_next_response", "key", "kind", "metric", "ola", "owner",
        "repeat", "resumes", "start_checks", "start_names", "start_plain", "stop_checks",
        "stop_names", "stop_plain",
    )  # fmt: skip

    def __init__(
        self, kind: str, metric: str, owner: str, definition: MetricDef, ola: Ola | None = None
    ) -> None:
        self.kind = kind
        self.metric = metric
        self.owner = owner
        self.definition = definition
        self.ola = ola
        self.key = (kind, metric, owner)
        self.start_names = frozenset(p.event for p in definition.start)
        self.stop_names = frozenset(p.event for p in definition.stop)
        # The built-ins' own rules (policies.md): a reopen resumes ``resolution``;
        # ``next_response`` opens only after the first response with nothing unanswered.
        self.resumes = definition.builtin and metric == "resolution"
        self.gated_next_response = definition.builtin and metric == "next_response"
        self.repeat = definition.repeat  # a non-repeating track starts once per ticket
        # Predicates with no parameters and no ``when`` match on the fact name alone.
        self.start_plain = frozenset(p.event for p in definition.start if _plain(p))
        self.stop_plain = frozenset(p.event for p in definition.stop if _plain(p))
        # The others, with their parameters as tuples of allowed values, made once.
        self.start_checks = tuple(_check(p) for p in definition.start if not _plain(p))
        self.stop_checks = tuple(_check(p) for p in definition.stop if not _plain(p))

    def started_by(self, facts: list[Fact], names: frozenset[str], ticket: Any) -> bool:
        if not names.isdisjoint(self.start_plain):
            return True
        return _any_holds(self.start_checks, facts, ticket)

    def stopped_by(self, facts: list[Fact], names: frozenset[str], ticket: Any) -> bool:
        if not names.isdisjoint(self.stop_plain):
            return True
        return _any_holds(self.stop_checks, facts, ticket)


#: A predicate ready to test: its fact name, ``(key, allowed values, by_group)`` per
#: parameter, and its ``when``.
Check = tuple[str, tuple[tuple[str, tuple[Any, ...], bool], ...], ConditionGroup | None]


def _check(predicate: Predicate) -> Check:
    params = []
    for key, wanted in predicate.params.items():
        allowed = wanted if isinstance(wanted, list | tuple | frozenset | set) else (wanted,)
        params.append((key, tuple(allowed), key == "by_group"))
    return (predicate.event, tuple(params), predicate.when)


def _any_holds(checks: tuple[Check, ...], facts: list[Fact], ticket: Any) -> bool:
    """Whether some fact satisfies some check: its fact name, every parameter (one of
    the allowed values; ``by_group``: one of the author's groups) and its ``when``."""
    for name, params, when in checks:
        for fact in facts:
            if fact.name != name:
                continue
            for key, allowed, by_group in params:
                if by_group:
                    if not fact.groups.intersection(allowed):
                        break
                elif fact.attrs.get(key) not in allowed:
                    break
            else:
                if when is None or evaluate(when, ticket):
                    return True
    return False


def _plain(predicate: Predicate) -> bool:
    return not predicate.params and predicate.when is None
