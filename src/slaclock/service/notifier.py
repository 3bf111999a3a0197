"""Firing: due entries become fire records and deliveries, in one transaction.

The decision to fire, the fire record (unique per instance and entry: at most once)
and the outbox rows of its messages commit together; a crash before the commit fires
nothing, and the entry is still planned for the next worker. A ``when:`` is judged on
the ticket as it is at the fire time. Recipients are resolved against the
configuration's people, groups, roles and webhooks (policies.md, "Reminders and
escalations"); every resolved recipient and channel gets one delivery, whose id is
derived from the fire's key and the recipient, so it never changes.

Quiet hours are decided here too: a message to a person (``person:<id>``, whatever the
entry named: ``assignee``, ``group_lead``, ``group:``, ``role:``) outside the open hours
of their calendar (:func:`~slaclock.core.model.quiet_calendar`) is written held, due
when the calendar next opens, unless the entry is ``urgent``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from slaclock.core.conditions import evaluate
from slaclock.core.errors import CalendarError
from slaclock.core.events import format_instant, parse_instant
from slaclock.core.model import Config, Escalation, Reminder, quiet_calendar
from slaclock.service.acknowledgements import ack_token, link_claim
from slaclock.service.actions import action_events, action_webhooks
from slaclock.store.database import Database, Tx
from slaclock.store.outbox import Delivery
from slaclock.store.schedule import Planned
from slaclock.store.tickets import TicketRecord

__all__ = [
    "FIRE_BATCH",
    "FireSettings",
    "Recipient",
    "delivery_id",
    "fire_due",
    "fire_type",
    "held_until",
    "resolve_recipients",
]

#: Writes events inside the caller's transaction (``Services.ingest_in``).
StoreEvents = Callable[[Tx, list[dict[str, Any]], datetime], Any]
#: Told the ``(type, fire_at)`` of the entries fired at an instant, once committed.
ObserveFires = Callable[[list[tuple[str, datetime]], datetime], None]
#: Entries fired per transaction.
FIRE_BATCH = 200
_ENTRY = re.compile(r"(reminders|escalations)\[(\d+)\]")


@dataclass(frozen=True, slots=True)
class Recipient:
    """Where one message goes: ``name`` as the entry says it (``person:anna``,
    ``webhook:ops``), the channel and its address."""

    name: str
    channel: str  # "webhook" | "slack" | "email"
    address: str
    locale: str = "en"


def fire_type(planned: Planned, entry: Reminder | Escalation) -> str:
    if isinstance(entry, Reminder):
        return "sla.reminder"
    return "sla.breached" if entry.after_seconds == 0 else "sla.escalation"


@dataclass(frozen=True)
class FireSettings:
    """What firing needs from its process: the configuration as it is now, the
    dashboard's address for links, the channels this process can deliver on (email
    only when SMTP is configured), how to write the events of escalation actions in the
    fire's transaction (``Services.ingest_in``), who is told what fired once it
    committed (the metrics), and the secret that signs acknowledgement links."""

    config: Callable[[], Config]
    base_url: str = ""
    channels: frozenset[str] = frozenset({"webhook", "slack"})
    store_events: StoreEvents | None = None
    observe: ObserveFires | None = None
    ack_secret: str | None = None


def fire_due(db: Database, settings: FireSettings, now: datetime) -> int:
    """Fire the entries due at ``now`` (one batch); returns how many fired."""
    fired: list[tuple[str, datetime]] = []

    def work(tx: Tx) -> int:
        claimed = tx.schedule.claim_due(now, FIRE_BATCH)
        fired[:] = _FireBatch(tx, settings.config(), settings, now, claimed).run()
        return len(fired)

    count = db.writing(work)
    if settings.observe is not None:
        settings.observe(fired, now)
    return count


class _FireBatch:
    """One transaction's worth of due entries, fired with a handful of statements: the
    batch's tickets and instances are read once, and the fire records and outbox rows
    of the batch are written together. An entry with ``actions`` is written at once and
    its actions run, so the later entries of its ticket are judged on the ticket as the
    actions left it — the same verdicts as firing one entry at a time."""

    def __init__(
        self, tx: Tx, config: Config, settings: FireSettings, now: datetime,
        claimed: Sequence[Planned],
    ) -> None:  # fmt: skip
        self.tx, self.config, self.settings, self.now = tx, config, settings, now
        self.claimed = claimed
        ticket_ids = [planned.ticket_id for planned in claimed]
        self.tickets = tx.tickets.get_many(ticket_ids)
        self.instances = tx.instances.replay_json_many(ticket_ids)
        self.waiting: list[tuple[Planned, Reminder | Escalation]] = []
        self.fired: list[tuple[str, datetime]] = []  # (type, fire_at) of each fire

    def run(self) -> list[tuple[str, datetime]]:
        """Fire what is due of the batch; the ``(type, fire_at)`` of each fire."""
        for planned in self.claimed:
            entry = _entry_of(self.config, planned)
            if entry is None or not self._fires(planned, entry):
                continue
            self.waiting.append((planned, entry))
            actions = getattr(entry, "actions", ())
            if actions and planned.key in self._write():
                self._run_actions(planned, actions)
        self._write()
        return self.fired

    def _fires(self, planned: Planned, entry: Reminder | Escalation) -> bool:
        """Whether the entry fires now: its ticket is there, its ``when:`` holds on the
        ticket as it is now, and no acknowledgement stops an escalation."""
        ticket = self.tickets.get(planned.ticket_id)
        if ticket is None or ticket.fields is None:
            return False  # the ticket is gone: nothing fires
        if entry.when is not None and not evaluate(entry.when, ticket.fields):
            return False
        return not (
            isinstance(entry, Escalation)
            and entry.unless_acknowledged
            and acknowledged(self.tx, self.config, planned, entry.ack_expires_seconds)
        )

    def _write(self) -> set[tuple[str, str, str, int, str]]:
        """Record the waiting fires and write their deliveries; the keys recorded (an
        entry that had fired before is not, and sends nothing)."""
        if not self.waiting:
            return set()
        typed = [(planned, fire_type(planned, entry)) for planned, entry in self.waiting]
        pks = self.tx.fires.record_many(typed, self.now)
        deliveries: list[Delivery] = []
        for (planned, entry), (_, kind) in zip(self.waiting, typed, strict=True):
            fire_pk = pks.get(planned.key)
            if fire_pk is not None:
                self.fired.append((kind, planned.fire_at))
                deliveries += self._deliveries(planned, entry, kind, fire_pk)
        self.tx.outbox.add(deliveries)
        self.waiting.clear()
        return set(pks)

    def _deliveries(
        self, planned: Planned, entry: Reminder | Escalation, kind: str, fire_pk: int
    ) -> list[Delivery]:
        """One delivery per recipient this process can reach, with the signed
        acknowledgement link where the message has one."""
        ticket = self.tickets[planned.ticket_id]
        instance = _instance_of(self.instances.get(planned.ticket_id, []), planned)
        body = _body(planned, ticket, instance, kind, self.now, self.settings.base_url)
        notify = (*entry.notify, *action_webhooks(getattr(entry, "actions", ())))
        recipients = resolve_recipients(notify, ticket.fields or {}, self.config)
        deliveries = []
        for r in recipients:
            if r.channel not in self.settings.channels:
                continue
            held = held_until(self.config, entry, r, self.now)
            delivery = _delivery(planned, fire_pk, body, r, self.now, held)
            link = _ack_url(self.settings, delivery.body, r, self.now)
            if link is not None:
                delivery = dataclasses.replace(delivery, body={**delivery.body, "ack_url": link})
            deliveries.append(delivery)
        return deliveries

    def _run_actions(self, planned: Planned, actions: Sequence[Any]) -> None:
        """The fired escalation's ``set``, ``add_tags`` and ``reassign`` actions, as
        events stored and projected in this transaction (notifications.md,
        "Actions"); then the ticket is read again, as the actions left it."""
        ticket = self.tickets[planned.ticket_id]
        store_events = self.settings.store_events
        if ticket.fields is None or store_events is None:
            return
        events = action_events(planned, actions, ticket.fields, self.config, self.now)
        if not events:
            return
        store_events(self.tx, events, self.now)
        ticket_id = planned.ticket_id
        self.tickets.update(self.tx.tickets.get_many([ticket_id]))
        self.instances[ticket_id] = self.tx.instances.replay_json(ticket_id)


def _ack_url(
    settings: FireSettings, body: Mapping[str, Any], recipient: Recipient, now: datetime
) -> str | None:
    """The signed "I am on it" link of a breach or escalation message to a person."""
    person = recipient.name.partition(":")[2] if recipient.name.startswith("person:") else ""
    if not (person and settings.ack_secret and settings.base_url):
        return None
    if body["type"] == "sla.reminder":
        return None
    token = ack_token(settings.ack_secret, link_claim(dict(body), person, now))
    return f"{settings.base_url.rstrip('/')}/ack/{token}"


def held_until(
    config: Config, entry: Reminder | Escalation, recipient: Recipient, now: datetime
) -> datetime | None:
    """When a message fired at ``now`` may go to ``recipient``: None at once, else the
    next opening of the person's quiet-hours calendar (notifications.md, "Quiet hours").
    ``customer``, ``email:`` and webhooks are never held, nor an ``urgent`` entry's."""
    kind, _, person_id = recipient.name.partition(":")
    if entry.urgent or kind != "person":
        return None
    calendar = quiet_calendar(config, person_id)
    if calendar is None or calendar.is_open(now):
        return None
    try:
        return calendar.next_open(now)
    except CalendarError:  # never opens again: holding would lose the message
        return None


