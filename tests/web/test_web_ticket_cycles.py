"""The ticket page shows the latest cycles of each clock, not thousands of them."""

from __future__ import annotations

from typing import Any

from slaclock.web.ticket_page import latest_cycles


def _entry(kind: str, metric: str, cycle: int) -> dict[str, Any]:
    return {"instance": {"kind": kind, "metric": metric, "cycle": cycle}, "steps": []}


def test_each_clock_keeps_its_latest_cycles_in_order() -> None:
    explained = (
        [_entry("ola", "triage", 0)]
        + [_entry("sla", "next_response", n) for n in range(120)]
        + [_entry("sla", "resolution", 0)]
    )
    kept = latest_cycles(explained, 50)
    shown = [(e["instance"]["metric"], e["instance"]["cycle"]) for e in kept]
    assert shown == [("triage", 0)] + [("next_response", n) for n in range(70, 120)] + [
        ("resolution", 0)
    ]


def test_a_short_ticket_is_shown_whole() -> None:
    explained = [_entry("sla", "first_response", 0), _entry("sla", "resolution", 0)]
    assert latest_cycles(explained, 50) == explained
