"""``bpi2013``: the Volvo IT VINST incident log of the BPI Challenge 2013, in IBM's
enriched CSV (``VINST-new.csv``, one row per status change, times with an offset).

created = the incident's first row (the log has no creation event); every row sets the
status of its ``Activity`` (``Status-Sub Status``): Accepted-In Progress is a support
team taking the incident up, a public agent reply (the first one is the first
response); Queued and Accepted-Assigned are ``open``; Wait - User and Wait - Customer
are ``pending``, Wait - Implementation and Wait - Vendor ``on_hold``; Completed-
Resolved and Completed-In Call are ``solved``, Completed-Closed and Completed-
Cancelled ``closed``. ``Unmatched`` rows are left unmapped. Priority is the impact
(Major, High, Medium, Low → urgent, high, normal, low); the group is the support team
(``Involved ST``), the assignee ``Resource``; the owners' names, mangled by an Excel
pass (``Bjˆrn``), are repaired (``Björn``) as the data's README describes.
"""

from __future__ import annotations

import contextlib

from slaclock.service.importers.plan import Action, Column, Plan, Vocabulary

__all__ = ["ACTIVITIES", "IMPACTS", "plan", "repair_names"]

IMPACTS = {"Major": "urgent", "High": "high", "Medium": "normal", "Low": "low"}
_TAKEN_UP = Action(status="open", message="agent_reply")
ACTIVITIES = {
    "Accepted-In Progress": _TAKEN_UP,
    "Accepted-Assigned": Action(status="open"),
    "Queued-Awaiting Assignment": Action(status="open"),
    "Accepted-Wait": Action(status="pending"),
    "Accepted-Wait - User": Action(status="pending"),
    "Accepted-Wait - Customer": Action(status="pending"),
    "Accepted-Wait - Implementation": Action(status="on_hold"),
    "Accepted-Wait - Vendor": Action(status="on_hold"),
    "Completed-Resolved": Action(status="solved"),
    "Completed-In Call": Action(status="solved"),
    "Completed-Closed": Action(status="closed"),
    "Completed-Cancelled": Action(status="closed"),
}
_NAMES = ("Owner First Name", "Resource")


def plan() -> Plan:
    return Plan(
        source="bpi2013",
        ticket="SR Number",
        at="Change Date+Time",
        constants={"type": "incident"},
        fields={
            "priority": Column("SR Latest Impact", Vocabulary.of(IMPACTS)),
            "group": Column("Involved ST"),
            "assignee": Column("Resource"),
            "customer.id": Column("Involved Org line 3"),
            "custom.product": Column("Product"),
            "custom.support_level": Column("ST Level"),
            "custom.country": Column("Country"),
        },
        action="Activity",
        actions=Vocabulary.of(ACTIVITIES),
    )


def repair_names(cells: dict[str, str]) -> None:
    """Undo the Excel pass that turned ``ö`` into ``ˆ``: text read as Mac Roman was
    saved as Latin-1. A name that does not round-trip is left as it is."""
    for column in _NAMES:
        text = cells.get(column)
        if text is None or text.isascii():
            continue
        with contextlib.suppress(UnicodeError):
            cells[column] = text.encode("mac_roman").decode("latin-1")
