"""Engine benchmark: replay generated workloads against the cost of merely parsing them.

    .venv/bin/python bench/engine_bench.py --sizes 10k,100k,1M

For each size a workload is generated once (``slaclock.core.workload``, the example
configuration; not timed), then each kind below runs in a fresh child process, so peak
RSS is per run:

- ``json``: read the file and ``json.loads`` every line — the floor;
- ``orjson``: the same with ``orjson.loads``, the parser the replay uses (a lower floor);
- ``parse``: the same plus event validation (``read_events``);
- ``replay``: what ``slaclock replay`` does (``slaclock.service.replay.replay_file``):
  group the lines by ticket, validate and replay each ticket, render every instance as
  JSON (to /dev/null), with the modules of ``cython-modules.txt`` compiled in place
  when the install built them, and end the process without freeing its heap, as the
  command does (``slaclock.cli.standalone``);
- ``pure``: the same replay as pure Python (a copy of the package without the compiled
  modules first on ``PYTHONPATH``, ``tools/pure_tree.py``), for the gain.

Times are CPU seconds of the child (user + sys; the machine is shared, so wall time is
noisy) and wall seconds beside them; each kind runs ``--repeat`` times, interleaved,
and the fastest run counts (the machines are noisy: one slow spell moved a ratio by
20%). Targets (docs/performance.md): the replay within 3x the ``json`` floor as
installed, within 6x as pure Python; cost per event at 3x the size at most 1.3x;
peak RSS at 2M tickets at most 1 GB.

A workload spans ``max(30, tickets / 20,000)`` days, so tickets arrive 6x faster per
day at 1M than at 100k (``tickets/day``). An input over 160 MB is replayed in parts
cut by ticket (``parts``). To see whether cost
stays linear, compare sizes with the same arrival rate too, e.g. ``--sizes 1M,2M
--kinds json,replay`` (``pure`` at 2M takes minutes). Every size is replayed as of
:data:`AS_OF`, or 30 days after its workload ends when that is later, so no size is
cut short.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
from pure_tree import compiled_modules, pure_tree

ROOT = Path(__file__).resolve().parents[1]
#: The modules setup.py compiles with Cython (when a C compiler is at hand).
COMPILED_MODULES = compiled_modules(ROOT)
#: A copy of the package without its compiled modules, for the ``pure`` runs.
PURE_TREE: list[Path] = []
CONFIG = ROOT / "tests" / "data" / "example_config.yaml"
START = datetime(2026, 3, 2, tzinfo=UTC)
AS_OF = datetime(2026, 6, 1, tzinfo=UTC)

#: Appended to each child: its own peak RSS. (``ru_maxrss`` from ``wait4`` is no good
#: here: Linux carries the parent's peak across fork + exec into the child's figure.)
PEAK_RSS = """
with open("/proc/self/status") as status:
    print(next(line.split()[1] for line in status if line.startswith("VmHWM:")))
"""

#: Appended to the replay child: it ends as ``slaclock replay`` does, without freeing its
#: heap (``slaclock.cli.standalone``), so the tear-down the command skips is not timed.
FINISH = """
from slaclock.cli.standalone import finish, mark_standalone
mark_standalone()
finish()
"""

CHILD = {
    "json": """
import json, sys
n = 0
with open(sys.argv[1], encoding="utf-8") as f:
    for line in f:
        json.loads(line); n += 1
print(n)
"""
    + PEAK_RSS,
    "parse": """
import sys
from slaclock.core.events import read_events
n = 0
with open(sys.argv[1], encoding="utf-8") as f:
    for _ in read_events(f, sys.argv[1]):
        n += 1
print(n)
"""
    + PEAK_RSS,
    "replay": f"MODULES = {COMPILED_MODULES!r}\n"
    + """
