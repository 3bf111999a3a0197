"""Through the API, a shuffled workload with duplicates gives exactly the CLI's replay.

A generated workload is posted in batches, out of order and with repeated deliveries;
then, for every ticket and several instants, ``GET /tickets/{id}/instances?as_of=T``
must equal what ``slaclock replay --as-of T`` prints for the same configuration and
events (events.md: "the service's API returns the same instances as this command").
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from slaclock.api import create_app
from slaclock.cli.main import app as cli
from slaclock.core.config import parse_config
from slaclock.core.workload import generate_events
from slaclock.service.compose import services_on

ROOT = Path(__file__).resolve().parents[2]
CONFIGS = {
    "example": ROOT / "tests" / "data" / "example_config.yaml",
    "demo": ROOT / "demo" / "config.yaml",
}
START = datetime(2026, 3, 2, tzinfo=UTC)
DAYS = 6
END = START + timedelta(days=DAYS)
AS_OF = [START + timedelta(days=2, hours=11), END, END + timedelta(days=5)]


def _iso(instant: datetime) -> str:
    return instant.strftime("%Y-%m-%dT%H:%M:%SZ")


def _cli_replay(
    config: Path, tmp_path: Path, events: list[dict[str, Any]], as_of: datetime
) -> dict:
    path = tmp_path / "events.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in events), encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["replay", "--config", str(config), "--events", str(path), "--as-of", _iso(as_of)]
    )
    assert result.exit_code == 0, result.output
    by_ticket: dict[str, list[dict]] = defaultdict(list)
    for line in result.stdout.splitlines():
        instance = json.loads(line)
        by_ticket[instance["ticket"]].append(instance)
    return by_ticket


def _shuffled_with_duplicates(events: list[dict[str, Any]], rng: random.Random) -> list[dict]:
    deliveries = events + rng.sample(events, len(events) // 5)
    rng.shuffle(deliveries)
    return deliveries


@pytest.mark.parametrize("config_name", sorted(CONFIGS))
def test_api_instances_equal_cli_replay_for_every_ticket(
    e2e_engine: Any, tmp_path: Path, config_name: str
) -> None:
    config = CONFIGS[config_name]
    text = config.read_text(encoding="utf-8")
    events = list(generate_events(parse_config(text), 120, DAYS, 11, START))
    services = services_on(e2e_engine)
    services.config_apply(text, "e2e", START)
    _, secret = services.tokens.create("admin", "e2e", START)
    client = TestClient(create_app(services, lambda: END), raise_server_exceptions=False)
    headers = {"Authorization": f"Bearer {secret}"}

    deliveries = _shuffled_with_duplicates(events, random.Random(5))
    accepted, duplicates = 0, 0
    for first in range(0, len(deliveries), 97):
        response = client.post(
            "/api/v1/events", json=deliveries[first : first + 97], headers=headers
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["rejected"] == []
        accepted += len(body["accepted"])
        duplicates += len(body["duplicates"])
    assert (accepted, duplicates) == (len(events), len(deliveries) - len(events))

    # Ties in `at` are broken by arrival order: the CLI reads the events in the order
    # the service first received them.
    arrival = list({e["id"]: e for e in deliveries}.values())  # keys keep first position
    tickets = sorted({e["ticket"] for e in events})
    for as_of in AS_OF:
        expected = _cli_replay(config, tmp_path, arrival, as_of)
        for ticket in tickets:
            response = client.get(
                f"/api/v1/tickets/{ticket}/instances",
                params={"as_of": _iso(as_of)},
                headers=headers,
            )
            assert response.status_code == 200, response.text
            assert response.json() == expected.get(ticket, []), (ticket, _iso(as_of))
