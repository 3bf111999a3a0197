"""``slaclock parity``: agree/disagree counts per metric, and the reason of each
disagreement, on a hand-made stream where every reason comes up once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from slaclock.cli.main import app

runner = CliRunner()

CONFIG = """\
calendars:
  - {id: always, tz: UTC, always_open: true}
policies:
  - id: all
    calendar: always
    targets:
      resolution: {within: {normal: 4h, high: 2h}, pause: {status: [pending]}}
"""


def _created(ticket: str, priority: str) -> dict:
    return {"id": f"{ticket}-c", "ticket": ticket, "at": "2026-03-02T00:00:00Z",
            "type": "ticket.created", "by": "customer",
            "fields": {"status": "open", "priority": priority}}  # fmt: skip


def _change(ticket: str, n: int, hour: str, **changes: str) -> dict:
    return {"id": f"{ticket}-{n}", "ticket": ticket, "at": f"2026-03-02T{hour}:00Z",
            "type": "ticket.updated", "changes": changes}  # fmt: skip


EVENTS = [
    _created("A", "normal"), _change("A", 1, "03:00", status="solved"),  # met, vendor met
    _created("B", "normal"), _change("B", 1, "01:00", status="pending"),
    _change("B", 2, "03:00", status="open"), _change("B", 3, "05:00", status="solved"),
    _created("C", "normal"), _change("C", 1, "01:00", priority="high"),
    _change("C", 2, "03:00", status="solved"),
    _created("D", "low"), _change("D", 1, "01:00", status="solved"),
    _created("E", "normal"), _change("E", 1, "04:10", status="solved"),
    _created("F", "normal"),
    _change("Z", 1, "09:00", status="open"),  # the latest event: parity is as of 09:00
]  # fmt: skip
VERDICTS = [
    ("A", False),  # agree
    ("B", True),  # we paused 2h in pending
    ("C", False),  # we re-judged C by its new priority
    ("D", True),  # no target for low: no instance
    ("E", False),  # over by 10 minutes
    ("F", False),  # never solved: still running
]


@pytest.fixture
def files(tmp_path: Path) -> list[str]:
    config = tmp_path / "config.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    events = tmp_path / "events.jsonl"
    events.write_text("".join(json.dumps(e) + "\n" for e in EVENTS), encoding="utf-8")
    verdicts = tmp_path / "verdicts.jsonl"
    lines = [{"ticket": t, "metric": "resolution", "breached": b} for t, b in VERDICTS]
    verdicts.write_text("".join(json.dumps(v) + "\n" for v in lines), encoding="utf-8")
    return ["--config", str(config), "--events", str(events), "--vendor-verdicts", str(verdicts)]


def test_counts_and_a_reason_for_each_disagreement(files):
    result = runner.invoke(app, ["parity", *files, "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["as_of"] == "2026-03-02T09:00:00Z"
    metric = report["metrics"]["resolution"]
    assert (metric["agree"], metric["disagree"]) == (1, 5)
    assert metric["vendor_breached_ours_met"] == 1  # B
    assert metric["vendor_met_ours_breached"] == 3  # C, E, F
    assert metric["no_instance"] == 1  # D
    reasons = {d["ticket"]: d["reason"] for d in metric["disagreements"]}
    assert reasons == {
        "B": "pause the vendor did not apply",
        "C": "priority change",
        "D": "no instance",
        "E": "near the target",
        "F": "still running",
    }


def test_the_text_report_shows_counts_reasons_and_the_first_disagreements(files):
    result = runner.invoke(app, ["parity", *files, "--limit", "2"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[1] == "resolution: 1 agree, 5 disagree of 6 verdicts (16.67% agree)"
    assert "B resolution: vendor breached, ours met: pause the vendor did not apply" in lines[4]
    assert lines[-1] == "  … and 3 more"


def test_as_of_can_be_given(files):
    result = runner.invoke(app, ["parity", *files, "--as-of", "2026-03-02T02:00:00Z", "--json"])
    assert result.exit_code == 0, result.output
    metric = json.loads(result.stdout)["metrics"]["resolution"]
    assert metric["agree"] == 4  # at 02:00 nothing has breached yet: A, C, E, F agree
    assert {d["ticket"] for d in metric["disagreements"]} == {"B", "D"}


def test_an_invalid_verdict_names_its_file_and_line(files, tmp_path: Path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"ticket": "A", "metric": "resolution", "breached": true}\n{"ticket": "B"}\n')
    args = [*files[:-1], str(bad)]
    result = runner.invoke(app, ["parity", *args])
    assert result.exit_code == 2
    assert "bad.jsonl:2: not a verdict: 'ticket' and 'metric'" in result.stderr
