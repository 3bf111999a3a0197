"""One test per metric rule of policies.md (built-ins, custom metrics, OLAs, pauses)."""

from __future__ import annotations

from typing import Any

ALL_BUILTINS = {
    "first_response": {"within": "1h"},
    "next_response": {"within": "2h"},
    "periodic_update": {"within": "4h"},
    "resolution": {"within": "8h"},
}


def cfg(kit: Any, targets: dict[str, Any] | None = None, **extra: Any) -> Any:
    policy = {"id": "p", "name": "P", "calendar": "24x7", "targets": targets or ALL_BUILTINS}
    return kit.config([policy], **extra)


def test_first_response_starts_at_customer_creation_and_stops_at_first_public_reply(kit):
    tk = kit.Ticket().create("03-02 08:00").reply("03-02 08:10", public=False)
    tk.reply("03-02 08:40")
    fr = kit.run(cfg(kit), tk, "03-02 12:00")[("first_response", 0)]
    assert fr.started_at == kit.t("03-02 08:00")
    assert fr.stopped_at == kit.t("03-02 08:40")  # the internal note did not stop it
    assert fr.state == "met" and fr.elapsed_seconds == 2400 and fr.remaining_seconds == 1200


def test_first_response_is_stopped_by_solved(kit):
    tk = kit.Ticket().create("03-02 08:00").update("03-02 08:30", status="solved")
    fr = kit.run(cfg(kit), tk, "03-02 12:00")[("first_response", 0)]
    assert fr.stopped_at == kit.t("03-02 08:30") and fr.state == "met"


def test_agent_created_ticket_has_no_first_response_and_creation_is_not_a_reply(kit):
    tk = kit.Ticket().create("03-02 08:00", by="agent")
    got = kit.run(cfg(kit), tk, "03-02 12:00")
    assert ("first_response", 0) not in got
    assert ("periodic_update", 0) not in got  # creation started no update cycle
    assert ("resolution", 0) in got


def test_next_response_opens_only_once_the_first_response_was_given(kit):
    tk = kit.Ticket().create("03-02 08:00").customer("03-02 08:05")
    assert ("next_response", 0) not in kit.run(cfg(kit), tk, "03-02 12:00")
    tk.reply("03-02 08:30").customer("03-02 09:00")
    nr = kit.run(cfg(kit), tk, "03-02 10:00")[("next_response", 0)]
    assert nr.started_at == kit.t("03-02 09:00") and nr.state == "running"


def test_next_response_clock_stays_on_the_oldest_unanswered_message(kit):
    tk = kit.Ticket().create("03-02 08:00").reply("03-02 08:10")
    tk.customer("03-02 09:00").customer("03-02 09:30").reply("03-02 10:00")
    got = kit.run(cfg(kit), tk, "03-02 12:00")
    nr = got[("next_response", 0)]
    assert nr.started_at == kit.t("03-02 09:00") and nr.stopped_at == kit.t("03-02 10:00")
    assert ("next_response", 1) not in got


def test_next_response_one_cycle_per_answered_run_of_customer_messages(kit):
    tk = kit.Ticket().create("03-02 08:00").reply("03-02 08:10")
    tk.customer("03-02 09:00").reply("03-02 09:20").customer("03-02 10:00").reply("03-02 13:00")
    got = kit.run(cfg(kit), tk, "03-02 14:00")
    assert got[("next_response", 0)].state == "met"
    assert got[("next_response", 1)].started_at == kit.t("03-02 10:00")
    assert got[("next_response", 1)].state == "breached"
    assert got[("next_response", 1)].breached_at == kit.t("03-02 12:00")


def test_periodic_update_starts_at_first_reply_and_each_reply_starts_the_next(kit):
    tk = kit.Ticket().create("03-02 08:00").reply("03-02 09:00").reply("03-02 10:00")
    got = kit.run(cfg(kit), tk, "03-02 11:00")
    assert got[("periodic_update", 0)].started_at == kit.t("03-02 09:00")
    assert got[("periodic_update", 0)].stopped_at == kit.t("03-02 10:00")
    assert got[("periodic_update", 1)].started_at == kit.t("03-02 10:00")
    assert got[("periodic_update", 1)].state == "running"


