"""``bpi2013``: the Volvo IT incident log, on a slice of the real file."""

from __future__ import annotations

from .helpers import BPI2013, all_valid, imported_once, of_ticket, run

imported = imported_once("bpi2013", BPI2013)


def test_events_are_valid_and_times_keep_their_offset(imported):
    events, summary = imported
    assert all_valid(events)
    assert summary.tickets == 4 and summary.rows == 87
    first = events[0]
    assert first["type"] == "ticket.created" and first["ticket"] == "1-364285768"
    assert first["at"] == "2010-03-31T14:59:42Z"  # 15:59:42+01:00, whatever --tz says
    assert run("bpi2013", BPI2013, tz="America/New_York")[0][0]["at"] == first["at"]


def test_impact_is_the_priority_and_the_team_the_group(imported):
    fields = imported[0][0]["fields"]
    assert fields["priority"] == "normal"  # Medium
    assert fields["group"] == "V30" and fields["assignee"] == "fr-Frederic"
    assert fields["status"] == "open"  # Accepted-In Progress


def test_taking_an_incident_up_is_a_public_agent_reply_by_its_owner(imported):
    replies = [e for e in of_ticket(imported[0], "1-364285768") if e["type"] == "message"]
    assert replies[0] == {
        "id": "bpi2013:1-364285768:2010-03-31T15:59:42+01:00:reply",
        "ticket": "1-364285768",
        "at": "2010-03-31T14:59:42Z",
        "type": "message",
        "author": "agent",
        "public": True,
        "author_id": "fr-Frederic",
    }


def test_waiting_statuses_and_completion(imported):
    statuses = [
        e["changes"]["status"]
        for e in imported[0]
        if e["type"] == "ticket.updated" and "status" in e["changes"]
    ]
    assert {"pending", "on_hold", "solved", "closed"} <= set(statuses)


def test_owner_names_are_repaired(imported):
    names = {e.get("author_id") for e in imported[0]} | {
        e.get("changes", {}).get("assignee") for e in imported[0]
    }
    assert "se-Åse" in names and "se-Björn T" in names
    assert not any("≈" in n or "ˆ" in n for n in names if n)


def test_unmatched_rows_are_left_unmapped_and_counted(imported):
    tally = imported[1].unmapped["action: value of column 'Activity' not in the vocabulary"]
    assert tally.count == 1 and tally.examples[0].endswith("'Unmatched-Unmatched'")
