"""A configuration change never re-judges the past: an instance that stopped keeps the
version (target, policy_version) in force when it stopped; running ones follow the new one."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, insert

from slaclock.core.config import parse_config
from slaclock.core.engine import Engine as SlaEngine
from slaclock.core.events import parse_event
from slaclock.core.workload import WorkloadOptions, generate_events
from slaclock.service.app_state import Services
from slaclock.service.compose import services_on
from slaclock.store.models import TicketRow

DAY = datetime(2026, 3, 2, tzinfo=UTC)
V1_AT = DAY + timedelta(hours=8)
V2_AT = DAY + timedelta(hours=10, minutes=30)
V3_AT = DAY + timedelta(hours=13)
NOW = DAY + timedelta(hours=14)


def config(first_response: str, resolution: str) -> str:
    return f"""
calendars:
  - {{id: always, tz: UTC, always_open: true}}
policies:
  - id: std
    name: Standard
    calendar: always
    targets:
      first_response: {{within: {first_response}}}
      resolution: {{within: {resolution}}}
"""


V1 = config("1h", "8h")
V2 = config("30m", "2h")  # tighter: re-judging the past with it would breach
V3 = config("2h", "8h")


def created(ticket: str, at: datetime) -> dict[str, Any]:
    return {
        "id": f"{ticket}-c", "ticket": ticket, "at": _iso(at), "type": "ticket.created",
        "by": "customer", "fields": {"status": "new", "priority": "normal"},
    }  # fmt: skip


def reply(ticket: str, at: datetime) -> dict[str, Any]:
    return {
        "id": f"{ticket}-r", "ticket": ticket, "at": _iso(at), "type": "message",
        "author": "agent", "author_id": "anna", "public": True,
    }  # fmt: skip


def _iso(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def by_metric(instances: Sequence[Mapping[str, Any]] | None) -> dict[str, Mapping[str, Any]]:
    assert instances is not None
    return {i["metric"]: i for i in instances}


def replayed(services: Services, ticket: str, as_of: datetime) -> list[dict[str, Any]] | None:
    """``instances_as_of`` as replay JSON."""
    instances = services.instances_as_of(ticket, as_of)
    return None if instances is None else [i.to_json() for i in instances]


def stored(services: Services, ticket: str) -> dict[str, Mapping[str, Any]]:
    view = services.ticket(ticket)
    assert view is not None
    return by_metric(view.instances)


def replay(
    text: str, objs: list[dict[str, Any]], as_of: datetime, policy_version: int = 1
) -> list[dict[str, Any]]:
    """The reference: one configuration alone, as ``slaclock replay`` would use it (the
    bare file knows no history: its policy gets the version the service gave it)."""
    config = parse_config(text)
    policies = tuple(dataclasses.replace(p, version=policy_version) for p in config.policies)
    engine = SlaEngine(dataclasses.replace(config, policies=policies))
    events = [parse_event(o, seq=n) for n, o in enumerate(objs)]
    return [i.to_json() for i in engine.replay_ticket(events, as_of).instances]


@pytest.fixture
def services(db: Engine) -> Services:
    services = services_on(db)
    services.config_apply(V1, "test", V1_AT)
    return services


def test_met_instance_keeps_its_target_and_running_one_follows(services: Services) -> None:
    events = [
        created("T-1", DAY + timedelta(hours=9)),
        reply("T-1", DAY + timedelta(hours=9, minutes=50)),
    ]
    services.ingest(events, DAY + timedelta(hours=10))
    services.config_apply(V2, "test", V2_AT)
    after = stored(services, "T-1")
    first, resolution = after["first_response"], after["resolution"]
    assert (first["state"], first["target_seconds"], first["policy_version"]) == ("met", 3600, 1)
    assert first["due_at"] == "2026-03-02T10:00:00Z"
    assert (resolution["state"], resolution["target_seconds"]) == ("running", 7200)
    assert resolution["policy_version"] == 2
    assert resolution["due_at"] == "2026-03-02T11:00:00Z"
    # Time travel: before v2 the ticket reads exactly as v1 alone replays it.
    before_v2 = DAY + timedelta(hours=10)
    assert replayed(services, "T-1", before_v2) == replay(V1, events, before_v2)
    # After v2, the reads agree with the projection; explain tells the same story.
    assert by_metric(replayed(services, "T-1", V2_AT)) == after
    explained = services.explain("T-1", V2_AT)
    assert explained is not None
    told = {e["instance"]["metric"]: e["instance"] for e in explained.instances}
    assert told == after


def test_rebuild_after_a_change_changes_nothing(services: Services) -> None:
    events = [
        created("T-1", DAY + timedelta(hours=9)),
        reply("T-1", DAY + timedelta(hours=9, minutes=50)),
    ]
    events += [created("T-2", DAY + timedelta(hours=9, minutes=30))]  # still unanswered
    services.ingest(events, DAY + timedelta(hours=10))
    services.config_apply(V2, "test", V2_AT)
    before = {t: services.ticket(t) for t in ("T-1", "T-2")}
    services.rebuild(now=V2_AT)
    after = {t: services.ticket(t) for t in ("T-1", "T-2")}
    for ticket in before:
        assert after[ticket].instances == before[ticket].instances  # type: ignore[union-attr]
    assert stored(services, "T-1")["first_response"]["policy_version"] == 1
    assert stored(services, "T-2")["first_response"]["state"] == "breached"  # running: v2's 30m


def test_ticket_created_after_a_change_is_judged_by_that_version(services: Services) -> None:
    services.config_apply(V2, "test", V2_AT)
    events = [
        created("T-3", DAY + timedelta(hours=11)),
        reply("T-3", DAY + timedelta(hours=11, minutes=20)),
    ]
    services.ingest(events, DAY + timedelta(hours=12))
    assert list(services.ticket("T-3").instances) == replay(
        V2, events, DAY + timedelta(hours=12), 2
    )  # type: ignore[union-attr]
    services.config_apply(V3, "test", V3_AT)  # looser again: must not re-judge T-3 either
    after = stored(services, "T-3")
    assert (
        after["first_response"]["target_seconds"],
        after["first_response"]["policy_version"],
    ) == (1800, 2)
    assert (after["resolution"]["target_seconds"], after["resolution"]["policy_version"]) == (
        28800,
        3,
    )
    between = DAY + timedelta(hours=12)
    assert replayed(services, "T-3", between) == replay(V2, events, between, 2)
    assert by_metric(replayed(services, "T-3", NOW))["first_response"]["policy_version"] == 2


def test_late_event_from_before_a_change_is_judged_by_the_earlier_version(
    services: Services,
) -> None:
    services.ingest([created("T-4", DAY + timedelta(hours=9))], DAY + timedelta(hours=9, minutes=5))
    services.config_apply(V2, "test", V2_AT)
    running = stored(services, "T-4")["first_response"]
    assert (running["target_seconds"], running["state"]) == (1800, "breached")  # v2 applies now
    late = reply("T-4", DAY + timedelta(hours=9, minutes=50))  # happened before v2, sent after it
    assert services.ingest([late], NOW).accepted
    after = stored(services, "T-4")
    first = after["first_response"]
    assert (first["state"], first["target_seconds"], first["policy_version"]) == ("met", 3600, 1)
    assert after["resolution"]["policy_version"] == 2
    assert by_metric(replayed(services, "T-4", NOW)) == after
    services.rebuild(now=NOW)
    assert stored(services, "T-4") == after


def test_a_stored_id_sent_again_for_another_ticket_creates_no_ticket(services: Services) -> None:
    first = created("T-5", DAY + timedelta(hours=9))
    assert services.ingest([first], NOW).accepted
    again = {**first, "ticket": "T-6"}
    result = services.ingest([again], NOW)
    assert (result.accepted, result.duplicates) == ([], [{"index": 0, "id": first["id"]}])
    assert services.ticket("T-6") is None
    assert replayed(services, "T-6", NOW) is None
    # In a batch with a new event of its own, the other ticket's row is made as usual.
    result = services.ingest([again, {**reply("T-6", DAY + timedelta(hours=10))}], NOW)
    assert [a["index"] for a in result.accepted] == [1]
    assert services.ticket("T-6") is not None


def test_in_order_events_after_a_change_continue_both_versions(services: Services) -> None:
    """The cached state keeps the earlier version's state beside the current one and
    feeds both; each step equals a fresh judged replay."""
    t = DAY + timedelta(hours=9)
    services.ingest(
        [created("T-7", t), reply("T-7", t + timedelta(minutes=50))], t + timedelta(hours=1)
    )
    services.config_apply(V2, "test", V2_AT)
    later = [
        {"id": "m1", "ticket": "T-7", "at": _iso(t + timedelta(hours=3)), "type": "message",
         "author": "customer", "public": True},
        {"id": "m2", "ticket": "T-7", "at": _iso(t + timedelta(hours=3, minutes=10)),
         "type": "ticket.updated", "changes": {"status": "solved"}},
    ]  # fmt: skip
    old_states = []
    for step, event in enumerate(later):
        now = t + timedelta(hours=4, minutes=step)
        assert services.ingest([event], now).accepted
        entry = services.states.take("T-7")
        assert entry is not None and set(entry.olds) == {1}  # v1's state kept beside
        old_states.append(entry.olds[1][1])
        services.states.put_all([("T-7", entry)])
        view = stored(services, "T-7")
        assert view == by_metric(replayed(services, "T-7", now))
        assert (view["first_response"]["policy_version"], view["first_response"]["state"]) == (
            1,
            "met",
        )
    assert old_states[0] is old_states[1]  # the second event continued v1's state
    resolution = stored(services, "T-7")["resolution"]
    assert (resolution["state"], resolution["policy_version"]) == ("breached", 2)  # 2h from 09:00


WORKLOAD_CONFIG = (Path(__file__).parents[1] / "data" / "example_config.yaml").read_text()
TIGHTER = (
    WORKLOAD_CONFIG.replace("next_response: {within: 8h}", "next_response: {within: 2h}")
    .replace("first_response: {within: 16h}", "first_response: {within: 1h}")
    .replace("resolution: {within: 80h}", "resolution: {within: 8h}")
)
W_START = datetime(2026, 3, 2, tzinfo=UTC)
W_MID = W_START + timedelta(days=3, hours=5)
W_NOW = W_START + timedelta(days=6)


def judged_reference(
    services: Services, delivered: list[dict[str, Any]], as_of: datetime
) -> tuple[dict[str, list[dict[str, Any]]], int]:
    """Brute force: replay every ticket with v1 and with v2; an instance of v2's replay
    that stopped before v2 came into force is v1's when v1 stopped it at the same instant."""
    with services.db.reading() as tx:
        v1, v2 = (SlaEngine(services.configs.config_of(tx, v)) for v in (1, 2))
    by_ticket: dict[str, list[Any]] = {}
    for seq, obj in enumerate(delivered):
        by_ticket.setdefault(obj["ticket"], []).append(parse_event(obj, seq=seq))
    out = {}
    differing = 0  # instances whose v1 judgement differs from v2's
    for ticket, events in by_ticket.items():
        old = {(i.kind, i.metric, i.cycle): i for i in v1.replay_ticket(events, as_of).instances}
        judged = []
        for inst in v2.replay_ticket(events, as_of).instances:
            was = old.get((inst.kind, inst.metric, inst.cycle))
            stopped_before = inst.stopped_at is not None and inst.stopped_at < W_MID
            keep_old = stopped_before and was is not None and was.stopped_at == inst.stopped_at
            judged.append((was if keep_old else inst).to_json())  # type: ignore[union-attr]
            differing += keep_old and was.to_json() != inst.to_json()  # type: ignore[union-attr]
        out[ticket] = judged
    return out, differing