def test_periodic_update_pauses_while_pending_by_default(kit):
    tk = kit.Ticket().create("03-02 08:00").reply("03-02 09:00")
    tk.update("03-02 10:00", status="pending").update("03-02 12:00", status="open")
    pu = kit.run(cfg(kit), tk, "03-02 13:00")[("periodic_update", 0)]
    assert pu.paused_seconds == 7200 and pu.elapsed_seconds == 7200
    assert pu.due_at == kit.t("03-02 15:00")


def test_a_reopen_starts_no_periodic_update_cycle(kit):
    tk = kit.Ticket().create("03-02 08:00").reply("03-02 09:00")
    tk.update("03-02 10:00", status="solved").update("03-02 11:00", status="open")
    got = kit.run(cfg(kit), tk, "03-02 12:00")
    assert got[("periodic_update", 0)].stopped_at == kit.t("03-02 10:00")
    assert ("periodic_update", 1) not in got
    tk.reply("03-02 11:30")
    assert kit.run(cfg(kit), tk, "03-02 12:00")[("periodic_update", 1)].state == "running"


def test_resolution_reopen_resumes_the_same_instance_with_the_remaining_target(kit):
    tk = kit.Ticket().create("03-02 08:00").update("03-02 10:00", status="solved")
    tk.update("03-03 08:00", status="open")
    got = kit.run(cfg(kit), tk, "03-03 09:00")
    res = got[("resolution", 0)]
    assert ("resolution", 1) not in got
    assert res.state == "running" and res.stopped_at is None
    assert res.elapsed_seconds == 3 * 3600 and res.paused_seconds == 0  # solve→reopen: neither
    assert res.due_at == kit.t("03-03 14:00")  # 6h remaining from the reopen
    tk.update("03-03 15:00", status="solved")
    res = kit.run(cfg(kit), tk, "03-03 16:00")[("resolution", 0)]
    assert res.state == "breached" and res.breached_at == kit.t("03-03 14:00")


def test_customer_message_reopening_a_solved_ticket_starts_next_response(kit):
    tk = kit.Ticket().create("03-02 08:00").reply("03-02 08:10")
    tk.update("03-02 09:00", status="solved").customer("03-02 10:00")
    got = kit.run(cfg(kit), tk, "03-02 11:00")
    assert got[("next_response", 0)].started_at == kit.t("03-02 10:00")
    assert got[("resolution", 0)].state == "running"  # reopened


CUSTOM = {
    "triage": {
        "start": [{"event": "group_entered", "group": "eng"}],
        "stop": [{"event": "group_left", "group": "eng"}, {"event": "solved"}],
        "pause": {"status": ["on_hold"]},
        "repeat": True,
    }
}


def test_custom_metric_with_repeat_opens_a_new_cycle_on_each_start_after_a_stop(kit):
    config = cfg(kit, {"triage": {"within": "1h"}}, metrics=CUSTOM, groups=GROUPS)
    tk = kit.Ticket().create("03-02 08:00", group="support")
    tk.update("03-02 09:00", group="eng").update("03-02 09:30", group="support")
    tk.update("03-02 10:00", group="eng")
    got = kit.run(config, tk, "03-02 10:30")
    assert got[("triage", 0)].stopped_at == kit.t("03-02 09:30")
    assert got[("triage", 1)].started_at == kit.t("03-02 10:00")


def test_custom_metric_without_repeat_starts_only_once(kit):
    metrics = {"triage": {**CUSTOM["triage"], "repeat": False}}
    config = cfg(kit, {"triage": {"within": "1h"}}, metrics=metrics, groups=GROUPS)
    tk = kit.Ticket().create("03-02 08:00", group="support")
    tk.update("03-02 09:00", group="eng").update("03-02 09:30", group="support")
    tk.update("03-02 10:00", group="eng")
    assert set(kit.run(config, tk, "03-02 10:30")) == {("triage", 0)}


GROUPS = [{"id": "eng", "name": "Engineering"}, {"id": "support", "name": "Support"}]


