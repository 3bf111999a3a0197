"""``unless_acknowledged`` and ``ack_expires`` on escalations (notifications.md,
"Acknowledgement"): parsed, and each error named."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from slaclock.core.config import parse_config

BASE = (Path(__file__).parents[2] / "data" / "config_base.yaml").read_text(encoding="utf-8")


def with_escalation(entry: str) -> str:
    return BASE + (
        "policies:\n  - id: default\n    calendar: office\n"
        "    targets: {first_response: {within: 8h}}\n"
        f"    escalations:\n      - {entry}\n"
    )


def test_an_escalation_may_wait_for_an_acknowledgement() -> None:
    config = parse_config(
        with_escalation(
            "{after: 1h, notify: [group_lead], unless_acknowledged: true, ack_expires: 2h}"
        )
    )
    [level] = config.policies[0].escalations
    assert level.unless_acknowledged and level.ack_expires_seconds == 7200
    plain = parse_config(with_escalation("{after: 1h, notify: [group_lead]}"))
    assert not plain.policies[0].escalations[0].unless_acknowledged


def test_each_mistake_is_named(find: Any) -> None:
    text = with_escalation("{after: 1h, notify: [group_lead], unless_acknowledged: maybe}")
    find.expect(text, "policies[0].escalations[0].unless_acknowledged", "maybe", "maybe",
                "true or false")  # fmt: skip
    text = with_escalation("{after: 1h, notify: [group_lead], ack_expires: 2h}")
    find.expect(text, "policies[0].escalations[0].ack_expires", "ack_expires", "2h",
                "needs unless_acknowledged: true")  # fmt: skip
    text = with_escalation(
        "{after: 1h, notify: [group_lead], unless_acknowledged: true, ack_expires: soon}"
    )
    find.expect(text, "policies[0].escalations[0].ack_expires", "soon", "soon", "duration")
