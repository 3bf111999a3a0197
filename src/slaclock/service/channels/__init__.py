"""Delivery channels of notifications: each turns one delivery into a message and hands
it over, raising :class:`DeliveryError` (retryable or not) when it does not get through.

``email``: SMTP (``SLACLOCK_SMTP_URL``, ``SLACLOCK_MAIL_FROM``); see
``docs/notifications.md``, "Email".
"""

from __future__ import annotations

from slaclock.service.channels.email import (
    MAIL_FROM_ENV,
    SMTP_URL_ENV,
    Security,
    SmtpSettings,
    build_email,
    send_email,
    smtp_settings,
)
from slaclock.service.channels.outcome import DeliveryError

__all__ = [
    "MAIL_FROM_ENV",
    "SMTP_URL_ENV",
    "DeliveryError",
    "Security",
    "SmtpSettings",
    "build_email",
    "send_email",
    "smtp_settings",
]
