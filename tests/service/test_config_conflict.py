"""A change based on an older version is refused (no lost update): the dashboard's
policies page saves a draft with the version it was checked against."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from slaclock.service.compose import services_on
from slaclock.service.config_versions import ConfigConflict

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TEXT = (Path(__file__).parents[1] / "data" / "example_config.yaml").read_text()
CHANGED = TEXT.replace("next_response: {within: 8h}", "next_response: {within: 6h}")


def test_a_change_on_the_current_version_is_stored(db: Engine) -> None:
    services = services_on(db)
    assert services.config_apply(TEXT, "ops", NOW, base=0) == 1
    assert services.config_apply(CHANGED, "lead", NOW, base=1) == 2


def test_a_change_on_an_older_version_is_refused_and_nothing_stored(db: Engine) -> None:
    services = services_on(db)
    services.config_apply(TEXT, "ops", NOW)
    services.config_apply(CHANGED, "anna", NOW)  # anna saved while mark was editing v1
    with pytest.raises(ConfigConflict) as caught:
        services.config_apply(TEXT, "mark", NOW, base=1)
    assert (caught.value.base, caught.value.current) == (1, 2)
    assert [v.version for v in services.config_versions()] == [1, 2]
    assert services.config_current()[1] == CHANGED


def test_without_a_base_the_newest_text_wins_as_before(db: Engine) -> None:
    services = services_on(db)
    services.config_apply(TEXT, "ops", NOW)
    services.config_apply(CHANGED, "anna", NOW)
    assert services.config_apply(TEXT, "api", NOW) == 3
