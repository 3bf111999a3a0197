"""``zendesk`` from files, rule by rule, on sample pages of the Incremental Ticket Event
export and the Ticket Metric Events export (tests/data/importers, in the documented
shapes): audits to events, who wrote what, repeats across pages, what is not mapped,
and Zendesk's verdicts from its metric events."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from slaclock.service.importers import ImportOptions, Summary, import_events

from .helpers import ZENDESK_EVENTS, ZENDESK_METRICS, all_valid, imported_once, of_ticket, run

imported = imported_once("zendesk", ZENDESK_EVENTS)


def test_every_event_is_valid_and_ids_are_the_audits(imported) -> None:
    events, summary = imported
    assert all_valid(events)
    assert summary.tickets == 5 and summary.events == len(events) == 23
    ids = [e["id"] for e in events]
    assert len(ids) == len(set(ids))  # audit 2002, served on both pages, once
    assert "zendesk:101:1002" in ids and "zendesk:101:1002:reply" in ids


def test_the_creating_audit_creates_the_ticket_with_its_fields(imported) -> None:
    created = of_ticket(imported[0], "101")[0]
    assert created["type"] == "ticket.created" and created["by"] == "customer"
    assert created["at"] == "2026-03-02T08:00:00Z"
    assert created["fields"] == {
        "status": "new", "priority": "normal", "type": "question", "group": "20",
        "requester": {"id": "9001"}, "customer": {"id": "501"},
        "subject": "Printer on fire", "channel": "email", "tags": ["printer", "vip"],
    }  # fmt: skip
    assert of_ticket(imported[0], "102")[0]["fields"]["channel"] == "web"  # "Web form"


def test_changes_comments_and_who_wrote_them(imported) -> None:
    events = of_ticket(imported[0], "101")
    shown = [(e["at"][11:16], e["type"], e.get("changes"), e.get("author"), e.get("public"))
             for e in events[1:]]  # fmt: skip
    assert shown == [
        ("08:20", "ticket.updated", {"status": "open", "assignee": "7001"}, None, None),
        ("08:20", "message", None, "agent", True),  # the assignee's public reply
        ("08:25", "ticket.updated", {"status": "pending"}, None, None),
        ("10:00", "ticket.updated", {"status": "open"}, None, None),
        ("10:00", "message", None, "customer", True),  # by the requester
        ("11:00", "message", None, "agent", False),  # an internal note
        ("12:00", "ticket.updated", {"status": "solved"}, None, None),
        ("12:00", "message", None, "agent", True),
        ("12:00", "ticket.updated", {"status": "closed"}, None, None),
    ]
    # the requester's comment of the creating audit is the description: no message
    assert not [e for e in events if e["at"] == "2026-03-02T08:00:00Z" and e["type"] == "message"]


def test_a_ticket_an_agent_opens_and_its_outbound_comment(imported) -> None:
    events = of_ticket(imported[0], "103")
    assert events[0]["by"] == "agent" and events[0]["fields"]["channel"] == "api"
    assert (events[1]["type"], events[1]["author"], events[1]["at"]) == (
        "message", "agent", "2026-03-02T14:00:00Z",
    )  # fmt: skip


def test_status_deleted_deletes_and_a_ticket_created_before_the_export_is_updated(
    imported,
) -> None:
    events, summary = imported
    assert [e["type"] for e in of_ticket(events, "104")] == ["ticket.created", "ticket.deleted"]
    (update,) = of_ticket(events, "105")
    assert update["type"] == "ticket.updated"
    assert update["changes"] == {"status": "pending", "tags_added": ["waiting"]}
    assert any("creation is not in the export" in reason for reason in summary.notices)


def test_what_is_not_mapped_is_counted_with_examples(imported) -> None:
    summary = imported[1]
    assert summary.unmapped["child events of type 'Notification' (not mapped)"].count == 1
    repeats = summary.notices["items served twice (same id): the repeat is skipped"]
    assert repeats.count == 1 and repeats.examples == [f"{ZENDESK_EVENTS}:7"]


def test_a_second_import_gives_the_same_ids(imported) -> None:
    again, _ = run("zendesk", ZENDESK_EVENTS)
    assert [e["id"] for e in again] == [e["id"] for e in imported[0]]


def test_metric_events_give_zendesks_verdicts() -> None:
    verdicts: list[dict[str, Any]] = []
    events, summary = run("zendesk", ZENDESK_EVENTS, ZENDESK_METRICS, verdicts=verdicts.append)
    assert len(events) == 23  # metric events make no ticket events
    shown = {(v["ticket"], v["metric"], v.get("cycle"), v["breached"], v["at"]) for v in verdicts}
    assert shown == {
        ("101", "first_response", None, False, "2026-03-02T08:20:00Z"),  # breach deleted
        ("101", "requester_wait_time", None, False, "2026-03-02T12:00:00Z"),
        ("101", "resolution", None, False, "2026-03-02T12:00:00Z"),
        ("102", "first_response", None, True, "2026-03-02T10:00:00Z"),  # breach, then fulfil
        ("102", "resolution", None, False, "2026-03-02T12:30:00Z"),
        ("103", "next_response", 0, True, "2026-03-03T11:00:00Z"),  # reply_time instance 2
    }
    assert {v["vendor"] for v in verdicts} == {"zendesk.metric_events"}
    no_sla = summary.notices["metric instances with no SLA applied: no verdict"]
    assert no_sla.count == 3


def test_metric_events_without_verdicts_output_are_a_notice() -> None:
    _, summary = run("zendesk", ZENDESK_METRICS)
    assert "metric events read without --verdicts-output: no verdicts" in summary.notices


def test_the_audits_api_shape_is_read_too(tmp_path: Path) -> None:
    page = tmp_path / "audits.json"
    page.write_text(
        '{"audits": [{"id": 7, "ticket_id": 9, "created_at": "2026-03-02T08:00:00Z",'
        ' "author_id": 5, "via": {"channel": "email"}, "events": ['
        '{"id": 1, "type": "Create", "field_name": "status", "value": "open"},'
        '{"id": 2, "type": "Create", "field_name": "requester_id", "value": 5},'
        '{"id": 3, "type": "Comment", "author_id": 5, "public": true, "body": "hi"}]}]}'
    )
    summary = Summary()
    (event,) = list(import_events("zendesk", [page], ImportOptions(), summary))
    assert event["by"] == "customer" and event["fields"] == {
        "status": "open", "requester": {"id": "5"}, "channel": "email",
    }  # fmt: skip
