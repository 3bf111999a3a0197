"""``slaclock import … --verdicts-output`` then ``slaclock parity`` on the sample
payloads, with the example configurations of examples/zendesk, examples/jira and
examples/freshdesk: every vendor verdict agrees; and a changed target shows up as a
disagreement with its reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from slaclock.cli.main import app

from .helpers import (
    EXAMPLES,
    FRESHDESK,
    JIRA_ISSUES,
    JIRA_SLA,
    ZENDESK_EVENTS,
    ZENDESK_METRICS,
)

runner = CliRunner()
CASES = {
    "zendesk": ([ZENDESK_EVENTS, ZENDESK_METRICS], {"first_response": 2, "next_response": 1,
                "requester_wait_time": 1, "resolution": 2}),
    "jira": ([JIRA_ISSUES, JIRA_SLA], {"first_response": 2, "resolution": 3}),
    "freshdesk": ([FRESHDESK], {"first_response": 3, "resolution": 2}),
}  # fmt: skip


def _imported(tmp_path: Path, source: str) -> tuple[Path, Path]:
    events, verdicts = tmp_path / "events.jsonl", tmp_path / "verdicts.jsonl"
    files = [str(f) for f in CASES[source][0]]
    args = ["import", source, *files, "-o", str(events), "--verdicts-output", str(verdicts)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return events, verdicts


def _parity(config: Path, events: Path, verdicts: Path) -> dict:
    args = ["parity", "--config", str(config), "--events", str(events)]
    result = runner.invoke(app, [*args, "--vendor-verdicts", str(verdicts), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["metrics"]


@pytest.mark.parametrize("source", sorted(CASES))
def test_every_vendor_verdict_agrees_on_the_samples(tmp_path: Path, source: str) -> None:
    events, verdicts = _imported(tmp_path, source)
    metrics = _parity(EXAMPLES / source / "config.yaml", events, verdicts)
    assert {name: (m["agree"], m["disagree"]) for name, m in metrics.items()} == {
        name: (count, 0) for name, count in CASES[source][1].items()
    }


def test_a_different_target_disagrees_with_a_reason(tmp_path: Path) -> None:
    events, verdicts = _imported(tmp_path, "zendesk")
    config = tmp_path / "config.yaml"
    text = (EXAMPLES / "zendesk" / "config.yaml").read_text(encoding="utf-8")
    config.write_text(text.replace("high: 1h, urgent: 30m}", "high: 2h, urgent: 30m}"))
    first = _parity(config, events, verdicts)["first_response"]
    assert (first["agree"], first["vendor_breached_ours_met"]) == (1, 1)
    (disagreement,) = first["disagreements"]
    assert disagreement["ticket"] == "102" and disagreement["reason"]
