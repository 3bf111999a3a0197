"""``helpdesk-csv``: the Italian help desk log, on a slice of the real file; its plan is
the bundled mapping file, so this also runs the ``csv`` importer on real data."""

from __future__ import annotations

from .helpers import HELPDESK, all_valid, imported_once, of_ticket, run

imported = imported_once("helpdesk-csv", HELPDESK)


def test_everything_maps_to_valid_events(imported):
    events, summary = imported
    assert all_valid(events)
    assert summary.tickets == 5 and summary.rows == 23 and not summary.unmapped


def test_times_are_italian_local_time_unless_told(imported):
    first = imported[0][0]
    assert first["at"] == "2012-10-09T12:50:17Z"  # 14:50:17 in Rome (CEST, UTC+2)
    assert run("helpdesk-csv", HELPDESK, tz="UTC")[0][0]["at"] == "2012-10-09T14:50:17Z"


def test_ids_do_not_depend_on_the_zone(imported):
    again, _ = run("helpdesk-csv", HELPDESK, tz="UTC")
    assert [e["id"] for e in again] == [e["id"] for e in imported[0]]


def test_activities_become_statuses_and_replies(imported):
    events = of_ticket(imported[0], "Case 20")
    kinds = [(e["type"], e.get("changes", {}).get("status")) for e in events]
    assert kinds == [
        ("ticket.created", None),
        ("ticket.updated", "open"),  # Take in charge ticket
        ("message", None),  # … is the first response
        ("ticket.updated", "pending"),  # Wait
        ("ticket.updated", "solved"),  # Resolve ticket
        ("ticket.updated", "closed"),  # Closed
    ]
    assert events[2]["author"] == "agent" and events[2]["author_id"] == "Value 9"
    assert events[0]["fields"]["custom"]["service_level"] == "Value 2"
