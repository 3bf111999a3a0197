"""The workload generator: determinism, the events.md format, order, shape and fit."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from slaclock.core.config import load_config
from slaclock.core.events import parse_event
from slaclock.core.model import CHANNELS, PRIORITIES
from slaclock.core.workload import (
    Knobs,
    WorkloadOptions,
    generate_events,
    generate_lines,
    params,
    world_from_config,
)
from slaclock.core.workload.hours import office_hours
from slaclock.core.workload.laws import fitted_laws

CONFIG = load_config(Path(__file__).resolve().parents[2] / "data" / "example_config.yaml")
START = datetime(2026, 3, 2, tzinfo=UTC)
END = START + timedelta(days=30)
dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _events(tickets=1500, days=30, seed=11, options=None):
    return list(generate_events(CONFIG, tickets, days, seed, START, options))


@pytest.fixture(scope="module")
def events():
    return _events()


@pytest.fixture(scope="module")
def by_ticket(events):
    tickets = defaultdict(list)
    for event in events:
        tickets[event["ticket"]].append(event)
    return tickets


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text)


# ------------------------------------------------------------------- determinism


def test_same_seed_gives_the_same_bytes_and_another_seed_other_bytes():
    first = list(generate_lines(CONFIG, 400, 10, 5, START))
    again = list(generate_lines(CONFIG, 400, 10, 5, START))
    other = list(generate_lines(CONFIG, 400, 10, 6, START))
    assert first == again
    assert first != other


def test_lines_are_exactly_the_compact_json_of_the_dicts():
    lines = list(generate_lines(CONFIG, 500, 10, 3, START))
    dicts = list(generate_events(CONFIG, 500, 10, 3, START))
    assert lines == [dumps(event) for event in dicts]


# ------------------------------------------------------------------------ format


def test_every_event_is_valid_per_events_md(events):
    for seq, event in enumerate(events):
        parsed = parse_event(event, seq)
        assert parsed.at.tzinfo is not None
        assert event["at"].endswith("Z") and len(event["at"]) == 20


def test_event_ids_are_unique(events):
    ids = [event["id"] for event in events]
    assert len(ids) == len(set(ids))


def test_events_are_in_time_order_and_inside_the_period(events):
    instants = [_instant(event["at"]) for event in events]
    assert instants == sorted(instants)
    assert instants[0] >= START
    assert instants[-1] <= END


def test_each_ticket_starts_with_its_creation_and_the_count_is_as_asked(by_ticket):
    assert len(by_ticket) == 1500
    for ticket_events in by_ticket.values():
        assert ticket_events[0]["type"] == "ticket.created"
        assert all(e["type"] != "ticket.created" for e in ticket_events[1:])


def test_created_fields_carry_customer_requester_and_the_configured_team(by_ticket):
    world = world_from_config(CONFIG)
    for ticket_events in by_ticket.values():
        created = ticket_events[0]
        fields = created["fields"]
        assert set(fields["customer"]) == {"id", "name", "plan", "region", "tz", "contract"}
        assert fields["customer"]["plan"] in world.plans
        assert fields["customer"]["region"] in world.regions
        ZoneInfo(fields["customer"]["tz"])
        assert set(fields["requester"]) == {"id", "name", "email", "locale"}
        assert fields["group"] == "support"
        assert fields["priority"] in PRIORITIES and fields["channel"] in CHANNELS
        assert isinstance(fields["subject"], str) and fields["tags"]
        if created["by"] == "agent":
            assert fields["assignee"] in {"anna", "mark"} and fields["status"] == "open"
        else:
            assert fields["assignee"] is None and fields["status"] == "new"


def test_agents_are_people_of_the_group_the_ticket_sits_with(by_ticket):
    members = {"support": {"anna", "mark"}, "engineering": {"omar", "ingrid"}}
    for ticket_events in by_ticket.values():
        group = ticket_events[0]["fields"]["group"]
        for event in ticket_events[1:]:
            changes = event.get("changes", {})
            if "group" in changes:
                group = changes["group"]
                assert changes["assignee"] in members[group]
            if event["type"] == "message" and event["author"] == "agent":
                assert event["author_id"] in members[group]


def test_the_mix_has_every_kind_of_event_the_brief_asks_for(events):
    kinds = Counter()
    for event in events:
        changes = event.get("changes", {})
        kinds[event["type"]] += 1
        kinds.update(f"status:{changes['status']}" for _ in [0] if "status" in changes)
        kinds.update("priority" for _ in [0] if "priority" in changes)
        kinds.update(f"group:{changes['group']}" for _ in [0] if "group" in changes)
        if event["type"] == "message":
            kinds[f"{event['author']}:{'public' if event['public'] else 'note'}"] += 1
        if event["type"] == "ticket.created":
            kinds[f"by:{event['by']}"] += 1
    for kind in ("ticket.deleted", "status:pending", "status:on_hold", "status:solved",
                 "status:closed", "priority", "group:engineering", "group:support",
                 "agent:public", "agent:note", "customer:public", "by:agent"):  # fmt: skip
        assert kinds[kind] > 0, kind


def test_some_tickets_are_reopened_by_the_customer(by_ticket):
    reopened = 0
    for ticket_events in by_ticket.values():
        solved = False
        for event in ticket_events:
            if event.get("changes", {}).get("status") == "solved":
                solved = True
            elif solved and event["type"] == "message" and event["author"] == "customer":
                reopened += 1
                break
    assert reopened > 0


def test_tickets_created_near_the_end_are_still_open(by_ticket):
    live = 0
    for ticket_events in by_ticket.values():
        created = _instant(ticket_events[0]["at"])
        statuses = [
            e["changes"]["status"] for e in ticket_events if "status" in e.get("changes", {})
        ]
        if created > END - timedelta(days=2) and "solved" not in statuses:
            live += 1
    assert live > 10


def test_about_seven_events_per_ticket_over_a_long_period():
    events = _events(tickets=3000, days=90, seed=2)
    assert 5.5 < len(events) / 3000 < 8.5


# ------------------------------------------------------------------ seasonality


def test_more_arrivals_on_weekdays_than_at_weekends_in_the_customers_zones(by_ticket):
    per_weekday = Counter()
    for ticket_events in by_ticket.values():
        created = ticket_events[0]
        local = _instant(created["at"]).astimezone(ZoneInfo(created["fields"]["customer"]["tz"]))
        per_weekday[local.weekday()] += 1
    weekday_mean = sum(per_weekday[d] for d in range(5)) / 5
    weekend_mean = (per_weekday[5] + per_weekday[6]) / 2
    assert weekday_mean > 4 * weekend_mean


def test_arrivals_follow_office_hours_in_the_customers_zones(by_ticket):
    hours = Counter()
    for ticket_events in by_ticket.values():
        created = ticket_events[0]
        if "outage" not in created["fields"]["tags"]:
            tz = ZoneInfo(created["fields"]["customer"]["tz"])
            hours[_instant(created["at"]).astimezone(tz).hour] += 1
    daytime = sum(hours[h] for h in range(8, 18))
    assert daytime > 0.7 * sum(hours.values())


# ----------------------------------------------------------------- distributions


@pytest.fixture(scope="module")
def business_times():
    """With every agent action on office hours, first responses and first solves measured
    in business time on the team's hours are draws of the fitted laws. Tickets of the first
    half of the period only; unanswered/unsolved ones count as longest (censoring)."""
    options = WorkloadOptions(knobs=Knobs(business_hours_share=1.0))
    events = _events(tickets=4000, days=60, seed=21, options=options)
    world = world_from_config(CONFIG)
    hours = {
        cid: office_hours(world.calendars[cid], date(2026, 2, 20), date(2026, 6, 1),
                          CONFIG.calendars[cid].holidays_between)
        for cid in set(world.frontline_calendar.values())
    }  # fmt: skip
    created, samples = {}, {"first_response": {}, "resolution": {}}
    for event in events:
        ticket = event["ticket"]
        if event["type"] == "ticket.created" and event["by"] != "agent":
            early = _instant(event["at"]) < START + timedelta(days=30)
            if early and "outage" not in event["fields"]["tags"]:
                created[ticket] = event
            continue
        if ticket not in created:
            continue
        first = created[ticket]
        reply = event["type"] == "message" and event["author"] == "agent" and event["public"]
        solve = event.get("changes", {}).get("status") == "solved"
        for metric, happened in (("first_response", reply), ("resolution", solve)):
            if happened and ticket not in samples[metric]:
                team = hours[world.frontline_calendar[first["fields"]["customer"]["region"]]]
                a, b = _instant(first["at"]).timestamp(), _instant(event["at"]).timestamp()
                samples[metric][ticket] = team.elapsed(int(a), int(b))
    return {
        metric: list(found.values()) + [float("inf")] * (len(created) - len(found))
        for metric, found in samples.items()
    }


@pytest.mark.parametrize("metric", ["first_response", "resolution"])
def test_business_times_match_the_fitted_law(business_times, metric):
    reference = fitted_laws()[metric].draw(np.random.default_rng(0), 200_000)
    for q in (0.5, 0.75, 0.9):
        real, expected = np.quantile(business_times[metric], q), np.quantile(reference, q)
        assert 0.75 * expected < real < 1.33 * expected, (q, real, expected)


def test_priority_mix_follows_the_fitted_shares(events):
    counts = Counter(e["fields"]["priority"] for e in events if e["type"] == "ticket.created")
    total = sum(counts.values())
    assert counts["normal"] / total == pytest.approx(params.PRIORITY_MIX["normal"], abs=0.05)
    assert counts["low"] / total == pytest.approx(params.PRIORITY_MIX["low"], abs=0.05)


def test_customers_share_tickets_unevenly(events):
    per_customer = Counter(
        e["fields"]["customer"]["id"] for e in events if e["type"] == "ticket.created"
    )
    ranked = sorted(per_customer.values(), reverse=True)
    assert ranked[0] > 4 * ranked[len(ranked) // 2]


# ----------------------------------------------------------- delivery options


def test_shuffle_and_duplicates_change_delivery_not_the_events():
    plain = _events(tickets=600, days=10, seed=8)
    messy = _events(tickets=600, days=10, seed=8,
                    options=WorkloadOptions(shuffle=0.2, duplicates=0.05))  # fmt: skip
    instants = [_instant(e["at"]) for e in messy]
    assert instants != sorted(instants)
    ids = Counter(e["id"] for e in messy)
    assert any(n == 2 for n in ids.values())
    unique = {e["id"]: e for e in messy}
    assert unique == {e["id"]: e for e in plain}
    for event in messy:
        assert event == unique[event["id"]]


def test_unsorted_output_has_the_same_events_grouped_by_ticket_per_day():
    plain = _events(tickets=600, days=10, seed=8)
    grouped = _events(tickets=600, days=10, seed=8, options=WorkloadOptions(sorted=False))
    assert sorted(map(dumps, grouped)) == sorted(map(dumps, plain))
    assert [e["ticket"] for e in grouped] == sorted(e["ticket"] for e in grouped)


def test_naive_start_and_bad_sizes_are_rejected():
    with pytest.raises(ValueError, match="aware"):
        list(generate_events(CONFIG, 10, 1, 0, datetime(2026, 3, 2)))
    with pytest.raises(ValueError):
        list(generate_events(CONFIG, 10, 0, 0, START))


def test_zero_tickets_gives_no_events():
    assert _events(tickets=0, days=3) == []


def test_the_engine_reads_shuffled_duplicated_delivery_as_the_plain_stream():
    """What the delivery options are for: out-of-order and repeated delivery must not change
    any SLA instance (events.md: sorted by ``at``, ties by arrival; repeated ids ignored)."""
    from slaclock.core.engine import replay

    as_of = START + timedelta(days=8)
    plain = _events(tickets=300, days=8, seed=5)
    messy = _events(tickets=300, days=8, seed=5,
                    options=WorkloadOptions(shuffle=0.3, duplicates=0.1))  # fmt: skip
    assert [e["id"] for e in messy] != [e["id"] for e in plain]

    def instances(events):
        parsed = [parse_event(event, seq) for seq, event in enumerate(events)]
        return [i.to_json() for i in replay(CONFIG, parsed, as_of)]

    expected = instances(plain)
    assert expected and instances(messy) == expected
