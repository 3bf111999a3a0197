"""Notification messages in words: emails to people, digests, customer notices, Slack.

The notification worker turns a fire into :class:`MessageFacts` and calls one of the
renderers with the recipient's locale and time zone::

    facts = MessageFacts(type="sla.reminder", ticket_id="T-1", subject="Printer on fire",
                         kind="sla", metric="first_response", cycle=0,
                         policy_name="Enterprise", due_at=due, fire_at=now,
                         remaining_seconds=900, priority="high", group_name="Support",
                         assignee_name="Anna de Vries", customer_name="Acme",
                         ticket_url="https://sla.example.com/tickets/T-1")
    mail = render_person_message(facts, "nl", "Europe/Amsterdam")
    mail.subject  # '[SLA] T-1: eerste reactie – termijn verloopt over 15 minuten'

Templates, their variables and overrides: ``docs/notifications.md``, "Messages".
"""

from __future__ import annotations

from slaclock.service.i18n import LOCALES
from slaclock.service.messages.catalogs import choose_language
from slaclock.service.messages.facts import KINDS, MESSAGE_TYPES, MessageFacts, RenderedMessage
from slaclock.service.messages.render import (
    render_customer_notice,
    render_digest,
    render_person_message,
)
from slaclock.service.messages.slack import render_slack

__all__ = [
    "KINDS",
    "LOCALES",
    "MESSAGE_TYPES",
    "MessageFacts",
    "RenderedMessage",
    "choose_language",
    "render_customer_notice",
    "render_digest",
    "render_person_message",
    "render_slack",
]
