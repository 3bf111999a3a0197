"""The metrics: section: custom metrics, overrides of built-ins, predicates, pauses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from slaclock.core.builtins import BUILTIN_METRIC_DEFS
from slaclock.core.config import parse_config
from slaclock.core.model import Condition, ConditionGroup, PauseRule, Predicate

BASE = (Path(__file__).parents[2] / "data" / "config_base.yaml").read_text(encoding="utf-8")
POLICY = (
    "policies:\n  - id: default\n    calendar: office\n"
    "    targets: {first_response: {within: 8h}}\n"
)
Finder = Any


def metrics(body: str) -> str:
    return BASE + "metrics:\n" + body + POLICY


TRIAGE = """\
  triage:
    start: [{event: group_entered, group: support}]
    stop:
      - {event: group_left, group: [support]}
      - {event: note, by_group: support, when: {all: [{field: priority, op: eq, value: urgent}]}}
      - {event: solved}
    pause: {status: [pending, on_hold]}
    repeat: true
"""


def test_custom_metric_loads() -> None:
    config = parse_config(metrics(TRIAGE))
    triage = config.metrics["triage"]
    assert triage.start == (Predicate("group_entered", {"group": "support"}),)
    assert triage.stop[0] == Predicate("group_left", {"group": ("support",)})
    assert triage.stop[1].when == ConditionGroup(all=(Condition("priority", "eq", "urgent"),))
    assert triage.pause == PauseRule(statuses=frozenset({"pending", "on_hold"}))
    assert triage.repeat is True and triage.builtin is False
    assert config.metrics["resolution"] is BUILTIN_METRIC_DEFS["resolution"]


def test_builtins_are_always_present() -> None:
    config = parse_config(BASE + POLICY)
    assert set(config.metrics) == set(BUILTIN_METRIC_DEFS)
    assert all(metric.builtin for metric in config.metrics.values())


def test_overriding_a_builtin_replaces_it() -> None:
    text = metrics(
        "  resolution:\n    start: [{event: created}]\n"
        "    stop: [{event: status_changed, to: closed}]\n"
    )
    resolution = parse_config(text).metrics["resolution"]
    assert resolution.builtin is False
    assert resolution.pause is None
    assert resolution.stop == (Predicate("status_changed", {"to": "closed"}),)


def test_target_for_a_custom_metric_is_accepted() -> None:
    text = (
        BASE
        + "metrics:\n"
        + TRIAGE
        + (
            "policies:\n  - id: default\n    calendar: office\n"
            "    targets: {triage: {within: 4h}}\n"
        )
    )
    assert parse_config(text).policies[0].targets["triage"].within == 4 * 3600


def test_unknown_predicate(find: Finder) -> None:
    text = metrics("  m:\n    start: [{event: replied}]\n    stop: [{event: solved}]\n")
    find.expect(
        text, "metrics.m.start[0].event", "replied", "replied", "expected an event predicate"
    )


def test_predicate_param_it_does_not_take(find: Finder) -> None:
    text = metrics(
        "  m:\n    start: [{event: solved, group: support}]\n    stop: [{event: solved}]\n"
    )
    find.expect(
        text, "metrics.m.start[0].group", "group: support}]", "group", "unknown key 'group'"
    )


def test_predicate_unknown_group(find: Finder) -> None:
    text = metrics(
        "  m:\n    start: [{event: group_entered, group: billing}]\n    stop: [{event: solved}]\n"
    )
    find.expect(text, "metrics.m.start[0].group", "billing", "billing", "declared under groups:")


def test_predicate_bad_status(find: Finder) -> None:
    text = metrics(
        "  m:\n    start: [{event: status_changed, to: [open, waiting]}]\n"
        "    stop: [{event: solved}]\n"
    )
    find.expect(text, "metrics.m.start[0].to[1]", "waiting", "waiting", "expected a status")


def test_predicate_created_by(find: Finder) -> None:
    text = metrics("  m:\n    start: [{event: created, by: robot}]\n    stop: [{event: solved}]\n")
    find.expect(text, "metrics.m.start[0].by", "robot", "robot", "who created the ticket")


def test_predicate_assigned_to_unknown_person(find: Finder) -> None:
    text = metrics("  m:\n    start: [{event: assigned, to: zoe}]\n    stop: [{event: solved}]\n")
    find.expect(text, "metrics.m.start[0].to", "zoe", "zoe", "declared under people:")


def test_metric_missing_stop(find: Finder) -> None:
    text = metrics("  m:\n    start: [{event: created}]\n")
    find.expect(text, "metrics.m", "  m:", None, "missing required key 'stop'")


def test_metric_empty_start(find: Finder) -> None:
    text = metrics("  m:\n    start: []\n    stop: [{event: solved}]\n")
    find.expect(text, "metrics.m.start", "start: []", [], "at least one event predicate")


def test_metric_repeat_not_boolean(find: Finder) -> None:
    text = metrics(
        "  m:\n    start: [{event: created}]\n    stop: [{event: solved}]\n    repeat: often\n"
    )
    find.expect(text, "metrics.m.repeat", "often", "often", "expected true or false")


def test_metric_bad_name(find: Finder) -> None:
    text = metrics("  Triage Time:\n    start: [{event: created}]\n    stop: [{event: solved}]\n")
    find.expect(text, "metrics.Triage Time", "Triage Time", "Triage Time", "[a-z0-9_-]+")


def test_metric_pause_unknown_key(find: Finder) -> None:
    text = metrics(
        "  m:\n    start: [{event: created}]\n    stop: [{event: solved}]\n"
        "    pause: {statuses: [pending]}\n"
    )
    find.expect(text, "metrics.m.pause.statuses", "statuses", "statuses", "unknown key 'statuses'")


def test_predicate_bad_when(find: Finder) -> None:
    text = metrics(
        "  m:\n    start: [{event: created, when: {all: [{field: x, op: is, value: 1}]}}]\n"
        "    stop: [{event: solved}]\n"
    )
    find.expect(text, "metrics.m.start[0].when.all[0].op", "op: is", "is", "expected an operator")


def test_field_changed_predicate_and_pause_when_load() -> None:
    text = metrics(
        "  m:\n    start: [{event: field_changed, field: customer.plan, to: [enterprise, 1]}]\n"
        "    stop: [{event: solved}]\n"
        "    pause: {when: {all: [{field: tags, op: contains, value: waiting}]}}\n"
    )
    metric = parse_config(text).metrics["m"]
    assert metric.start[0].params == {"field": "customer.plan", "to": ("enterprise", 1)}
    assert metric.pause is not None and metric.pause.statuses == frozenset()
    assert metric.pause.when is not None


def test_field_changed_bad_field(find: Finder) -> None:
    text = metrics(
        "  m:\n    start: [{event: field_changed, field: [a, '']}]\n    stop: [{event: solved}]\n"
    )
    find.expect(text, "metrics.m.start[0].field[1]", "field_changed", "", "dotted field path")


def test_predicate_param_empty_list(find: Finder) -> None:
    text = metrics(
        "  m:\n    start: [{event: reopened}]\n    stop: [{event: note, by_group: []}]\n"
    )
    find.expect(text, "metrics.m.stop[0].by_group", "by_group", [], "non-empty list")


def test_metrics_must_be_a_mapping(find: Finder) -> None:
    text = metrics("  - {start: [{event: created}], stop: [{event: solved}]}\n")
    problem = find.one(text)
    assert (problem.path, problem.line) == ("metrics", text.splitlines().index("metrics:") + 1)
    assert "expected a mapping" in problem.message
