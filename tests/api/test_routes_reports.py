"""issue 23: the compliance report over the API — JSON, CSV and XLSX with the same
figures, parameters named when wrong, readers only."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from slaclock.core.config import parse_config
from slaclock.core.workload import generate_events
from slaclock.service.ingest import Limits

DATA = Path(__file__).parents[1] / "data"
CONFIG = (DATA / "example_config.yaml").read_text()
URL = "/api/v1/reports/compliance"


@pytest.fixture
def loaded(api: Any) -> Any:
    """80 tickets over the week from the api clock's Monday."""
    start = api.clock.now()
    api.services.limits = Limits(future_skew=timedelta(days=30))
    api.services.config_apply(CONFIG, "test", start - timedelta(days=1))
    events = list(generate_events(parse_config(CONFIG), 80, 7, 3, start))
    assert not api.services.ingest(events, start + timedelta(days=7)).rejected
    api.clock.advance(days=7)
    return api


def _query(**extra: str) -> dict[str, str]:
    return {"from": "2026-03-02T00:00:00Z", "to": "2026-03-09T00:00:00Z", **extra}


def test_compliance_as_json_csv_and_xlsx_agree(loaded: Any) -> None:
    api = loaded
    params = _query(by="group,metric", bucket="day", tz="Europe/Amsterdam")
    got = api.client.get(URL, params=params, headers=api.headers("viewer"))
    assert got.status_code == 200, got.text
    body = got.json()
    assert body["by"] == ["group", "metric"] and body["tz"] == "Europe/Amsterdam"
    rows = body["rows"]
    assert sum(r["met"] + r["breached"] for r in rows) > 20
    assert rows[0]["bucket"].endswith("+01:00")
    as_csv = api.client.get(URL, params={**params, "format": "csv"}, headers=api.headers())
    assert as_csv.headers["content-type"].startswith("text/csv")
    read = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert len(read) == len(rows)
    assert [int(r["met"]) for r in read] == [r["met"] for r in rows]
    judged = next(r for r in read if r["compliance"])
    assert judged["compliance_pct"].endswith("%")
    as_xlsx = api.client.get(URL, params={**params, "format": "xlsx"}, headers=api.headers())
    sheet = openpyxl.load_workbook(io.BytesIO(as_xlsx.content)).active
    assert sheet is not None
    assert sheet.cell(1, 1).value == "Times in Europe/Amsterdam"
    header = [cell.value for cell in sheet[2]]
    met = header.index("met") + 1
    assert [sheet.cell(line, met).value for line in range(3, 3 + len(rows))] == [
        r["met"] for r in rows
    ]


def test_filters_narrow_the_report(loaded: Any) -> None:
    api = loaded
    everything = api.client.get(URL, params=_query(by="metric"), headers=api.headers()).json()
    one = api.client.get(URL, params=_query(metric="first_response"), headers=api.headers())
    [row] = one.json()["rows"]
    [same] = [r for r in everything["rows"] if r["metric"] == "first_response"]
    assert (row["met"], row["breached"], row["open"]) == (same["met"], same["breached"],
                                                          same["open"])  # fmt: skip


@pytest.mark.parametrize(
    ("params", "words"),
    [
        (_query(by="colour"), "unknown grouping 'colour'"),
        (_query(tz="Mars/Olympus"), "unknown time zone"),
        ({"from": "2026-03-02T00:00:00", "to": "2026-03-09T00:00:00Z"}, "from"),
        (_query(bucket="fortnight"), "bucket"),
        ({"to": "2026-03-09T00:00:00Z"}, "from"),
    ],
)
def test_bad_parameters_are_422_naming_them(loaded: Any, params: Any, words: str) -> None:
    got = loaded.client.get(URL, params=params, headers=loaded.headers())
    assert got.status_code == 422, got.text
    assert words in json.dumps(got.json())


def test_only_readers_may_read_reports(loaded: Any) -> None:
    assert (
        loaded.client.get(URL, params=_query(), headers=loaded.headers("ingest")).status_code == 403
    )
    assert loaded.client.get(URL, params=_query()).status_code == 401


LOG = "/api/v1/reports/log"


def test_the_sla_log_pages_and_exports_every_row(loaded: Any) -> None:
    api = loaded
    params = {"from": "2026-03-02", "to": "2026-03-09", "metric": "first_response"}
    seen: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = {**params, "limit": "25", **({"cursor": cursor} if cursor else {})}
        page = api.client.get(LOG, params=query, headers=api.headers("agent"))
        assert page.status_code == 200, page.text
        seen += page.json()["rows"]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break
    assert len(seen) > 25 and {r["metric"] for r in seen} == {"first_response"}
    as_csv = api.client.get(LOG, params={**params, "format": "csv"}, headers=api.headers())
    read = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert [r["ticket"] for r in read] == [r["ticket"] for r in seen]
    assert {"requester", "judged", "elapsed_seconds", "elapsed", "due_at"} <= set(read[0])
    as_xlsx = api.client.get(LOG, params={**params, "format": "xlsx"}, headers=api.headers())
    sheet = openpyxl.load_workbook(io.BytesIO(as_xlsx.content)).active
    assert sheet is not None and sheet.max_row == 2 + len(seen)


@pytest.mark.parametrize(
    ("query", "status"),
    [("sort=colour", 422), ("judged=late", 422), ("cursor=bm9wZQ", 400), ("colour=red", 422)],
)
def test_bad_log_queries(loaded: Any, query: str, status: int) -> None:
    got = loaded.client.get(f"{LOG}?from=2026-03-02&to=2026-03-09&{query}",
                            headers=loaded.headers())  # fmt: skip
    assert got.status_code == status, got.text


@pytest.mark.parametrize(
    ("name", "extra", "rows"),
    [
        ("heatmap", {"by": "created", "tz": "Europe/Amsterdam"}, 168),
        ("trend", {"bucket": "day"}, 7),
        ("top", {"dimensions": "group,customer", "limit": "3"}, None),
        ("attribution", {}, None),
        ("pauses", {"threshold": "0.25"}, None),
    ],
)
def test_breach_reports_answer_as_json_and_csv(
    loaded: Any, name: str, extra: dict[str, str], rows: int | None
) -> None:
    api = loaded
    params = {"from": "2026-03-02", "to": "2026-03-09", **extra}
    got = api.client.get(f"/api/v1/reports/{name}", params=params, headers=api.headers("viewer"))
    assert got.status_code == 200, got.text
    body = got.json()
    assert body["report"] == name and body["columns"]
    if rows is not None:
        assert len(body["rows"]) == rows
    as_csv = api.client.get(f"/api/v1/reports/{name}", params={**params, "format": "csv"},
                            headers=api.headers())  # fmt: skip
    assert len(list(csv.DictReader(io.StringIO(as_csv.text)))) == len(body["rows"])
    assert api.client.get(f"/api/v1/reports/{name}", params={**params, "tz": "Nowhere/At_All"},
                          headers=api.headers()).status_code == 422  # fmt: skip
