"""``zendesk`` from the API, against a fake Zendesk on 127.0.0.1: time-based pages and
their repeated items, the documented rate limit (10 a minute; 429 and Retry-After),
outages, the state file that resumes an interrupted export, and the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from slaclock.cli.main import app
from slaclock.core.errors import SlaclockError
from slaclock.service.importers import ApiOptions, ImportOptions, Summary, import_events
from slaclock.service.importers.zendesk_api import (
    ExportState,
    RateLimiter,
    ZendeskApi,
    auth_headers,
)

from .fake_zendesk import FakeClock, FakeZendesk, sample_items, serving
from .helpers import ZENDESK_EVENTS, ZENDESK_METRICS, run

HEADERS = {"Authorization": "Bearer test-token"}


def _fake(**kwargs: Any) -> FakeZendesk:
    items = {key: sample_items(key) for key in ("ticket_events", "ticket_metric_events")}
    return FakeZendesk(items, **kwargs)


def _import(
    fake: FakeZendesk,
    state: ExportState,
    clock: FakeClock,
    verdicts: list[dict[str, Any]] | None,
    events: list[dict[str, Any]] | None = None,
) -> tuple[list[dict[str, Any]], Summary, ZendeskApi]:
    """Import from ``fake`` into ``events``, telling ``state`` each one is delivered."""
    limiter = RateLimiter(clock=clock.clock, sleep=clock.sleep)
    summary = Summary()
    events = [] if events is None else events
    with httpx.Client(timeout=10) as client:
        api = ZendeskApi(fake.base_url, HEADERS, state, client, limiter)
        write = verdicts.append if verdicts is not None else None
        options = ImportOptions(verdicts=write, api=ApiOptions(api, verdicts is not None))
        for event in import_events("zendesk", [], options, summary):
            events.append(event)
            state.delivered()
    state.finish()
    return events, summary, api


def test_the_api_gives_what_the_files_give_repeats_dropped(tmp_path: Path) -> None:
    from_files, _ = run("zendesk", ZENDESK_EVENTS, ZENDESK_METRICS)
    file_verdicts: list[dict[str, Any]] = []
    run("zendesk", ZENDESK_EVENTS, ZENDESK_METRICS, verdicts=file_verdicts.append)
    with serving(_fake(per_page=4)) as fake:
        state = ExportState.load(tmp_path / "state.json", fake.base_url)
        verdicts: list[dict[str, Any]] = []
        events, summary, api = _import(fake, state, FakeClock(), verdicts)
    assert sorted(e["id"] for e in events) == sorted(e["id"] for e in from_files)
    assert len(events) == len({e["id"] for e in events})  # no event twice
    assert "items served twice (same id): the repeat is skipped" in summary.notices
    assert sorted(map(json.dumps, verdicts)) == sorted(map(json.dumps, file_verdicts))
    paths = [path for path, _, _ in fake.requests]
    assert paths[0] == "/api/v2/incremental/ticket_events.json"
    assert paths[-1] == "/api/v2/incremental/ticket_metric_events.json"
    assert fake.requests[0][1] == {"start_time": ["0"], "include": ["comment_events"]}
    assert all(auth == "Bearer test-token" for _, _, auth in fake.requests)
    saved = json.loads((tmp_path / "state.json").read_text())
    assert saved["base_url"] == fake.base_url
    assert set(saved["next"]) == {"ticket_events", "ticket_metric_events"}
    assert api.requests == len(fake.requests)


def test_ten_requests_a_minute_and_429_waits_its_retry_after() -> None:
    clock = FakeClock()
    with serving(_fake(per_page=3, throttle={3, 5}, retry_after="7")) as fake:
        _import(fake, ExportState.load(None, fake.base_url), clock, None)
    assert len(fake.requests) > 10
    assert clock.slept[:2] == [7.0, 7.0]  # the 429s' Retry-After, then the same page again
    assert fake.requests[2][1] == fake.requests[3][1]
    waits = clock.slept[2:]  # the rate limit: the 11th request waits for the 1st to age
    assert waits and all(0 < s <= 60 for s in waits)


def test_the_rate_limiter_spaces_requests_by_its_window() -> None:
    clock = FakeClock()
    limiter = RateLimiter(requests=10, period=60.0, clock=clock.clock, sleep=clock.sleep)
    sent = []
    for _ in range(25):
        limiter.wait()
        sent.append(clock.now)
        clock.now += 1.0  # each request takes a second
    assert all(b - a >= 60.0 for a, b in zip(sent, sent[10:], strict=False))
    assert sent[9] - sent[0] == 9.0  # the first ten go at once
    assert sent[10] - sent[0] == 60.0 and clock.slept[0] == 50.0  # the 11th waits


def test_an_interrupted_export_resumes_from_its_last_safe_page(tmp_path: Path) -> None:
    state_file = tmp_path / "state.json"
    complete, _ = run("zendesk", ZENDESK_EVENTS)
    with serving(_fake(per_page=3, down_from=4)) as fake:
        before: list[dict[str, Any]] = []
        with pytest.raises(SlaclockError, match="HTTP 503, 5 times; run again to resume"):
            _import(fake, ExportState.load(state_file, fake.base_url), FakeClock(), None, before)
        saved = json.loads(state_file.read_text())["next"]["ticket_events"]
        assert "start_time=" in saved and "start_time=0" not in saved
        fake.down_from = None
        fake.requests.clear()
        resumed = ExportState.load(state_file, fake.base_url)
        after, _, _ = _import(fake, resumed, FakeClock(), None)
    assert fake.requests[0][1]["start_time"] != ["0"]  # resumed, not from the start
    assert {e["id"] for e in before} | {e["id"] for e in after} == {e["id"] for e in complete}
    assert before and len(after) < len(complete)


def test_a_next_page_on_another_host_is_refused(tmp_path: Path) -> None:
    with serving(_fake(elsewhere=True)) as fake:
        state = ExportState.load(None, fake.base_url)
        with pytest.raises(SlaclockError, match=r"is not on http://127\.0\.0\.1"):
            _import(fake, state, FakeClock(), None)
    assert len(fake.requests) == 1


def test_a_state_file_of_another_account_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text('{"base_url": "https://acme.zendesk.com", "next": {}}')
    with pytest.raises(SlaclockError, match=r"not 'https://other\.zendesk\.com'"):
        ExportState.load(path, "https://other.zendesk.com")


def test_credentials_an_api_token_or_an_oauth_token() -> None:
    basic = auth_headers("anna@example.com", "s3cret", None)["Authorization"]
    assert basic == "Basic YW5uYUBleGFtcGxlLmNvbS90b2tlbjpzM2NyZXQ="  # anna@…/token:s3cret
    assert auth_headers(None, None, "oauth")["Authorization"] == "Bearer oauth"
    with pytest.raises(SlaclockError, match="SLACLOCK_ZENDESK_OAUTH_TOKEN"):
        auth_headers("anna@example.com", None, None)


def test_the_command_line_with_api_and_state(tmp_path: Path) -> None:
    out, verdicts, state = tmp_path / "e.jsonl", tmp_path / "v.jsonl", tmp_path / "s.json"
    env = {"SLACLOCK_ZENDESK_EMAIL": "anna@example.com", "SLACLOCK_ZENDESK_API_TOKEN": "t"}
    with serving(_fake(per_page=50, metric_page=50)) as fake:
        args = ["import", "zendesk", "--api", fake.base_url, "--state", str(state)]
        first = CliRunner().invoke(
            app, [*args, "-o", str(out), "--verdicts-output", str(verdicts)], env=env
        )
        assert first.exit_code == 0, first.output
        assert "read 18 rows: 23 events of 5 tickets" in first.stderr
        assert f"2 requests to {fake.base_url}; the next import resumes from" in first.stderr
        assert len(verdicts.read_text().splitlines()) == 6
        again = CliRunner().invoke(app, [*args, "-o", str(tmp_path / "again.jsonl")], env=env)
        assert again.exit_code == 0, again.output
    first_start = fake.requests[0][1]["start_time"]
    assert first_start == ["0"] and fake.requests[2][1]["start_time"] != ["0"]
    assert fake.requests[0][2] is not None and fake.requests[0][2].startswith("Basic ")


def test_the_command_line_refuses_files_with_api_and_api_for_other_sources(tmp_path: Path) -> None:
    runner = CliRunner()
    both = runner.invoke(app, ["import", "zendesk", str(ZENDESK_EVENTS), "--api", "https://x.y"])
    assert both.exit_code == 2 and "not both" in both.stderr
    other = runner.invoke(
        app, ["import", "jira", "--api", "https://x.y"], env={"SLACLOCK_ZENDESK_OAUTH_TOKEN": "t"}
    )
    assert other.exit_code == 2 and "--api is for zendesk, not jira" in other.stderr
    state = runner.invoke(app, ["import", "zendesk", str(ZENDESK_EVENTS), "--state", "s.json"])
    assert state.exit_code == 2 and "--state and --start-time are for --api" in state.stderr
    bad = runner.invoke(
        app,
        ["import", "zendesk", "--api", "acme.zendesk.com"],
        env={"SLACLOCK_ZENDESK_OAUTH_TOKEN": "t"},
    )
    assert bad.exit_code == 2 and "expected the account's URL" in bad.stderr
