"""Every command of ``slaclock``, with every option and argument, is in its ``--help``
and in ``docs/cli.md``: a new option without docs fails here.

The command tree is walked from the Typer app (groups such as ``calendar``, ``db``,
``token`` and ``config`` included). ``docs/cli.md`` has one section per command, headed
``### `slaclock PATH```; each of the command's spellings (``--as-of``, its alias
``--at``, the short ``-c``, an argument's ``FILE``) must stand in that section.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from slaclock.cli.main import app

DOCS = Path(__file__).resolve().parents[2] / "docs" / "cli.md"
runner = CliRunner()


def commands(group: object, path: tuple[str, ...] = ()) -> dict[str, object]:
    """Every runnable command below ``group``: ``"calendar add"`` -> the Click command."""
    found: dict[str, object] = {}
    for name, command in sorted(getattr(group, "commands", {}).items()):
        if getattr(command, "commands", None) is not None:
            found.update(commands(command, (*path, name)))
        else:
            found[" ".join((*path, name))] = command
    return found


def spellings(command: object) -> list[str]:
    """Each way to write each of a command's parameters: every option name (long,
    short, alias, ``--no-…`` form) and each argument's name (``FILE``)."""
    names: list[str] = []
    for param in getattr(command, "params", []):
        if getattr(param, "param_type_name", "") == "argument":
            names.append(param.human_readable_name.strip("[].").upper())
        else:
            names += [*param.opts, *param.secondary_opts]
    return names


def sections(text: str) -> dict[str, str]:
    """``docs/cli.md`` cut at its headings: the command of each ``### `slaclock …```
    heading -> the text up to the next heading."""
    found: dict[str, str] = {}
    parts = re.split(r"^(#+ .*)$", text, flags=re.MULTILINE)
    for heading, body in zip(parts[1::2], parts[2::2], strict=True):
        named = re.fullmatch(r"### `slaclock ([a-z -]+)`", heading.strip())
        if named:
            found[named.group(1)] = body
    return found


def missing_from(names: list[str], text: str) -> list[str]:
    """The names that do not stand in ``text`` as whole words (``--at`` is not found
    in ``--author``)."""
    return [n for n in names if not re.search(rf"(?<![\w-]){re.escape(n)}(?![\w-])", text)]


COMMANDS = commands(typer.main.get_command(app))
DOCUMENTED = sections(DOCS.read_text(encoding="utf-8"))


def test_the_walk_finds_the_groups_commands() -> None:
    assert {"replay", "explain", "validate", "generate", "version"} <= set(COMMANDS)
    assert {"calendar add", "calendar is-open", "db upgrade", "token revoke"} <= set(COMMANDS)
    assert {"config apply", "config show", "serve", "demo", "rebuild"} <= set(COMMANDS)


@pytest.mark.parametrize("path", sorted(COMMANDS))
def test_help_names_every_option_and_docs_cli_md_documents_each(path: str) -> None:
    result = runner.invoke(app, [*path.split(), "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    names = spellings(COMMANDS[path])
    assert not missing_from(names, result.stdout), result.stdout
    assert path in DOCUMENTED, f"docs/cli.md has no section '### `slaclock {path}`'"
    undocumented = missing_from(names, DOCUMENTED[path])
    assert not undocumented, f"slaclock {path}: not in docs/cli.md: {undocumented}"


def test_docs_cli_md_documents_no_command_that_does_not_exist() -> None:
    assert set(DOCUMENTED) == set(COMMANDS)


def test_an_option_added_without_docs_is_caught() -> None:
    """The check itself: a command given one more option fails it."""
    extra = typer.Typer(add_completion=False)

    @extra.command()
    def replay(
        config: str = typer.Option(..., "--config", "-c"),
        events: str = typer.Option(..., "--events"),
        as_of: str = typer.Option("", "--as-of"),
        output: str = typer.Option("", "--output", "-o"),
        colour: bool = typer.Option(False, "--colour/--no-colour"),
    ) -> None:
        """A replay with one option more."""

    command = typer.main.get_command(extra)
    names = spellings(command)
    assert missing_from(names, DOCUMENTED["replay"]) == ["--colour", "--no-colour"]
