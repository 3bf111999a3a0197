"""The ``slaclock`` console command ends a replay without tearing down its heap."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from slaclock.cli import standalone
from slaclock.cli.main import app

DATA = Path(__file__).resolve().parents[1] / "data"
ARGS = [
    "replay", "--config", str(DATA / "example_config.yaml"),
    "--events", str(DATA / "example_events.jsonl"), "--as-of", "2026-03-10T00:00:00Z",
]  # fmt: skip

#: Runs the console script's entry point with an exit hook that a normal exit runs and
#: ``os._exit`` skips.
SCRIPT = """
import atexit, sys
atexit.register(lambda: print("normal exit", file=sys.stderr))
sys.argv = ["slaclock", *sys.argv[1:]]
from slaclock.cli.standalone import main
main()
"""


def _in_process() -> str:
    result = CliRunner().invoke(app, ARGS)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_the_command_ends_at_once_with_all_its_output_written():
    done = subprocess.run([sys.executable, "-c", SCRIPT, *ARGS], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "normal exit" not in done.stderr  # os._exit: no teardown, no exit hooks
    assert done.stdout == _in_process() and done.stdout.count("\n") >= 5


def test_output_to_a_file_is_complete_and_closed(tmp_path):
    out = tmp_path / "out.jsonl"
    command = [sys.executable, "-c", SCRIPT, *ARGS, "--output", str(out)]
    done = subprocess.run(command, capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout == "", done.stderr
    assert out.read_text() == _in_process()


def test_events_from_stdin_are_replayed_in_full():
    events = (DATA / "example_events.jsonl").read_text()
    command = [sys.executable, "-c", SCRIPT, *ARGS[:-4], "--events", "-", *ARGS[-2:]]
    done = subprocess.run(command, input=events, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout == _in_process()


def test_a_failing_replay_still_exits_2_through_the_normal_path(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "e1"}\n')
    command = [sys.executable, "-c", SCRIPT, *ARGS[:-4], "--events", str(bad)]
    done = subprocess.run(command, capture_output=True, text=True)
    assert done.returncode == 2 and done.stdout == ""
    assert "bad.jsonl:1" in done.stderr and "normal exit" in done.stderr


def test_in_process_callers_keep_control():
    assert not standalone._standalone  # the test process never called main()
    _in_process()  # returns: finish() did nothing
    standalone.finish()


PREPARE = """
import sys
from slaclock.cli.standalone import prepare_process
assert "numpy" not in sys.modules, "numpy loaded before the process could be set up"
prepare_process()
import os, numpy
print(os.environ["OPENBLAS_NUM_THREADS"])
"""


def test_the_command_process_runs_one_blas_thread_unless_told_otherwise():
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    done = subprocess.run([sys.executable, "-c", PREPARE], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "1"
    env["OPENBLAS_NUM_THREADS"] = "3"
    done = subprocess.run([sys.executable, "-c", PREPARE], capture_output=True, text=True, env=env)
    assert done.stdout.strip() == "3"
