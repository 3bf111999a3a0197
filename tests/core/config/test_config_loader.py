"""The loader as a whole: the example file, JSON, YAML quirks, top-level and many errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from slaclock import Calendar
from slaclock.core.config import config_from_mapping, load_config, parse_config
from slaclock.core.errors import ConfigError
from slaclock.core.model import CalendarRef, Config

DATA = Path(__file__).parents[2] / "data"
EXAMPLE = DATA / "example_config.yaml"
BASE = (DATA / "config_base.yaml").read_text(encoding="utf-8")
POLICY = (
    "policies:\n  - id: default\n    calendar: office\n"
    "    targets: {first_response: {within: 8h}}\n"
)
Finder = Any


def test_the_example_configuration_loads() -> None:
    config = load_config(EXAMPLE)
    assert isinstance(config, Config)
    assert list(config.calendars) == ["amsterdam-office", "newyork-office", "night-shift", "24x7"]
    assert all(isinstance(cal, Calendar) for cal in config.calendars.values())
    assert [p.id for p in config.policies] == ["outage", "enterprise", "business", "default"]
    enterprise = config.policies[1]
    assert enterprise.calendar == CalendarRef(
        by="customer.region", map={"EU": "amsterdam-office", "US": "newyork-office"}, default="24x7"
    )
    assert enterprise.targets["first_response"].within_seconds("urgent") == 30 * 60
    assert enterprise.targets["first_response"].goal_seconds("low") == 2 * 3600
    assert [e.after_seconds for e in enterprise.escalations] == [0, 2 * 3600, 8 * 3600]
    assert config.policies[3].match is None
    assert config.metrics["engineering_triage"].repeat is True
    assert config.olas[0].target.within == 4 * 3600
    assert config.olas[0].supports == ("resolution",)
    assert config.roles == {"support_manager": ("sofia",), "legal": ("lena",)}
    assert config.people["ingrid"].locale == "nb"
    assert config.webhooks["ops"].secret_env == "SLACLOCK_WEBHOOK_OPS_SECRET"


def test_raw_is_the_parsed_mapping() -> None:
    config = load_config(EXAMPLE)
    expected = yaml.safe_load(EXAMPLE.read_text())
    expected["calendars"][2]["holidays"]["country"] = "NO"  # YAML 1.1 would say False
    assert config.raw == expected


def test_yaml_core_schema_keeps_norway_and_times_as_strings() -> None:
    """PyYAML's YAML 1.1 default would read ``NO`` as false, ``09:30`` as 570, ``on`` as
    true and ``2026-12-24`` as a date."""
    oslo = "{id: oslo, tz: Europe/Oslo, week: {mon: [09:30-17:00]}, holidays: {country: NO}}"
    text = BASE.replace("  - {id: 24x7,", f"  - {oslo}\n  - {{id: 24x7,") + POLICY
    text += "    match: {all: [{field: custom.t, op: in, value: [09:30, on, 2026-12-24, 017]}]}\n"
    config = parse_config(text)
    assert config.raw["calendars"][1]["holidays"] == {"country": "NO"}
    assert config.calendars["oslo"].to_dict()["holidays"]["country"] == "NO"
    match = config.policies[0].match
    assert match is not None
    assert match.all[0].value == ("09:30", "on", "2026-12-24", "017")  # type: ignore[union-attr]


def test_json_configuration_loads_like_the_yaml_one(tmp_path: Path) -> None:
    data = yaml.load(EXAMPLE.read_text(), Loader=yaml.SafeLoader)
    data["calendars"][2]["holidays"]["country"] = "NO"  # undo YAML 1.1's Norway problem
    path = tmp_path / "config.json"
    path.write_text(json.dumps(data, indent=2))
    from_json = load_config(path)
    from_yaml = load_config(EXAMPLE)
    assert from_json.policies == from_yaml.policies
    assert from_json.olas == from_yaml.olas
    assert from_json.metrics == from_yaml.metrics


def test_json_problems_carry_lines(find: Finder) -> None:
    data = yaml.safe_load(BASE + POLICY)
    data["policies"][0]["targets"]["first_response"]["within"] = "8 hours"
    text = json.dumps(data, indent=2)
    problem = find.one(text, "config.json")
    assert problem.path == "policies[0].targets.first_response.within"
    assert problem.line == next(
        n for n, line in enumerate(text.splitlines(), 1) if "8 hours" in line
    )
    assert problem.value == "8 hours"


def test_json_detected_by_first_character() -> None:
    text = json.dumps(yaml.safe_load(BASE + POLICY))
    assert parse_config(text).policies[0].id == "default"


def test_json_syntax_error_names_line(find: Finder) -> None:
    problem = find.one('{\n  "policies": [\n    {"id": "x",}\n  ]\n}\n', "config.json")
    assert problem.line == 3
    assert problem.message.startswith("invalid JSON")


def test_yaml_syntax_error_names_line(find: Finder) -> None:
    text = BASE + POLICY + "olas: [\n"
    problem = find.one(text)
    assert problem.message.startswith("invalid YAML")
    assert problem.line is not None and problem.line >= text.count("\n") - 1


def test_duplicate_key(find: Finder) -> None:
    text = BASE + POLICY + "    targets: {resolution: {within: 8h}}\n"
    find.expect(
        text, "policies[0].targets", "resolution", None, "duplicate key (first given on line"
    )


def test_unknown_section(find: Finder) -> None:
    text = BASE + POLICY + "polices: []\n"
    find.expect(text, "polices", "polices", "polices", "unknown key 'polices'")


def test_missing_policies(find: Finder) -> None:
    problem = find.one(BASE)
    assert (problem.path, problem.message) == ("(top level)", "missing required key 'policies'")


def test_not_a_mapping(find: Finder) -> None:
    problem = find.one("- just\n- a list\n")
    assert problem.message == "expected a mapping of keys to values, got a list"


def test_empty_file(find: Finder) -> None:
    assert "empty" in find.one("# nothing here\n").message


def test_calendar_error_is_placed_at_its_key(find: Finder) -> None:
    text = BASE.replace("tz: Europe/Amsterdam", "tz: Europe/Amsterdamm") + POLICY
    problem = find.expect(
        text, "calendars[0].tz", "Amsterdamm", "Europe/Amsterdamm", "calendar 'office'"
    )
    assert problem.file == "test.yaml"


def test_calendar_interval_error_is_placed_at_its_item(find: Finder) -> None:
    calendar = "  - id: late\n    tz: UTC\n    week:\n      mon: ['09:00-17:00', '16:00-18:00']\n"
    text = BASE.replace("calendars:\n", "calendars:\n" + calendar) + POLICY
    problem = find.one(text)
    assert problem.path == "calendars[0].week.mon[1]"
    assert problem.value == "16:00-18:00"
    assert problem.line == text.splitlines().index("      mon: ['09:00-17:00', '16:00-18:00']") + 1


def test_several_errors_are_reported_at_once(find: Finder) -> None:
    text = (
        BASE.replace("lead: mark", "lead: marc")
        + POLICY.replace("within: 8h", "within: 8x").replace(
            "calendar: office", "calendar: nowhere"
        )
        + "olas: [{id: o, group: support, metric: nope, within: 1h, calendar: office}]\n"
    )
    problems = find.problems(text)
    assert {p.path for p in problems} == {
        "groups[0].lead",
        "policies[0].calendar",
        "policies[0].targets.first_response.within",
        "olas[0].metric",
    }
    assert all(p.line is not None for p in problems)
    with pytest.raises(ConfigError) as caught:
        parse_config(text, "test.yaml")
    assert str(caught.value).count("\n") == 3  # one line per problem


def test_config_from_mapping_names_paths_without_lines() -> None:
    data = yaml.safe_load(BASE + POLICY)
    assert config_from_mapping(data).policies[0].id == "default"
    data["policies"][0]["calendar"] = "nowhere"
    with pytest.raises(ConfigError) as caught:
        config_from_mapping(data, "api")
    (problem,) = caught.value.problems
    assert (problem.path, problem.value, problem.line, problem.file) == (
        "policies[0].calendar",
        "nowhere",
        None,
        "api",
    )


def test_load_config_of_a_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(ConfigError) as caught:
        load_config(missing)
    (problem,) = caught.value.problems
    assert problem.file == str(missing)
    assert "cannot read" in problem.message


def test_alias_bomb_is_refused(find: Finder) -> None:
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for n in range(1, 9):
        refs = ", ".join([f"*a{n - 1}"] * 10)
        lines.append(f"a{n}: &a{n} [{refs}]")
    problem = find.one("\n".join(lines) + "\npolicies: []\n")
    assert "more than 200000 values" in problem.message


def test_self_referring_alias_is_refused(find: Finder) -> None:
    problem = find.one("policies: &p [*p]\n")
    assert "refused" in problem.message


def test_deeply_nested_conditions_are_refused_not_crashing() -> None:
    group: dict[str, Any] = {"all": []}
    for _ in range(2000):
        group = {"all": [group]}
    data = yaml.safe_load(BASE + POLICY)
    data["policies"][0]["match"] = group
    with pytest.raises(ConfigError) as caught:
        config_from_mapping(data)
    assert "nest too deeply" in str(caught.value)


def test_unnamed_flow_yaml_starting_with_a_brace_is_read_as_yaml() -> None:
    text = "{policies: [{id: p, calendar: always, targets: {resolution: {within: 8h}}}],\n"
    text += " calendars: [{id: always, tz: UTC, always_open: true}]}\n"
    assert parse_config(text).policies[0].id == "p"


def test_unnamed_broken_json_reports_the_json_error(find: Finder) -> None:
    problem = find.one('{"policies": [}\n', "<config>")
    assert problem.message.startswith("invalid JSON")


def test_named_json_is_never_read_as_yaml(find: Finder) -> None:
    problem = find.one("{policies: []}\n", "config.json")
    assert problem.message.startswith("invalid JSON")


def test_non_json_yaml_tags_are_refused(find: Finder) -> None:
    text = BASE + POLICY + "    name: !!binary aGVsbG8=\n"
    find.expect(text, "policies[0].name", "binary", None, "unsupported YAML tag")


def test_config_from_mapping_keeps_its_own_copy_of_raw() -> None:
    data = yaml.safe_load(BASE + POLICY)
    config = config_from_mapping(data)
    data["policies"][0]["id"] = "changed"
    assert config.raw["policies"][0]["id"] == "default"
