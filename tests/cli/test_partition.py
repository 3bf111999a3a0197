"""Cutting an event stream by ticket, and merging the parts' outputs (``cli.partition``)."""

from __future__ import annotations

import io
import json

from hypothesis import given
from hypothesis import strategies as st

from slaclock.cli.partition import merged, split_by_ticket, ticket_of, write_groups


def test_ticket_of_reads_the_ticket_key_without_parsing_a_plain_line():
    assert ticket_of(b'{"id":"e1","ticket":"T-1","at":"2026-03-02T08:00:00Z"}\n') == b"T-1"
    assert ticket_of(b'{"id": "e1", "ticket" :  "T-\xc3\xa9", "type": "message"}') == "T-é".encode()
    # "ticket" as a value, not a key, is not the ticket
    assert ticket_of(b'{"id":"e1","type":"ticket","ticket":"T-2"}') == b"T-2"


def test_ticket_of_parses_lines_it_cannot_read_for_sure():
    # an escape anywhere: parsed (the key here is written with one)
    assert ticket_of(b'{"id":"e1","tick\\u0065t":"T-3"}') == b"T-3"
    assert ticket_of(b'{"id":"e1","ticket":"T-\\"4"}') == b'T-"4'
    # two ticket keys (one nested): parsed, the top-level one counts
    assert ticket_of(b'{"fields":{"ticket":"X"},"ticket":"T-5"}') == b"T-5"
    # no ticket, not a string, not JSON, not an object
    assert ticket_of(b'{"id":"e1"}') is None
    assert ticket_of(b'{"id":"e1","ticket":7}') is None
    assert ticket_of(b"{not json") is None
    assert ticket_of(b'["ticket"]') is None


_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
_value = st.recursive(
    st.none() | st.booleans() | st.integers() | _text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_text, inner, max_size=3),
    max_leaves=6,
)


@given(
    ticket=_text,
    extra=st.dictionaries(_text.filter(lambda k: k != "ticket"), _value, max_size=4),
    nested=st.booleans(),
    separators=st.sampled_from([(",", ":"), (", ", ": "), (" ,", " : ")]),
    ascii_only=st.booleans(),
    first=st.booleans(),
)
def test_ticket_of_agrees_with_json_loads(ticket, extra, nested, separators, ascii_only, first):
    """Whatever the spacing, escapes, key order or nesting, the part is chosen by the
    ticket ``json.loads`` reads (a line's ticket decides which part replays it)."""
    obj = {"ticket": ticket, **extra} if first else {**extra, "ticket": ticket}
    if nested:
        obj["fields"] = {"ticket": "elsewhere", "tags": ["ticket"]}
    line = json.dumps(obj, separators=separators, ensure_ascii=ascii_only).encode()
    assert ticket_of(line) == ticket.encode("utf-8")


def _split(text: bytes, count: int) -> list[list[bytes]]:
    parts = [io.BytesIO() for _ in range(count)]
    read = split_by_ticket(io.BytesIO(text), parts)
    assert read == len(list(io.TextIOWrapper(io.BytesIO(text), encoding="utf-8")))
    return [p.getvalue().splitlines(keepends=True) for p in parts]


def test_a_tickets_lines_land_in_one_part_in_their_order():
    lines = [json.dumps({"id": f"e{i}", "ticket": f"T-{i % 7}"}) + "\n" for i in range(60)]
    parts = _split("".join(lines).encode(), 4)
    assert sorted(line for part in parts for line in part) == sorted(x.encode() for x in lines)
    homes = {}
    for index, part in enumerate(parts):
        assert part == sorted(part, key=lambda line: int(json.loads(line)["id"][1:]))
        for line in part:
            assert homes.setdefault(json.loads(line)["ticket"], index) == index
    assert len(homes) == 7


def test_lines_are_cut_as_reading_the_text_would():
    """Blank lines are left out; a carriage return ends a line as the text reading of
    the whole input takes it; the last line may lack its newline."""
    raw = (
        b'{"ticket":"A","n":1}\r\n\n  \n{"ticket":"A","n":2}\r{"ticket":"A","n":3}\n{"ticket":"A"}'
    )
    text_lines = list(io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8"))
    assert len(text_lines) == 6
    assert _split(raw, 1) == [
        [*[line.encode() for line in text_lines if line.strip()][:-1], b'{"ticket":"A"}\n']
    ]


def test_a_line_without_a_ticket_goes_to_the_first_part():
    assert _split(b'{"id":"e1"}\nnot json\n', 3)[0] == [b'{"id":"e1"}\n', b"not json\n"]


def _row(ticket: str, metric: str) -> tuple:
    return (ticket, metric, "sla", 0, "p", 1, "c", 60, None, None, None, None, None, None,
            "running", False, None, 0, 0, 60)  # fmt: skip


def test_merged_interleaves_whole_tickets_in_order_and_takes_tickets_replayed_apart():
    outputs = [io.BytesIO(), io.BytesIO()]
    notes = [io.BytesIO(), io.BytesIO()]
    rows = [_row("A", "m1"), _row("A", "m2"), _row("C", "m1")]
    assert write_groups(rows, outputs[0], notes[0]) == 2
    rows = [_row("B", "m1"), *(_row(f"D{i:05}", "m1") for i in range(5000))]
    rows.insert(3, _row("D00001", "m2"))  # sorted by ticket, as a part's rows are
    assert write_groups(rows, outputs[1], notes[1]) == 5001  # notes in two blocks
    for file in (*outputs, *notes):
        file.seek(0)
    apart = {"C": b'{"apart":"C"}\n', "B0": b'{"apart":"B0"}\n', "E": b""}
    text = b"".join(merged(outputs, notes, apart, chunk_size=10)).decode()
    lines = text.splitlines()
    order = [json.loads(x).get("ticket") or json.loads(x)["apart"] for x in lines]
    assert order[:5] == ["A", "A", "B", "B0", "C"]
    assert lines[4] == '{"apart":"C"}'
    assert order[5:] == ["D00000", "D00001", "D00001", *(f"D{i:05}" for i in range(2, 5000))]
