"""``servicenow``: the conventions an outside check relies on, rule by rule, on a slice
of the real UCI incident log (tests/data/importers/servicenow_slice.csv)."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest

from slaclock.core.errors import SlaclockError

from .helpers import SERVICENOW, all_valid, imported_once, of_ticket, run

imported = imported_once("servicenow", SERVICENOW)


def test_every_event_is_valid_and_the_ticket_is_the_incident_number(imported):
    events, summary = imported
    assert all_valid(events)
    assert {e["ticket"] for e in events} == {
        "INC0000045", "INC0000047", "INC0000104", "INC0000130", "INC0001006",
        "INC0010164", "INC0028089",
    }  # fmt: skip
    assert summary.tickets == 7 and summary.events == len(events) and summary.rows == 44


def test_created_at_opened_at_as_new_then_each_row_at_its_instant(imported):
    events = of_ticket(imported[0], "INC0000045")
    assert [(e["type"], e["at"]) for e in events] == [
        ("ticket.created", "2016-02-29T01:16:00Z"),  # opened_at
        ("ticket.updated", "2016-02-29T08:53:00Z"),  # Resolved row
        ("ticket.updated", "2016-03-05T12:00:00Z"),  # Closed row
    ]
    created = events[0]
    assert created["fields"]["status"] == "new" and created["by"] == "customer"
    assert created["fields"]["priority"] == "normal"  # 3 - Moderate
    assert created["fields"]["group"] == "Group 56" and created["fields"]["type"] == "incident"
    assert created["fields"]["customer"] == {"id": "Caller 2403"}
    assert [e["changes"].get("status") for e in events[1:]] == ["solved", "closed"]


def test_priority_changes_are_kept_as_updates_at_their_instant(imported):
    events = of_ticket(imported[0], "INC0000104")
    assert events[0]["fields"]["priority"] == "normal"
    changes = [
        (e["at"], e["changes"]["priority"]) for e in events if "priority" in e.get("changes", {})
    ]
    assert changes == [("2016-02-29T09:18:00Z", "high")]  # sys_mod_count 1


def test_group_and_assignee_changes_and_awaiting_as_pending(imported):
    events = of_ticket(imported[0], "INC0000047")
    first = events[1]["changes"]
    assert first == {"status": "open", "group": "Group 24", "assignee": "Resolver 31"}
    assert {"status": "pending", "assignee": "Resolver 89"} in [e["changes"] for e in events[1:]]


def test_awaiting_may_be_on_hold():
    events, _ = run("servicenow", SERVICENOW, awaiting="on_hold")
    statuses = {e["changes"].get("status") for e in of_ticket(events, "INC0000047")[1:]}
    assert "on_hold" in statuses and "pending" not in statuses


def test_rows_apply_in_sys_mod_count_order_never_earlier_than_the_one_before(imported):
    events, summary = imported
    mine = of_ticket(events, "INC0000130")
    times = [e["at"] for e in mine]
    assert times == sorted(times)
    # sys_mod_count 1 (Group 73, 09:59) comes before 2 (Group 72, dated 07:27)
    groups = [e["changes"]["group"] for e in mine[1:] if "group" in e["changes"]]
    assert groups == ["Group 72", "Group 73"]
    reason = next(r for r in summary.notices if r.startswith("dated before"))
    assert summary.notices[reason].count >= 1


def test_closed_once_at_its_row_and_the_later_closed_rows_change_nothing(imported):
    events = of_ticket(imported[0], "INC0001006")
    closed = [e for e in events if e.get("changes", {}).get("status") == "closed"]
    assert [e["at"] for e in closed] == ["2016-03-08T17:00:00Z"]


def test_an_unknown_state_is_counted_as_unmapped_with_its_place(imported):
    _, summary = imported
    tally = summary.unmapped["status: value of column 'incident_state' not in the vocabulary"]
    assert tally.count == 2  # INC0028089, sys_mod_count 1 and 2
    assert tally.examples[0].endswith("'-100'") and "servicenow_slice.csv:" in tally.examples[0]


def test_ids_are_stable_a_second_import_gives_the_same(imported):
    again, _ = run("servicenow", SERVICENOW)
    assert [e["id"] for e in again] == [e["id"] for e in imported[0]]
    assert len({e["id"] for e in again}) == len(again)
    assert again[0]["id"] == "servicenow:INC0000045:created"


def test_naive_times_are_read_in_the_declared_zone(imported):
    events, _ = run("servicenow", SERVICENOW, tz="Europe/Amsterdam")
    assert events[0]["at"] == "2016-02-29T00:16:00Z"  # 01:16 in Amsterdam (UTC+1)
    assert imported[0][0]["at"] == "2016-02-29T01:16:00Z"  # UTC by default
    with pytest.raises(SlaclockError, match="unknown time zone"):
        run("servicenow", SERVICENOW, tz="Mars/Olympus")


def test_gzip_is_read_transparently(tmp_path: Path, imported):
    packed = tmp_path / "log.csv.gz"
    with open(SERVICENOW, "rb") as src, gzip.open(packed, "wb") as out:
        shutil.copyfileobj(src, out)
    events, _ = run("servicenow", packed)
    assert events == imported[0]


def test_made_sla_of_the_last_row_becomes_the_vendor_verdict():
    verdicts: list[dict] = []
    run("servicenow", SERVICENOW, verdicts=verdicts.append)
    by_ticket = {v["ticket"]: v for v in verdicts}
    assert len(verdicts) == 7
    assert by_ticket["INC0000045"]["breached"] is False
    assert by_ticket["INC0000104"]["breached"] is True
    assert by_ticket["INC0000045"]["metric"] == "resolution"
    assert by_ticket["INC0000045"]["at"] == "2016-03-05T12:00:00Z"
