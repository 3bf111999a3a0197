"""Collecting configuration problems, each with its key path, value and line.

Validation never stops at the first problem: every check records what it found in a
:class:`Problems` and carries on, so one run reports everything wrong with a file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from slaclock.core.errors import ConfigError, ConfigProblem

__all__ = ["KeyPath", "Problems", "format_path", "parse_path"]

#: A key path as keys and list indexes: ``("policies", 2, "targets")``.
KeyPath = tuple[str | int, ...]


def format_path(path: KeyPath) -> str:
    """``("policies", 2, "targets", "resolution")`` -> ``policies[2].targets.resolution``."""
    text = ""
    for step in path:
        if isinstance(step, int):
            text += f"[{step}]"
        else:
            text += f".{step}" if text else str(step)
    return text or "(top level)"


@dataclass
class Problems:
    """The problems found so far in one file, and the line of each key path in it."""

    file: str
    lines: dict[KeyPath, int] = field(default_factory=dict)
    found: list[ConfigProblem] = field(default_factory=list)

    def add(
        self, path: KeyPath, message: str, value: object = None, line: int | None = None
    ) -> None:
        """Record one problem; the line defaults to that of the path or its nearest parent."""
        if line is None:
            line = self.line_of(path)
        problem = ConfigProblem(format_path(path), message, value, line, self.file)
        if problem not in self.found:
            self.found.append(problem)

    def line_of(self, path: KeyPath) -> int | None:
        for end in range(len(path), 0, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                return line
        return None

    def raise_if_any(self) -> None:
        if self.found:
            raise ConfigError(problems=list(self.found))


_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def parse_path(text: str) -> KeyPath:
    """The inverse of :func:`format_path`: ``week.mon[1]`` -> ``("week", "mon", 1)``."""
    return tuple(int(index) if index else name for name, index in _STEP.findall(text))