def test_workload_across_a_change_matches_the_brute_force_rule(db: Engine) -> None:
    """Events before the change, the change, then later and late events in shuffled
    small batches (cached states continued, late ones replayed): every ticket that got
    an event after the change equals the brute-force rule; after a rebuild all do."""
    services = services_on(db)
    services.config_apply(WORKLOAD_CONFIG, "test", W_START)
    options = WorkloadOptions(shuffle=0.0, duplicates=0.0)
    events = list(generate_events(parse_config(WORKLOAD_CONFIG), 60, 6, 21, W_START, options))
    rng = random.Random(22)
    early = [e for e in events if _at(e) <= W_MID and rng.random() > 0.1]
    early_ids = {e["id"] for e in early}
    rest = [e for e in events if e["id"] not in early_ids]
    rng.shuffle(rest)
    for start in range(0, len(early), 200):
        assert not services.ingest(early[start : start + 200], W_MID).rejected
    services.config_apply(TIGHTER, "test", W_MID)
    for start in range(0, len(rest), 7):
        assert not services.ingest(rest[start : start + 7], W_NOW).rejected
    expected, differing = judged_reference(services, early + rest, W_NOW)
    assert differing > 0  # the rule bites
    late = {e["ticket"] for e in rest}
    for ticket in sorted(late):
        assert list(services.ticket(ticket).instances) == expected[ticket], ticket  # type: ignore[union-attr]
        assert replayed(services, ticket, W_NOW) == expected[ticket], ticket
    services.rebuild(now=W_NOW)
    for ticket, instances in expected.items():
        assert list(services.ticket(ticket).instances) == instances, ticket  # type: ignore[union-attr]


def _at(obj: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(obj["at"].replace("Z", "+00:00"))


def test_rebuild_removes_ticket_rows_without_events(services: Services) -> None:
    """Rows the duplicate bug once left behind go at the next rebuild; others stay."""
    assert services.ingest([created("T-8", DAY + timedelta(hours=9))], NOW).accepted
    with services.db.engine.begin() as conn:
        conn.execute(insert(TicketRow), [{"id": "T-empty", "created": False, "deleted": False}])
    before = services.ticket("T-8")
    assert services.rebuild(now=NOW)["tickets"] == 1
    assert services.ticket("T-empty") is None
    assert services.ticket("T-8") == before
