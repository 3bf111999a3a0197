"""issue 23, "What-if": a window's stored events replayed under a draft, on SQLite and
PostgreSQL — the projection untouched, the current text flipping nothing, a stricter
target flipping exactly the instances an independent pair of replays says (counts per
policy × metric too), an invalid draft refused naming its line, progress reaching the
total."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from slaclock.core.errors import ConfigError
from slaclock.service import whatif as whatif_module
from slaclock.service.app_state import Services
from slaclock.service.compose import services_on
from slaclock.service.reports import ReportError, ReportParams, compliance_report
from slaclock.service.whatif import what_if

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from kit.whatif import (
    AS_OF,
    CONFIG,
    END,
    START,
    STRICTER,
    broken_draft,
    load,
    projection,
    reference,
)

TICKETS = 150


@pytest.fixture(scope="module")
def world(module_db: Engine) -> Iterator[tuple[Services, list[dict[str, Any]]]]:
    """The workload stored once per database, for every test of the module (none of
    them writes)."""
    from slaclock.store.testing import clear

    clear(module_db)
    services = services_on(module_db)
    yield services, load(services, TICKETS)


def test_the_projection_is_left_as_it_is(world: Any, module_db: Engine) -> None:
    services, _ = world
    before = projection(module_db)
    result = what_if(services, STRICTER, START, END, AS_OF)
    assert result.flips_total > 0
    assert projection(module_db) == before


def test_the_current_text_flips_nothing_and_counts_what_the_report_counts(world: Any) -> None:
    services, _ = world
    result = what_if(services.db, CONFIG, START, END, AS_OF)  # a bare Database works too
    assert result.flips_total == 0 and result.flips == []
    for row in result.rows.values():
        assert row.before == row.after
    assert result.totals("before") == result.totals("after")
    params = ReportParams(START, END, AS_OF, by=("kind", "policy", "metric"))
    with services.db.reading() as tx:
        report = compliance_report(tx, params)
    stored = {
        (r["kind"], r["policy"], r["metric"]): (r["met"], r["breached"], r["open"])
        for r in report.rows
    }
    replayed = {
        key: (row.before["met"], row.before["breached"], row.before["open"])
        for key, row in result.rows.items()
        if any(row.before.values())
    }
    assert replayed == stored


def test_a_stricter_target_flips_what_two_independent_replays_say(world: Any) -> None:
    services, generated = world
    result = what_if(services, STRICTER, START, END, AS_OF)
    expected = reference(STRICTER, generated)
    flips = {(f.ticket, f.kind, f.metric, f.cycle, f.before, f.after) for f in result.flips}
    assert flips == expected.flips
    assert result.flips_total == len(flips) == result.met_to_breached
    assert len(flips) >= 5
    assert {f.metric for f in result.flips} <= {"first_response", "next_response"}
    assert {f.policy_after for f in result.flips} <= {"enterprise", "business", "default"}
    for flip in result.flips:
        assert flip.policy_before == flip.policy_after
        assert flip.target_seconds_after < flip.target_seconds_before
        assert flip.reason.startswith("target changed")
        assert flip.elapsed_seconds_after > flip.target_seconds_after
    counted = {
        key: {f"{v}_{side}": n for side in ("before", "after")
              for v, n in getattr(row, side).items() if n}
        for key, row in result.rows.items()
    }  # fmt: skip
    assert {k: v for k, v in counted.items() if v} == expected.rows()


def test_a_draft_with_an_error_is_refused_naming_its_line(world: Any) -> None:
    services, _ = world
    text, line = broken_draft()
    with pytest.raises(ConfigError) as caught:
        what_if(services, text, START, END, AS_OF, draft_name="draft.yaml")
    problem = caught.value.problems[0]
    assert (problem.line, problem.file) == (line, "draft.yaml")
    assert "targets.first_response.within" in problem.path
    assert f"draft.yaml:{line}:" in str(caught.value)


def test_a_window_that_ends_before_it_starts_is_refused(world: Any) -> None:
    services, _ = world
    with pytest.raises(ReportError, match=r"to: .* is not after from"):
        what_if(services, CONFIG, END, START, AS_OF)


def test_progress_goes_batch_by_batch_to_the_total(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    services, _ = world
    monkeypatch.setattr(whatif_module, "BATCH_TICKETS", 40)
    seen: list[tuple[int, int]] = []
    result = what_if(services, CONFIG, START, END, AS_OF, lambda d, t: seen.append((d, t)))
    total = result.tickets
    assert total > 80  # several batches
    assert seen[0] == (0, total) and seen[-1] == (total, total)
    assert [d for d, _ in seen] == sorted({d for d, _ in seen})
    assert len(seen) == 1 + -(-total // 40)
