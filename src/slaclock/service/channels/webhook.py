"""Outbound webhooks: one signed POST per delivery (policies.md, notifications.md).

The body is sent byte for byte as stored, so a retry is the same request: the same
``X-Slaclock-Delivery`` id (receivers deduplicate on it) and a fresh signature over
the same bytes. 2xx delivers; 408, 429, 5xx, timeouts and connection errors may be
retried (``Retry-After`` honoured, in seconds or as an HTTP date); any other answer
fails for good.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from slaclock.core.signing import sign
from slaclock.service.channels.outcome import DeliveryError

__all__ = ["RETRYABLE_STATUSES", "post_webhook", "webhook_body_bytes"]

RETRYABLE_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
DEFAULT_TIMEOUT_SECONDS = 10.0
USER_AGENT = "slaclock-webhooks/1"


def webhook_body_bytes(body: Mapping[str, Any]) -> bytes:
    """The stored body as the bytes that are signed and sent (UTF-8 JSON, stable)."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def post_webhook(
    client: httpx.Client,
    url: str,
    delivery_id: str,
    body: Mapping[str, Any],
    secret: str | None,
    now: datetime,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
) -> None:
    """POST ``body`` to ``url``; :class:`DeliveryError` unless the answer is 2xx."""
    payload = webhook_body_bytes(body)
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "X-Slaclock-Delivery": delivery_id,
    }
    if secret:
        headers["X-Slaclock-Signature"] = sign(secret, payload, int(now.timestamp()))
    try:
        response = client.post(url, content=payload, headers=headers, timeout=timeout)
    except httpx.TimeoutException as exc:
        raise DeliveryError(f"timed out after {timeout:g} s ({type(exc).__name__})", True) from None
    except httpx.HTTPError as exc:
        raise DeliveryError(f"could not connect: {exc}", True) from None
    status = response.status_code
    if 200 <= status < 300:
        return
    reason = f"HTTP {status} {response.reason_phrase}".strip()
    if status in RETRYABLE_STATUSES:
        raise DeliveryError(reason, True, _retry_after(response.headers.get("retry-after"), now))
    raise DeliveryError(reason, False)


def _retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: a number, or an HTTP date."""
    if not value:
        return None
    text = value.strip()
    if text.isascii() and text.isdigit():
        return float(min(int(text), 86_400))
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, min((when - now).total_seconds(), 86_400.0))
