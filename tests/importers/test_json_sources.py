"""``freshdesk``, ``jira`` and ``zammad`` from their exported JSON (sample payloads in
tests/data/importers, in the shapes of each vendor's API documentation): the events,
who wrote what, what is not mapped, and the vendor's verdicts."""

from __future__ import annotations

from typing import Any

from .helpers import FRESHDESK, JIRA_ISSUES, JIRA_SLA, ZAMMAD, all_valid, of_ticket, run


def _shown(events: list[dict[str, Any]]) -> list[tuple[str, str, Any]]:
    return [
        (e["at"][5:16], e["type"], e.get("changes") or e.get("author") or e.get("fields"))
        for e in events
    ]


# ------------------------------------------------------------------- freshdesk


def test_freshdesk_tickets_conversations_and_stats() -> None:
    events, summary = run("freshdesk", FRESHDESK)
    assert all_valid(events) and summary.tickets == 4
    created, *rest = of_ticket(events, "1")
    assert created["by"] == "customer" and created["fields"] == {
        "status": "open", "priority": "high", "group": "5001", "assignee": "6001",
        "type": "Question", "channel": "email", "requester": {"id": "7001"},
        "customer": {"id": "8001"}, "subject": "Invoice shows the wrong VAT", "tags": ["billing"],
    }  # fmt: skip
    assert [(e["type"], e.get("author"), e.get("public")) for e in rest] == [
        ("message", "agent", True),  # a reply
        ("message", "agent", False),  # a private note
        ("message", "customer", True),  # incoming
        ("ticket.updated", None, None),  # stats.resolved_at
    ]
    assert [e.get("changes") for e in of_ticket(events, "2")[2:]] == [
        {"status": "solved"},
        {"status": "closed"},
    ]
    status = summary.unmapped["status: value of column 'status' not in the vocabulary"]
    assert status.examples == [f"{FRESHDESK}:4: '6'"]  # a custom status


def test_freshdesk_verdicts_from_due_times_and_fr_escalated() -> None:
    verdicts: list[dict[str, Any]] = []
    run("freshdesk", FRESHDESK, verdicts=verdicts.append)
    assert {(v["ticket"], v["metric"], v["breached"]) for v in verdicts} == {
        ("1", "first_response", False),
        ("1", "resolution", False),
        ("2", "first_response", True),  # fr_escalated
        ("2", "resolution", True),  # resolved after due_by
        ("3", "first_response", False),  # pending: no resolution verdict yet
    }


# ------------------------------------------------------------------------ jira


def test_jira_changelog_and_comments() -> None:
    events, summary = run("jira", JIRA_ISSUES)
    assert all_valid(events) and summary.tickets == 3
    assert _shown(of_ticket(events, "SD-1")) == [
        ("03-02T08:00", "ticket.created", {
            "status": "open", "priority": "normal", "type": "IT help", "tags": [],
            "requester": {"id": "qm:7c1e0f3a-cust-0001"}, "subject": "VPN drops every hour",
        }),  # fields as before their first change; 09:00+01:00 is 08:00Z
        ("03-02T08:30", "ticket.updated", {"assignee": "5b10a2844c20165700ede21g"}),
        ("03-02T08:30", "message", "agent"),
        ("03-02T09:00", "ticket.updated", {"priority": "high", "tags_added": ["vpn"]}),
        ("03-02T09:05", "message", "agent"),  # jsdPublic false: a note
        ("03-02T09:15", "ticket.updated", {"status": "pending"}),  # Waiting for customer
        ("03-02T10:00", "ticket.updated", {"status": "open"}),
        ("03-02T10:00", "message", "customer"),
        ("03-02T12:00", "ticket.updated", {"status": "solved"}),
    ]  # fmt: skip
    assert of_ticket(events, "SD-1")[4]["public"] is False
    assert of_ticket(events, "SD-3")[0]["by"] == "agent"  # the creator is not the reporter
    assert summary.unmapped["changelog field 'resolution' (not mapped)"].count == 1


def test_jira_sla_cycles_are_the_vendor_verdicts() -> None:
    verdicts: list[dict[str, Any]] = []
    _, summary = run("jira", JIRA_ISSUES, JIRA_SLA, verdicts=verdicts.append)
    assert {(v["ticket"], v["metric"], v["breached"]) for v in verdicts} == {
        ("SD-1", "first_response", False),  # embedded under the issue's "sla"
        ("SD-1", "resolution", False),
        ("SD-2", "first_response", True),  # request 10011 named by its id
        ("SD-2", "resolution", True),
        ("SD-3", "resolution", True),  # an ongoing cycle, breached
    }
    assert summary.notices["SLAs with only a running cycle: no verdict yet"].count == 1


# ---------------------------------------------------------------------- zammad


def test_zammad_history_and_articles() -> None:
    events, summary = run("zammad", ZAMMAD)
    assert all_valid(events) and summary.tickets == 3
    assert _shown(of_ticket(events, "11")) == [
        ("03-02T08:00", "ticket.created", {
            "status": "new", "priority": "normal", "group": "Users",
            "subject": "Password reset link expired", "channel": "email",
            "customer": {"id": "31"}, "requester": {"id": "21"},
        }),  # the customer's first article is the description: no message
        ("03-02T08:10", "ticket.updated", {"priority": "high"}),
        ("03-02T08:40", "ticket.updated", {"assignee": "4"}),
        ("03-02T08:40", "ticket.updated", {"status": "open"}),
        ("03-02T08:40", "message", "agent"),
        ("03-02T08:41", "ticket.updated", {"status": "pending"}),  # pending reminder
        ("03-02T11:00", "ticket.updated", {"status": "open"}),
        ("03-02T11:00", "message", "customer"),
        ("03-02T15:00", "ticket.updated", {"status": "closed"}),
    ]  # fmt: skip
    phone = of_ticket(events, "12")
    assert phone[0]["by"] == "agent" and phone[0]["fields"]["channel"] == "phone"
    assert phone[-1]["changes"] == {"status": "solved"}  # pending close
    assert [e["type"] for e in of_ticket(events, "13")] == ["ticket.created", "ticket.deleted"]
    assert summary.unmapped["history attribute 'pending_time' (not mapped)"].count == 1
    assert summary.unmapped["articles without their article records (sender unknown)"].count == 1
