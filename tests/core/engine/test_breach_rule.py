"""The breach rule at its boundary (policies.md, events.md): an instance is breached when
its elapsed open time exceeds its target, so a stop at ``due_at`` or in the closed hours
right after it is met, and a running clock is breached only once its calendar runs past
``due_at``.

The ``office`` calendar is open 09:00-17:00 UTC on weekdays; 2026-03-06 is a Friday. An
8h first response for a ticket created Friday 09:00 is due Friday 17:00, closing time.
"""

from __future__ import annotations

from typing import Any

import pytest

from slaclock.core.config import config_from_mapping
from slaclock.core.engine import Engine

FRIDAY_CLOSE = "03-06 17:00"


def office(targets: dict[str, Any], **extra: Any) -> list[dict[str, Any]]:
    return [{"id": "p", "name": "P", "calendar": "office", "targets": targets, **extra}]


@pytest.mark.parametrize(
    ("reply_at", "state", "remaining"),
    [
        ("03-06 17:00", "met", 0),  # at due_at
        ("03-07 12:00", "met", 0),  # Saturday: the closed hours right after due_at
        ("03-09 09:00", "met", 0),  # the next opening's first instant: no open time used
        ("03-09 09:00:01", "breached", -1),  # one second of open time beyond the target
    ],
    ids=["at-due", "closed-hours-after", "next-opening", "one-second-later"],
)
def test_a_stop_is_met_until_open_time_runs_past_due_at(kit, reply_at, state, remaining):
    config = kit.config(office({"first_response": {"within": "8h"}}))
    tk = kit.Ticket().create("03-06 09:00").reply(reply_at)
    fr = kit.run(config, tk, "03-10 12:00")[("first_response", 0)]
    assert fr.due_at == kit.t(FRIDAY_CLOSE)
    assert (fr.state, fr.remaining_seconds, fr.breached) == (state, remaining, state == "breached")
    assert fr.breached_at == (kit.t(FRIDAY_CLOSE) if state == "breached" else None)


@pytest.mark.parametrize(
    ("reply_at", "goal_breached"),
    [("03-06 17:00", False), ("03-07 12:00", False), ("03-09 09:00", False),
     ("03-09 09:00:01", True)],
    ids=["at-goal-due", "closed-hours-after", "next-opening", "one-second-later"],
)  # fmt: skip
def test_a_goal_follows_the_same_rule(kit, reply_at, goal_breached):
    config = kit.config(office({"first_response": {"within": "16h", "goal": "8h"}}))
    tk = kit.Ticket().create("03-06 09:00").reply(reply_at)
    fr = kit.run(config, tk, "03-10 12:00")[("first_response", 0)]
    assert fr.goal_due_at == kit.t(FRIDAY_CLOSE)
    assert fr.goal_breached is goal_breached
    assert fr.state == "met"


@pytest.mark.parametrize(
    ("as_of", "state", "remaining"),
    [
        ("03-06 16:59", "running", 60),
        ("03-06 17:00", "running", 0),
        ("03-07 12:00", "running", 0),  # over the weekend: due, none left, not overdue
        ("03-09 09:00", "running", 0),
        ("03-09 09:00:01", "breached", -1),
        ("03-09 10:00", "breached", -3600),
    ],
)
def test_a_running_clock_over_a_weekend_breaches_when_the_calendar_opens(
    kit, as_of, state, remaining
):
    config = kit.config(office({"first_response": {"within": "8h", "goal": "8h"}}))
    tk = kit.Ticket().create("03-06 09:00")
    fr = kit.run(config, tk, as_of)[("first_response", 0)]
    assert (fr.state, fr.remaining_seconds) == (state, remaining)
    assert fr.breached is (state == "breached") and fr.goal_breached is (state == "breached")
    assert fr.due_at == kit.t(FRIDAY_CLOSE)


def test_a_running_clock_next_changes_one_second_into_the_next_opening(kit):
    engine = Engine(kit.config(office({"first_response": {"within": "8h"}})))
    tk = kit.Ticket().create("03-06 09:00")
    result = engine.replay_ticket(tk.events, kit.t("03-07 12:00"))
    assert result.next_change_at == kit.t("03-09 09:00:01")


def test_the_breach_escalation_fires_at_the_next_opening(kit):
    policies = office(
        {"first_response": {"within": "8h"}},
        escalations=[{"after": "0m", "notify": ["group_lead"]},
                     {"after": "1h", "notify": ["group_lead"]},
                     {"after": "0m", "clock": "real", "notify": ["group_lead"]}],
    )  # fmt: skip
    engine = Engine(kit.config(policies, groups=[{"id": "g", "name": "G"}]))
    tk = kit.Ticket().create("03-06 09:00")
    result = engine.replay_ticket(tk.events, kit.t("03-06 12:00"))
    fires = sorted((d.index, d.fire_at) for d in engine.schedule(result))
    assert fires == [
        (0, kit.t("03-09 09:00")),  # after: 0m is the breach itself
        (1, kit.t("03-09 10:00")),
        (2, kit.t("03-09 09:00")),  # the breach, in any clock
    ]


def test_a_solve_after_a_weekend_is_met_as_servicenow_judges_it(kit):
    """The issue's reproduction: a 9h target on a 14:00-23:00 weekday calendar."""
    week = {day: ["14:00-23:00"] for day in ("mon", "tue", "wed", "thu", "fri")}
    calendars = [{"id": "biz", "tz": "UTC", "week": week}]
    policy = {"id": "p", "name": "P", "calendar": "biz",
              "targets": {"resolution": {"within": "9h"}}}  # fmt: skip
    config = config_from_mapping({"calendars": calendars, "policies": [policy]})
    a = kit.Ticket("A").create("04-17 14:00", by="agent").update("04-17 23:00", status="closed")
    b = kit.Ticket("B").create("04-17 14:00", by="agent").update("04-18 15:00", status="closed")
    c = kit.Ticket("C").create("04-17 14:00", by="agent")
    got = {tk.id: kit.run(config, tk, "04-18 20:00")[("resolution", 0)] for tk in (a, b, c)}
    assert (got["A"].state, got["B"].state) == ("met", "met")
    assert (got["C"].state, got["C"].remaining_seconds) == ("running", 0)
