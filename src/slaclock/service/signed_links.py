"""Signed, expiring links: a claim carried in the URL, so the link is its own credential.

The acknowledgement links of breach messages (:mod:`slaclock.service.acknowledgements`)
and the customer links of a ticket (:mod:`slaclock.service.customer_links`) both put a
few values and an expiry in a token, ``<payload>.<mac>``: the payload is the JSON list
``[*values, expiry as unix seconds]`` in URL-safe base64 without padding, the mac the
first 32 hex digits (128 bits) of its HMAC-SHA256 under a secret from the environment.
Nobody without the secret can make or alter a link; changing the secret voids every
link made with it. A ``domain`` (one per kind of link) is signed with the payload, so a
link of one kind never passes as another even when both share a secret; the
acknowledgement links sign none, as they always did, so links already sent still work.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Sequence
from datetime import datetime

__all__ = [
    "MAX_TOKEN_CHARS",
    "LinkDamaged",
    "LinkError",
    "LinkExpired",
    "LinkForged",
    "read_link",
    "sign_link",
]

#: No token we make is longer (a 200-character ticket id, in any script, stays well
#: under it); a longer one is refused before any work.
MAX_TOKEN_CHARS = 4096


class LinkError(ValueError):
    """A link that does not hold: its message says why, in words for a page."""


class LinkForged(LinkError):
    """Not signed with our secret (made up, altered, or cut short)."""


class LinkDamaged(LinkError):
    """Signed by us, but its payload cannot be read (a bug, or an old format)."""


class LinkExpired(LinkError):
    """Genuine, but past its expiry."""


def sign_link(
    secret: str, values: Sequence[str | int], expires: datetime, *, domain: str = ""
) -> str:
    """The token for ``values``, valid until ``expires`` (to the second)."""
    payload = json.dumps(
        [*values, int(expires.timestamp())], separators=(",", ":"), ensure_ascii=False
    ).encode()
    encoded = base64.urlsafe_b64encode(payload).decode().rstrip("=")
    return f"{encoded}.{_mac(secret, encoded, domain)}"


def read_link(
    secret: str, token: str, now: datetime, *, what: str, domain: str = ""
) -> tuple[list[object], datetime]:
    """The values of a genuine token that has not expired, and its expiry (in ``now``'s
    zone). A token is good up to and including its expiry second. Raises
    :class:`LinkForged`, :class:`LinkDamaged` or :class:`LinkExpired`, whose message
    names the link as ``what`` ("this acknowledgement link has expired")."""
    encoded, _, mac = token.partition(".")
    if not encoded or len(token) > MAX_TOKEN_CHARS:
        raise LinkForged(f"this {what} is not genuine")
    expected = _mac(secret, encoded, domain).encode()
    if not hmac.compare_digest(expected, mac.encode("utf-8", "replace")):
        raise LinkForged(f"this {what} is not genuine")
    try:
        raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        values = json.loads(raw)
        if not isinstance(values, list) or not values or not isinstance(values[-1], int):
            raise ValueError("not a list ending with an expiry")
        expires = datetime.fromtimestamp(values[-1], now.tzinfo)
    except (ValueError, TypeError, OverflowError, OSError, binascii.Error) as exc:
        raise LinkDamaged(f"this {what} is damaged") from exc
    if expires < now:
        raise LinkExpired(f"this {what} has expired")
    return values[:-1], expires


def _mac(secret: str, encoded: str, domain: str) -> str:
    message = f"{domain}:{encoded}" if domain else encoded
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()[:32]
