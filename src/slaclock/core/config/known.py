"""The ids a configuration declares, gathered before anything refers to them.

Gathering them first lets every reference be checked where it is written, in one
pass, whatever the order of the sections in the file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from slaclock.core.model import BUILTIN_METRICS

__all__ = ["Known", "gather_known"]


@dataclass(frozen=True)
class Known:
    calendars: frozenset[str]
    people: frozenset[str]
    groups: frozenset[str]
    roles: frozenset[str]
    webhooks: frozenset[str]
    metrics: frozenset[str]


def gather_known(data: Mapping[str, Any]) -> Known:
    """Every id declared in the file (well-formed or not), plus the built-in metrics."""
    metrics = data.get("metrics")
    roles = data.get("roles")
    return Known(
        calendars=_ids(data.get("calendars")),
        people=_ids(data.get("people")),
        groups=_ids(data.get("groups")),
        roles=frozenset(k for k in roles if isinstance(k, str))
        if isinstance(roles, Mapping)
        else frozenset(),
        webhooks=_ids(data.get("webhooks")),
        metrics=frozenset(BUILTIN_METRICS)
        | (
            frozenset(k for k in metrics if isinstance(k, str))
            if isinstance(metrics, Mapping)
            else frozenset()
        ),
    )


def _ids(entries: Any) -> frozenset[str]:
    if not isinstance(entries, list):
        return frozenset()
    return frozenset(
        e["id"] for e in entries if isinstance(e, Mapping) and isinstance(e.get("id"), str)
    )
