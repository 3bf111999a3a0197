"""The dashboard: summary, queue rows by time left, filters, paging, time zones."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_datetime
from fastapi.testclient import TestClient

from slaclock.service.compose import open_services
from slaclock.service.queue import QueueFilters
from slaclock.web import create_site

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _service_rows(site: Any, limit: int = 500, **filters: Any) -> list[dict[str, Any]]:
    page = site.services.queue(QueueFilters(**filters), None, limit, site.clock.now())
    return [row.to_json() for row in page.rows]


def test_rows_follow_the_service_queue_in_time_left_order(busy_site: Any, rows_of: Any) -> None:
    page = busy_site.signed_in().get("/?limit=200")
    shown = rows_of(page.text)
    expected = _service_rows(busy_site)
    assert len(expected) > 20  # the workload gives a real queue
    assert [(r["ticket"], r["metric"], r["subject"]) for r in shown] == [
        (r["ticket"], r["metric"], r["subject"]) for r in expected
    ]
    dues = [r["due_epoch"] for r in shown if r["due_epoch"] is not None]
    assert dues == sorted(dues)
    # Paused clocks (no due time) come after every clock that has one.
    paused = [i for i, r in enumerate(shown) if r["due_epoch"] is None]
    assert all(i >= len(dues) for i in paused)


def test_time_left_is_red_when_overdue_and_amber_when_at_risk(busy_site: Any, rows_of: Any) -> None:
    now = int(busy_site.clock.now().timestamp())
    shown = rows_of(busy_site.signed_in().get("/?limit=200").text)
    kinds = set()
    for row in shown:
        if row["due_epoch"] is None:
            assert row["css"] == "paused" and row["left"].startswith("paused, ")
        elif row["due_epoch"] < now:
            assert row["css"] == "overdue" and row["left"].startswith("overdue by ")
        elif row["due_epoch"] - now <= 3600:
            assert row["css"] == "at-risk" and "overdue" not in row["left"]
        else:
            assert row["css"] == "ok"
        kinds.add(row["css"])
    assert {"overdue", "ok", "paused"} <= kinds


def test_the_example_queue_shows_durations_and_due_times(site: Any, rows_of: Any) -> None:
    shown = rows_of(site.signed_in().get("/").text)
    first = shown[0]
    assert (first["ticket"], first["metric"], first["subject"]) == (
        "T-1",
        "periodic_update",
        "Export fails",
    )
    assert first["left"] == "overdue by 1 min"  # due 10:59, now 11:00
    assert first["due"] == "3/3/26, 10:59 AM"
    assert first["group"] == "Engineering"  # the group's name from the configuration
    assert first["policy"] == "outage v1" and first["kind"] == "SLA"
    assert first["href"] == "/tickets/T-1"
    assert [r["left"] for r in shown[1:]] == ["2 hr 34 min", "3 hr 5 min"]


def test_summary_cards_and_groups_match_the_service(busy_site: Any, text_of: Any) -> None:
    html = busy_site.signed_in().get("/").text
    summary = busy_site.services.summary(busy_site.clock.now(), 3600).to_json()
    totals = summary["totals"]
    text = text_of(html)
    for count, words in [
        (totals["running"], "Running"),
        (totals["paused"], "Paused"),
        (totals["at_risk"], "At risk within 1 hour"),
        (totals["breached_today"], "Breached today"),
        (totals["met_today"], "Met today"),
    ]:
        assert f"{count} {words}" in text
    for group_id, counts in summary["groups"].items():
        assert f'href="/?group={group_id}"' in html
        assert counts["running"] + counts["paused"] > 0


@pytest.mark.parametrize(
    ("query", "filters"),
    [
        ("metric=resolution", {"metric": "resolution"}),
        ("kind=ola", {"kind": "ola"}),
        ("group=engineering", {"group": "engineering"}),
        ("state=paused", {"state": "paused"}),
        ("priority=high&state=breached", {"priority": "high", "state": "breached"}),
        ("due_within=2h", {"due_within_seconds": 7200}),
        ("plan=enterprise&assignee=", {"plan": "enterprise"}),
    ],
)
def test_filters_narrow_the_rows(
    busy_site: Any, rows_of: Any, query: str, filters: dict[str, Any]
) -> None:
    everything = rows_of(busy_site.signed_in().get("/?limit=200").text)
    shown = rows_of(busy_site.signed_in().get(f"/?limit=200&{query}").text)
    expected = _service_rows(busy_site, **filters)
    assert [(r["ticket"], r["metric"]) for r in shown] == [
        (r["ticket"], r["metric"]) for r in expected
    ]
    assert len(shown) < len(everything)


def test_a_bad_filter_is_reported_and_ignored(busy_site: Any, rows_of: Any, text_of: Any) -> None:
    response = busy_site.signed_in().get("/?limit=200&kind=nope&due_within=soon")
    assert response.status_code == 200
    text = text_of(response.text)
    assert "Ignored filter kind: not one of the choices" in text
    assert "Ignored filter due_within: not a duration" in text
    assert len(rows_of(response.text)) == len(_service_rows(busy_site))


def test_next_page_links_walk_the_whole_queue(busy_site: Any, rows_of: Any) -> None:
    browser = busy_site.signed_in()
    url: str | None = "/?limit=7&metric=resolution"
    seen: list[tuple[str, str]] = []
    pages = 0
    while url:
        html = browser.get(url).text
        seen += [(r["ticket"], r["metric"]) for r in rows_of(html)]
        pages += 1
        found = [
            part.split('"')[0].replace("&amp;", "&")
            for part in html.split('href="')[1:]
            if 'rel="next"' in part.split(">")[0]
        ]
        url = found[0] if found else None
    expected = _service_rows(busy_site, metric="resolution")
    assert seen == [(r["ticket"], r["metric"]) for r in expected]
    assert pages == -(-len(expected) // 7) and pages > 1


def test_an_expired_cursor_shows_the_first_page(busy_site: Any, rows_of: Any) -> None:
    response = busy_site.signed_in().get("/?limit=5&cursor=garbage")
    assert response.status_code == 200
    assert "That page link has expired" in response.text
    assert len(rows_of(response.text)) == 5


def test_due_times_in_the_chosen_zone(site: Any, rows_of: Any) -> None:
    browser = site.signed_in()
    response = browser.get("/?tz=America/New_York")
    due = datetime.fromisoformat("2026-03-03T10:59:00+00:00")
    expected = format_datetime(due, "short", tzinfo=ZoneInfo("America/New_York"), locale="en")
    # (the table reader folds CLDR's narrow no-break space before "AM" into a space)
    assert rows_of(response.text)[0]["due"] == " ".join(expected.split()) == "3/3/26, 5:59 AM"
    assert "Due (America/New_York)" in response.text
    assert response.headers["set-cookie"].startswith('slaclock_tz="America/New_York";')
    # Remembered: the next page without ?tz= uses it too.
    assert rows_of(browser.get("/").text)[0]["due"] == "3/3/26, 5:59 AM"
    # A zone that does not exist falls back to the remembered one (or UTC).
    assert rows_of(site.signed_in().get("/?tz=Mars/Olympus").text)[0]["due"] == "3/3/26, 10:59 AM"


def test_the_page_links_its_json_twin(site: Any) -> None:
    html = site.signed_in().get("/?metric=resolution").text
    assert 'href="/api/v1/queue?metric=resolution&amp;limit=50"' in html
    assert 'href="/api/v1/summary"' in html


def test_the_countdown_script_and_styles_are_served(site: Any) -> None:
    html = site.signed_in().get("/").text
    assert '<script src="/static/site.js" defer></script>' in html
    assert 'data-overdue="overdue by {d}"' in html
    script = site.client.get("/static/site.js")
    assert script.status_code == 200 and "setInterval(tick, 1000)" in script.text
    assert site.client.get("/static/site.css").status_code == 200


def test_a_new_installation_shows_an_empty_dashboard(tmp_path: Path, text_of: Any) -> None:
    """No configuration and no events yet: the pages still work, and say so."""
    services = open_services(f"sqlite:///{tmp_path / 'empty.db'}", upgrade=True)
    now = datetime(2026, 3, 3, 11, 0, tzinfo=UTC)
    secret = services.tokens.create("viewer", "lead", now)[1]
    client = TestClient(create_site(services, lambda: now), base_url="http://dash.test")
    client.post("/login", data={"token": secret}, headers={"Origin": "http://dash.test"})
    text = text_of(client.get("/").text)
    assert "No clocks yet." in text and "No open clocks match these filters." in text
    assert client.get("/tickets/T-1").status_code == 404
    services.close()


def test_pages_take_tracking_parameters_but_the_api_refuses_them(site: Any) -> None:
    """A link with tracking parameters (``utm_*``) still opens the page (any other
    unknown parameter is refused: tests/web/test_web_query_check.py); the API stays
    strict."""
    browser = site.signed_in()
    page = browser.get("/?utm_source=mail&utm_campaign=weekly")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    headers = {"Authorization": f"Bearer {site.tokens['viewer']}"}
    api = browser.get("/api/v1/queue?utm_source=mail", headers=headers)
    assert api.status_code == 422
    assert api.headers["content-type"].startswith("application/problem+json")
