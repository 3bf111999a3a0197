"""The notification worker's email sender: one ``email`` delivery, rendered and sent.

A delivery's stored ``body`` (the webhook body of notifications.md, "Deliveries", with
``recipient`` and ``locale`` added) and the current configuration become
:class:`~slaclock.service.messages.MessageFacts`; the message is rendered in the
reader's language and time zone, built by :func:`build_email` under the delivery's id
and handed to the SMTP server by :func:`send_email`. The same delivery always renders
the same mail under the same ``Message-ID``, so a retry is recognisably one message.

Messages held for a person's quiet hours go out as one digest (:meth:`EmailSender.digest`,
:func:`render_digest` over each delivery's facts) under a ``Message-ID`` derived from
all their ids (:func:`digest_id`); ``X-Slaclock-Deliveries`` lists them.

Construct it where SMTP is configured::

    settings = smtp_settings(os.environ)
    if settings is not None:
        senders["email"] = email_sender(services, settings, base_url, overrides)
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from email.errors import HeaderParseError
from email.headerregistry import Address
from pathlib import Path

from jinja2 import TemplateError

from slaclock.core.model import Config
from slaclock.service.app_state import Services
from slaclock.service.channels.email import SmtpSettings, build_email, send_email
from slaclock.service.channels.outcome import DeliveryError
from slaclock.service.delivery_facts import message_facts, reader_zone
from slaclock.service.messages import (
    RenderedMessage,
    render_customer_notice,
    render_digest,
    render_person_message,
)
from slaclock.store.outbox import Delivery

__all__ = [
    "EmailSender",
    "digest_id",
    "email_sender",
    "render_delivered_digest",
    "render_delivery",
]


def email_sender(
    services: Services, settings: SmtpSettings, base_url: str, overrides: Path | None = None
) -> EmailSender:
    """Sends ``email`` deliveries through the SMTP server of ``settings``.

    A person (``person:<id>``, also ``assignee``, ``group_lead``, … once resolved) gets
    :func:`render_person_message`, ``customer`` a customer notice (``missed`` unless the
    message is a reminder), an ``email:`` address a person's message; each in the
    delivery's ``locale`` and the reader's time zone (:func:`reader_zone`), with
    templates from ``overrides`` first. Ticket links are ``{base_url}/tickets/{id}``
    (the body's ``url`` when ``base_url`` is empty).

    Breach and escalation messages to people carry the signed acknowledgement link the
    fire stored (``ack_url``, when ``SLACLOCK_ACK_SECRET`` and the base URL are set).

    A delivery that cannot be rendered (a customer notice without a due time, a body or
    address that does not make a message, a broken override template) is a permanent
    :class:`DeliveryError` naming the problem; SMTP failures are :func:`send_email`'s.
    """
    return EmailSender(services, settings, base_url, overrides)


class EmailSender:
    """The email channel's sender (:func:`email_sender`): one delivery as one email, or
    the deliveries held for one reader as one digest
    (:class:`~slaclock.service.deliverer.DigestSender`)."""

    def __init__(
        self, services: Services, settings: SmtpSettings, base_url: str, overrides: Path | None
    ) -> None:
        self._services = services
        self._settings = settings
        self._base_url = base_url
        self._overrides = overrides

    def __call__(self, delivery: Delivery, now: datetime) -> None:
        config = self._services.config_current()[2]
        self._send(
            delivery.id,
            delivery,
            config,
            lambda: render_delivery(delivery, config, self._base_url, self._overrides),
            {},
            now,
        )

    def digest(self, deliveries: Sequence[Delivery], now: datetime) -> None:
        """One email to the reader of ``deliveries`` (all to the same address) listing
        them all, under :func:`digest_id`."""
        config = self._services.config_current()[2]
        ids = ", ".join(d.id for d in deliveries)
        self._send(
            digest_id(deliveries),
            deliveries[0],
            config,
            lambda: render_delivered_digest(deliveries, config, self._base_url, self._overrides),
            {"X-Slaclock-Deliveries": ids},
            now,
        )

    def _send(
        self,
        message_id: str,
        first: Delivery,
        config: Config,
        render: Callable[[], RenderedMessage],
        headers: Mapping[str, str],
        now: datetime,
    ) -> None:
        try:
            rendered = render()
            message = build_email(
                message_id,
                _to(first, config),
                rendered.subject,
                rendered.text,
                rendered.html,
                self._settings,
                headers,
                now=now,
            )
        except (ValueError, TypeError, KeyError, TemplateError) as error:
            raise DeliveryError(f"cannot render the email: {_problem(error)}", False) from error
        send_email(self._settings, message)


def digest_id(deliveries: Sequence[Delivery]) -> str:
    """The id of a digest (its ``Message-ID`` and ``X-Slaclock-Delivery``): ``dg_`` + 32
    hex digits of the sorted ids of its deliveries — the same on every retry of the
    same digest."""
    key = "\x1f".join(sorted(d.id for d in deliveries))
    return "dg_" + hashlib.sha256(key.encode()).hexdigest()[:32]


def render_delivered_digest(
    deliveries: Sequence[Delivery], config: Config, base_url: str, overrides: Path | None = None
) -> RenderedMessage:
    """The digest of ``deliveries`` held for one reader (:func:`render_digest` over each
    one's :func:`message_facts`), in the reader's language and time zone."""
    first = deliveries[0]
    facts = [message_facts(d.body, config, base_url) for d in deliveries]
    locale = first.body.get("locale")
    tz = reader_zone(first.recipient, first.body, config)
    return render_digest(facts, locale if isinstance(locale, str) else None, tz, overrides)


def render_delivery(
    delivery: Delivery, config: Config, base_url: str, overrides: Path | None = None
) -> RenderedMessage:
    """The subject, text and HTML of ``delivery``'s email, for its reader; ValueError
    (or KeyError, TypeError on a malformed body) when it cannot be rendered."""
    body = delivery.body
    facts = message_facts(body, config, base_url)
    locale = body.get("locale")
    locale = locale if isinstance(locale, str) else None
    tz = reader_zone(delivery.recipient, body, config)
    if delivery.recipient == "customer":
        missed = facts.type != "sla.reminder"
        return render_customer_notice(facts, locale, tz, missed, overrides)
    return render_person_message(facts, locale, tz, overrides)


def _to(delivery: Delivery, config: Config) -> str:
    """The ``To`` of a person's mail names them (``Anna de Vries <anna@…>``); any other
    reader is the bare address."""
    kind, _, value = delivery.recipient.partition(":")
    person = config.people.get(value) if kind == "person" else None
    if person is None or not person.name or person.email != delivery.address:
        return delivery.address
    try:
        return str(Address(display_name=person.name, addr_spec=delivery.address))
    except (ValueError, IndexError, HeaderParseError):  # refused: build_email says why
        return delivery.address


def _problem(error: Exception) -> str:
    if isinstance(error, KeyError):
        return f"the delivery body has no {error.args[0]!r}"
    return str(error) or type(error).__name__
