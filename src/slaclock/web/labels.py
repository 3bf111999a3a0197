"""Words the pages show for values the engine and service report as codes.

States, kinds, priorities and explanation steps arrive as codes (``"breached"``); they
are marked here with ``N_`` so ``pybabel extract`` finds them, and translated when a
page is rendered. A code not listed (a future state) is shown as it is.
"""

from __future__ import annotations

from collections.abc import Mapping

from slaclock.service.labels import N_, label

__all__ = [
    "CHANNEL_LABELS",
    "DELIVERY_STATUS_LABELS",
    "EVENT_LABELS",
    "FIRE_TYPE_LABELS",
    "KIND_LABELS",
    "N_",
    "PRIORITY_LABELS",
    "STATE_LABELS",
    "STEP_LABELS",
    "label",
]

STATE_LABELS: Mapping[str, str] = {
    "running": N_("running"),
    "paused": N_("paused"),
    "breached": N_("breached"),
    "met": N_("met"),
    "cancelled": N_("cancelled"),
}
STATUS_LABELS: Mapping[str, str] = {
    "new": N_("new"),
    "open": N_("open"),
    "pending": N_("pending (waiting on the customer)"),
    "on_hold": N_("on hold (waiting on a third party)"),
    "solved": N_("solved"),
    "closed": N_("closed"),
}
KIND_LABELS: Mapping[str, str] = {"sla": N_("SLA"), "ola": N_("OLA")}
PRIORITY_LABELS: Mapping[str, str] = {
    "low": N_("low"),
    "normal": N_("normal"),
    "high": N_("high"),
    "urgent": N_("urgent"),
}
STEP_LABELS: Mapping[str, str] = {
    "started": N_("started"),
    "paused": N_("paused"),
    "resumed": N_("resumed"),
    "stopped": N_("stopped"),
    "targeted": N_("targeted"),
    "retargeted": N_("re-targeted"),
    "breached": N_("breached"),
    "cancelled": N_("cancelled"),
}

EVENT_LABELS: Mapping[str, str] = {
    "ticket.created": N_("created"),
    "ticket.updated": N_("updated"),
    "message": N_("message"),
    "ticket.deleted": N_("deleted"),
}
AUTHOR_LABELS: Mapping[str, str] = {
    "customer": N_("customer"),
    "agent": N_("agent"),
    "system": N_("system"),
}

FIRE_TYPE_LABELS: Mapping[str, str] = {
    "sla.reminder": N_("reminder"),
    "sla.breached": N_("breach"),
    "sla.escalation": N_("escalation"),
}
DELIVERY_STATUS_LABELS: Mapping[str, str] = {
    "pending": N_("waiting to be sent"),
    "held": N_("held for quiet hours"),
    "failed": N_("failed, will be retried"),
    "sent": N_("sent"),
    "dead": N_("dead letter: not retried"),
}
CHANNEL_LABELS: Mapping[str, str] = {
    "email": N_("email"),
    "webhook": N_("webhook"),
    "slack": N_("Slack"),
}
