"""issue 23: ``slaclock report compliance`` — the same figures as the service, as a
table, JSON, CSV and XLSX; bad parameters exit 2 naming them."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from slaclock.cli.main import app
from slaclock.core.config import parse_config
from slaclock.core.workload import generate_events
from slaclock.service.compose import open_services
from slaclock.service.ingest import Limits

CONFIG = (Path(__file__).parents[1] / "data" / "example_config.yaml").read_text()
START = datetime(2026, 3, 2, tzinfo=UTC)
runner = CliRunner()


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("report") / "db.sqlite"
    services = open_services(f"sqlite:///{path}", upgrade=True)
    services.limits = Limits(future_skew=timedelta(days=30))
    services.config_apply(CONFIG, "test", START - timedelta(days=1))
    events = list(generate_events(parse_config(CONFIG), 60, 7, 5, START))
    assert not services.ingest(events, START + timedelta(days=7)).rejected
    services.close()
    return f"sqlite:///{path}"


def _run(url: str, *args: str) -> str:
    result = runner.invoke(
        app,
        ["report", "compliance", "--from", "2026-03-02", "--to", "2026-03-09",
         "--as-of", "2026-03-09T00:00:00Z", "--database-url", url, *args],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return result.stdout


def test_json_csv_and_the_table_tell_the_same_counts(url: str) -> None:
    body = json.loads(_run(url, "--by", "metric", "--format", "json"))
    rows = body["rows"]
    assert {r["metric"] for r in rows} >= {"first_response", "resolution"}
    as_csv = list(csv.DictReader(io.StringIO(_run(url, "--by", "metric", "--format", "csv"))))
    assert [(r["metric"], int(r["met"])) for r in as_csv] == [(r["metric"], r["met"]) for r in rows]
    table = _run(url, "--by", "metric")
    assert "first_response" in table and "compliance" in table and "Times in UTC" in table


def test_xlsx_needs_an_output_and_writes_typed_cells(url: str, tmp_path: Path) -> None:
    out = tmp_path / "c.xlsx"
    _run(url, "--bucket", "day", "--tz", "Europe/Amsterdam", "--format", "xlsx",
         "--output", str(out))  # fmt: skip
    sheet = openpyxl.load_workbook(out).active
    assert sheet is not None and sheet.cell(1, 1).value == "Times in Europe/Amsterdam"
    assert sheet.max_row == 2 + 7  # the header rows and one row per day
    args = ["report", "compliance", "--from", "2026-03-02", "--to", "2026-03-09"]
    failed = runner.invoke(app, [*args, "--format", "xlsx", "--database-url", url])
    assert failed.exit_code == 2 and "--output" in failed.output


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--by", "colour"], "unknown grouping 'colour'"),
        (["--tz", "Mars/Olympus"], "Mars/Olympus"),
        (["--where", "metric"], "--where: expected grouping=value"),
        (["--format", "pdf"], "--format: expected one of"),
        (["--date", "created"], "--date"),
    ],
)
def test_bad_parameters_exit_2_naming_them(url: str, args: list[str], words: str) -> None:
    result = runner.invoke(app, ["report", "compliance", "--from", "2026-03-02", "--to",
                                 "2026-03-09", "--database-url", url, *args])  # fmt: skip
    assert result.exit_code == 2
    assert words in result.output


def _report(url: str, name: str, *args: str) -> str:
    result = runner.invoke(
        app,
        ["report", name, "--from", "2026-03-02", "--to", "2026-03-09",
         "--as-of", "2026-03-09T00:00:00Z", "--database-url", url, *args],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return result.stdout


def test_the_sla_log_exports_every_row(url: str, tmp_path: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(_report(url, "log"))))
    body = json.loads(_report(url, "compliance", "--format", "json"))
    [total] = body["rows"]
    assert len(rows) == total["met"] + total["breached"] + total["open"]
    out = tmp_path / "log.xlsx"
    _report(url, "log", "--judged", "breached", "--format", "xlsx", "--output", str(out))
    sheet = openpyxl.load_workbook(out).active
    assert sheet is not None and sheet.max_row == 2 + total["breached"]


@pytest.mark.parametrize(
    ("name", "args", "lines"),
    [("heatmap", ["--by", "created"], 168), ("trend", ["--bucket", "day"], 7),
     ("top", ["--dimensions", "group", "--limit", "2"], None), ("attribution", [], None),
     ("pauses", ["--threshold", "0.3"], None)],
)  # fmt: skip
def test_breach_reports_run_from_the_command_line(
    url: str, name: str, args: list[str], lines: int | None
) -> None:
    body = json.loads(_report(url, name, *args, "--format", "json"))
    assert body["columns"] and (lines is None or len(body["rows"]) == lines)
    assert _report(url, name, *args)  # the terminal table
    bad = runner.invoke(app, ["report", name, "--from", "2026-03-02", "--to", "2026-03-09",
                              "--tz", "Nowhere/At_All", "--database-url", url])  # fmt: skip
    assert bad.exit_code == 2 and "Nowhere/At_All" in bad.output


def test_a_snapshot_is_taken_listed_and_written_back(url: str, tmp_path: Path) -> None:
    params = ["--param", "from=2026-03-02", "--param", "to=2026-03-09", "--param", "by=metric"]
    taken = runner.invoke(app, ["report", "snapshot", "compliance", *params, "--format", "csv",
                                "--author", "lead", "--database-url", url])  # fmt: skip
    assert taken.exit_code == 0, taken.output
    snapshot_id, sha = taken.stdout.split("\t")[:2]
    listed = runner.invoke(app, ["report", "snapshots", "--database-url", url])
    assert snapshot_id in listed.stdout and "lead" in listed.stdout
    out = tmp_path / "snap.csv"
    got = runner.invoke(app, ["report", "snapshot-get", snapshot_id, "--output", str(out),
                              "--database-url", url])  # fmt: skip
    assert got.exit_code == 0, got.output
    import hashlib

    assert sha == "sha256:" + hashlib.sha256(out.read_bytes()).hexdigest()
    assert out.read_text().startswith("metric,")
    bad = runner.invoke(app, ["report", "snapshot", "compliance", "--param", "to=2026-03-09",
                              "--database-url", url])  # fmt: skip
    assert bad.exit_code == 2 and "params.from: required" in bad.output
    missing = runner.invoke(app, ["report", "snapshot-get", "s_nosuch", "--database-url", url])
    assert missing.exit_code == 2
