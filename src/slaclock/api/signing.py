"""Inbound webhook signatures and the mapping of a helpdesk's JSON onto an event.

The scheme is the one slaclock uses for its own deliveries (policies.md):
``X-Slaclock-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">``. The
timestamp must lie within the source's tolerance of now, so a captured request cannot be
replayed later; within the window a replay maps to the same event id and is a duplicate.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from slaclock.core.signing import digest, sign

__all__ = ["SignatureError", "map_body", "sign", "verify_signature"]

_SEGMENT = re.compile(r"\.([^.\[\]]+)|\[(\d+)\]")
#: Unix seconds: ASCII digits only (``str.isdigit`` takes "²", which ``int`` refuses),
#: and few enough for any instant a clock will show (12 digits: beyond the year 33,000).
_STAMP = re.compile(r"[0-9]{1,12}")


class SignatureError(ValueError):
    """The signature header is missing, malformed, stale or does not match."""


def verify_signature(
    header: str | None, secret: str, body: bytes, now: datetime, tolerance_seconds: int
) -> None:
    """Raise :class:`SignatureError` unless ``header`` signs ``body`` recently enough."""
    if not header:
        raise SignatureError("missing X-Slaclock-Signature header")
    parts: dict[str, list[str]] = {}
    for item in header.split(","):
        key, sep, value = item.strip().partition("=")
        if sep:
            parts.setdefault(key, []).append(value)
    stamps, candidates = parts.get("t", []), parts.get("v1", [])
    if len(stamps) != 1 or not _STAMP.fullmatch(stamps[0]) or not candidates:
        raise SignatureError("malformed X-Slaclock-Signature header (want t=<unix>,v1=<hex>)")
    age_seconds = now.timestamp() - int(stamps[0])
    if abs(age_seconds) > tolerance_seconds:
        raise SignatureError(
            f"signature timestamp is {int(age_seconds)}s from now; "
            f"the tolerance is {tolerance_seconds}s"
        )
    expected = digest(secret, body, stamps[0])
    if not any(hmac.compare_digest(expected, c.strip().lower()) for c in candidates):
        raise SignatureError("signature does not match the body")


def extract(body: Any, path: str) -> tuple[bool, Any]:
    """Follow a JSON path such as ``$.ticket.id`` or ``$.items[0].at`` into ``body``."""
    if not path.startswith("$"):
        return False, None
    rest, value = path[1:], body
    position = 0
    while position < len(rest):
        found = _SEGMENT.match(rest, position)
        if found is None:
            return False, None
        key, index = found.group(1), found.group(2)
        if key is not None and isinstance(value, dict) and key in value:
            value = value[key]
        elif index is not None and isinstance(value, list) and int(index) < len(value):
            value = value[int(index)]
        else:
            return False, None
        position = found.end()
    return True, value


def map_body(
    body: Any, mapping: Mapping[str, str], constants: Mapping[str, Any]
) -> tuple[dict[str, Any], list[str]]:
    """Build an event from ``body``: constants first, then mapped paths (dotted targets nest).

    Returns the event and the mapping paths that were not found in the body.
    """
    event: dict[str, Any] = {}
    for target, value in constants.items():
        _put(event, target, value)
    missing = []
    for target, path in mapping.items():
        found, value = extract(body, path)
        if found:
            _put(event, target, value)
        else:
            missing.append(f"{target} <- {path}")
    return event, missing


def _put(event: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, leaf = dotted.split(".")
    node = event
    for name in parents:
        child = node.get(name)
        if not isinstance(child, dict):
            child = node[name] = {}
        node = child
    node[leaf] = value
