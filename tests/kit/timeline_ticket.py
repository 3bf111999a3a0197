"""Ticket TL-1, the timeline's example (tests/web/test_timeline.py and the browser's
tests/browser/test_timeline.py): an urgent ticket answered after 30 minutes, set
pending a minute later and reopened the next morning."""

from __future__ import annotations

CUSTOMER = {"id": "bolt", "plan": "business", "region": "EU"}
TL1 = [
    {"id": "tl1", "ticket": "TL-1", "at": "2026-03-04T13:00:00Z", "type": "ticket.created",
     "by": "customer", "fields": {"status": "new", "priority": "urgent", "group": "support",
                                  "subject": "Invoices missing", "customer": CUSTOMER}},
    {"id": "tl2", "ticket": "TL-1", "at": "2026-03-04T13:30:00Z", "type": "message",
     "author": "agent", "author_id": "anna", "public": True},
    {"id": "tl3", "ticket": "TL-1", "at": "2026-03-04T13:31:00Z", "type": "ticket.updated",
     "changes": {"status": "pending"}},
    {"id": "tl4", "ticket": "TL-1", "at": "2026-03-05T08:30:00Z", "type": "ticket.updated",
     "changes": {"status": "open"}},
]  # fmt: skip
