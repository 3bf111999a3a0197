"""issue 24, "Overview": the dashboard's tiles (compliance today and this week, internal
goals met this week), its 30-day chart and the per-group compliance of the week, checked
against the SLA log counted in plain Python, in the viewer's time zone; customer names
in the queue, the customer and policy filters and "My clocks"."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from slaclock.core.config import parse_config
from slaclock.core.workload import generate_events
from slaclock.service.report_log import LogParams

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

CONFIG = (Path(__file__).parents[1] / "data" / "example_config.yaml").read_text()
Site = Any
#: Thursday 2026-03-12 15:00 UTC: the week began on Monday the 9th.
NOW = datetime(2026, 3, 12, 15, 0, tzinfo=UTC)
START = NOW - timedelta(days=34)


@pytest.fixture
def loaded(site: Site) -> Site:
    """120 generated tickets over the 34 days before NOW, the clock at NOW."""
    events = list(generate_events(parse_config(CONFIG), 120, 34, 5, START))
    assert not site.services.ingest(events, NOW).rejected
    site.clock.at = NOW
    return site


def _log_counts(site: Site, zone: str) -> dict[str, Counter[Any]]:
    """Met and breached per local day and per (week, group), and goals, from the log."""
    tz = ZoneInfo(zone)
    rows = site.services.sla_log_rows(
        LogParams(START - timedelta(days=30), NOW + timedelta(days=1), NOW)
    )
    today = NOW.astimezone(tz).date()
    monday = today - timedelta(days=today.weekday())
    by_day: Counter[Any] = Counter()
    week_group: Counter[Any] = Counter()
    goals: Counter[Any] = Counter()
    for row in rows:
        if row["judged"] not in ("met", "breached") or row["judged_at"] is None:
            continue
        judged_at = row["judged_at"]
        judged_at = (
            judged_at if isinstance(judged_at, datetime) else datetime.fromisoformat(judged_at)
        )
        day = judged_at.astimezone(tz).date()
        by_day[(day, row["judged"])] += 1
        if monday <= day <= today:
            week_group[(row["group"] or "", row["judged"])] += 1
            if row["goal_breached"] is not None:
                goals["missed" if row["goal_breached"] else "met"] += 1
    return {"day": by_day, "group": week_group, "goal": goals}


def _pct(met: int, missed: int) -> str:
    if met + missed == 0:
        return "–"
    return f"{round(100 * met / (met + missed), 1)} %".replace(".0 %", " %")


def _tile(text: str, what: str) -> str:
    found = re.search(r"([\d.,]+ %|–) " + re.escape(what), text)
    assert found, what
    return found.group(1)


@pytest.mark.parametrize("zone", ["UTC", "America/Los_Angeles"])
def test_the_tiles_are_the_logs_verdicts_counted_by_local_day(
    loaded: Site, text_of: Any, zone: str
) -> None:
    html = loaded.signed_in("viewer").get("/", params={"tz": zone}).text
    text = text_of(html)
    counts = _log_counts(loaded, zone)
    today = NOW.astimezone(ZoneInfo(zone)).date()
    monday = today - timedelta(days=today.weekday())
    week_days = [monday + timedelta(days=n) for n in range((today - monday).days + 1)]
    day = counts["day"]
    week_met = sum(day[(d, "met")] for d in week_days)
    week_missed = sum(day[(d, "breached")] for d in week_days)
    assert week_met + week_missed > 5  # the workload judges clocks this week
    assert _tile(text, "Compliance today") == _pct(day[(today, "met")], day[(today, "breached")])
    assert _tile(text, "Compliance this week") == _pct(week_met, week_missed)
    assert f"{week_met} met, {week_missed} missed" in text
    goal = counts["goal"]
    assert _tile(text, "Internal goals met this week") == _pct(goal["met"], goal["missed"])


def test_the_chart_has_a_bar_per_day_of_the_last_30(loaded: Site) -> None:
    html = loaded.signed_in("viewer").get("/").text
    chart = html.split('aria-labelledby="overview-chart-title"', 1)[1].split("</svg>", 1)[0]
    titles = re.findall(r'<rect class="bar"[^>]*><title>([^<]*)</title>', chart)
    assert len(titles) == 30
    counts = _log_counts(loaded, "UTC")["day"]
    today = NOW.date()
    for offset, title in enumerate(titles):
        day = today - timedelta(days=29 - offset)
        label, shown = title.split(": ")
        assert label == f"{day.month}/{day.day}/{day.strftime('%y')}"
        assert shown == _pct(counts[(day, "met")], counts[(day, "breached")])
    assert 'href="/reports?from=2026-02-11&amp;to=2026-03-13"' in html


def test_the_group_table_has_the_weeks_compliance(loaded: Site) -> None:
    html = loaded.signed_in("viewer").get("/").text
    table = html.split('<table class="groups">', 1)[1].split("</table>", 1)[0]
    counts = _log_counts(loaded, "UTC")["group"]
    rows = re.findall(r'<a href="/\?group=([^"]+)">[^<]*</a></th>(.*?)</tr>', table, re.S)
    assert rows
    for group, cells in rows:
        last = re.findall(r"<td[^>]*>([^<]*)</td>", cells)[-1]
        assert last == _pct(counts[(group, "met")], counts[(group, "breached")])


def test_nothing_judged_shows_a_dash_not_a_hundred_percent(site: Site, text_of: Any) -> None:
    site.clock.at = datetime(2027, 6, 2, 11, 0, tzinfo=UTC)  # months after the example
    text = text_of(site.signed_in("viewer").get("/").text)
    for tile in ("Compliance today", "Compliance this week", "Internal goals met this week"):
        assert _tile(text, tile) == "–"
    assert "0 met, 0 missed" in text


def test_the_queue_names_customers_and_filters_by_customer_and_policy(
    loaded: Site, rows_of: Any
) -> None:
    client = loaded.signed_in("viewer")
    rows = rows_of(client.get("/?limit=200").text)
    tickets = {
        t.id: t for t in (loaded.services.ticket(r["ticket"]) for r in rows) if t is not None
    }
    named = [r for r in rows if tickets[r["ticket"]].fields.get("customer", {}).get("name")]
    assert named, "the generated workload names its customers"
    for row in named:
        assert row["customer"] == tickets[row["ticket"]].fields["customer"]["name"]
    customer_id = tickets[named[0]["ticket"]].fields["customer"]["id"]
    only = rows_of(client.get("/", params={"customer": customer_id, "limit": "200"}).text)
    assert only and all(tickets[r["ticket"]].fields["customer"]["id"] == customer_id for r in only)
    policy = rows[0]["policy"].split(" v")[0]
    by_policy = rows_of(client.get("/", params={"policy": policy, "limit": "200"}).text)
    assert by_policy and {r["policy"].split(" v")[0] for r in by_policy} == {policy}


def test_my_clocks_is_the_queue_of_the_person_the_token_is_named_after(
    site: Site, rows_of: Any
) -> None:
    people = parse_config(CONFIG).people
    person = next(iter(people))
    site.tokens["person"] = site.services.tokens.create("agent", person, site.clock.now())[1]
    client = site.signed_in("person")
    html = client.get("/").text
    assert f'href="/?assignee={person}#queue"' in html
    mine = rows_of(client.get("/", params={"assignee": person}).text)
    assert all(r["assignee"] == people[person].name for r in mine)
    # A token not named after a person has no such link.
    assert "My clocks" not in site.signed_in("viewer").get("/").text
