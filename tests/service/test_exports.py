"""The exports of a report (issue 23, ``docs/exports.md``): CSV read back with the csv
module, XLSX with openpyxl, JSON with json; every one streamed and telling progress."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from slaclock.service.exports import (
    Column,
    csv_chunks,
    csv_export,
    duration_text,
    json_chunks,
    write_csv,
    write_xlsx,
    xlsx_bytes,
    xlsx_export,
)

AMSTERDAM = "Europe/Amsterdam"

COLUMNS = [
    Column("ticket", "text"),
    Column("subject", "text"),
    Column("cycle", "int"),
    Column("elapsed_seconds", "seconds"),
    Column("met_elapsed_avg", "seconds"),
    Column("compliance", "ratio"),
    Column("due_at", "instant"),
    Column("day", "date"),
    Column("credit", "decimal"),
    Column("goal_breached", "bool"),
]

CSV_HEADER = [
    "ticket",
    "subject",
    "cycle",
    "elapsed_seconds",
    "elapsed",
    "met_elapsed_avg",
    "met_elapsed_avg_text",
    "compliance",
    "compliance_pct",
    "due_at",
    "day",
    "credit",
    "goal_breached",
]

#: Just before and at the spring-forward instant in Amsterdam (02:00 local → 03:00),
#: and the autumn hour that happens twice (02:30 at +02:00, then at +01:00).
SPRING_BEFORE = datetime(2026, 3, 29, 0, 59, 59, tzinfo=UTC)
SPRING = datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
AUTUMN_FIRST = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
AUTUMN_SECOND = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)


def _rows() -> list[dict[str, Any]]:
    return [
        {
            "ticket": "T-1",
            "subject": "Störung in Zürich — 東京 ✓",
            "cycle": 1,
            "elapsed_seconds": 5400,
            "met_elapsed_avg": 5400.4,
            "compliance": 0.93182,
            "due_at": SPRING,
            "day": date(2026, 3, 29),
            "credit": Decimal("500.00"),
            "goal_breached": True,
        },
        {
            "ticket": "T-2",
            "subject": '=HYPERLINK("http://evil.example","click")',
            "cycle": -2,
            "elapsed_seconds": -90,
            "met_elapsed_avg": None,
            "compliance": None,
            "due_at": AUTUMN_FIRST,
            "day": None,
            "credit": Decimal("12.5"),
            "goal_breached": False,
        },
        {"ticket": "T-3", "due_at": AUTUMN_SECOND, "subject": 'line one\nline two, "quoted"'},
        {"ticket": "T-4", "due_at": SPRING_BEFORE, "subject": "-1+1", "elapsed_seconds": 0},
    ]


def _csv(columns: list[Column], rows: Any, tz: str = AMSTERDAM) -> list[dict[str, str]]:
    text = "".join(csv_chunks(columns, rows, tz))
    return list(csv.DictReader(io.StringIO(text, newline="")))


# --- CSV ---------------------------------------------------------------------------


def test_csv_header_puts_a_readable_column_beside_seconds_and_ratios() -> None:
    text = "".join(csv_chunks(COLUMNS, [], AMSTERDAM))
    assert text.endswith("\r\n")
    assert next(csv.reader(io.StringIO(text))) == CSV_HEADER


def test_csv_round_trip_raw_and_readable_values() -> None:
    first, second, third, fourth = _csv(COLUMNS, iter(_rows()))
    assert first["ticket"] == "T-1"
    assert first["subject"] == "Störung in Zürich — 東京 ✓"
    assert (first["elapsed_seconds"], first["elapsed"]) == ("5400", "1h30m")
    assert (first["met_elapsed_avg"], first["met_elapsed_avg_text"]) == ("5400.4", "1h30m")
    assert (first["compliance"], first["compliance_pct"]) == ("0.93182", "93.18%")
    assert first["day"] == "2026-03-29"
    assert first["credit"] == "500.00"
    assert first["goal_breached"] == "true"
    assert second["goal_breached"] == "false"
    assert second["credit"] == "12.5"
    # empty values are empty cells, the readable twin too
    assert second["compliance"] == second["compliance_pct"] == second["day"] == ""
    assert third["cycle"] == third["elapsed_seconds"] == third["elapsed"] == ""
    assert third["subject"] == 'line one\nline two, "quoted"'
    assert (fourth["elapsed_seconds"], fourth["elapsed"]) == ("0", "0s")


def test_csv_instants_carry_the_offset_of_the_reports_zone_across_dst() -> None:
    read = _csv(COLUMNS, iter(_rows()))
    assert [row["due_at"] for row in read] == [
        "2026-03-29T03:00:00+02:00",  # the first second of summer time
        "2026-10-25T02:30:00+02:00",  # 02:30 the first time
        "2026-10-25T02:30:00+01:00",  # and the second time
        "2026-03-29T01:59:59+01:00",  # the last second of winter time
    ]
    in_utc = _csv(COLUMNS, iter(_rows()), "UTC")
    assert in_utc[0]["due_at"] == "2026-03-29T01:00:00+00:00"


@pytest.mark.parametrize(
    "zone", [AMSTERDAM, "America/Sao_Paulo", "Asia/Kolkata", "Australia/Lord_Howe", "UTC"]
)
def test_csv_instants_equal_isoformat_minute_by_minute_around_transitions(zone: str) -> None:
    """The remembered minutes give what ``isoformat`` gives, on and around DST changes
    (Lord Howe moves by 30 minutes), for instants in any zone, and with microseconds."""
    tzinfo = ZoneInfo(zone)
    starts = [datetime(2026, 3, 28, 12, tzinfo=UTC), datetime(2026, 10, 24, 12, tzinfo=UTC)]
    starts += [datetime(2018, 11, 3, 12, tzinfo=UTC), datetime(2026, 4, 4, 12, tzinfo=UTC)]
    instants = [start + timedelta(seconds=step * 37) for start in starts for step in range(4000)]
    instants.append(datetime(2026, 3, 29, 1, 0, 0, 250_000, tzinfo=UTC))
    instants.append(datetime(2026, 3, 29, 4, 0, tzinfo=timezone(timedelta(hours=5))))
    read = _csv([Column("at", "instant")], ({"at": at} for at in instants), zone)
    assert [row["at"] for row in read] == [at.astimezone(tzinfo).isoformat() for at in instants]


def test_csv_instants_in_a_zone_whose_offset_had_seconds() -> None:
    """Amsterdam kept its local mean time (+00:19:32) until 1937: those minutes are
    written by ``isoformat``."""
    instants = [
        datetime(1930, 1, 15, 12, 0, 0, tzinfo=UTC),
        datetime(1937, 6, 30, 23, 40, 20, tzinfo=UTC),
    ]
    read = _csv([Column("at", "instant")], ({"at": at} for at in instants))
    assert read[0]["at"] == "1930-01-15T12:19:32+00:19:32"
    assert [row["at"] for row in read] == [
        at.astimezone(ZoneInfo(AMSTERDAM)).isoformat() for at in instants
    ]


def test_a_naive_instant_is_an_error_not_a_guess() -> None:
    rows = [{"at": datetime(2026, 3, 29, 1, 0)}]
    with pytest.raises(ValueError, match="time zone"):
        "".join(csv_chunks([Column("at", "instant")], rows))
    with pytest.raises(ValueError, match="time zone"):
        "".join(json_chunks([Column("at", "instant")], rows))
    with pytest.raises(ValueError, match="time zone"):
        xlsx_bytes([Column("at", "instant")], rows)


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_guards_text_that_a_spreadsheet_would_run_as_a_formula(start: str) -> None:
    columns = [Column("subject", "text"), Column("n", "int"), Column("s", "seconds")]
    rows = [
        {"subject": "plain", "n": -5, "s": -90},
        {"subject": start + "cmd|' /C calc'!A0", "n": -6, "s": -3600},
    ]
    plain, guarded = _csv(columns, rows)
    assert plain["subject"] == "plain"
    assert guarded["subject"] == "'" + start + "cmd|' /C calc'!A0"
    # numbers keep their sign; a negative readable duration has a minus sign, no hyphen
    assert (guarded["n"], guarded["s"], guarded["s_text"]) == ("-6", "-3600", "\u22121h")


def test_csv_guard_applies_to_every_value_of_a_chunk_not_only_the_first() -> None:
    values: list[Any] = ["a"] * 500 + ["@SUM(1)", None, 7, "", "b,c"] + ["z"] * 500
    read = _csv([Column("subject", "text")], ({"subject": value} for value in values))
    assert [row["subject"] for row in read] == [
        "'@SUM(1)" if value == "@SUM(1)" else "" if value is None else str(value)
        for value in values
    ]


def test_csv_one_column_of_empty_values_keeps_its_records() -> None:
    text = "".join(csv_chunks([Column("note", "text")], [{"note": ""}, {"note": None}]))
    assert list(csv.reader(io.StringIO(text))) == [["note"], [""], [""]]


def test_write_csv_to_a_path_and_a_binary_file_is_utf8(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    write_csv(COLUMNS, iter(_rows()), path, AMSTERDAM)
    data = path.read_bytes()
    assert "Zürich — 東京".encode() in data
    assert data.count(b"\r\n") == 1 + 4  # the header and the rows; a cell's is its own
    out = io.BytesIO()
    write_csv(COLUMNS, iter(_rows()), out, AMSTERDAM, bom=True)
    assert out.getvalue() == "\ufeff".encode() + data


def test_readable_column_names() -> None:
    assert Column("elapsed_seconds", "seconds").readable_name() == "elapsed"
    assert Column("met_elapsed_avg", "seconds").readable_name() == "met_elapsed_avg_text"
    assert Column("attainment", "ratio").readable_name() == "attainment_pct"
    assert Column("late", "seconds", readable="how_late").readable_name() == "how_late"
    assert Column("due_at", "instant").readable_name() is None
    assert Column("ticket", "text").readable_name() is None


def test_two_columns_under_one_name_are_an_error() -> None:
    columns = [Column("elapsed_seconds", "seconds"), Column("elapsed", "text")]
    with pytest.raises(ValueError, match="'elapsed'"):
        "".join(csv_chunks(columns, []))
    with pytest.raises(ValueError, match="at least one column"):
        "".join(csv_chunks([], []))
    with pytest.raises(ValueError, match="unknown kind"):
        Column("x", "money")  # type: ignore[arg-type]


def test_duration_text() -> None:
    assert [duration_text(s) for s in (0, 59, 5400, 90061, 5400.4)] == [
        "0s",
        "59s",
        "1h30m",
        "1d1h1m1s",
        "1h30m",
    ]
    assert duration_text(-5400) == "\u22121h30m"


# --- streaming and progress ----------------------------------------------------------


class _Counted:
    """200,000 rows made one at a time, counting how many were pulled."""

    def __init__(self, count: int = 200_000) -> None:
        self.count = count
        self.pulled = 0

    def __iter__(self) -> Iterator[dict[str, Any]]:
        start = datetime(2026, 3, 1, tzinfo=UTC)
        for index in range(self.count):
            self.pulled += 1
            yield {
                "ticket": f"T-{index}",
                "subject": "=x" if index % 1000 == 7 else "ok",
                "cycle": index,
                "elapsed_seconds": index % 7200,
                "compliance": 0.5,
                "due_at": start + timedelta(seconds=index * 11),
            }


def test_csv_streams_rows_as_it_writes_them() -> None:
    rows = _Counted()
    chunks = csv_chunks(COLUMNS, rows, AMSTERDAM)
    header = next(chunks)
    assert rows.pulled == 0 and header.startswith("ticket,")
    first = next(chunks)
    assert rows.pulled == csv_export.CHUNK_ROWS
    assert first.count("\r\n") == csv_export.CHUNK_ROWS
    lines, most_pulled_ahead = first.count("\r\n"), 0
    for chunk in chunks:
        lines += chunk.count("\r\n")
        most_pulled_ahead = max(most_pulled_ahead, rows.pulled - lines)
    assert lines == rows.pulled == 200_000
    assert most_pulled_ahead == 0


def test_json_streams_rows_as_it_writes_them() -> None:
    rows = _Counted(5000)
    chunks = json_chunks(COLUMNS, rows)
    text = [next(chunks)]
    assert rows.pulled == 0
    text.append(next(chunks))
    assert rows.pulled == 1000
    text += chunks
    assert len(json.loads("".join(text))["rows"]) == rows.pulled == 5000


@pytest.mark.parametrize(
    ("count", "calls"), [(0, [0]), (2000, [1000, 2000]), (2500, [1000, 2000, 2500])]
)
def test_progress_is_told_every_thousand_rows_and_at_the_end(count: int, calls: list[int]) -> None:
    for export in (
        lambda rows, progress: "".join(csv_chunks(COLUMNS, rows, progress=progress)),
        lambda rows, progress: "".join(json_chunks(COLUMNS, rows, progress=progress)),
        lambda rows, progress: xlsx_bytes(COLUMNS, rows, progress=progress),
    ):
        told: list[int] = []
        export(iter(_Counted(count)), told.append)
        assert told == calls


# --- XLSX ----------------------------------------------------------------------------


def _sheet(data: bytes) -> Any:
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    return sheet


def test_xlsx_has_typed_cells_in_the_reports_zone() -> None:
    sheet = _sheet(xlsx_bytes(COLUMNS, iter(_rows()), AMSTERDAM, sheet="SLA log"))
    assert sheet.title == "SLA log"
    assert sheet["A1"].value == "Times in Europe/Amsterdam"
    header = [cell.value for cell in sheet[2]]
    # a ratio's percent format is its readable form: no twin
    assert header == [name for name in CSV_HEADER if name != "compliance_pct"]
    assert all(cell.font.b for cell in sheet[2])
    assert sheet.freeze_panes == "A3"
    assert sheet.auto_filter.ref == "A2:L6"
    first = {name: cell for name, cell in zip(header, sheet[3], strict=True)}
    assert first["subject"].value == "Störung in Zürich — 東京 ✓"
    assert first["cycle"].value == 1 and first["cycle"].data_type == "n"
    assert first["elapsed_seconds"].value == 5400 and first["elapsed_seconds"].data_type == "n"
    assert first["elapsed"].value == "1h30m"
    assert first["compliance"].value == pytest.approx(0.93182)
    assert first["compliance"].number_format == "0.00%"
    assert first["due_at"].value == datetime(2026, 3, 29, 3, 0)  # local wall time
    assert first["due_at"].is_date
    assert first["day"].value == datetime(2026, 3, 29) and first["day"].is_date
    assert first["credit"].value == 500 and first["credit"].number_format == "#,##0.00"
    assert first["goal_breached"].value is True
    second = {name: cell for name, cell in zip(header, sheet[4], strict=True)}
    # text is text, never a formula, in XLSX: no apostrophe needed
    assert second["subject"].value.startswith("=HYPERLINK") and second["subject"].data_type == "s"
    assert second["elapsed"].value == "\u22121m30s"
    assert second["compliance"].value is None
    assert second["credit"].number_format == "#,##0.0"
    assert second["due_at"].value == datetime(2026, 10, 25, 2, 30)
    assert sheet["I5"].value == datetime(2026, 10, 25, 2, 30)  # the same wall time, an hour on
    assert sheet["I6"].value == datetime(2026, 3, 29, 1, 59, 59)


def test_write_xlsx_to_a_path(tmp_path: Path) -> None:
    path = tmp_path / "log.xlsx"
    write_xlsx(COLUMNS, iter(_Counted(3000)), path, "UTC")
    sheet = _sheet(path.read_bytes())
    assert sheet["A1"].value == "Times in UTC"
    assert sheet.max_row == 2 + 3000
    assert sheet["A3002"].value == "T-2999"


def test_xlsx_refuses_more_rows_than_a_sheet_holds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xlsx_export, "XLSX_MAX_ROWS", 10)
    assert _sheet(xlsx_bytes(COLUMNS, iter(_Counted(10)))).max_row == 12
    with pytest.raises(ValueError, match="export as CSV"):
        xlsx_bytes(COLUMNS, iter(_Counted(11)))


# --- JSON ----------------------------------------------------------------------------


def test_json_has_columns_and_raw_rows() -> None:
    body = json.loads("".join(json_chunks(COLUMNS, iter(_rows()))))
    assert body["columns"][:2] == [
        {"name": "ticket", "kind": "text"},
        {"name": "subject", "kind": "text"},
    ]
    first, second, third, _ = body["rows"]
    # numbers, text and booleans as they are; instants in UTC, dates and money as text
    assert first == {
        **_rows()[0],
        "due_at": "2026-03-29T01:00:00Z",
        "day": "2026-03-29",
        "credit": "500.00",
    }
    assert second["subject"].startswith("=HYPERLINK")  # JSON is data: no guard
    assert third["compliance"] is None and list(third) == [c.name for c in COLUMNS]
    assert json.loads("".join(json_chunks(COLUMNS, []))) == {
        "columns": body["columns"],
        "rows": [],
    }
