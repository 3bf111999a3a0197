"""``slaclock import`` from the command line: to a file, to stdout, into a SQLite
database (twice: the second time everything is a duplicate), and its errors; and the
ServiceNow slice through ``import`` and ``parity`` with the example configuration."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from slaclock.cli.main import app

from .helpers import HELPDESK, SERVICENOW

runner = CliRunner()
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "servicenow" / "config.yaml"


def _import(*args: str):
    return runner.invoke(app, ["import", *args])


def test_to_a_file_with_the_summary_and_the_vendor_verdicts(tmp_path: Path):
    out, verdicts = tmp_path / "events.jsonl", tmp_path / "verdicts.jsonl"
    result = _import(
        "servicenow", str(SERVICENOW), "-o", str(out), "--verdicts-output", str(verdicts)
    )
    assert result.exit_code == 0, result.output
    events = [json.loads(line) for line in out.read_text().splitlines()]
    assert events[0]["id"] == "servicenow:INC0000045:created" and result.stdout == ""
    assert len(verdicts.read_text().splitlines()) == 7
    assert "slaclock: read 44 rows:" in result.stderr
    assert "status: value of column 'incident_state' not in the vocabulary" in result.stderr
    assert "times without an offset read in UTC" in result.stderr


def test_to_stdout_by_default():
    result = _import("helpdesk-csv", str(HELPDESK), "--tz", "UTC")
    assert result.exit_code == 0, result.output
    first = json.loads(result.stdout.splitlines()[0])
    assert first["ticket"] == "Case 1" and first["at"] == "2012-10-09T14:50:17Z"
    assert "read in UTC" in result.stderr


def test_into_a_sqlite_database_and_again_as_duplicates(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'slaclock.db'}"
    applied = runner.invoke(app, ["config", "apply", "-c", str(EXAMPLE), "--database-url", url])
    assert applied.exit_code == 0, applied.output
    first = _import("servicenow", str(SERVICENOW), "--into-db", "--database-url", url)
    assert first.exit_code == 0, first.output
    assert "ingested: 31 accepted, 0 duplicates (seen before), 0 rejected" in first.stderr
    again = _import("servicenow", str(SERVICENOW), "--into-db", "--database-url", url)
    assert "ingested: 0 accepted, 31 duplicates (seen before), 0 rejected" in again.stderr

    from slaclock.service.compose import open_services

    services = open_services(url)
    try:
        view = services.ticket("INC0000045")
    finally:
        services.close()
    assert view is not None
    states = {(i["metric"], i["state"]) for i in view.instances}
    assert ("resolution", "met") in states


def test_errors_exit_2_with_one_sentence(tmp_path: Path):
    both = _import("servicenow", str(SERVICENOW), "-o", str(tmp_path / "x"), "--into-db")
    assert both.exit_code == 2 and "not both" in both.stderr
    missing = _import("servicenow", str(tmp_path / "nope.csv"))
    assert missing.exit_code == 2 and "nope.csv: no such file" in missing.stderr
    zone = _import("servicenow", str(SERVICENOW), "--tz", "Nowhere/Land")
    assert zone.exit_code == 2 and "unknown time zone 'Nowhere/Land'" in zone.stderr
    verdicts = _import("helpdesk-csv", str(HELPDESK), "--verdicts-output", str(tmp_path / "v"))
    assert verdicts.exit_code == 2 and "for servicenow" in verdicts.stderr


def test_servicenow_slice_through_import_and_parity(tmp_path: Path):
    out, verdicts = tmp_path / "events.jsonl", tmp_path / "verdicts.jsonl"
    _import("servicenow", str(SERVICENOW), "-o", str(out), "--verdicts-output", str(verdicts))
    args = ["--config", str(EXAMPLE), "--events", str(out), "--vendor-verdicts", str(verdicts)]
    result = runner.invoke(app, ["parity", *args])
    assert result.exit_code == 0, result.output
    assert "resolution: 7 agree, 0 disagree of 7 verdicts (100.00% agree)" in result.stdout
