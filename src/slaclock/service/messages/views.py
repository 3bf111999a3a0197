"""What the templates see: the facts of a message in the reader's words and time zone.

A template gets ``lang`` (the language of the catalogue: ``en``, ``nl``, …) and one of
``message`` (a :class:`MessageView`), ``messages`` (a digest's, in fire order) or
``notice`` (a :class:`NoticeView`). A notice view carries nothing internal — no policy,
group, assignee, priority, metric id or link — so no template can show it to a customer.
"""

from __future__ import annotations

import gettext
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import tzinfo

from babel import Locale

from slaclock.service.messages.facts import MessageFacts
from slaclock.service.messages.words import (
    N_,
    at_time,
    headline,
    metric_words,
    priority_words,
    status,
)

__all__ = ["MessageView", "NoticeView", "message_view", "notice_view"]


@dataclass(frozen=True, slots=True)
class MessageView:
    """A message to a person. ``due`` and ``fire`` are written out in the reader's
    zone; ``status`` is the time left or overdue ("due in 15 minutes"); ``rows`` are the
    (label, value) lines of the facts that are present, labels translated; ``title`` is
    the message's subject line (``person_subject.txt``)."""

    type: str
    kind: str
    kind_label: str
    ticket_id: str
    subject: str | None
    metric: str
    metric_words: str
    cycle: int
    policy_name: str
    priority: str | None
    group_name: str | None
    assignee_name: str | None
    customer_name: str | None
    due: str | None
    fire: str
    remaining_seconds: int
    overdue: bool
    status: str
    headline: str
    rows: tuple[tuple[str, str], ...]
    ticket_url: str
    ack_url: str | None
    title: str = ""


def _text(value: str | None) -> str | None:
    """A name or subject on one line; None for none or blank."""
    if value is None:
        return None
    return " ".join(value.split()) or None


def message_view(
    facts: MessageFacts, translations: gettext.NullTranslations, formats: Locale, tz: tzinfo
) -> MessageView:
    _ = translations.gettext
    subject = _text(facts.subject)
    kind_label = facts.kind.upper()
    words = metric_words(facts.metric, translations)
    due = at_time(facts.due_at, tz, formats)
    priority = priority_words(facts.priority, translations)
    state = status(facts.remaining_seconds, translations, formats)
    ticket = f"{facts.ticket_id} — {subject}" if subject else facts.ticket_id
    rows = (
        (_("Ticket"), ticket),
        (_("Metric"), words),
        (_("Due"), due),
        (_("Status"), state),
        (_("Policy"), f"{_text(facts.policy_name)} ({kind_label})"),
        (_("Priority"), priority),
        (_("Group"), _text(facts.group_name)),
        (_("Assignee"), _text(facts.assignee_name)),
        (_("Customer"), _text(facts.customer_name)),
    )
    return MessageView(
        type=facts.type,
        kind=facts.kind,
        kind_label=kind_label,
        ticket_id=facts.ticket_id,
        subject=subject,
        metric=facts.metric,
        metric_words=words,
        cycle=facts.cycle,
        policy_name=facts.policy_name,
        priority=priority,
        group_name=_text(facts.group_name),
        assignee_name=_text(facts.assignee_name),
        customer_name=_text(facts.customer_name),
        due=due,
        fire=at_time(facts.fire_at, tz, formats) or "",
        remaining_seconds=facts.remaining_seconds,
        overdue=facts.remaining_seconds <= 0,
        status=state,
        headline=headline(facts.type, translations),
        rows=tuple((label, value) for label, value in rows if value),
        ticket_url=facts.ticket_url,
        ack_url=facts.ack_url,
    )


#: What was promised, per metric; a metric of its own is "getting back to you".
_PROMISES: Mapping[str, str] = {
    "first_response": N_("We promised to reply to your request by %(due)s."),
    "next_response": N_("We promised to answer your latest message by %(due)s."),
    "periodic_update": N_("We promised to send you an update on your request by %(due)s."),
    "resolution": N_("We promised to resolve your request by %(due)s."),
    "other": N_("We promised to get back to you by %(due)s."),
}
_NEXT_STEPS: Mapping[str, str] = {
    "resolution": N_(
        "We are still working on your request and will keep you informed until it is resolved."
    ),
    "periodic_update": N_("We will send you an update as soon as we can."),
    "other": N_("Your request is with our team, and we will reply as soon as we can."),
}


@dataclass(frozen=True, slots=True)
class NoticeView:
    """A notice to the customer. ``promise`` names what was promised
    (``first_response``, ``next_response``, ``periodic_update``, ``resolution`` or
    ``other``); the sentences are in the reader's language: ``promise_text`` (with the
    due time), ``outcome`` (will be / was missed), ``next_step``, ``no_action`` and
    ``apology``."""

    ticket_id: str
    subject: str | None
    promise: str
    due: str
    missed: bool
    promise_text: str
    outcome: str
    next_step: str
    no_action: str
    apology: str


def notice_view(
    facts: MessageFacts,
    missed: bool,
    translations: gettext.NullTranslations,
    formats: Locale,
    tz: tzinfo,
) -> NoticeView:
    _ = translations.gettext
    due = at_time(facts.due_at, tz, formats)
    if due is None:
        raise ValueError("a customer notice needs the promised time (due_at)")
    promise = facts.metric if facts.metric in _PROMISES else "other"
    return NoticeView(
        ticket_id=facts.ticket_id,
        subject=_text(facts.subject),
        promise=promise,
        due=due,
        missed=missed,
        promise_text=_(_PROMISES[promise]) % {"due": due},
        outcome=(
            _("Unfortunately, we did not manage this in time.")
            if missed
            else _("Unfortunately, we expect to be late.")
        ),
        next_step=_(_NEXT_STEPS.get(promise, _NEXT_STEPS["other"])),
        no_action=_("There is no need to contact us again."),
        apology=_("We are sorry for the delay, and thank you for your patience."),
    )
