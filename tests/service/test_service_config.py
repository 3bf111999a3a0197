"""Configuration history: validation, versions, diffs, policy versions, cross-process reload."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from slaclock.core.errors import ConfigError
from slaclock.service import config_versions
from slaclock.service.compose import services_on

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TEXT = (Path(__file__).parents[1] / "data" / "example_config.yaml").read_text()
# The business policy's first-response target, changed.
CHANGED = TEXT.replace("next_response: {within: 8h}", "next_response: {within: 6h}")


def test_nothing_stored_yet(db: Engine) -> None:
    version, text, config = services_on(db).config_current()
    assert (version, text, config.policies) == (0, "", ())


def test_apply_stores_a_version(db: Engine) -> None:
    services = services_on(db)
    assert services.config_apply(TEXT, "ops", NOW) == 1
    version, text, config = services.config_current()
    assert (version, text) == (1, TEXT)
    assert [p.id for p in config.policies] == ["outage", "enterprise", "business", "default"]
    assert {p.version for p in config.policies} == {1}
    [entry] = services.config_versions()
    assert (entry.version, entry.author, entry.created_at) == (1, "ops", NOW)
    assert entry.policies == {"outage": 1, "enterprise": 1, "business": 1, "default": 1}
    assert entry.olas == {"engineering-triage": 1}


def test_only_changed_policies_get_a_new_version(db: Engine) -> None:
    services = services_on(db)
    services.config_apply(TEXT, "ops", NOW)
    assert services.config_apply(CHANGED, "lead", NOW) == 2
    _, _, config = services.config_current()
    versions = {p.id: p.version for p in config.policies}
    assert versions == {"outage": 1, "enterprise": 1, "business": 2, "default": 1}
    assert config.olas[0].version == 1


def test_policy_removed_and_added_back_is_a_new_version(db: Engine) -> None:
    start = TEXT.index("  - id: default")
    end = TEXT.index("olas:")
    without_default = TEXT[:start] + TEXT[end:]
    services = services_on(db)
    services.config_apply(TEXT, "ops", NOW)
    services.config_apply(without_default, "ops", NOW)
    assert "default" not in services.config_versions()[1].policies
    services.config_apply(TEXT, "ops", NOW)
    assert {p.id: p.version for p in services.config_current()[2].policies}["default"] == 2


def test_invalid_text_raises_and_stores_nothing(db: Engine) -> None:
    services = services_on(db)
    services.config_apply(TEXT, "ops", NOW)
    bad = TEXT.replace("within: 16h", "within: sixteen hours")
    with pytest.raises(ConfigError) as caught:
        services.config_apply(bad, "ops", NOW)
    assert any("within" in p.path for p in caught.value.problems)
    assert [v.version for v in services.config_versions()] == [1]


def test_diff_between_versions(db: Engine) -> None:
    services = services_on(db)
    services.config_apply(TEXT, "ops", NOW)
    services.config_apply(CHANGED, "ops", NOW)
    diff = services.config_diff(1, 2)
    assert diff.startswith("--- v1\n+++ v2\n")
    assert "-      next_response: {within: 8h}\n" in diff
    assert "+      next_response: {within: 6h}\n" in diff
    assert services.config_diff(2, 2) == ""
    added = [line for line in services.config_diff(0, 1).splitlines()[2:] if line[:1] == "+"]
    assert len(added) == len(TEXT.splitlines())
    with pytest.raises(KeyError):
        services.config_diff(1, 9)


def test_another_process_sees_a_new_version(db: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(config_versions, "RELOAD_CHECK_SECONDS", 0.0)
    reader, writer = services_on(db), services_on(db)
    assert reader.config_current()[0] == 0
    writer.config_apply(TEXT, "ops", NOW)
    assert reader.config_current()[0] == 1
    writer.config_apply(CHANGED, "ops", NOW)
    assert reader.config_current()[1] == CHANGED


def test_next_policy_versions_unit() -> None:
    class Fake:
        def __init__(self, policies: list[dict[str, object]]) -> None:
            self.raw = {"policies": policies}

    first = config_versions.next_policy_versions({}, Fake([{"id": "a", "x": 1}]))  # type: ignore[arg-type]
    same = config_versions.next_policy_versions(first, Fake([{"id": "a", "x": 1}]))  # type: ignore[arg-type]
    changed = config_versions.next_policy_versions(same, Fake([{"id": "a", "x": 2}]))  # type: ignore[arg-type]
    assert [r["policies"]["a"]["version"] for r in (first, same, changed)] == [1, 1, 2]
