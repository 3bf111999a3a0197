"""Checksums of ``slaclock replay`` on generated workloads: the bytes a refactoring of
the engine or the replay must not change.

    .venv/bin/python bench/replay_checksums.py [--sizes 10k,100k] [--keep DIR]

Each size is generated as ``bench/engine_bench.py`` generates it (the example
configuration, seed 7), once in time order and once shuffled with repeated events (the
second read, repeated ids); each is replayed by the installed ``slaclock replay`` as of
the bench's instant, and the MD5 of its output printed beside the one recorded in
:data:`RECORDED`. Exit 1 when one differs.
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from engine_bench import CONFIG, START, as_of, generate, parse_size, workload_days

#: (size, variant) -> MD5 of the replay's output, recorded after the breach-rule fix
#: (8c72a2c), before the simplification of issue 21.
RECORDED: dict[tuple[str, str], str] = {
    ("10k", "ordered"): "f16c9ae7ad754b4298e4141e6578d942",
    ("10k", "shuffled"): "f16c9ae7ad754b4298e4141e6578d942",
    ("100k", "ordered"): "aba3326b5e84b2a29637b576dccd94d8",
    ("100k", "shuffled"): "aba3326b5e84b2a29637b576dccd94d8",
}


def shuffled(tickets: int, path: Path) -> None:
    """The workload with arrival order shuffled and 2% of events repeated."""
    from slaclock.core.config import load_config
    from slaclock.core.workload import WorkloadOptions, generate_lines

    options = WorkloadOptions(shuffle=0.3, duplicates=0.02)
    lines = generate_lines(load_config(CONFIG), tickets, workload_days(tickets), 7, START, options)
    with open(path, "w", encoding="utf-8") as out:
        for line in lines:
            out.write(line + "\n")


def md5_of_replay(events: Path, tickets: int) -> str:
    command = [str(Path(sys.executable).with_name("slaclock")), "replay", "--config", str(CONFIG),
               "--events", str(events), "--as-of", as_of(tickets)]  # fmt: skip
    digest = hashlib.md5()
    with subprocess.Popen(command, stdout=subprocess.PIPE) as child:
        assert child.stdout is not None
        for block in iter(lambda: child.stdout.read(1 << 20), b""):  # type: ignore[union-attr]
            digest.update(block)
    if child.returncode != 0:
        raise SystemExit(f"replay of {events} exited {child.returncode}")
    return digest.hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10k,100k")
    parser.add_argument("--keep", help="directory to keep (and reuse) the generated files in")
    args = parser.parse_args()
    folder = Path(args.keep or tempfile.mkdtemp(prefix="slaclock-checksums-"))
    folder.mkdir(parents=True, exist_ok=True)
    differ = False
    for size in args.sizes.split(","):
        tickets = parse_size(size)
        for variant in ("ordered", "shuffled"):
            path = folder / f"{size}-{variant}.jsonl"
            if not path.exists():
                generate(tickets, path) if variant == "ordered" else shuffled(tickets, path)
            got = md5_of_replay(path, tickets)
            want = RECORDED.get((size, variant))
            verdict = "new" if want is None else "same" if want == got else f"DIFFERS from {want}"
            differ |= want is not None and want != got
            print(f"{size:>6} {variant:<9} {got}  {verdict}", flush=True)
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
