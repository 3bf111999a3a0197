"""The error tree of slaclock, drawn once.

    SlaclockError
    ├── CalendarError      an invalid calendar, or a naive datetime given to one
    ├── ConfigError        an invalid configuration file; carries every problem found
    └── EventError         a malformed ticket event

Each entry point maps these once: the CLI to exit code 2, the API to problem+json 4xx.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class SlaclockError(Exception):
    """Something slaclock was given is not valid."""


class CalendarError(SlaclockError, ValueError):
    """The calendar definition or an argument given to a calendar is invalid."""


@dataclass(frozen=True)
class ConfigProblem:
    """One problem in a configuration: where it is and what is wrong.

    ``path`` is the key path (``policies[2].targets.resolution.within``), ``line`` the
    1-based YAML/JSON line when known.
    """

    path: str
    message: str
    value: object = None
    line: int | None = None
    file: str | None = None

    def __str__(self) -> str:
        where = self.file or "<config>"
        if self.line is not None:
            where += f":{self.line}"
        text = f"{where}: {self.path}: {self.message}"
        if self.value is not None:
            text += f" (got {self.value!r})"
        return text


@dataclass
class ConfigError(SlaclockError):
    """The configuration is invalid; ``problems`` lists every problem found."""

    problems: list[ConfigProblem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems) or "invalid configuration"


class EventError(SlaclockError, ValueError):
    """A ticket event is malformed; the message says why."""
