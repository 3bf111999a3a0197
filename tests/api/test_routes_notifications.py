"""issue 22, "Operating it": the notifications API (deliveries with their fires, paged
and filtered; a dead letter sent again by hand) and ``GET /metrics``, on both
databases, with a worker delivering to a webhook receiver on 127.0.0.1."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from slaclock.service.notifications import safe_address
from slaclock.service.worker import Worker, webhook_sender

SECRET = "whsec-ops-0123456789"
CONFIG = """
calendars:
  - {id: always, tz: UTC, always_open: true}
people:
  - {id: anna, name: Anna, email: anna@example.com, groups: [support]}
groups:
  - {id: support, name: Support, lead: anna}
webhooks:
  - {id: ops, url: "%(url)s", secret_env: OPS_SECRET, format: json}
policies:
  - id: std
    name: Standard
    calendar: always
    targets:
      first_response: {within: 1h}
    reminders:
      - {before: 15m, notify: ["webhook:ops"], metrics: [first_response]}
    escalations:
      - {after: 0m, notify: ["webhook:ops", group_lead], metrics: [first_response]}
"""


class Receiver:
    """Answers every POST with ``status`` (400 until told otherwise)."""

    def __init__(self) -> None:
        self.status = 400
        self.url = ""


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(state.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port = server.server_address[1]
    state.url = f"http://hook:s3cret@127.0.0.1:{port}/hooks?token=abc#frag"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield state
    server.shutdown()


@pytest.fixture
def fired(api: Any, receiver: Receiver) -> Iterator[tuple[Any, Worker]]:
    """T-1 and T-2 created at 09:00, the worker run at 10:00: each ticket's reminder
    (late) to the webhook and its breach to the webhook and to anna by email. The
    webhook answers 400, so its four deliveries are dead; the two emails are sent."""
    services, clock = api.services, api.clock
    services.config_apply(CONFIG % {"url": receiver.url}, "test", clock.now())
    events = [_created(ticket, clock.now()) for ticket in ("T-1", "T-2")]
    posted = api.client.post("/api/v1/events", json=events, headers=api.headers("ingest"))
    assert posted.status_code in (200, 207), posted.text
    clock.advance(hours=1)
    with httpx.Client() as client:
        senders = {
            "webhook": webhook_sender(services, {"OPS_SECRET": SECRET}, client),
            "email": lambda delivery, now: None,
        }
        worker = Worker(services, senders, clock.now, "https://sla.example")
        assert worker.run_once() == (4, 6)
        yield api, worker


def _created(ticket: str, at: Any) -> dict[str, Any]:
    return {"id": f"{ticket}-c", "ticket": ticket, "at": at.isoformat(),
            "type": "ticket.created", "by": "customer",
            "fields": {"status": "open", "priority": "high", "group": "support"}}  # fmt: skip


def _rows(api: Any, url: str, role: str = "viewer") -> list[dict[str, Any]]:
    response = api.client.get(url, headers=api.headers(role))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["next_cursor"] is None
    rows: list[dict[str, Any]] = body["rows"]
    return rows


def test_deliveries_are_listed_with_their_fires_and_safe_addresses(fired: Any) -> None:
    api, _ = fired
    rows = _rows(api, "/api/v1/notifications")
    assert len(rows) == 6
    assert set(rows[0]) >= {
        "id", "ticket", "type", "entry", "metric", "cycle", "recipient", "channel", "address",
        "state", "status", "attempts", "next_attempt_at", "last_error", "created_at",
        "sent_at", "held_until",
    }  # fmt: skip
    hook = next(r for r in rows if r["channel"] == "webhook")
    assert hook["address"].startswith("http://127.0.0.1:") and hook["address"].endswith("/hooks")
    assert "s3cret" not in str(rows) and "token=abc" not in str(rows)
    assert hook["state"] == "dead" and hook["last_error"] == "HTTP 400 Bad Request"
    email = next(r for r in rows if r["channel"] == "email")
    assert (email["address"], email["recipient"], email["type"], email["state"]) == (
        "anna@example.com", "person:anna", "sla.breached", "sent")  # fmt: skip
    assert email["sent_at"] == "2026-03-02T10:00:00Z" and email["metric"] == "first_response"
    assert [(r["created_at"], r["id"]) for r in rows] == sorted(
        (r["created_at"], r["id"]) for r in rows
    )


@pytest.mark.parametrize(
    ("query", "count"),
    [
        ("state=dead", 4),
        ("state=sent", 2),
        ("state=pending", 0),
        ("channel=email", 2),
        ("type=sla.breached", 4),
        ("type=sla.reminder", 2),
        ("type=sla.escalation", 0),
        ("ticket=T-1", 3),
        ("recipient=person:anna", 2),
        ("ticket=T-2&type=sla.breached&channel=webhook&state=dead", 1),
    ],
)
def test_filters(fired: Any, query: str, count: int) -> None:
    api, _ = fired
    assert len(_rows(api, f"/api/v1/notifications?{query}")) == count


LATE = '\n  - {id: late, tz: UTC, week: {mon: ["22:00-23:00"]}}'
QUIET_ANNA = CONFIG.replace("groups: [support]}", "groups: [support], calendar: late}").replace(
    "always_open: true}", "always_open: true}" + LATE
)


def test_pending_deliveries_show_whether_held_for_quiet_hours_or_failed(
    api: Any, receiver: Receiver
) -> None:
    """The webhook answers 503 (retried later: failed); anna's breach email falls in her
    quiet hours (held until 22:00). Both are pending; ``status`` and ``state=`` tell
    them apart."""
    services, clock = api.services, api.clock
    receiver.status = 503
    services.config_apply(QUIET_ANNA % {"url": receiver.url}, "test", clock.now())
    events = [_created(ticket, clock.now()) for ticket in ("T-1", "T-2")]
    posted = api.client.post("/api/v1/events", json=events, headers=api.headers("ingest"))
    assert posted.status_code in (200, 207), posted.text
    clock.advance(hours=1)
    with httpx.Client() as client:
        senders = {
            "webhook": webhook_sender(services, {"OPS_SECRET": SECRET}, client),
            "email": lambda delivery, now: None,
        }
        assert Worker(services, senders, clock.now).run_once() == (4, 4)
    rows = _rows(api, "/api/v1/notifications")
    assert {(r["channel"], r["state"], r["status"]) for r in rows} == {
        ("webhook", "pending", "failed"), ("email", "pending", "held")}  # fmt: skip
    held = next(r for r in rows if r["status"] == "held")
    assert held["held_until"] == "2026-03-02T22:00:00Z" and held["attempts"] == 0
    failed = next(r for r in rows if r["status"] == "failed")
    assert failed["last_error"] == "HTTP 503 Service Unavailable" and failed["attempts"] == 1
    counts = {q: len(_rows(api, f"/api/v1/notifications?state={q}"))
              for q in ("pending", "held", "failed", "sent", "dead")}  # fmt: skip
    assert counts == {"pending": 6, "held": 2, "failed": 4, "sent": 0, "dead": 0}


def test_pages_follow_the_cursor_to_the_end(fired: Any) -> None:
    api, _ = fired
    everything = [r["id"] for r in _rows(api, "/api/v1/notifications")]
    seen, cursor = [], None
    while True:
        params: dict[str, Any] = {"limit": 4} if cursor is None else {"limit": 4, "cursor": cursor}
        page = api.client.get("/api/v1/notifications", params=params, headers=api.headers())
        body = page.json()
        seen += [r["id"] for r in body["rows"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == everything


@pytest.mark.parametrize(
    "query",
    ["cursor=nonsense", "cursor=WzEsMl0", "state=held-or-not", "type=sla.other", "limit=0",
     "limit=501", "channel=fax", "colour=red"],
)  # fmt: skip
def test_bad_queries_are_refused(fired: Any, query: str) -> None:
    api, _ = fired
    response = api.client.get(f"/api/v1/notifications?{query}", headers=api.headers())
    assert response.status_code in (400, 422), response.text
    assert response.headers["content-type"].startswith("application/problem+json")


def test_a_tickets_notifications(fired: Any) -> None:
    api, _ = fired
    rows = _rows(api, "/api/v1/tickets/T-2/notifications", role="agent")
    assert len(rows) == 3 and {r["ticket"] for r in rows} == {"T-2"}
    assert _rows(api, "/api/v1/tickets/T-9/notifications") == []


def test_a_dead_letter_is_retried_by_hand_and_then_delivered(
    fired: Any, receiver: Receiver
) -> None:
    api, worker = fired
    rows = _rows(api, "/api/v1/notifications")
    dead = next(r for r in rows if r["state"] == "dead")
    sent = next(r for r in rows if r["state"] == "sent")
    retry = "/api/v1/notifications/{}/retry".format
    assert api.client.post(retry("d_nosuch"), headers=api.headers()).status_code == 404
    assert api.client.post(retry(sent["id"]), headers=api.headers()).status_code == 409
    assert api.client.post(retry(dead["id"]), headers=api.headers("viewer")).status_code == 403
    api.services.schedule_changed.clear()
    response = api.client.post(retry(dead["id"]), headers=api.headers())
    assert response.status_code == 200, response.text
    assert response.json() == {"id": dead["id"], "state": "pending",
                               "next_attempt_at": "2026-03-02T10:00:00Z"}  # fmt: skip
    assert api.services.schedule_changed.is_set()  # the worker is woken
    assert api.client.post(retry(dead["id"]), headers=api.headers()).status_code == 409
    [again] = [r for r in _rows(api, "/api/v1/notifications?state=pending")]
    assert (again["id"], again["attempts"]) == (dead["id"], 0)
    receiver.status = 200
    assert worker.run_once() == (0, 1)
    [now_sent] = [r for r in _rows(api, "/api/v1/notifications") if r["id"] == dead["id"]]
    assert now_sent["state"] == "sent" and now_sent["last_error"] is None


def _metrics(
    api: Any, role: str = "viewer"
) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = api.client.get("/metrics", headers=api.headers(role))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def test_metrics_count_what_this_process_did_and_read_the_gauges(fired: Any) -> None:
    api, _ = fired
    found = _metrics(api)
    assert found[("slaclock_events_ingested_total", (("outcome", "accepted"),))] == 2
    assert found[("slaclock_events_ingested_total", (("outcome", "duplicate"),))] == 0
    assert found[("slaclock_entries_fired_total", (("type", "sla.reminder"),))] == 2
    assert found[("slaclock_entries_fired_total", (("type", "sla.breached"),))] == 2
    dead = ("slaclock_deliveries_total", (("channel", "webhook"), ("outcome", "dead")))
    sent = ("slaclock_deliveries_total", (("channel", "email"), ("outcome", "sent")))
    assert (found[dead], found[sent]) == (4, 2)
    assert found[("slaclock_fire_lag_seconds_count", ())] == 4
    assert found[("slaclock_fire_lag_seconds_sum", ())] == 2 * 15 * 60  # two reminders late
    assert found[("slaclock_fire_lag_seconds_bucket", (("le", "0.1"),))] == 2  # the breaches
    assert found[("slaclock_outbox_dead", ())] == 4
    assert found[("slaclock_outbox_pending", ())] == 0
    assert found[("slaclock_schedule_size", ())] == 0

    # a duplicate and a rejected event, then a new ticket planned: the counts move
    events = [_created("T-1", api.clock.now()), {"id": "bad"}, _created("T-3", api.clock.now())]
    api.client.post("/api/v1/events", json=events, headers=api.headers("ingest"))
    found = _metrics(api, role="admin")
    for outcome, n in (("accepted", 3), ("duplicate", 1), ("rejected", 1)):
        assert found[("slaclock_events_ingested_total", (("outcome", outcome),))] == n
    assert found[("slaclock_schedule_size", ())] == 2  # T-3's reminder and breach


def test_metrics_need_a_token(fired: Any) -> None:
    api, _ = fired
    assert api.client.get("/metrics").status_code == 401
    assert api.client.get("/metrics", headers=api.headers("agent")).status_code == 403


def test_a_fresh_services_starts_its_counters_at_zero(fired: Any) -> None:
    from slaclock.service.app_state import Services

    api, _ = fired
    other = Services(api.services.db)
    text = other.metrics.exposition().decode()
    assert 'slaclock_events_ingested_total{outcome="accepted"} 0.0' in text
    assert "slaclock_outbox_dead 4.0" in text  # the gauges are the database's


@pytest.mark.parametrize(
    ("channel", "address", "shown"),
    [
        ("email", "ana@example.ro", "ana@example.ro"),
        ("webhook", "https://u:p@hooks.example.com:8443/in/x?sig=1#f", "https://hooks.example.com:8443/in/x"),
        ("webhook", "http://[::1]:9000/h?x=1", "http://[::1]:9000/h"),
        ("slack", "https://hooks.slack.com/services/T0/B0/secret", "https://hooks.slack.com/…"),
        ("webhook", "http://host:notaport/x", "…"),
    ],
)  # fmt: skip
def test_safe_address(channel: str, address: str, shown: str) -> None:
    assert safe_address(channel, address) == shown
