"""Server time of the dashboard's pages and the report endpoints (issue 24, "Speed").

    .venv/bin/python bench/dashboard_bench.py [--open 10000] [--demo var/demo.db]

Two worlds, on SQLite:

- **queue**: ``--open`` generated tickets all created in the last two days before the
  bench's instant, so about that many clocks are open (the example configuration);
  timed: the dashboard page (summary, per-group table, the first 50 queue rows), its
  last filtered view, a ticket page, and ``/api/v1/queue``.
- **reports** (``--demo``, when that database exists — ``slaclock demo --no-serve``
  builds it): every report endpoint over the last 30 days of the demo, and the pages
  that show them (the dashboard with its overview, the three reports pages, policies).

Each request is made through the ASGI app in process (Starlette's TestClient: server
time, no network), once to warm up and then ``--repeat`` times; the median is
printed. Targets: the queue page with 10,000 open clocks <= 1 s; every report page
on the demo database <= 1 s.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from slaclock.core.config import parse_config
from slaclock.core.workload import generate_events
from slaclock.service.compose import open_services
from slaclock.service.ingest import Limits
from slaclock.web import create_site

ROOT = Path(__file__).resolve().parents[1]
CONFIG = (ROOT / "tests" / "data" / "example_config.yaml").read_text()
BASE = "http://testserver"


def signed_in(app: Any, token: str) -> TestClient:
    client = TestClient(app, base_url=BASE)
    answer = client.post("/login", data={"token": token, "next": "/"},
                         headers={"Origin": BASE}, follow_redirects=False)  # fmt: skip
    assert answer.status_code == 303, answer.text
    return client


def median_ms(client: TestClient, url: str, repeat: int, headers: Any = None) -> float:
    assert client.get(url, headers=headers).status_code == 200, url
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        answer = client.get(url, headers=headers)
        times.append(time.perf_counter() - began)
        assert answer.status_code == 200, (url, answer.status_code)
    return 1000 * statistics.median(times)


def queue_world(open_tickets: int, repeat: int) -> list[tuple[str, float]]:
    path = Path(tempfile.mkdtemp(prefix="dash-bench-")) / "queue.db"
    services = open_services(f"sqlite:///{path}", upgrade=True)
    now = datetime(2026, 3, 4, 12, tzinfo=UTC)
    services.limits = Limits(future_skew=timedelta(days=30))
    services.config_apply(CONFIG, "bench", now - timedelta(days=10))
    generated = generate_events(parse_config(CONFIG), open_tickets, 2, 5, now - timedelta(days=2))
    events = [e for e in generated if e["type"] == "ticket.created"]  # nothing answered yet
    for first in range(0, len(events), 10_000):
        services.ingest(events[first : first + 10_000], now)
    token = services.tokens.create("viewer", "bench", now)[1]
    app = create_site(services, lambda: now, environ={})
    client = signed_in(app, token)
    with services.db.reading() as tx:
        counted = tx.instances.count()
    print(f"queue world: {len(events):,} tickets, {counted:,} instances (open)", flush=True)
    first_ticket = events[0]["ticket"]
    return [
        (f"dashboard page ({counted:,} open clocks)", median_ms(client, "/", repeat)),
        ("dashboard page, filtered (group, due within 2h)",
         median_ms(client, "/?group=support&due_within=2h", repeat)),
        ("ticket page", median_ms(client, f"/tickets/{first_ticket}", repeat)),
        ("GET /api/v1/queue (50 rows)", median_ms(
            client, "/api/v1/queue", repeat, {"Authorization": f"Bearer {token}"})),
    ]  # fmt: skip


def report_world(demo: Path, repeat: int) -> list[tuple[str, float]]:
    services = open_services(f"sqlite:///{demo}", upgrade=True)
    now = datetime.now(UTC)
    token = services.tokens.create("viewer", "bench", now)[1]
    app = create_site(services, lambda: now, environ={})
    client = TestClient(app, base_url=BASE)
    auth = {"Authorization": f"Bearer {token}"}
    window = f"from={(now - timedelta(days=30)).date()}&to={now.date()}&tz=Europe/Amsterdam"
    urls = {
        "compliance by group x day": f"/api/v1/reports/compliance?{window}&by=group&bucket=day",
        "compliance by priority x metric": (
            f"/api/v1/reports/compliance?{window}&by=priority,metric"
        ),
        "SLA log, first page": f"/api/v1/reports/log?{window}&limit=100",
        "heatmap": f"/api/v1/reports/heatmap?{window}",
        "breaches per day": f"/api/v1/reports/trend?{window}",
        "top lists": f"/api/v1/reports/top?{window}",
        "OLA attribution": f"/api/v1/reports/attribution?{window}",
        "pauses": f"/api/v1/reports/pauses?{window}",
    }  # fmt: skip
    timed = [(name, median_ms(client, url, repeat, auth)) for name, url in urls.items()]
    viewer = signed_in(app, token)
    pages = {
        "page / (tiles, 30-day chart, queue)": "/",
        "page /reports (30 days)": "/reports",
        "page /reports/breaches (30 days)": "/reports/breaches",
        "page /reports/statements (last month)": "/reports/statements",
        "page /policies": "/policies",
    }
    return timed + [(name, median_ms(viewer, url, repeat)) for name, url in pages.items()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--open", type=int, default=10_000)
    parser.add_argument("--demo", type=Path, default=ROOT / "var" / "demo.db")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rows = queue_world(args.open, args.repeat)
    if args.demo.exists():
        rows += report_world(args.demo, args.repeat)
    else:
        print(f"no demo database at {args.demo}: run `slaclock demo --no-serve` first")
    print("\n| page or endpoint | server time (median, ms) | target |\n|---|---|---|")
    for name, ms in rows:
        print(f"| {name} | {ms:,.0f} | <= 1,000 |")


if __name__ == "__main__":
    main()
