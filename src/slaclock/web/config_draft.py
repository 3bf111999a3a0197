"""A draft configuration on the policies page: checked, listed with its problems at
their lines, and compared with the version in force.

The check is the one ``PUT /api/v1/config`` and ``slaclock validate`` run
(:func:`slaclock.core.config.parse_config`, file name ``<config>``, the same 1 MiB cap),
so a draft the page accepts is one the service stores. The comparison is the unified
diff the service keeps with every version
(:func:`slaclock.service.config_versions.unified_diff`), split into rows that carry
their sign (+/−) as text as well as a class.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from slaclock.api.app import DEFAULT_MAX_CONFIG_BYTES
from slaclock.core.config import parse_config
from slaclock.core.errors import ConfigError
from slaclock.core.model import Config
from slaclock.service.config_versions import unified_diff

__all__ = [
    "LISTING_CONTEXT",
    "LISTING_MAX_LINES",
    "Checked",
    "DiffRow",
    "DraftProblem",
    "ListedLine",
    "check_draft",
    "diff_rows",
    "listing",
    "normalise",
    "parse_diff",
]

#: A draft up to this many lines is listed whole with its problems; a longer one only
#: around the lines with problems (this many lines either side).
LISTING_MAX_LINES = 2000
LISTING_CONTEXT = 3
_HUNK = re.compile(r"^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@")


@dataclass(frozen=True)
class DraftProblem:
    """One problem: its line (None when the loader could not tell), key path, value."""

    line: int | None
    path: str
    message: str
    value: str | None


@dataclass(frozen=True)
class Checked:
    """The draft's problems (none: valid) and, when valid, what it means."""

    problems: list[DraftProblem] = field(default_factory=list)
    config: Config | None = None


def normalise(text: str) -> str:
    """The text as the person wrote it, lines ending in LF and the last one too:
    browsers send a textarea's lines ending in CRLF, which would make every line of the
    diff look changed, and a last line without its end would run into the next line of
    a unified diff."""
    text = text.replace("\r\n", "\n")
    return text if not text or text.endswith("\n") else text + "\n"


def check_draft(text: str, max_bytes: int = DEFAULT_MAX_CONFIG_BYTES) -> Checked:
    """Validate ``text`` exactly as the service will when it is saved."""
    if len(text.encode("utf-8")) > max_bytes:
        message = f"the text is larger than {max_bytes} bytes, the most a configuration may be"
        return Checked([DraftProblem(None, "(top level)", message, None)])
    try:
        return Checked(config=parse_config(text, "<config>"))
    except ConfigError as exc:
        return Checked(
            [
                DraftProblem(p.line, p.path, p.message, None if p.value is None else repr(p.value))
                for p in exc.problems
            ]
        )


@dataclass(frozen=True)
class ListedLine:
    """A line of the draft (``number`` 0: a gap of lines left out)."""

    number: int
    text: str
    problems: list[DraftProblem]


def listing(text: str, problems: list[DraftProblem]) -> list[ListedLine]:
    """The draft's lines, numbered, each with the problems found on it; past
    :data:`LISTING_MAX_LINES` only the lines near a problem, gaps marked."""
    lines = text.split("\n")
    by_line: dict[int, list[DraftProblem]] = {}
    for problem in problems:
        if problem.line is not None and 1 <= problem.line <= len(lines):
            by_line.setdefault(problem.line, []).append(problem)
    numbers = list(range(1, len(lines) + 1))
    if len(lines) > LISTING_MAX_LINES:
        near = {n + d for n in by_line for d in range(-LISTING_CONTEXT, LISTING_CONTEXT + 1)}
        numbers = sorted(n for n in near if 1 <= n <= len(lines))
    out: list[ListedLine] = []
    for number in numbers:
        if out and out[-1].number != number - 1:
            out.append(ListedLine(0, "", []))  # lines left out
        out.append(ListedLine(number, lines[number - 1], by_line.get(number, [])))
    return out


@dataclass(frozen=True)
class DiffRow:
    """One line of a unified diff: ``kind`` is ``file``, ``hunk``, ``add``, ``del`` or
    ``same``; ``sign`` is what the line starts with (+, −, or nothing); the line numbers
    in the old and the new text where they apply."""

    kind: str
    sign: str
    old: int | None
    new: int | None
    text: str


def diff_rows(old: str, new: str, v_old: int, v_new: int) -> list[DiffRow]:
    """The unified diff of ``old`` to ``new`` as the service makes it, row by row (each
    text read as :func:`normalise` gives it, so no two lines run together)."""
    return parse_diff(unified_diff(normalise(old), normalise(new), v_old, v_new))


def parse_diff(diff: str) -> list[DiffRow]:
    """A unified diff (``Services.config_diff``), row by row, with line numbers."""
    rows: list[DiffRow] = []
    old_no = new_no = 0
    lines = diff.splitlines()
    rows += [DiffRow("file", "", None, None, line) for line in lines[:2]]  # --- vA, +++ vB
    for line in lines[2:]:
        hunk = _HUNK.match(line)
        if hunk:
            old_no, new_no = int(hunk.group(1)), int(hunk.group(2))
            rows.append(DiffRow("hunk", "", None, None, line))
        elif line.startswith("+"):
            rows.append(DiffRow("add", "+", None, new_no, line[1:]))
            new_no += 1
        elif line.startswith("-"):
            rows.append(DiffRow("del", "−", old_no, None, line[1:]))
            old_no += 1
        else:
            rows.append(DiffRow("same", "", old_no, new_no, line[1:]))
            old_no += 1
            new_no += 1
    return rows
