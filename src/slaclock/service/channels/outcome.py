"""How a channel reports a delivery that did not get through.

A channel's send function returns ``None`` when the message was handed over (an SMTP
acceptance, a 2xx answer) and raises :class:`DeliveryError` otherwise. The notification
worker reads only the error's three fields: whether to try again (``retryable``), when at
the earliest (``retry_after``, a server's ``Retry-After``; ``None`` leaves the delay to
the worker's backoff), and a ``reason`` to record on the delivery and show on the
dead-letter list. A reason names what the server answered, never a credential.
"""

from __future__ import annotations

import math

__all__ = ["DeliveryError"]


class DeliveryError(Exception):
    """A delivery attempt failed. ``retryable``: a later attempt may succeed (timeouts,
    refused connections, SMTP 4xx, HTTP 408/429/5xx); otherwise it failed for good and
    goes to the dead-letter list. ``retry_after``: seconds the server asked us to wait
    (only with ``retryable``)."""

    reason: str
    retryable: bool
    retry_after: float | None

    def __init__(self, reason: str, retryable: bool, retry_after: float | None = None) -> None:
        if retry_after is not None:
            if not retryable:
                raise ValueError("retry_after is only meaningful for a retryable failure")
            if not math.isfinite(retry_after) or retry_after < 0:
                raise ValueError(f"retry_after must be a finite number ≥ 0, not {retry_after!r}")
        super().__init__(reason, retryable, retry_after)
        self.reason = reason
        self.retryable = retryable
        self.retry_after = retry_after

    def __str__(self) -> str:
        return self.reason

    def __repr__(self) -> str:
        return (
            f"DeliveryError(reason={self.reason!r}, retryable={self.retryable!r}, "
            f"retry_after={self.retry_after!r})"
        )
