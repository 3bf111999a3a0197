"""One convention for every command (docs/cli.md): ``--config``/``-c`` for the
configuration, ``--as-of`` for the instant computed as of (a date is its midnight,
UTC), the older spellings as aliases, plain sentences for missing files, and a notice
on stderr for the events ``--as-of`` leaves out."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from slaclock.cli.main import app
from slaclock.core.config import load_config
from slaclock.core.engine import replay
from slaclock.core.events import read_events
from slaclock.service import replay as replay_module

DATA = Path(__file__).resolve().parents[1] / "data"
CONFIG = str(DATA / "example_config.yaml")
EVENTS = str(DATA / "example_events.jsonl")
runner = CliRunner()


def run(*args: str, stdin: str | None = None):
    return runner.invoke(app, list(args), input=stdin, env={"COLUMNS": "200"})


def replay_lines(as_of: datetime, path: str = EVENTS) -> str:
    """What ``slaclock replay`` must print, from the library."""
    with open(path) as f:
        events = list(read_events(f, path))
    instances = replay(load_config(CONFIG), events, as_of)
    return "".join(json.dumps(i.to_json(), separators=(",", ":")) + "\n" for i in instances)


# ------------------------------------------------------------------ --config / -c


@pytest.mark.parametrize("spelling", [["--config", CONFIG], ["-c", CONFIG], [CONFIG]])
def test_validate_takes_the_configuration_as_option_short_option_or_argument(spelling):
    result = run("validate", *spelling, "--today", "2026-11-22")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"{CONFIG}: valid configuration")


def test_validate_with_the_same_file_both_ways_is_fine_and_two_files_are_refused(tmp_path):
    assert run("validate", CONFIG, "-c", CONFIG, "--today", "2026-11-22").exit_code == 0
    other = tmp_path / "other.yaml"
    other.write_text(Path(CONFIG).read_text())
    twice = run("validate", CONFIG, "--config", str(other))
    assert twice.exit_code == 2 and twice.stdout == ""
    assert "two configuration files" in twice.stderr


def test_validate_without_a_configuration_is_a_usage_error():
    result = run("validate")
    assert result.exit_code == 2 and result.stdout == ""
    assert "--config" in result.stderr


@pytest.mark.parametrize(
    "command",
    [
        ["replay", "--events", EVENTS, "--as-of", "2026-03-10T00:00:00Z"],
        ["explain", "--events", EVENTS, "--ticket", "T-1", "--as-of", "2026-03-10T00:00:00Z"],
        ["generate", "--tickets", "3", "--days", "2"],
        ["calendar", "is-open", "--calendar", "24x7", "--at", "2026-03-10T00:00:00Z"],
    ],
)
def test_every_command_that_reads_a_configuration_takes_c_for_config(command):
    short = run(*command, "-c", CONFIG)
    assert short.exit_code == 0, short.output
    assert short.stdout == run(*command, "--config", CONFIG).stdout


def test_config_apply_takes_config_as_well_as_the_file_argument(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    applied = run("config", "apply", "--config", CONFIG, "--database-url", url)
    assert applied.exit_code == 0, applied.output
    assert "configuration version 1" in applied.stdout
    again = run("config", "apply", CONFIG, "--database-url", url)
    assert again.exit_code == 0 and "configuration version" in again.stdout


# ------------------------------------------------------------------------ --as-of


def test_explain_at_is_an_alias_of_as_of():
    args = ["explain", "-c", CONFIG, "--events", EVENTS, "--ticket", "T-2"]
    as_of = run(*args, "--as-of", "2026-03-10T00:00:00Z")
    assert as_of.exit_code == 0, as_of.output
    assert "Ticket T-2 as of 2026-03-10T00:00:00Z" in as_of.stdout
    assert run(*args, "--at", "2026-03-10T00:00:00Z").stdout == as_of.stdout


def test_help_names_the_aliases_and_the_date_form():
    explain = run("explain", "--help").stdout
    assert "--as-of,--at" in explain and "--at: an alias" in explain
    for command in (["replay"], ["explain"]):
        text = run(*command, "--help").stdout
        assert "YYYY-MM-DD (its midnight, UTC)" in text
    validate = run("validate", "--help").stdout
    assert "[FILE]" in validate and "an alias of --config FILE" in validate
    assert "an alias of --config FILE" in run("config", "apply", "--help").stdout
    calendar = run("calendar", "add", "--help").stdout
    assert "a date YYYY-MM-DD: its midnight there" in calendar


def test_a_date_as_of_is_its_midnight_in_utc():
    midnight = datetime(2026, 3, 4, tzinfo=UTC)
    by_date = run("replay", "-c", CONFIG, "--events", EVENTS, "--as-of", "2026-03-04")
    assert by_date.exit_code == 0, by_date.output
    assert by_date.stdout == replay_lines(midnight)
    full = run("replay", "-c", CONFIG, "--events", EVENTS, "--as-of", "2026-03-04T00:00:00Z")
    assert by_date.stdout == full.stdout
    explain = ["explain", "-c", CONFIG, "--events", EVENTS, "--ticket", "T-1", "--json"]
    data = json.loads(run(*explain, "--as-of", "2026-03-04").stdout)
    assert data["as_of"] == "2026-03-04T00:00:00Z"


@pytest.mark.parametrize("command", ["replay", "explain"])
@pytest.mark.parametrize("naive", ["2026-03-04T00:00:00", "2026-03-04 09:30"])
def test_a_date_time_without_offset_is_still_refused(command, naive):
    args = [command, "-c", CONFIG, "--events", EVENTS, "--as-of", naive]
    result = run(*args, *(["--ticket", "T-1"] if command == "explain" else []))
    assert result.exit_code == 2 and result.stdout == ""
    assert "no offset" in result.stderr and "YYYY-MM-DD" in result.stderr


def test_generate_start_takes_a_date_and_refuses_a_naive_time():
    dated = run("generate", "-c", CONFIG, "--tickets", "2", "--start", "2026-06-01")
    assert "2026-06-01T00:00:00Z" <= json.loads(dated.stdout.splitlines()[0])["at"] < "2026-07"
    naive = run("generate", "-c", CONFIG, "--tickets", "2", "--start", "2026-06-01T10:00")
    assert naive.exit_code == 2 and "no offset" in naive.stderr


def test_a_calendar_date_is_midnight_in_the_calendars_zone():
    args = ["calendar", "next-open", "-c", CONFIG, "--calendar", "amsterdam-office"]
    by_date = run(*args, "--at", "2026-03-03")
    assert by_date.exit_code == 0, by_date.output
    assert by_date.stdout == run(*args, "--at", "2026-03-03T00:00:00+01:00").stdout


# --------------------------------------------------- events after --as-of, on stderr


def test_an_as_of_before_every_event_says_so_on_stderr_and_prints_nothing():
    result = run("replay", "-c", CONFIG, "--events", EVENTS, "--as-of", "2016-01-01")
    assert result.exit_code == 0 and result.stdout == ""
    assert result.stderr == (
        "slaclock: no event at or before --as-of 2016-01-01T00:00:00Z: all 9 events come "
        "later (the first at 2026-03-02T08:15:00Z)\n"
    )


def test_events_after_as_of_are_counted_on_stderr_and_stdout_is_unchanged():
    as_of = "2026-03-03T00:00:00Z"
    result = run("replay", "-c", CONFIG, "--events", EVENTS, "--as-of", as_of)
    assert result.exit_code == 0, result.output
    assert result.stdout == replay_lines(datetime(2026, 3, 3, tzinfo=UTC))
    assert result.stderr == f"slaclock: 6 events after --as-of {as_of} were not applied\n"


def test_no_notice_when_every_event_is_applied():
    result = run("replay", "-c", CONFIG, "--events", EVENTS, "--as-of", "2026-04-01")
    assert result.exit_code == 0 and result.stdout and result.stderr == ""


def test_without_as_of_the_notice_names_now(tmp_path):
    lines = Path(EVENTS).read_text().splitlines()
    late = {**json.loads(lines[-1]), "id": "e-late", "at": "2199-01-01T00:00:00Z"}
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join([*lines, json.dumps(late)]) + "\n")
    result = run("replay", "-c", CONFIG, "--events", str(path))
    assert result.exit_code == 0
    assert result.stderr.startswith("slaclock: 1 event after now (")
    assert result.stderr.endswith("; no --as-of given) was not applied\n")


def test_the_notice_counts_the_same_when_the_input_is_replayed_in_parts(monkeypatch):
    as_of = "2026-03-03T00:00:00Z"
    whole = run("replay", "-c", CONFIG, "--events", EVENTS, "--as-of", as_of)
    monkeypatch.setattr(replay_module, "SPLIT_BYTES", 0)
    monkeypatch.setattr(replay_module, "PART_BYTES", 500)
    in_parts = run("replay", "-c", CONFIG, "--events", EVENTS, "--as-of", as_of)
    assert in_parts.exit_code == 0, in_parts.output
    assert (in_parts.stdout, in_parts.stderr) == (whole.stdout, whole.stderr)


def test_the_notice_for_stdin_and_output_file(tmp_path):
    out = tmp_path / "out.jsonl"
    args = ["replay", "-c", CONFIG, "--events", "-", "--as-of", "2026-03-03", "-o", str(out)]
    result = run(*args, stdin=Path(EVENTS).read_text())
    assert result.exit_code == 0 and result.stdout == ""
    assert out.read_text() == replay_lines(datetime(2026, 3, 3, tzinfo=UTC))
    assert "6 events after --as-of 2026-03-03T00:00:00Z" in result.stderr


def test_explain_says_which_events_of_its_ticket_came_after_as_of():
    args = ["explain", "-c", CONFIG, "--events", EVENTS, "--ticket", "T-1"]
    some = run(*args, "--as-of", "2026-03-02T09:00:00Z")
    assert some.exit_code == 0, some.output
    assert some.stderr.startswith("slaclock: ") and " of ticket T-1 after --as-of " in some.stderr
    none = run(*args, "--as-of", "2016-01-01")
    assert none.exit_code == 0
    assert none.stderr.startswith("slaclock: no event of ticket T-1 at or before --as-of ")
    assert run(*args, "--as-of", "2026-04-01").stderr == ""


# ----------------------------------------------------------- missing files, plainly


@pytest.mark.parametrize(
    "command",
    [
        ["validate", "--config", "{missing}"],
        ["validate", "{missing}"],
        ["replay", "-c", "{missing}", "--events", EVENTS],
        ["explain", "-c", "{missing}", "--events", EVENTS, "--ticket", "T-1"],
        ["generate", "-c", "{missing}"],
        ["calendar", "add", "-c", "{missing}", "--calendar", "x", "--at", "2026-01-01", "-d", "1h"],
        ["config", "apply", "--config", "{missing}", "--database-url", "sqlite:///{db}"],
    ],
)
def test_a_missing_configuration_file_is_one_plain_sentence(tmp_path, command):
    missing = str(tmp_path / "absent.yaml")
    db = tmp_path / "cli.db"
    result = run(*(part.format(missing=missing, db=db) for part in command))
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == f"error: {missing}: no such configuration file\n"
    assert not db.exists()  # config apply reads the file before opening the database


@pytest.mark.parametrize("ticket", [[], ["--ticket", "T-1"]])
def test_a_missing_events_file_is_one_plain_sentence(tmp_path, ticket):
    missing = str(tmp_path / "absent.jsonl")
    command = "explain" if ticket else "replay"
    result = run(command, "-c", CONFIG, "--events", missing, *ticket)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == f"error: {missing}: no such events file\n"


def test_a_directory_for_a_file_is_said_plainly(tmp_path):
    result = run("replay", "-c", CONFIG, "--events", str(tmp_path))
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == f"error: {tmp_path}: a directory, not a file\n"
    config = run("validate", "-c", str(tmp_path))
    assert config.stderr == f"error: {tmp_path}: a directory, not a file\n"
