"""issue 23, "What-if": ``slaclock whatif`` prints the service's result (JSON, or
tables), shows its progress on stderr only, leaves the database as it was, and refuses
a bad draft naming the file and line (exit 2)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from slaclock.cli.main import app
from slaclock.service.compose import open_services
from slaclock.service.whatif import what_if

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from kit.whatif import AS_OF, END, START, STRICTER, broken_draft, load, projection

runner = CliRunner()
WINDOW = ["--from", "2026-03-09", "--to", "2026-03-16", "--as-of", "2026-03-23"]


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("whatif") / "db.sqlite"
    services = open_services(f"sqlite:///{path}", upgrade=True)
    load(services, 60)
    services.close()
    return f"sqlite:///{path}"


@pytest.fixture
def draft(tmp_path: Path) -> Path:
    path = tmp_path / "draft.yaml"
    path.write_text(STRICTER, encoding="utf-8")
    return path


def _run(url: str, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["whatif", *args, "--database-url", url])
    return result.exit_code, result.stdout, result.stderr


def test_json_is_the_services_result_and_the_database_is_unchanged(url: str, draft: Path) -> None:
    services = open_services(url)
    stored = projection(services.db.engine)
    code, out, _ = _run(url, "--draft", str(draft), *WINDOW, "--format", "json")
    assert code == 0
    expected = what_if(services, STRICTER, START, END, AS_OF).to_json()
    assert json.loads(out) == expected and expected["flips_total"] > 0
    assert projection(services.db.engine) == stored
    services.close()


def test_the_table_shows_rows_totals_and_flips_with_their_reasons(url: str, draft: Path) -> None:
    code, out, err = _run(url, "--draft", str(draft), *WINDOW)
    assert code == 0, err
    assert "Compliance per policy and metric" in out and "enterprise" in out
    assert "met → breached" in out and "target changed" in out
    assert "replaying" not in out  # the progress bar is on stderr only


def test_a_bad_draft_exits_2_naming_the_file_and_line(url: str, tmp_path: Path) -> None:
    text, line = broken_draft()
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    code, out, err = _run(url, "--draft", str(bad), *WINDOW)
    assert code == 2 and out == ""
    assert f"{bad}:{line}: policies[1].targets.first_response.within" in err


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--format", "csv"], "--format"),
        (["--from", "2026-03-16", "--to", "2026-03-09"], "--to"),
        (["--from", "soon"], "--from"),
    ],
)
def test_bad_options_exit_2_naming_them(url: str, draft: Path, args: list[str], says: str) -> None:
    code, out, err = _run(url, "--draft", str(draft), *args)
    assert code == 2 and out == ""
    assert says in err


def test_a_missing_draft_file_exits_2(url: str, tmp_path: Path) -> None:
    code, _, err = _run(url, "--draft", str(tmp_path / "nope.yaml"), *WINDOW)
    assert code == 2 and "no such draft configuration file" in err
