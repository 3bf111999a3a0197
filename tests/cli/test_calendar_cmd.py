"""``slaclock calendar ...`` on the example configuration (tests/data/example_config.yaml)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from slaclock.cli.main import app

CONFIG = Path(__file__).resolve().parents[1] / "data" / "example_config.yaml"
runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["calendar", *args])
    return result.exit_code, result.stdout, result.stderr


def base(calendar: str) -> list[str]:
    return ["--config", str(CONFIG), "--calendar", calendar]


def test_add_prints_utc_and_local_time() -> None:
    # Thursday 2026-12-31 14:00 local: one hour before the New Year's Eve closure, then
    # New Year's Day (holiday) and a weekend; two more hours on Monday 2027-01-04.
    code, out, _ = run("add", *base("amsterdam-office"), "--at", "2026-12-31T13:00Z", "-d", "3h")
    assert code == 0
    assert out.strip() == "2027-01-04T10:00:00Z  (local 2027-01-04 11:00:00 CET, Europe/Amsterdam)"


@pytest.mark.parametrize("duration", ["90m", "1h30m", "PT1H30M", "5400"])
def test_duration_forms(duration: str) -> None:
    code, out, _ = run("add", *base("24x7"), "--at", "2026-03-07T07:00:00+00:00", "-d", duration)
    assert code == 0 and out.startswith("2026-03-07T08:30:00Z")


def test_negative_duration_goes_back_and_local_instant_uses_calendar_zone() -> None:
    # Oslo 08:00 on Saturday; the Friday night shift ran until 06:00 local (05:00 UTC).
    code, out, _ = run("add", *base("night-shift"), "--at", "2026-03-07T08:00", "-d", "-1h30m")
    assert code == 0 and out.startswith("2026-03-07T03:30:00Z")


def test_elapsed() -> None:
    args = ["--at", "2026-03-06T12:00-05:00", "--until", "2026-03-09T12:00-04:00"]
    code, out, _ = run("elapsed", *base("newyork-office"), *args)
    assert code == 0 and out.strip() == "36000 s  (10h)"


def test_elapsed_backwards_is_negative() -> None:
    args = ["--at", "2026-03-09T16:00Z", "--until", "2026-03-09T14:00Z"]
    code, out, _ = run("elapsed", *base("newyork-office"), *args)
    assert code == 0 and out.strip() == "-7200 s  (-2h)"


def test_is_open_and_next_open() -> None:
    code, out, _ = run("is-open", *base("night-shift"), "--at", "2026-03-07T03:00")
    assert code == 0 and out.startswith("open  at 2026-03-07T02:00:00Z")
    code, out, _ = run("is-open", *base("night-shift"), "--at", "2026-03-07T07:00")
    assert code == 0 and out.startswith("closed")
    code, out, _ = run("next-open", *base("night-shift"), "--at", "2026-03-07T07:00")
    assert code == 0 and out.startswith("2026-03-09T21:00:00Z  (local 2026-03-09 22:00:00 CET")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["is-open", *base("nope"), "--at", "2026-03-07T07:00Z"], "no calendar with id 'nope'"),
        (["is-open", *base("24x7"), "--at", "yesterday"], "not an ISO-8601 instant"),
        (["add", *base("24x7"), "--at", "2026-03-07T07:00Z", "-d", "soon"], "--duration"),
        (["is-open", *base("24x7"), "--at", "2300-01-01T00:00Z"], "1900-2200"),
    ],
)
def test_errors_exit_2_with_a_message(args: list[str], message: str) -> None:
    code, _, err = run(*args)
    assert code == 2 and message in err


def test_invalid_calendar_in_file(tmp_path: Path) -> None:
    config = tmp_path / "bad.json"
    config.write_text('{"calendars": [{"id": "x", "tz": "Nowhere/Land"}]}', encoding="utf-8")
    code, _, err = run("is-open", "--config", str(config), "--calendar", "x", "--at", "2026-01-01")
    assert code == 2 and "calendar 'x': tz: unknown time zone" in err
