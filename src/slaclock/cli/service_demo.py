"""``slaclock demo``: a populated service from nothing, in one command.

Recreates ``./var/demo.db``, applies ``demo/config.yaml``, generates 90 days of tickets
ending now (the newest still open), ingests them with a progress bar, creates an admin
token and serves the API. Events the generator places after now are left out: they
have not happened yet.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from slaclock.service.app_state import Services

__all__ = ["demo", "demo_config_path", "populate"]

DEMO_DB = Path("var") / "demo.db"
#: The demo's mail and webhook sinks keep what arrives here.
DEMO_INBOX = Path("var") / "demo-inbox"
#: The port demo/config.yaml's webhooks point at.
DEMO_WEBHOOK_PORT = 9000
BATCH_EVENTS = 5000


def demo_config_path() -> Path:
    """``demo/config.yaml`` of the source checkout this module lies in (at any depth:
    the tests also run a copy of the package under ``build/``), else of the current
    directory."""
    for folder in Path(__file__).resolve().parents:
        found = folder / "demo" / "config.yaml"
        if found.is_file():
            return found
    return Path("demo") / "config.yaml"


def _fresh_database(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def _batches(events: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for event in events:
        batch.append(event)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _past_events(config: Any, tickets: int, days: int, seed: int, now: datetime) -> list[Any]:
    """The generated events as a healthy team would have lived them
    (:mod:`slaclock.service.demo_world`), up to ``now``, in time order; later ones are
    dropped."""
    from slaclock.core.workload import generate_events
    from slaclock.service import demo_world

    start = now - timedelta(days=days)
    events = demo_world.tighten(list(generate_events(config, tickets, days, seed, start)))
    events = [e for e in events if _instant(e["at"]) <= now]
    events.sort(key=lambda e: _instant(e["at"]))
    demo_world.rename_customers(events, seed)
    events.extend(demo_world.housekeeping(events, now))
    events.sort(key=lambda e: _instant(e["at"]))
    for event in events:
        if isinstance(event["at"], datetime):
            event["at"] = demo_world.stamp(event["at"])
    return events


def _instant(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def _overdue_before_today(
    services: Services, events: list[dict[str, Any]], now: datetime
) -> dict[str, tuple[datetime, datetime, str | None]]:
    """Tickets with a running clock overdue since before today: (overdue since, the
    ticket's last event, its assignee)."""
    day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    rows = services.overdue_before(day_start)
    last = {e["ticket"]: _instant(e["at"]) for e in events}
    found: dict[str, tuple[datetime, datetime, str | None]] = {}
    for ticket, since, assignee in rows:
        if ticket not in found and ticket in last:
            found[ticket] = (since, last[ticket], assignee)
    return found


def populate(
    services: Services, tickets: int, days: int, seed: int, now: datetime
) -> dict[str, int]:
    """Apply the demo configuration and ingest the generated history; returns counts."""
    from rich.progress import Progress

    from slaclock.service.demo_world import catch_up

    services.config_apply(demo_config_path().read_text(encoding="utf-8"), "demo", now)
    config = services.config_current()[2]
    counts = {"events": 0, "accepted": 0, "duplicates": 0, "rejected": 0}
    with Progress() as progress:
        task = progress.add_task("generating", total=None)
        events = _past_events(config, tickets, days, seed, now)
        _ingest(services, events, now, counts, progress, task, "ingesting events")
        late = catch_up(_overdue_before_today(services, events, now), now, seed)
        _ingest(services, late, now, counts, progress, task, "working off the backlog")
    return counts


def _ingest(
    services: Services,
    events: list[dict[str, Any]],
    now: datetime,
    counts: dict[str, int],
    progress: Any,
    task: Any,
    description: str,
) -> None:
    progress.update(task, description=description, total=len(events), completed=0)
    for batch in _batches(events, BATCH_EVENTS):
        result = services.ingest(batch, now)
        counts["events"] += len(batch)
        counts["accepted"] += len(result.accepted)
        counts["duplicates"] += len(result.duplicates)
        counts["rejected"] += len(result.rejected)
        progress.advance(task, len(batch))


def live_outages(now: datetime) -> list[dict[str, Any]]:
    """Three outage tickets opened minutes ago (15-minute first response, reminder 5
    minutes before, breach escalation to the lead, the manager and the ops webhook), so
    a person watching the demo sees mails and webhook bodies arrive within minutes."""
    events = []
    for n, (minutes_ago, assignee) in enumerate(((14.5, "claire"), (13, "anna"), (9.5, "omar"))):
        at = now - timedelta(minutes=minutes_ago)
        events.append(
            {
                "id": f"LIVE-{n + 1}-created",
                "ticket": f"LIVE-{n + 1}",
                "at": at.isoformat().replace("+00:00", "Z"),
                "type": "ticket.created",
                "by": "customer",
                "fields": {
                    "status": "open",
                    "priority": "urgent",
                    "type": "incident",
                    "channel": "phone",
                    "group": "support-eu",
                    "assignee": assignee,
                    "subject": f"Live outage {n + 1}: checkout is down",
                    "tags": ["outage"],
                    "customer": {
                        "id": "acme",
                        "name": "Acme",
                        "plan": "enterprise",
                        "region": "EU",
                    },
                    "requester": {
                        "id": "r1",
                        "name": "Rita",
                        "email": "rita@acme.example",
                        "locale": "de",
                    },
                },
            }
        )
    return events


def _start_notifications(services: Services, now: datetime, base_url: str) -> None:
    """Deliver the demo's notifications to local sinks a person can read, from now on.

    The history was imported in one go, so every escalation it left overdue would fire
    at once: the demo drops what fell due before now and notifies only what comes due
    while it runs (an import into a real installation may want the same).
    """
    import threading

    from slaclock.cli.demo_sinks import start_sinks
    from slaclock.service.compose import notification_worker

    try:
        sinks = start_sinks(DEMO_INBOX, webhook_port=DEMO_WEBHOOK_PORT)
    except ImportError:  # aiosmtpd comes with the dev extra, which `make demo` installs
        typer.echo("notifications: not delivered (install slaclock[dev] for the demo's sinks)")
        return
    except OSError as exc:
        typer.echo(f"notifications: not delivered ({exc}; is port {DEMO_WEBHOOK_PORT} taken?)")
        return
    os.environ.update(
        SLACLOCK_SMTP_URL=sinks.smtp_url,
        SLACLOCK_MAIL_FROM="slaclock demo <sla@demo.example>",
        SLACLOCK_BASE_URL=base_url,
    )
    for name in ("SLACLOCK_WEBHOOK_OPS_SECRET", "SLACLOCK_WEBHOOK_CHAT_SECRET"):
        os.environ.setdefault(name, "demo-webhook-secret")
    os.environ.setdefault("SLACLOCK_ACK_SECRET", "demo-ack-secret")
    dropped = services.db.writing(lambda tx: tx.schedule.drop_due(now))
    services.ingest(live_outages(now), now)
    worker, _ = notification_worker(services, os.environ, lambda: datetime.now(UTC))
    threading.Thread(target=worker.run, name="demo-notify", daemon=True).start()
    with services.db.reading() as tx:
        upcoming = tx.schedule.next_fire_at()
    nearest = f"next due {upcoming:%Y-%m-%d %H:%M:%S} UTC" if upcoming else "none planned"
    typer.echo(
        f"notifications: mails in {DEMO_INBOX / 'mail'}, webhook bodies in "
        f"{DEMO_INBOX / 'webhooks'} ({dropped} entries overdue in the history skipped; "
        f"{nearest})"
    )


def demo(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    tickets: Annotated[int, typer.Option(help="tickets over the whole history")] = 20_000,
    days: Annotated[int, typer.Option(help="days of history ending now")] = 90,
    seed: Annotated[int, typer.Option(help="random seed of the generator")] = 7,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="populate, then stop")] = False,
) -> None:
    """Build a demo database (var/demo.db) with 90 days of tickets and serve the API."""
    import uvicorn

    from slaclock.api.limits import DEFAULT_MAX_HEADER_BYTES
    from slaclock.cli.service_cmd import http_settings
    from slaclock.service.compose import open_services
    from slaclock.web import create_site

    now = datetime.now(UTC).replace(microsecond=0)
    services = open_services(_fresh_database(DEMO_DB), upgrade=True)
    counts = populate(services, tickets, days, seed, now)
    typer.echo(
        f"ingested {counts['accepted']} events ({counts['duplicates']} duplicates, "
        f"{counts['rejected']} rejected) into {DEMO_DB}"
    )
    os.environ.setdefault("SLACLOCK_SOURCE_HELPDESK_SECRET", "demo-helpdesk-secret")
    os.environ.setdefault("SLACLOCK_CUSTOMER_LINK_SECRET", "demo-customer-link-secret")
    _, secret = services.tokens.create("admin", "demo", now)
    if not no_serve:
        _start_notifications(services, now, f"http://{host}:{port}")
    typer.echo(f"dashboard: http://{host}:{port}/login  (sign in with the admin token)")
    typer.echo(f"API: http://{host}:{port}/api/v1  (docs at /docs, OpenAPI at /openapi.json)")
    typer.echo(f"admin token: {secret}")
    if not no_serve:
        settings = http_settings(DEFAULT_MAX_HEADER_BYTES)
        uvicorn.run(create_site(services), host=host, port=port, **settings)
