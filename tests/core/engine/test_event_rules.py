"""One test per event rule of events.md: status side effects, delivery, deletion."""

from __future__ import annotations

import random
from typing import Any

from slaclock.core.engine import Engine, replay
from slaclock.core.events import parse_event


def cfg(kit: Any) -> Any:
    return kit.one_policy()


def test_a_customer_message_on_a_pending_ticket_sets_it_open(kit):
    tk = kit.Ticket().create("03-02 08:00").update("03-02 09:00", status="pending")
    tk.customer("03-02 10:00")
    result = Engine(cfg(kit)).replay_ticket(tk.events, kit.t("03-02 11:00"))
    assert result.fields is not None and result.fields["status"] == "open"
    res = next(i for i in result.instances if i.metric == "resolution")
    assert res.state == "running" and res.paused_seconds == 3600


def test_a_customer_message_on_a_closed_ticket_changes_no_clock(kit):
    tk = kit.Ticket().create("03-02 08:00").reply("03-02 08:10")
    tk.update("03-02 09:00", status="closed").customer("03-02 10:00")
    result = Engine(cfg(kit)).replay_ticket(tk.events, kit.t("03-02 11:00"))
    assert result.fields is not None and result.fields["status"] == "closed"
    assert {(i.metric, i.state) for i in result.instances} == {
        ("first_response", "met"),
        ("resolution", "met"),
    }


def test_agent_replies_never_change_the_status(kit):
    tk = kit.Ticket().create("03-02 08:00").update("03-02 09:00", status="pending")
    tk.reply("03-02 10:00")
    result = Engine(cfg(kit)).replay_ticket(tk.events, kit.t("03-02 11:00"))
    assert result.fields is not None and result.fields["status"] == "pending"


def test_an_event_whose_id_was_seen_before_is_ignored(kit):
    tk = kit.Ticket().create("03-02 08:00").reply("03-02 08:30")
    later = max(e.seq for e in tk.events) + 1  # it arrives after the original
    again = parse_event({**tk.events[1].data, "at": "2026-03-02T08:10:00Z"}, seq=later)
    once = Engine(cfg(kit)).replay_ticket(tk.events, kit.t("03-02 12:00"))
    twice = Engine(cfg(kit)).replay_ticket([*tk.events, again], kit.t("03-02 12:00"))
    assert once.instances == twice.instances


def test_the_result_depends_only_on_events_sorted_by_at(kit):
    tk = kit.Ticket().create("03-02 08:00").reply("03-02 08:30").customer("03-02 09:00")
    tk.update("03-02 09:10", status="pending").customer("03-02 10:00").reply("03-02 10:30")
    shuffled = list(tk.events)
    random.Random(4).shuffle(shuffled)
    as_of = kit.t("03-02 12:00")
    assert list(replay(cfg(kit), shuffled, as_of)) == list(replay(cfg(kit), tk.events, as_of))


def test_ties_on_at_are_broken_by_arrival_order(kit):
    tk = kit.Ticket().create("03-02 08:00")
    tk.update("03-02 09:00", status="pending").update("03-02 09:00", status="open")
    result = Engine(cfg(kit)).replay_ticket(tk.events[::-1], kit.t("03-02 10:00"))
    assert result.fields is not None and result.fields["status"] == "open"


def test_events_before_their_ticket_was_created_wait_for_it(kit):
    tk = kit.Ticket().reply("03-02 08:30").create("03-02 08:00")
    result = Engine(cfg(kit)).replay_ticket(tk.events, kit.t("03-02 12:00"))
    fr = next(i for i in result.instances if i.metric == "first_response")
    assert fr.stopped_at == kit.t("03-02 08:30")
    orphan = Engine(cfg(kit)).replay_ticket(tk.events[:1], kit.t("03-02 12:00"))
    assert orphan.created is False and orphan.instances == []


def test_events_after_as_of_are_ignored(kit):
    tk = kit.Ticket().create("03-02 08:00").reply("03-02 08:30")
    fr = Engine(cfg(kit)).replay_ticket(tk.events, kit.t("03-02 08:20")).instances[0]
    assert fr.metric == "first_response" and fr.state == "running"


def test_deleted_cancels_running_instances(kit):
    tk = kit.Ticket().create("03-02 08:00").reply("03-02 08:30").delete("03-02 10:00")
    result = Engine(cfg(kit)).replay_ticket(tk.events, kit.t("03-02 20:00"))
    by_metric = {i.metric: i for i in result.instances}
    assert result.deleted
    assert by_metric["first_response"].state == "met"  # stopped before: untouched
    res = by_metric["resolution"]
    assert res.state == "cancelled" and res.stopped_at == kit.t("03-02 10:00")
    assert res.elapsed_seconds == 7200 and res.due_at == kit.t("03-02 16:00")
    assert res.breached is False and res.breached_at is None


