"""Helpers for configuration tests: a small valid base file and problem finders.

Tests write YAML text, so line numbers in problems can be asserted against the text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from slaclock.core.config import parse_config
from slaclock.core.errors import ConfigError, ConfigProblem

#: A small valid configuration without policies; tests append sections to it.
BASE = (Path(__file__).parents[2] / "data" / "config_base.yaml").read_text(encoding="utf-8")

#: A minimal policies section completing BASE.
POLICY = """\
policies:
  - id: default
    calendar: office
    targets: {first_response: {within: 8h}}
"""


@dataclass
class Finder:
    """Parse text that must fail and find its problems; carries BASE and POLICY."""

    base: str = BASE
    policy_section: str = POLICY

    def problems(self, text: str, filename: str = "test.yaml") -> list[ConfigProblem]:
        with pytest.raises(ConfigError) as caught:
            parse_config(text, filename)
        return caught.value.problems

    def one(self, text: str, filename: str = "test.yaml") -> ConfigProblem:
        found = self.problems(text, filename)
        assert len(found) == 1, "\n".join(map(str, found))
        return found[0]

    def expect(self, text: str, path: str, needle: str, value: object, says: str) -> ConfigProblem:
        """Exactly one problem, at ``path`` on the line holding ``needle``, naming ``value``.

        The rendered message (what users see) must carry the file, line, path and value.
        """
        problem = self.one(text)
        line = line_of(text, needle)
        assert (problem.path, problem.line, problem.value) == (path, line, value), problem
        assert says in problem.message, problem.message
        rendered = str(problem)
        assert rendered.startswith(f"test.yaml:{line}: {path}: ")
        if value is not None:
            assert repr(value) in rendered
        return problem


def line_of(text: str, needle: str) -> int:
    """The 1-based line of the only line containing ``needle``."""
    lines = [n for n, line in enumerate(text.splitlines(), 1) if needle in line]
    assert len(lines) == 1, f"{needle!r} on lines {lines}"
    return lines[0]


@pytest.fixture
def find() -> Finder:
    return Finder()


@pytest.fixture
def where() -> Callable[[str, str], int]:
    return line_of
