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


def _split(text: bytes, count: int) -> tuple[list[list[bytes]], list[list[int]]]:
    parts = [io.BytesIO() for _ in range(count)]
    numbers = split_by_ticket(io.BytesIO(text), parts)
    return [p.getvalue().splitlines(keepends=True) for p in parts], [list(n) for n in numbers]


def test_a_tickets_lines_land_in_one_part_in_order_with_their_numbers():
    lines = [json.dumps({"id": f"e{i}", "ticket": f"T-{i % 7}"}) for i in range(60)]
    parts, numbers = _split(("\n".join(lines) + "\n").encode(), 4)
    assert sorted(n for part in numbers for n in part) == list(range(1, 61))
    for part, part_numbers in zip(parts, numbers, strict=True):
        assert [lines[n - 1].encode() + b"\n" for n in part_numbers] == part
        assert part_numbers == sorted(part_numbers)
    homes = {}
    for index, part in enumerate(parts):
        for line in part:
            assert homes.setdefault(json.loads(line)["ticket"], index) == index
    assert len(homes) == 7


def test_lines_are_numbered_and_cut_as_reading_the_text_would():
    """Blank lines count but are left out; a carriage return ends a line as the text
    reading of the whole input takes it; the last line may lack its newline."""
    raw = (
        b'{"ticket":"A","n":1}\r\n\n  \n{"ticket":"A","n":2}\r{"ticket":"A","n":3}\n{"ticket":"A"}'
    )
    parts, numbers = _split(raw, 1)
    text_lines = list(io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8"))
    assert numbers == [[1, 4, 5, 6]]
    assert [line.decode() for line in parts[0]] == [
        text_lines[n - 1] if text_lines[n - 1].endswith("\n") else text_lines[n - 1] + "\n"
        for n in numbers[0]
    ]


def test_a_line_without_a_ticket_goes_to_the_first_part():
    parts, numbers = _split(b'{"id":"e1"}\nnot json\n', 3)
    assert numbers[0] == [1, 2] and parts[0] == [b'{"id":"e1"}\n', b"not json\n"]


def _row(ticket: str, metric: str) -> tuple:
    return (ticket, metric, "sla", 0, "p", 1, "c", 60, None, None, None, None, None, None,
            "running", False, None, 0, 0, 60)  # fmt: skip


def test_merged_interleaves_whole_tickets_in_order_and_takes_tickets_replayed_apart():
    outputs = [io.BytesIO(), io.BytesIO()]
    groups: list[tuple[str, int, int]] = []
    write_groups([_row("A", "m1"), _row("A", "m2"), _row("C", "m1")], outputs[0], 0, groups)
    write_groups([_row("B", "m1"), _row("D", "m1"), _row("D", "m2")], outputs[1], 1, groups)
    assert [(t, p) for t, p, _ in groups] == [("A", 0), ("C", 0), ("B", 1), ("D", 1)]
    for out in outputs:
        out.seek(0)
    apart = {"C": b'{"apart":"C"}\n', "E": b""}
    groups.append(("B0", -1, 0))  # replayed apart, printed by no part
    apart["B0"] = b'{"apart":"B0"}\n'
    text = b"".join(merged(groups, outputs, apart, chunk_size=10)).decode()
    lines = text.splitlines()
    assert [json.loads(x).get("ticket") or json.loads(x)["apart"] for x in lines] == [
        "A", "A", "B", "B0", "C", "D", "D",
    ]  # fmt: skip
    assert lines[4] == '{"apart":"C"}'
