"""The demo's sinks: what the notification worker sends arrives as files to open."""

from __future__ import annotations

import email
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from slaclock.cli.demo_sinks import start_sinks
from slaclock.service.compose import notification_worker, services_on
from slaclock.store.testing import drop_scratch, scratch_engine

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CONFIG = """
calendars:
  - {id: always, tz: UTC, always_open: true}
people:
  - {id: anna, name: Anna de Vries, email: anna@example.com, locale: nl, groups: [support]}
groups:
  - {id: support, name: Support, lead: anna}
webhooks:
  - {id: ops, url: "http://127.0.0.1:%(port)s/hooks/sla", secret_env: OPS_SECRET}
policies:
  - id: std
    name: Standard
    calendar: always
    targets: {first_response: {within: 1h}}
    escalations:
      - {after: 0m, notify: [group_lead, "webhook:ops"]}
"""


def test_mails_and_webhook_bodies_land_as_files(tmp_path: Path) -> None:
    sinks = start_sinks(tmp_path / "inbox", webhook_port=0)
    engine = scratch_engine("sqlite", tmp_path)
    try:
        services = services_on(engine)
        services.config_apply(CONFIG % {"port": sinks.webhook_port}, "test", NOW)
        event = {"id": "c", "ticket": "T-1", "at": "2026-03-02T09:00:00Z",
                 "type": "ticket.created", "by": "customer",
                 "fields": {"status": "open", "priority": "high", "group": "support"}}  # fmt: skip
        services.ingest([event], NOW)
        environ = {"SLACLOCK_SMTP_URL": sinks.smtp_url, "SLACLOCK_MAIL_FROM": "sla@demo.example",
                   "OPS_SECRET": "s", "SLACLOCK_BASE_URL": "http://127.0.0.1:8000"}  # fmt: skip
        worker, close = notification_worker(services, environ, lambda: NOW + timedelta(hours=1))
        try:
            assert worker.run_once() == (1, 2)
            with services.db.reading() as tx:
                failed = [(d.channel, d.last_error) for d in tx.outbox.listing() if d.last_error]
            assert not failed
        finally:
            close()
    finally:
        sinks.stop()
        drop_scratch(engine)
    [mail] = list((tmp_path / "inbox" / "mail").glob("*.eml"))
    message = email.message_from_bytes(mail.read_bytes())
    assert message["To"].endswith("<anna@example.com>") and "T-1" in message["Subject"]
    [hook] = list((tmp_path / "inbox" / "webhooks").glob("*.json"))
    kept = json.loads(hook.read_text())
    assert kept["body"]["type"] == "sla.breached" and kept["delivery"].startswith("d_")
    assert kept["signature"].startswith("t=")