import os, sys
from slaclock.cli.standalone import prepare_process
prepare_process()  # as the slaclock command does, before anything imports NumPy
from datetime import datetime
from slaclock.service.replay import replay_file
from slaclock.core.config import load_config
from slaclock.core.engine import Engine
import gc; gc.disable()  # as slaclock replay does, from the configuration on
engine = Engine(load_config(sys.argv[2]))
when = datetime.fromisoformat(sys.argv[3])
with open(sys.argv[1], "rb") as f, open(os.devnull, "wb") as out:
    stats = replay_file(engine, f, sys.argv[1], when, lambda: out)
print(stats.parts)
import importlib
print(sum(not importlib.import_module(m).__file__.endswith(".py") for m in MODULES))
"""
    + PEAK_RSS
    + FINISH,
}
CHILD["orjson"] = CHILD["json"].replace("import json, sys", "import orjson as json, sys")
CHILD["pure"] = CHILD["replay"]
KINDS = ("json", "orjson", "parse", "replay", "pure")


def parse_size(text: str) -> int:
    text = text.strip().lower()
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1], 1)
    return int(float(text.rstrip("km")) * scale)


def workload_days(tickets: int) -> int:
    """How many days a workload of ``tickets`` tickets spans."""
    return max(30, tickets // 20_000)


def as_of(tickets: int) -> str:
    """The replay instant: :data:`AS_OF`, or 30 days after the workload ends if later."""
    return max(AS_OF, START + timedelta(days=workload_days(tickets) + 30)).isoformat()


def generate(tickets: int, path: Path) -> int:
    """Write a time-ordered workload of ``tickets`` tickets; return the event count."""
    from slaclock.core.config import load_config
    from slaclock.core.workload import generate_lines

    days = workload_days(tickets)
    count = 0
    with open(path, "w", encoding="utf-8") as out:
        chunk: list[str] = []
        for line in generate_lines(load_config(CONFIG), tickets, days, 7, START):
            chunk.append(line)
            if len(chunk) >= 8192:
                out.write("\n".join(chunk) + "\n")
                count += len(chunk)
                chunk = []
        if chunk:
            out.write("\n".join(chunk) + "\n")
            count += len(chunk)
    return count


#: How many hot modules the last ``replay`` child ran compiled (``pure``: none, by design).
COMPILED = {"modules": -1}
#: In how many parts the last ``replay`` child replayed each size (``slaclock.service.replay``).
PARTS: dict[int, int] = {}


def measure(kind: str, path: Path, tickets: int) -> tuple[float, float, float]:
    """(cpu seconds, wall seconds, peak RSS MB) of one child run."""
    args = [sys.executable, "-c", CHILD[kind], str(path), str(CONFIG), as_of(tickets)]
    # An installed program has its bytecode cached: a shell that forbids writing it
    # (PYTHONDONTWRITEBYTECODE) would add the compiling of every module to each start.
    env = {
        k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONDONTWRITEBYTECODE")
    }
    if kind == "pure":
        if not PURE_TREE:
            PURE_TREE.append(pure_tree(ROOT / "src", Path(tempfile.mkdtemp()) / "src"))
        env["PYTHONPATH"] = str(PURE_TREE[0])
    wall = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - wall
    assert proc.stdout is not None
    lines = proc.stdout.read().split()
    if status != 0:
        raise SystemExit(f"{kind} run failed with status {status}")
    if kind == "replay":
        COMPILED["modules"] = int(lines[-2])
        PARTS[tickets] = int(lines[-3])
    return usage.ru_utime + usage.ru_stime, wall, int(lines[-1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10k,100k", help="ticket counts, e.g. 10k,100k,1M")
    parser.add_argument("--keep", help="directory to keep (and reuse) the generated files in")
    parser.add_argument(
        "--repeat",
        type=int,
        default=0,
        help="runs of each kind, the fastest counts (default: 3 up to 100k tickets, else 1)",
    )
    parser.add_argument(
        "--kinds",
        default=",".join(KINDS),
        help=f"which runs to make (default: all of {','.join(KINDS)}); replay is always made",
    )
    options = parser.parse_args()
    kinds = [k for k in KINDS if k in {"replay", *options.kinds.split(",")}]
    unknown = set(options.kinds.split(",")) - set(KINDS)
    if unknown:
        parser.error(f"--kinds: unknown {', '.join(sorted(unknown))}; known: {', '.join(KINDS)}")
    folder = Path(options.keep or tempfile.mkdtemp(prefix="slaclock-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for size in [parse_size(s) for s in options.sizes.split(",")]:
        path = folder / f"workload-{size}.jsonl"
        if options.keep and path.exists():  # a kept workload of this size: reuse it
            with open(path, "rb") as f:
                events = sum(1 for _ in f)
        else:
            events = generate(size, path)
        repeat = options.repeat if options.repeat else (3 if size <= 100_000 else 1)
        results: dict[str, tuple[float, float, float]] = {}
        for _ in range(repeat):  # interleaved, so a slow spell of the machine hits all three
            for kind in kinds:
                run = measure(kind, path, size)
                if kind not in results or run[0] < results[kind][0]:
                    results[kind] = run
        rows.append((size, events, results))
        print_table(rows)
        if not options.keep:
            path.unlink()


def print_table(rows: list[tuple[int, int, dict[str, tuple[float, float, float]]]]) -> None:
    """The table of the note; a kind not run shows as ``-``. ``vs prev`` is the cost of
    an event against the row above (1.00: linear in events)."""
    print(f"replay: {COMPILED['modules']} of {len(COMPILED_MODULES)} modules compiled; pure: none")
    head = (
        f"{'tickets':>9} {'events':>10} {'tickets/day':>11} {'parts':>5} | "
        f"{'json s':>6} "
        f"{'orjson':>6} {'parse s':>7} {'replay s':>8} {'(wall)':>7} {'pure s':>7} | "
        f"{'replay ev/s':>11} {'x json':>6} {'x orjson':>8} {'x parse':>7} {'pure x json':>11} "
        f"{'gain':>5} | {'RSS json':>8} {'RSS replay':>10} | {'us/event':>8} {'vs prev':>7}"
    )
    print(head)
    print("-" * len(head))
    previous: float | None = None
    for size, events, r in rows:
        replay_cpu, replay_wall, replay_rss = r["replay"]
        per_event = 1e6 * replay_cpu / events
        cpu = {kind: run[0] for kind, run in r.items()}

        gain = f"{cpu['pure'] / replay_cpu:>5.2f}" if "pure" in cpu else f"{'-':>5}"
        rss_json = f"{r['json'][2]:>6.0f}MB" if "json" in r else f"{'-':>8}"
        versus = f"{per_event / previous:>7.2f}" if previous else f"{'':>7}"
        print(
            f"{size:>9,} {events:>10,} {size / workload_days(size):>11,.0f} "
            f"{PARTS.get(size, 1):>5} | {_seconds(cpu, 'json', 6)} "
            f"{_seconds(cpu, 'orjson', 6)} {_seconds(cpu, 'parse', 7)} {replay_cpu:>8.2f} "
            f"{replay_wall:>7.2f} {_seconds(cpu, 'pure', 7)} | "
            f"{events / replay_cpu:>11,.0f} {_times(cpu, 'replay', 'json', 6)} "
            f"{_times(cpu, 'replay', 'orjson', 8)} {_times(cpu, 'replay', 'parse', 7)} "
            f"{_times(cpu, 'pure', 'json', 11)} {gain} | {rss_json} {replay_rss:>8.0f}MB | "
            f"{per_event:>8.1f} {versus}"
        )
        previous = per_event
    sys.stdout.flush()


def _seconds(cpu: dict[str, float], kind: str, width: int) -> str:
    return f"{cpu[kind]:>{width}.2f}" if kind in cpu else f"{'-':>{width}}"


def _times(cpu: dict[str, float], kind: str, of: str, width: int) -> str:
    """``kind``'s time as a multiple of ``of``'s."""
    if {kind, of} <= set(cpu):
        return f"{cpu[kind] / cpu[of]:>{width}.1f}"
    return f"{'-':>{width}}"


if __name__ == "__main__":
    main()
