"""``slaclock validate``: what a valid file means, and every problem of an invalid one."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from slaclock.cli.main import app

DATA = Path(__file__).parents[1] / "data"
EXAMPLE = DATA / "example_config.yaml"
runner = CliRunner()


def validate(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["validate", *args])
    return result.exit_code, result.stdout, result.stderr


def test_valid_example_prints_policies_in_order_with_conditions_in_words() -> None:
    code, out, err = validate(str(EXAMPLE), "--today", "2026-11-22")
    assert code == 0, err
    assert "valid configuration" in out
    order = [
        out.index(f"{n}. {pid} —")
        for n, pid in enumerate(["outage", "enterprise", "business", "default"], 1)
    ]
    assert order == sorted(order)
    assert "applies when: tags contains 'outage' or type is 'incident'" in out
    assert "applies when: customer.plan is 'enterprise'" in out
    assert "applies when: always" in out
    assert "by customer.region: EU → amsterdam-office, US → newyork-office; otherwise 24x7" in out


def test_targets_table_has_within_and_goal_per_priority() -> None:
    code, out, _ = validate(str(EXAMPLE), "--today", "2026-11-22")
    assert code == 0
    enterprise = out[out.index("2. enterprise") : out.index("3. business")]
    row = next(line for line in enterprise.splitlines() if "first_response" in line)
    assert row.split()[1:] == [
        "4h",
        "(goal",
        "2h)",
        "2h",
        "(goal",
        "1h)",
        "1h",
        "(goal",
        "30m)",
        "30m",
        "(goal",
        "15m)",
    ]
    resolution = next(
        line for line in enterprise.splitlines() if line.strip().startswith("resolution")
    )
    assert resolution.split()[1:5] == ["40h", "16h", "8h", "4h"]
    assert "reminder at 75% of the target for resolution: notify group_lead" in enterprise
    assert "escalation at the breach: notify group_lead; set priority=urgent" in enterprise
    assert "escalation 8h after the breach when customer.contract is true" in enterprise


def test_calendars_show_weekly_hours_and_holidays_from_today() -> None:
    code, out, _ = validate(str(EXAMPLE), "--today", "2026-11-22")
    assert code == 0
    assert "mon-fri 09:00-17:00" in out
    assert "40h" in out  # amsterdam-office per week
    assert "50h" in out  # newyork-office per week
    assert "2026-11-26 Thanksgiving" in out
    assert "always open" in out
    code, later, _ = validate(str(EXAMPLE), "--today", "2026-12-28")
    assert code == 0
    assert "2026-11-26" not in later
    assert "2027-01-01 New Year" in later


def test_metrics_and_olas_are_summarised() -> None:
    _, out, _ = validate(str(EXAMPLE), "--today", "2026-11-22")
    assert "engineering_triage" in out
    assert "group_entered" in out
    assert "engineering-triage: group engineering, metric engineering_triage within 4h" in out
    assert "protects: resolution" in out
    assert "6 people, 2 groups, 2 roles, 1 webhook, 0 inbound sources" in out


def test_invalid_file_lists_every_problem_on_stderr_and_exits_2(tmp_path: Path) -> None:
    text = EXAMPLE.read_text().replace("calendar: 24x7\n", "calendar: 24x8\n", 1)
    text = text.replace("{before: 5m,", "{before: 5 minutes,", 1)
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    code, out, err = validate(str(path))
    assert code == 2
    assert out == ""
    lines = text.splitlines()
    calendar_line = lines.index("    calendar: 24x8") + 1
    before_line = next(n for n, line in enumerate(lines, 1) if "5 minutes" in line)
    assert f"{path}:{calendar_line}: policies[0].calendar: unknown calendar" in err
    assert "(got '24x8')" in err
    assert f"{path}:{before_line}: policies[0].reminders[0].before: expected a duration" in err


def test_missing_file_exits_2(tmp_path: Path) -> None:
    code, out, err = validate(str(tmp_path / "absent.yaml"))
    assert code == 2 and out == ""
    assert err == f"error: {tmp_path / 'absent.yaml'}: no such configuration file\n"


def test_bad_today_is_a_usage_error() -> None:
    code, _, err = validate(str(EXAMPLE), "--today", "22/11/2026")
    assert code == 2
    assert "YYYY-MM-DD" in err


def test_json_configuration_validates(tmp_path: Path) -> None:
    data = {
        "calendars": [{"id": "always", "tz": "UTC", "always_open": True}],
        "policies": [
            {"id": "p", "calendar": "always", "targets": {"resolution": {"within": "8h"}}}
        ],
    }
    path = tmp_path / "config.json"
    path.write_text(json.dumps(data, indent=2))
    code, out, err = validate(str(path), "--today", "2026-01-01")
    assert code == 0, err
    assert "1. p — p" in out
    path.write_text(json.dumps(data, indent=2).replace('"8h"', '"8 hours"'))
    code, _, err = validate(str(path))
    assert code == 2
    line = path.read_text().splitlines().index('          "within": "8 hours"') + 1
    assert f"config.json:{line}: policies[0].targets.resolution.within" in err
