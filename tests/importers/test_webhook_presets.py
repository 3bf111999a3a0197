"""Live sync: each helpdesk's own webhook payloads (tests/data/importers/webhooks, in the
shapes the vendors document) through the real ``POST /api/v1/webhooks/{source}`` with a
``sources:`` entry that names a preset, then the ticket as the service sees it."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from slaclock.api import create_app
from slaclock.api.signing import sign
from slaclock.service.compose import services_on
from slaclock.store.testing import drop_scratch, scratch_engine

from .helpers import DATA

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from kit.clock import Clock

HOOKS = DATA / "webhooks"
CONFIG = (DATA.parent / "example_config.yaml").read_text(encoding="utf-8")
PRESETS = ("zendesk", "freshdesk", "jira", "zammad")
SOURCES = "\nsources:\n" + "".join(
    f"  - {{id: {name}-live, secret_env: HOOK_{name.upper()}, preset: {name}}}\n"
    for name in PRESETS
)
ENVIRON = {f"HOOK_{name.upper()}": f"secret-{name}" for name in PRESETS}


class Hooks:
    """The app on a fresh SQLite database, an ingest token, and a way to post."""

    def __init__(self, tmp_path: Path) -> None:
        self.clock = Clock(datetime(2026, 3, 2, 12, 0, tzinfo=UTC))
        self.engine = scratch_engine("sqlite", tmp_path)
        self.services = services_on(self.engine)
        self.services.config_apply(CONFIG + SOURCES, "test", self.clock.now())
        self.token = self.services.tokens.create("ingest", "hooks", self.clock.now())[1]
        app = create_app(self.services, self.clock.now, environ=ENVIRON)
        self.client = TestClient(app, raise_server_exceptions=False)

    def post(self, preset: str, payload: Any) -> Any:
        body = json.dumps(payload).encode()
        stamp = int(self.clock.now().timestamp())
        headers = {
            "Authorization": f"Bearer {self.token}",
            "Content-Type": "application/json",
            "X-Slaclock-Signature": sign(f"secret-{preset}", body, stamp),
        }
        return self.client.post(f"/api/v1/webhooks/{preset}-live", content=body, headers=headers)

    def deliver(self, preset: str) -> list[dict[str, Any]]:
        """Post every sample payload of ``preset``; the answers."""
        payloads = json.loads((HOOKS / f"{preset}.json").read_text(encoding="utf-8"))
        answers = []
        for payload in payloads:
            response = self.post(preset, payload)
            assert response.status_code == 200, response.text
            answers.append(response.json())
        return answers

    def events(self, ticket: str) -> list[dict[str, Any]]:
        view = self.services.ticket(ticket)
        assert view is not None, f"no ticket {ticket}"
        return [e.event for e in view.events]


@pytest.fixture
def hooks(tmp_path: Path) -> Iterator[Hooks]:
    made = Hooks(tmp_path)
    yield made
    drop_scratch(made.engine)


def _brief(events: list[dict[str, Any]]) -> list[tuple[str, str, Any]]:
    return [
        (e["at"][11:16], e["type"], e.get("changes") or e.get("author") or e.get("fields"))
        for e in events
    ]


def test_zendesk_ticket_event_webhooks(hooks: Hooks) -> None:
    answers = hooks.deliver("zendesk")
    assert answers[7] == {"accepted": [], "duplicates": [], "rejected": []}  # brand changed
    events = hooks.events("5158")
    assert events[0]["id"] == "zendesk:5158:created"  # as the importer names it
    assert _brief(events) == [
        ("08:00", "ticket.created", {
            "status": "new", "priority": "high", "type": "incident", "group": "20",
            "subject": "Printer on fire", "channel": "email", "tags": ["printer", "vip"],
            "requester": {"id": "9001"}, "customer": {"id": "501"},
        }),
        ("08:20", "ticket.updated", {"assignee": "7001"}),
        ("08:20", "message", "agent"),
        ("08:25", "ticket.updated", {"status": "pending"}),
        ("10:00", "message", "customer"),
        ("10:05", "ticket.updated", {"priority": "urgent"}),
        ("10:05", "ticket.updated", {"tags_added": ["outage"], "tags_removed": ["printer"]}),
        ("11:00", "ticket.updated", {"status": "solved"}),
    ]  # fmt: skip
    view = hooks.services.ticket("5158")
    assert view.fields["status"] == "solved" and view.fields["priority"] == "urgent"
    again = hooks.post("zendesk", json.loads((HOOKS / "zendesk.json").read_text())[3])
    assert again.json()["duplicates"] == [
        {"index": 0, "id": "zendesk:webhook:01HZ0000000000000000000004"}
    ]


def test_freshdesk_automation_webhooks(hooks: Hooks) -> None:
    hooks.deliver("freshdesk")
    events = hooks.events("42")
    assert events[0]["id"] == "freshdesk:42:created"
    assert [(e["type"], e.get("author"), e.get("changes")) for e in events] == [
        ("ticket.created", None, None),
        ("message", "agent", None),  # reply sent
        ("ticket.updated", None, {"status": "pending", "priority": "high", "group": "Billing",
                                  "assignee": "agnes@example.com"}),
        ("message", "customer", None),  # the customer replied: reopened
        ("ticket.updated", None, {"status": "solved", "priority": "high", "group": "Billing",
                                  "assignee": "agnes@example.com"}),
    ]  # fmt: skip
    assert events[0]["fields"]["requester"] == {"id": "carla@example.com"}
    assert hooks.services.ticket("42").fields["status"] == "solved"


def test_jira_issue_and_comment_webhooks(hooks: Hooks) -> None:
    hooks.deliver("jira")
    events = hooks.events("SD-7")
    assert [e["id"] for e in events] == [
        "jira:SD-7:created", "jira:SD-7:h10100", "jira:SD-7:c10000:reply", "jira:SD-7:h10101",
    ]  # the importer's ids: a history imported and a live stream meet  # fmt: skip
    assert _brief(events)[1:] == [
        ("08:30", "ticket.updated", {"status": "open", "assignee": "5b10a2844c20165700ede21g"}),
        ("08:30", "message", "agent"),
        ("09:00", "ticket.updated", {"status": "pending", "tags_added": ["client"]}),
    ]
    assert events[0]["fields"]["status"] == "open" and events[0]["by"] == "customer"
    assert sorted(hooks.services.ticket("SD-7").fields["tags"]) == ["client", "vpn"]


def test_zammad_trigger_webhooks(hooks: Hooks) -> None:
    hooks.deliver("zammad")
    events = hooks.events("11")
    assert [e["id"] for e in events if e["type"] != "ticket.updated"] == [
        "zammad:11:created", "zammad:11:a52:reply", "zammad:11:a53:note",
    ]  # fmt: skip
    assert events[0]["fields"]["priority"] == "high" and events[0]["by"] == "customer"
    view = hooks.services.ticket("11")
    assert view.fields["status"] == "pending" and view.fields["assignee"] == "4"


@pytest.mark.parametrize(
    ("preset", "payload", "says"),
    [
        ("zendesk", {"type": "zen:event-type:ticket.status_changed", "id": "x",
                     "detail": {"id": "1"}, "event": {"current": "ARCHIVED"},
                     "time": "2026-03-02T10:00:00Z"},
         "event.current: 'ARCHIVED' is not one of closed, hold, new, open, pending, solved"),
        ("jira", {"webhookEvent": "jira:issue_created", "issue": {}},
         "the payload has no issue.key"),
        ("zammad", [1, 2], "the body is not a JSON object"),
    ],
)  # fmt: skip
def test_a_payload_the_preset_cannot_read_is_422(
    hooks: Hooks, preset: str, payload: Any, says: str
) -> None:
    response = hooks.post(preset, payload)
    assert response.status_code == 422
    assert says in response.json()["detail"] and f"({preset})" in response.json()["detail"]