def test_ola_is_computed_for_tickets_entering_its_group_whatever_the_policy(kit):
    policy = {"id": "vip", "name": "VIP", "calendar": "24x7",
              "match": {"all": [{"field": "customer.plan", "op": "eq", "value": "vip"}]},
              "targets": {"resolution": {"within": "8h"}}}  # fmt: skip
    ola = {"id": "eng-triage", "group": "eng", "metric": "triage", "within": "2h",
           "calendar": "24x7", "supports": ["resolution"]}  # fmt: skip
    config = kit.config([policy], metrics=CUSTOM, olas=[ola], groups=GROUPS)
    tk = kit.Ticket().create("03-02 08:00", group="support", customer={"plan": "free"})
    tk.update("03-02 09:00", group="eng")
    result = kit.run(config, tk, "03-02 12:00")
    inst = result[("triage", 0)]
    assert inst.kind == "ola" and inst.policy == "eng-triage"
    assert inst.state == "breached" and inst.breached_at == kit.t("03-02 11:00")
    assert ("resolution", 0) not in result  # no customer policy matched


def test_a_target_pause_replaces_the_metric_default_pause(kit):
    targets = {"resolution": {"within": "8h", "pause": {"status": ["on_hold"]}}}
    tk = kit.Ticket().create("03-02 08:00").update("03-02 09:00", status="pending")
    tk.update("03-02 10:00", status="on_hold")
    res = kit.run(cfg(kit, targets), tk, "03-02 11:00")[("resolution", 0)]
    assert res.elapsed_seconds == 7200  # pending no longer pauses
    assert res.paused_seconds == 3600 and res.state == "paused" and res.due_at is None


def test_a_paused_instance_has_no_due_at_and_it_is_recomputed_on_resume(kit):
    tk = kit.Ticket().create("03-02 08:00").update("03-02 09:00", status="pending")
    res = kit.run(cfg(kit), tk, "03-02 10:00")[("resolution", 0)]
    assert res.state == "paused" and res.due_at is None and res.goal_due_at is None
    tk.update("03-02 11:00", status="open")
    res = kit.run(cfg(kit), tk, "03-02 12:00")[("resolution", 0)]
    assert res.due_at == kit.t("03-02 18:00") and res.paused_seconds == 7200


def test_closed_calendar_hours_are_not_a_pause(kit):
    policy = {"id": "p", "name": "P", "calendar": "office",
              "targets": {"resolution": {"within": "2h"}}}  # fmt: skip
    tk = kit.Ticket().create("03-02 16:00")
    res = kit.run(kit.config([policy]), tk, "03-02 20:00")[("resolution", 0)]
    assert res.state == "running" and res.paused_seconds == 0
    assert res.elapsed_seconds == 3600 and res.due_at == kit.t("03-03 10:00")


def test_started_at_is_the_event_instant_even_in_closed_hours(kit):
    policy = {"id": "p", "name": "P", "calendar": "office",
              "targets": {"first_response": {"within": "1h"}}}  # fmt: skip
    tk = kit.Ticket().create("03-01 22:00")  # a Sunday night
    fr = kit.run(kit.config([policy]), tk, "03-02 08:00")[("first_response", 0)]
    assert fr.started_at == kit.t("03-01 22:00") and fr.elapsed_seconds == 0
    assert fr.due_at == kit.t("03-02 10:00")


def test_target_reached_exactly_as_a_pause_begins_keeps_that_due_at(kit):
    targets = {"resolution": {"within": "1h"}}
    tk = kit.Ticket().create("03-02 08:00").update("03-02 09:00", status="pending")
    res = kit.run(cfg(kit, targets), tk, "03-02 10:00")[("resolution", 0)]
    # The target is used up, not exceeded: paused with 0 left, and due_at stays the
    # instant it was used up (a resume breaches it at once, breached_at 09:00).
    assert res.due_at == kit.t("03-02 09:00") and res.state == "paused"
    assert res.elapsed_seconds == 3600 and res.paused_seconds == 3600
    assert res.remaining_seconds == 0 and not res.breached
    tk.update("03-02 10:00", status="open")
    res = kit.run(cfg(kit, targets), tk, "03-02 10:00:01")[("resolution", 0)]
    assert res.state == "breached" and res.breached_at == kit.t("03-02 09:00")
    assert res.remaining_seconds == -1