def test_unknown_ticket_fields_go_under_custom_and_dotted_changes_apply(kit):
    tk = kit.Ticket().create("03-02 08:00", customer={"plan": "free"}, sla_tier="gold")
    tk.update("03-02 09:00", **{"customer.plan": "enterprise", "tags_added": ["vip"]})
    fields = Engine(cfg(kit)).replay_ticket(tk.events, kit.t("03-02 10:00")).fields
    assert fields is not None
    assert fields["custom"] == {"sla_tier": "gold"}
    assert fields["customer"] == {"plan": "enterprise"} and fields["tags"] == ["vip"]


def test_next_change_at_is_the_next_timed_change(kit):
    policy = {"id": "p", "name": "P", "calendar": "24x7",
              "targets": {"resolution": {"within": "8h", "goal": "4h"}},
              "reminders": [{"before": "1h", "notify": ["assignee"]}],
              "escalations": [{"after": "0m", "notify": ["group_lead"]},
                              {"after": "2h", "notify": ["group_lead"]}]}  # fmt: skip
    engine = Engine(kit.config([policy], groups=[{"id": "g", "name": "G"}]))
    tk = kit.Ticket().create("03-02 08:00")
    assert engine.replay_ticket(tk.events, kit.t("03-02 09:00")).next_change_at == kit.t(
        "03-02 12:00:01"
    )  # the goal: breached one second past its due time
    result = engine.replay_ticket(tk.events, kit.t("03-02 15:30"))
    assert result.next_change_at == kit.t("03-02 16:00")  # due (and the 0m escalation)
    fires = sorted((d.entry, d.index, d.fire_at) for d in engine.schedule(result))
    assert fires == [
        ("escalation", 0, kit.t("03-02 16:00")),
        ("escalation", 1, kit.t("03-02 18:00")),
        ("reminder", 0, kit.t("03-02 15:00")),
    ]


def test_reminders_honour_metrics_when_at_percent_and_real_clock(kit):
    policy = {"id": "p", "name": "P", "calendar": "office",
              "targets": {"resolution": {"within": "8h"}, "first_response": {"within": "2h"}},
              "reminders": [
                  {"at_percent": 75, "notify": ["assignee"], "metrics": ["resolution"]},
                  {"before": "1h", "clock": "real", "notify": ["assignee"]},
                  {"before": "30m", "notify": ["customer"],
                   "when": {"all": [{"field": "priority", "op": "eq", "value": "urgent"}]}},
              ],
              "escalations": [
                  {"after": "1h", "notify": ["group_lead"], "clock": "real"}]}  # fmt: skip
    engine = Engine(kit.config([policy], groups=[{"id": "g", "name": "G"}]))
    tk = kit.Ticket().create("03-02 09:00")
    result = engine.replay_ticket(tk.events, kit.t("03-02 10:00"))
    fires = sorted((d.metric, d.entry, d.index, d.fire_at) for d in engine.schedule(result))
    assert fires == [
        ("first_response", "escalation", 0, kit.t("03-02 12:00")),
        ("first_response", "reminder", 1, kit.t("03-02 10:00")),
        ("resolution", "escalation", 0, kit.t("03-02 18:00")),  # 1h real after the 17:00 due
        ("resolution", "reminder", 0, kit.t("03-02 15:00")),  # 6h of 8h open time
        ("resolution", "reminder", 1, kit.t("03-02 16:00")),
    ]
    assert result.next_change_at == kit.t("03-02 11:00:01")  # first_response breached


def test_a_paused_instance_schedules_nothing(kit):
    policy = {"id": "p", "name": "P", "calendar": "24x7",
              "targets": {"resolution": {"within": "8h"}},
              "escalations": [{"after": "0m", "notify": ["group_lead"]}]}  # fmt: skip
    engine = Engine(kit.config([policy], groups=[{"id": "g", "name": "G"}]))
    tk = kit.Ticket().create("03-02 09:00").update("03-02 10:00", status="pending")
    result = engine.replay_ticket(tk.events, kit.t("03-02 11:00"))
    assert engine.schedule(result) == [] and result.next_change_at is None


def test_an_acknowledgement_is_recorded_and_changes_no_clock(kit: Any) -> None:
    """notifications.md: ``sla.acknowledged`` changes no clock."""
    tk = kit.Ticket().create("03-02 08:00").update("03-02 09:00", status="pending")
    plain = Engine(cfg(kit)).replay_ticket(tk.events, kit.t("03-02 12:00"))
    ack = parse_event(
        {"id": "ack-1", "ticket": tk.events[0].ticket, "at": "2026-03-02T10:00:00Z",
         "type": "sla.acknowledged", "metric": "first_response", "cycle": 0, "by": "anna"},
        seq=max(e.seq for e in tk.events) + 1,
    )  # fmt: skip
    acked = Engine(cfg(kit)).replay_ticket([*tk.events, ack], kit.t("03-02 12:00"))
    assert [i.to_json() for i in acked.instances] == [i.to_json() for i in plain.instances]