def _delivery(
    planned: Planned,
    fire_pk: int,
    body: Mapping[str, Any],
    recipient: Recipient,
    now: datetime,
    held: datetime | None = None,
) -> Delivery:
    """The outbox row of one recipient's message, due at once or when ``held`` ends."""
    the_id = delivery_id(planned, recipient)
    return Delivery(
        id=the_id,
        fire_pk=fire_pk,
        ticket_id=planned.ticket_id,
        channel=recipient.channel,
        recipient=recipient.name,
        address=recipient.address,
        state="pending",
        attempts=0,
        next_attempt_at=now if held is None else held,
        last_error=None,
        body={**body, "delivery": the_id, "recipient": recipient.name, "locale": recipient.locale},
        created_at=now,
        sent_at=None,
        held_until=held,
    )


def acknowledged(tx: Tx, config: Config, planned: Planned, expires_seconds: int | None) -> bool:
    """Whether the instance was acknowledged before the entry's time, by an
    acknowledgement that had not lapsed (``ack_expires``: open time on the instance's
    calendar) by then."""
    key = (planned.kind, planned.metric, planned.cycle)
    calendar = None
    if expires_seconds is not None:
        instance = _instance_of(tx.instances.replay_json(planned.ticket_id), planned)
        calendar = config.calendars.get(instance["calendar"]) if instance else None
    for ack in tx.events.bodies_of_type(planned.ticket_id, "sla.acknowledged"):
        if (ack.get("kind", "sla"), ack["metric"], ack.get("cycle", 0)) != key:
            continue
        at = parse_instant(ack["at"])
        if at > planned.fire_at:
            continue
        if expires_seconds is None:
            return True
        lapses = (
            calendar.add(at, expires_seconds)
            if calendar
            else at + timedelta(seconds=expires_seconds)
        )
        if lapses > planned.fire_at:
            return True
    return False


