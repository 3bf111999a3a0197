"""``csv``: a CSV of ticket events and its YAML mapping, rule by rule; and the mapping
file's errors, which name the file, line, key and value."""

from __future__ import annotations

from pathlib import Path

import pytest

from slaclock.core.errors import ConfigError, SlaclockError

from .helpers import all_valid, of_ticket, run

MAPPING = """\
source: acme
ticket: ticket
at: when
time_format: "%Y-%m-%d %H:%M"
zone: Europe/Amsterdam
missing: ["", "-"]
row_id: seq
fields:
  status: {column: state, values: {New: new, Open: open, "Waiting*": pending, Done: solved}}
  priority: {column: prio, values: {P1: urgent, P2: high}}
  group: team
  assignee: who
  custom.product: product
action:
  column: kind
  hold: [pending]
  values:
    open: {}
    reply: {message: agent_reply}
    wait: {status: pending}
    note: {message: note}
    said: {message: customer_message}
    delete: {deleted: true}
    noise: skip
"""

ROWS = """\
ticket,when,state,prio,team,who,kind,seq,product
T1,2026-03-02 09:00,New,P2,support,-,open,1,app
T1,2026-03-02 09:30,Open,P1,support,anna,reply,2,app
T1,2026-03-02 10:00,Waiting on customer,P1,support,anna,said,3,app
T1,2026-03-02 11:00,-,P1,support,anna,note,4,app
T1,2026-03-02 12:00,Done,P1,support,-,,5,app
T2,yesterday,New,P2,support,-,open,1,app
,2026-03-02 09:00,New,P2,support,-,open,1,app
T3,2026-03-03 09:00,Weird,P9,support,-,open,1,app
T3,2026-03-03 09:05,Open,P2,support,-,noise,2,app
T3,2026-03-03 09:10,Open,P2,support,-,shrug,3,app
T3,2026-03-03 09:15,Open,P2,support,-,delete,4,app
"""


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    mapping = tmp_path / "acme.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    data = tmp_path / "tickets.csv"
    data.write_text(ROWS, encoding="utf-8")
    return mapping, data


def test_rows_become_events_by_the_mapping(files):
    mapping, data = files
    events, summary = run("csv", data, mapping=mapping)
    assert all_valid(events)
    t1 = of_ticket(events, "T1")
    assert t1[0] == {
        "id": "acme:T1:created",
        "ticket": "T1",
        "at": "2026-03-02T08:00:00Z",  # 09:00 in Amsterdam
        "type": "ticket.created",
        "by": "customer",
        "fields": {"status": "new", "priority": "high", "group": "support",
                   "custom": {"product": "app"}},
    }  # fmt: skip
    steps = [(e["id"], e["type"], e.get("changes")) for e in t1[1:]]
    assert steps == [
        (
            "acme:T1:2",
            "ticket.updated",
            {"status": "open", "priority": "urgent", "assignee": "anna"},
        ),
        ("acme:T1:2:reply", "message", None),
        ("acme:T1:3", "ticket.updated", {"status": "pending"}),  # "Waiting*" pattern
        ("acme:T1:3:message", "message", None),
        ("acme:T1:4", "ticket.updated", {"status": "open"}),  # a held status ends at the next row
        ("acme:T1:4:note", "message", None),
        ("acme:T1:5", "ticket.updated", {"status": "solved", "assignee": None}),  # "-" is missing
    ]
    reply, said, note = t1[2], t1[4], t1[6]
    assert (reply["author"], reply["public"], reply["author_id"]) == ("agent", True, "anna")
    assert (said["author"], said["public"]) == ("customer", True)
    assert (note["author"], note["public"]) == ("agent", False)
    assert summary.tickets == 2 and summary.rows == 11


def test_what_cannot_be_mapped_is_counted_with_its_place_and_value(files):
    mapping, data = files
    events, summary = run("csv", data, mapping=mapping)
    unmapped = {reason: (t.count, t.examples[0]) for reason, t in summary.unmapped.items()}
    where = str(data)
    assert unmapped == {
        "time not readable in column 'when' (format %Y-%m-%d %H:%M)": (
            1,
            f"{where}:7: 'yesterday'",
        ),
        "no ticket id (column 'ticket')": (1, f"{where}:8"),
        "status: value of column 'state' not in the vocabulary": (1, f"{where}:9: 'Weird'"),
        "priority: value of column 'prio' not in the vocabulary": (1, f"{where}:9: 'P9'"),
        "action: value of column 'kind' not in the vocabulary": (1, f"{where}:11: 'shrug'"),
    }
    assert summary.notices["rows the mapping skips (an action of 'skip')"].examples == [
        f"{where}:10"
    ]
    assert "T2" not in {e["ticket"] for e in events}
    t3 = of_ticket(events, "T3")
    assert t3[0]["fields"]["status"] == "new" and "priority" not in t3[0]["fields"]
    assert t3[-1] == {"id": "acme:T3:4:deleted", "ticket": "T3", "at": "2026-03-03T08:15:00Z",
                      "type": "ticket.deleted"}  # fmt: skip
    assert "unmapped" in summary.to_json() and any("not mapped" in line for line in summary.lines())


def test_a_missing_column_is_an_error_naming_the_file_and_column(files, tmp_path: Path):
    mapping, _ = files
    data = tmp_path / "short.csv"
    data.write_text("ticket,when\nT1,2026-03-02 09:00\n", encoding="utf-8")
    with pytest.raises(SlaclockError, match=r"short\.csv:1: no column 'state'"):
        run("csv", data, mapping=mapping)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ("P1: urgent", r"acme\.yaml:10: fields\.priority\.values\.P1: expected one of "
                       r"low, normal, high, urgent \(got 'critical'\)"),
        ("zone: Europe/Amsterdam", r"acme\.yaml:5: zone: expected an IANA time zone .*'Mars/Base'"),
        ("  group: team", r"acme\.yaml:11: fields\.grup: expected a ticket field"),
        ("    wait: {status: pending}", r"acme\.yaml:20: action\.values\.wait\.status: "
                                      r"expected one of new, open"),
        ("ticket: ticket", r"acme\.yaml: \(top level\): missing required key 'ticket'"),
    ],
)  # fmt: skip
def test_mapping_errors_name_the_file_line_key_and_value(tmp_path: Path, change, expected):
    broken = {
        "P1: urgent": "P1: critical",
        "zone: Europe/Amsterdam": "zone: Mars/Base",
        "  group: team": "  grup: team",
        "    wait: {status: pending}": "    wait: {status: waiting}",
        "ticket: ticket": "tickets: ticket",
    }[change]
    mapping = tmp_path / "acme.yaml"
    mapping.write_text(MAPPING.replace(change, broken, 1), encoding="utf-8")
    data = tmp_path / "tickets.csv"
    data.write_text(ROWS, encoding="utf-8")
    with pytest.raises(ConfigError, match=expected):
        run("csv", data, mapping=mapping)


def test_the_csv_source_needs_its_mapping_and_others_refuse_one(files):
    mapping, data = files
    with pytest.raises(SlaclockError, match="needs --mapping"):
        run("csv", data)
    with pytest.raises(SlaclockError, match="--mapping is for the csv source"):
        run("bpi2013", data, mapping=mapping)
    with pytest.raises(SlaclockError, match="unknown source"):
        run("nosuch", data)
