"""``servicenow``: an incident audit export, in the shape of the UCI "incident event log"
(one row per update of an incident record; ``?`` for no value).

The conventions are fixed, because an outside check replays this output with its own
configuration and compares the result with ServiceNow's ``made_sla``:

- the ticket id is the incident ``number``; the ticket is created at ``opened_at`` as
  ``new`` with the first row's fields;
- the rows of an incident are applied in ``sys_mod_count`` order, each at its
  ``sys_updated_at`` (a row dated before the update before it is applied at that
  update's instant, and counted as a notice: the update counter is the order of
  truth), and each row's changes are one ``ticket.updated`` at that instant;
- priorities ``1 - Critical``, ``2 - High``, ``3 - Moderate``, ``4 - Low`` become
  ``urgent``, ``high``, ``normal``, ``low``; states New → ``new``, Active → ``open``,
  Awaiting … → ``pending`` (or ``on_hold``), Resolved → ``solved``, Closed →
  ``closed``; assignment group and assignee changes are field changes;
- times have no zone in the export: they are read in the declared zone (UTC unless
  told otherwise).

The export carries no comments, so no message events are made. ServiceNow's own
verdict, ``made_sla`` on an incident's last row, can be written beside the events
(:class:`Verdicts`) for ``slaclock parity``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slaclock.service.importers.base import Summary, stamp
from slaclock.service.importers.mapper import Timed
from slaclock.service.importers.plan import Column, Plan, Vocabulary

__all__ = ["AWAITING_STATUSES", "PRIORITIES", "STATES", "VERDICT_METRIC", "Verdicts", "plan"]

PRIORITIES = {
    "1 - Critical": "urgent",
    "2 - High": "high",
    "3 - Moderate": "normal",
    "4 - Low": "low",
}
#: ``incident_state`` values; ``Awaiting *`` is filled in by :func:`plan`.
STATES = {"New": "new", "Active": "open", "Resolved": "solved", "Closed": "closed"}
#: What the Awaiting states may become: waiting on the customer, or on a third party.
AWAITING_STATUSES = ("pending", "on_hold")
#: ``contact_type`` as a channel (the raw value is kept too, as ``custom.contact_type``).
CHANNELS = {
    "Phone": "phone",
    "IVR": "phone",
    "Email": "email",
    "Self service": "web",
    "Direct opening": "web",
}
#: The metric ServiceNow's ``made_sla`` is compared with.
VERDICT_METRIC = "resolution"


def plan(awaiting: str = "pending") -> Plan:
    """The ServiceNow plan; ``awaiting``: the status of the ``Awaiting *`` states."""
    states = {**STATES, "Awaiting *": awaiting}
    return Plan(
        source="servicenow",
        ticket="number",
        at="sys_updated_at",
        time_format="%d/%m/%Y %H:%M",
        created_at="opened_at",
        order="sys_mod_count",
        missing=frozenset({"", "?"}),
        constants={"type": "incident"},
        fields={
            "status": Column("incident_state", Vocabulary.of(states)),
            "priority": Column("priority", Vocabulary.of(PRIORITIES)),
            "group": Column("assignment_group"),
            "assignee": Column("assigned_to"),
            "channel": Column("contact_type", Vocabulary.of(CHANNELS)),
            "customer.id": Column("caller_id"),
            "custom.contact_type": Column("contact_type"),
            "custom.location": Column("location"),
            "custom.category": Column("category"),
            "custom.subcategory": Column("subcategory"),
            "custom.impact": Column("impact"),
            "custom.urgency": Column("urgency"),
        },
    )


class Verdicts:
    """Collects ``made_sla`` of each incident's last row (in update order) as vendor
    verdicts for ``slaclock parity``: ``{"ticket", "metric", "breached", "vendor",
    "at"}`` — ``breached`` is ``not made_sla``, ``at`` the instant of that row."""

    def __init__(self, write: Callable[[dict[str, Any]], None], summary: Summary) -> None:
        self.write = write
        self.summary = summary

    def __call__(self, ticket: str, timed: list[Timed]) -> None:
        row, at = timed[-1]
        made = row.cells.get("made_sla", "").strip().lower()
        if made not in ("true", "false"):
            self.summary.skip("made_sla neither true nor false (no verdict)", row.where)
            return
        self.write(
            {
                "ticket": ticket,
                "metric": VERDICT_METRIC,
                "breached": made == "false",
                "vendor": "servicenow.made_sla",
                "at": stamp(at),
            }
        )