def _instance_of(stored: Sequence[Mapping[str, Any]], planned: Planned) -> dict[str, Any] | None:
    """The stored replay JSON of the planned entry's instance, if it is still there."""
    key = (planned.kind, planned.metric, planned.cycle)
    return next((dict(i) for i in stored if (i["kind"], i["metric"], i["cycle"]) == key), None)


def _entry_of(config: Config, planned: Planned) -> Reminder | Escalation | None:
    policy = next((p for p in config.policies if p.id == planned.policy), None)
    found = _ENTRY.fullmatch(planned.entry)
    if policy is None or found is None:
        return None
    entries: Sequence[Reminder | Escalation] = (
        policy.reminders if found.group(1) == "reminders" else policy.escalations
    )
    index = int(found.group(2))
    return entries[index] if index < len(entries) else None


def delivery_id(planned: Planned, recipient: Recipient) -> str:
    """``d_`` + 32 hex digits of the fire's key and the recipient: the same fire to the
    same recipient is always the same delivery."""
    key = "\x1f".join(map(str, (*planned.key, recipient.name, recipient.channel)))
    return "d_" + hashlib.sha256(key.encode()).hexdigest()[:32]


def _body(
    planned: Planned,
    ticket: TicketRecord,
    instance: Mapping[str, Any] | None,
    kind: str,
    now: datetime,
    base_url: str,
) -> dict[str, Any]:
    """The webhook body of notifications.md, "Deliveries" (``delivery`` added per
    recipient)."""
    fields = ticket.fields or {}
    customer = fields.get("customer")
    customer = customer if isinstance(customer, Mapping) else {}
    return {
        "type": kind,
        "ticket": planned.ticket_id,
        "kind": planned.kind,
        "metric": planned.metric,
        "cycle": planned.cycle,
        "policy": planned.policy,
        "policy_version": planned.policy_version,
        "entry": planned.entry,
        "fire_at": format_instant(planned.fire_at),
        "fired_at": format_instant(now),
        "due_at": instance.get("due_at") if instance else None,
        "instance": instance,
        "ticket_fields": {
            "subject": fields.get("subject"),
            "priority": fields.get("priority"),
            "group": fields.get("group"),
            "assignee": fields.get("assignee"),
            "customer": {"id": customer.get("id"), "name": customer.get("name")},
        },
        "url": f"{base_url.rstrip('/')}/tickets/{planned.ticket_id}" if base_url else None,
    }


