"""The webhook signature scheme, both ways (policies.md): ``X-Slaclock-Signature:
t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">``.

slaclock signs its own deliveries with it, and verifies helpdesks' webhooks by it
(:mod:`slaclock.api.signing`): one scheme, one implementation.
"""

from __future__ import annotations

import hashlib
import hmac

__all__ = ["digest", "sign"]


def sign(secret: str, body: bytes, unix_seconds: int) -> str:
    """The header value for ``body`` sent at ``unix_seconds``."""
    return f"t={unix_seconds},v1={digest(secret, body, str(unix_seconds))}"


def digest(secret: str, body: bytes, timestamp: str) -> str:
    message = timestamp.encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
