"""Robustness: any damage to a valid file gives a ConfigError (or a valid Config), never a
crash, and every problem names a path that exists in the file or is a parent of one."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slaclock.core.config import config_from_mapping, parse_config
from slaclock.core.config.source_text import CoreSchemaLoader
from slaclock.core.errors import ConfigError
from slaclock.core.model import Config

EXAMPLE = Path(__file__).parents[2] / "data" / "example_config.yaml"
DATA: dict[str, Any] = yaml.load(EXAMPLE.read_text(encoding="utf-8"), Loader=CoreSchemaLoader)


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*path, index))
    return found


PATHS = [p for p in _paths(DATA) if p]

KEYS = st.sampled_from(["id", "within", "x", "all", "any", "field", "op", "value", "event"])
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 10**6) | st.floats(allow_nan=False)
    | st.sampled_from(["", "x", "8h", "urgent", "pending", "support", "24x7", "0m", "a:b"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=3),
    max_leaves=6,
)  # fmt: skip


def _set(data: dict[str, Any], path: tuple[Any, ...], value: Any, delete: bool) -> None:
    parent: Any = data
    for step in path[:-1]:
        parent = parent[step]
    if delete:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(st.sampled_from(PATHS), json_values, st.booleans()), min_size=1, max_size=3)
)
def test_damage_never_crashes_the_loader(
    mutations: list[tuple[tuple[Any, ...], Any, bool]],
) -> None:
    data = copy.deepcopy(DATA)
    for path, value, delete in mutations:
        try:
            _set(data, path, value, delete)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed this place
    try:
        result = config_from_mapping(data, "fuzz")
    except ConfigError as exc:
        assert exc.problems
        for problem in exc.problems:
            assert problem.file == "fuzz"
            assert problem.message
    else:
        assert isinstance(result, Config)


TEXT = EXAMPLE.read_text(encoding="utf-8")


SPLICES = st.sampled_from(["", "{", "]", ":", "- ", "\n", "&a ", "*a", "  ", "'", "!!", "x"])


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, len(TEXT) - 1), st.integers(0, 12), SPLICES),
        min_size=1,
        max_size=3,
    )
)
def test_damaged_text_never_crashes_the_loader(cuts: list[tuple[int, int, str]]) -> None:
    """Cutting and splicing characters anywhere in the file: an error, never a crash."""
    text = TEXT
    for start, length, insert in cuts:
        text = text[:start] + insert + text[start + length :]
    try:
        parse_config(text, "fuzz.yaml")
    except ConfigError as exc:
        assert all(problem.file == "fuzz.yaml" for problem in exc.problems)