def resolve_recipients(
    notify: Sequence[str], fields: Mapping[str, Any], config: Config
) -> list[Recipient]:
    """Each recipient of an entry as the people, addresses and webhooks it names, once
    each (a person named twice gets one message)."""
    out: dict[tuple[str, str], Recipient] = {}

    def person(person_id: Any, name: str) -> None:
        found = config.people.get(person_id) if isinstance(person_id, str) else None
        if found is not None and found.email:
            out.setdefault(
                ("email", found.email),
                Recipient(name, "email", found.email, found.locale or "en"),
            )

    for item in notify:
        kind, _, value = item.partition(":")
        if item == "assignee":
            person(fields.get("assignee"), f"person:{fields.get('assignee')}")
        elif item == "group_lead":
            group = config.groups.get(fields.get("group") or "")
            if group is not None and group.lead:
                person(group.lead, f"person:{group.lead}")
        elif kind == "person":
            person(value, item)
        elif kind == "group":
            for member in config.people.values():
                if value in member.groups:
                    person(member.id, f"person:{member.id}")
        elif kind == "role":
            for member_id in config.roles.get(value, ()):
                person(member_id, f"person:{member_id}")
        elif kind == "email" and value:
            out.setdefault(("email", value), Recipient(item, "email", value))
        elif item == "customer":
            requester = fields.get("requester")
            if isinstance(requester, Mapping) and isinstance(requester.get("email"), str):
                locale = str(requester.get("locale") or "en")
                out.setdefault(
                    ("customer", requester["email"]),
                    Recipient("customer", "email", requester["email"], locale),
                )
        elif kind == "webhook":
            hook = config.webhooks.get(value)
            if hook is not None:
                channel = "slack" if hook.format == "slack" else "webhook"
                out.setdefault((channel, hook.id), Recipient(item, channel, hook.url))
    return list(out.values())
