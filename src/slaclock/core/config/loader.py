"""Load a whole configuration: text -> data with lines -> validated :class:`Config`.

Every section is validated even when an earlier one failed, so one run reports every
problem; a :class:`Config` is only built when there is none (nothing is half-loaded).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from slaclock.core.config.checks import check_keys, check_mapping
from slaclock.core.config.known import gather_known
from slaclock.core.config.problems import KeyPath, Problems
from slaclock.core.config.source_text import read_text
from slaclock.core.config.validate_calendars import parse_calendars
from slaclock.core.config.validate_contracts import parse_contracts
from slaclock.core.config.validate_directory import (
    parse_groups,
    parse_people,
    parse_roles,
    parse_webhooks,
)
from slaclock.core.config.validate_metrics import parse_metrics
from slaclock.core.config.validate_olas import parse_olas
from slaclock.core.config.validate_policies import parse_policies
from slaclock.core.config.validate_sources import parse_sources
from slaclock.core.model import Config

__all__ = ["SECTIONS", "config_from_mapping", "load_config", "parse_config"]

SECTIONS = (
    "calendars", "people", "groups", "roles", "webhooks", "metrics", "policies", "olas",
    "sources", "contracts",
)  # fmt: skip


def load_config(path: str | Path) -> Config:
    """Read and validate a YAML or JSON configuration file."""
    filename = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems = Problems(filename)
        problems.add((), f"cannot read the configuration file: {exc}")
        problems.raise_if_any()
        raise AssertionError("unreachable") from exc
    return parse_config(text, filename)


def parse_config(text: str, filename: str = "<config>") -> Config:
    """Validate configuration text; YAML, or JSON when named ``*.json`` or starting ``{``."""
    problems = Problems(filename)
    data = read_text(text, filename, problems)
    problems.raise_if_any()
    return _validate(data, problems)


def config_from_mapping(data: Mapping[str, Any], filename: str = "<config>") -> Config:
    """Validate already-parsed data (no line numbers: problems name key paths).

    The data is copied first, so ``Config.raw`` cannot change when the caller's does.
    """
    return _validate(data, Problems(filename), copy_first=True)


def _validate(data: Any, problems: Problems, copy_first: bool = False) -> Config:
    try:
        return _validate_sections(copy.deepcopy(data) if copy_first else data, problems)
    except RecursionError:
        problems.found.clear()
        problems.add((), "configuration refused: conditions nest too deeply")
        problems.raise_if_any()
        raise


def _validate_sections(data: Any, problems: Problems) -> Config:
    root: KeyPath = ()
    if data is None:
        problems.add(root, "the configuration is empty: expected a mapping with policies:")
    mapping = check_mapping(problems, root, data) if data is not None else None
    problems.raise_if_any()
    assert mapping is not None
    check_keys(problems, root, mapping, ("policies",), [s for s in SECTIONS if s != "policies"])
    known = gather_known(mapping)
    config = Config(
        calendars=parse_calendars(problems, mapping.get("calendars")),
        metrics=parse_metrics(problems, mapping.get("metrics"), known),
        policies=parse_policies(problems, mapping.get("policies", []), known),
        olas=parse_olas(problems, mapping.get("olas"), known),
        people=parse_people(problems, mapping.get("people"), known),
        groups=parse_groups(problems, mapping.get("groups"), known),
        roles=parse_roles(problems, mapping.get("roles"), known),
        webhooks=parse_webhooks(problems, mapping.get("webhooks")),
        sources=parse_sources(problems, mapping.get("sources")),
        contracts=parse_contracts(problems, mapping.get("contracts"), known),
        raw=mapping,
    )
    problems.raise_if_any()
    return config
