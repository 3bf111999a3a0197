"""``sources:`` entries with a built-in ``preset`` (zendesk, freshdesk, jira, zammad):
what loads, and each error with its line, key path and value."""

from __future__ import annotations

from pathlib import Path

import pytest

from slaclock.core.config import parse_config
from slaclock.core.model import Source
from slaclock.core.webhook_presets import PRESETS

from .conftest import Finder

BASE = (Path(__file__).parents[2] / "data" / "config_base.yaml").read_text(encoding="utf-8")
POLICY = (
    "policies:\n  - id: default\n    calendar: office\n"
    "    targets: {first_response: {within: 8h}}\n"
)
PRESET = """\
sources:
  - id: helpdesk
    secret_env: HELPDESK_SECRET
    preset: zendesk
"""


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_each_preset_loads_without_mapping(name: str) -> None:
    config = parse_config(BASE + POLICY + PRESET.replace("zendesk", name))
    assert config.sources["helpdesk"] == Source("helpdesk", "HELPDESK_SECRET", {}, {}, 300, name)


def test_a_preset_takes_a_tolerance() -> None:
    config = parse_config(BASE + POLICY + PRESET + "    tolerance: 2m\n")
    assert config.sources["helpdesk"].tolerance_seconds == 120


def test_an_unknown_preset_names_the_choices(find: Finder) -> None:
    text = BASE + POLICY + PRESET.replace("preset: zendesk", "preset: zendeks")
    find.expect(
        text,
        "sources[0].preset",
        "zendeks",
        "zendeks",
        "expected one of zendesk, freshdesk, jira, zammad",
    )


def test_a_preset_with_a_mapping_is_refused(find: Finder) -> None:
    text = BASE + POLICY + PRESET + "    mapping: {ticket: $.ticket.id}\n"
    find.expect(
        text, "sources[0].mapping", "mapping:", "mapping", "a source with a preset takes no mapping"
    )


def test_a_preset_with_constants_is_refused(find: Finder) -> None:
    text = BASE + POLICY + PRESET + "    constants: {type: ticket.updated}\n"
    find.expect(
        text,
        "sources[0].constants",
        "constants:",
        "constants",
        "a source with a preset takes no constants",
    )


def test_a_preset_source_still_needs_its_secret(find: Finder) -> None:
    text = BASE + POLICY + PRESET.replace("    secret_env: HELPDESK_SECRET\n", "")
    find.expect(text, "sources[0]", "- id: helpdesk", None, "missing required key 'secret_env'")


def test_an_unknown_key_beside_a_preset(find: Finder) -> None:
    text = BASE + POLICY + PRESET + "    format: json\n"
    find.expect(text, "sources[0].format", "format: json", "format", "unknown key 'format'")
