"""One test per policy rule of policies.md: choice, targets, calendars, re-targeting."""

from __future__ import annotations

from typing import Any

ENTERPRISE = {"all": [{"field": "customer.plan", "op": "eq", "value": "enterprise"}]}


def pol(pid: str, targets: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"id": pid, "name": pid, "calendar": extra.pop("calendar", "24x7"),
            "targets": targets, **extra}  # fmt: skip


def test_the_first_matching_policy_in_order_applies(kit):
    config = kit.config([
        pol("ent", {"resolution": {"within": "4h"}}, match=ENTERPRISE),
        pol("all", {"resolution": {"within": "8h"}}),
        pol("never", {"resolution": {"within": "1h"}}),
    ])  # fmt: skip
    tk = kit.Ticket().create("03-02 08:00", customer={"plan": "enterprise"})
    assert kit.run(config, tk, "03-02 09:00")[("resolution", 0)].policy == "ent"
    tk2 = kit.Ticket("T-2").create("03-02 08:00", customer={"plan": "free"})
    assert kit.run(config, tk2, "03-02 09:00")[("resolution", 0)].policy == "all"


def test_a_policy_without_match_matches_every_ticket(kit):
    config = kit.config([pol("all", {"resolution": {"within": "8h"}})])
    tk = kit.Ticket().create("03-02 08:00")
    assert kit.run(config, tk, "03-02 09:00")[("resolution", 0)].target_seconds == 8 * 3600


def test_a_priority_with_no_entry_has_no_instance(kit):
    config = kit.config([pol("p", {"resolution": {"within": {"urgent": "1h"}}})])
    tk = kit.Ticket().create("03-02 08:00", priority="low")
    assert kit.run(config, tk, "03-02 09:00") == {}


def test_calendar_chosen_by_a_ticket_field_with_a_default(kit):
    cal = {"by": "customer.region", "map": {"EU": "office"}, "default": "24x7"}
    config = kit.config([pol("p", {"resolution": {"within": "1h"}}, calendar=cal)])
    eu = kit.Ticket().create("03-02 08:00", customer={"region": "EU"})
    us = kit.Ticket("T-2").create("03-02 08:00", customer={"region": "US"})
    assert kit.run(config, eu, "03-02 08:30")[("resolution", 0)].calendar == "office"
    assert kit.run(config, eu, "03-02 08:30")[("resolution", 0)].due_at == kit.t("03-02 10:00")
    assert kit.run(config, us, "03-02 08:30")[("resolution", 0)].calendar == "24x7"


def test_a_target_calendar_overrides_the_policy_calendar(kit):
    targets = {
        "resolution": {"within": "1h", "calendar": "office"},
        "first_response": {"within": "1h"},
    }
    config = kit.config([pol("p", targets)])
    got = kit.run(config, kit.Ticket().create("03-02 08:00"), "03-02 08:30")
    assert got[("resolution", 0)].calendar == "office"
    assert got[("first_response", 0)].calendar == "24x7"


def test_goal_is_tracked_beside_the_target(kit):
    config = kit.config([pol("p", {"first_response": {"within": "1h", "goal": "15m"}})])
    tk = kit.Ticket().create("03-02 08:00")
    fr = kit.run(config, tk, "03-02 08:10")[("first_response", 0)]
    assert fr.goal_seconds == 900 and fr.goal_due_at == kit.t("03-02 08:15")
    assert fr.goal_breached is False
    tk.reply("03-02 08:20")
    fr = kit.run(config, tk, "03-02 09:00")[("first_response", 0)]
    assert fr.goal_breached is True and fr.state == "met" and fr.breached is False


def test_no_goal_means_null_goal_fields(kit):
    config = kit.config([pol("p", {"first_response": {"within": "1h"}})])
    fr = kit.run(config, kit.Ticket().create("03-02 08:00"), "03-02 08:10")[("first_response", 0)]
    assert fr.goal_seconds is None and fr.goal_due_at is None and fr.goal_breached is None


def test_a_stop_exactly_at_due_at_is_met(kit):
    config = kit.config([pol("p", {"first_response": {"within": "1h"}})])
    tk = kit.Ticket().create("03-02 08:00").reply("03-02 09:00")
    fr = kit.run(config, tk, "03-02 10:00")[("first_response", 0)]
    assert fr.state == "met" and fr.remaining_seconds == 0 and fr.breached_at is None


def test_a_stop_after_due_at_is_a_breach_even_a_solve(kit):
    config = kit.config([pol("p", {"first_response": {"within": "1h"}})])
    tk = kit.Ticket().create("03-02 08:00").update("03-02 09:00:01", status="solved")
    fr = kit.run(config, tk, "03-02 10:00")[("first_response", 0)]
    assert fr.state == "breached" and fr.breached_at == kit.t("03-02 09:00")


def test_running_past_due_at_is_breached_with_breached_at_due_at(kit):
    config = kit.config([pol("p", {"resolution": {"within": "1h"}})])
    tk = kit.Ticket().create("03-02 08:00")
    assert kit.run(config, tk, "03-02 09:00")[("resolution", 0)].state == "running"
    res = kit.run(config, tk, "03-02 09:00:01")[("resolution", 0)]
    assert res.state == "breached" and res.breached_at == kit.t("03-02 09:00")
    assert res.stopped_at is None and res.remaining_seconds == -1


UPGRADE = [
    pol("urgent", {"resolution": {"within": "1h"}},
        match={"all": [{"field": "priority", "op": "eq", "value": "urgent"}]}, calendar="office"),
    pol("base", {"resolution": {"within": "8h"}, "next_response": {"within": "1h"}}),
]  # fmt: skip


def test_retarget_retroactive_recomputes_from_the_original_start_and_may_breach_at_once(kit):
    config = kit.config(UPGRADE)
    tk = kit.Ticket().create("03-02 08:00").update("03-02 11:00", priority="urgent")
    res = kit.run(config, tk, "03-02 11:30")[("resolution", 0)]
    assert res.policy == "urgent" and res.calendar == "office" and res.target_seconds == 3600
    assert res.started_at == kit.t("03-02 08:00")
    assert res.due_at == kit.t("03-02 10:00")  # measured on the new calendar from 08:00
    assert res.state == "breached" and res.breached_at == kit.t("03-02 10:00")


def test_retarget_keep_elapsed_keeps_consumed_time_and_grants_grace(kit):
    policies = [dict(UPGRADE[0], retarget={"mode": "keep_elapsed", "grace": "15m"}), UPGRADE[1]]
    tk = kit.Ticket().create("03-02 08:00").update("03-02 11:00", priority="urgent")
    res = kit.run(kit.config(policies), tk, "03-02 11:05")[("resolution", 0)]
    # 3h consumed on 24x7; 1h target < 3h + 15m grace -> the target becomes 3h15m.
    assert res.target_seconds == 3 * 3600 + 900
    assert res.due_at == kit.t("03-02 11:15") and res.state == "running"
    assert res.elapsed_seconds == 3 * 3600 + 300 and res.started_at == kit.t("03-02 08:00")


def test_retarget_keep_elapsed_runs_the_rest_on_the_new_calendar(kit):
    policies = [
        pol("urgent", {"resolution": {"within": "4h"}}, calendar="office",
            match={"all": [{"field": "priority", "op": "eq", "value": "urgent"}]},
            retarget={"mode": "keep_elapsed", "grace": "15m"}),
        UPGRADE[1],
    ]  # fmt: skip
    tk = kit.Ticket().create("03-02 06:00").update("03-02 08:00", priority="urgent")
    res = kit.run(kit.config(policies), tk, "03-02 08:30")[("resolution", 0)]
    assert res.target_seconds == 4 * 3600  # 2h consumed + 15m fits in 4h
    assert res.due_at == kit.t("03-02 11:00")  # 2h left, office opens at 09:00
    assert res.elapsed_seconds == 2 * 3600


def test_retarget_restart_starts_a_fresh_clock_in_the_same_cycle(kit):
    policies = [dict(UPGRADE[0], retarget={"mode": "restart"}), UPGRADE[1]]
    tk = kit.Ticket().create("03-02 08:00").update("03-02 11:00", priority="urgent")
    got = kit.run(kit.config(policies), tk, "03-02 11:30")
    res = got[("resolution", 0)]
    assert res.started_at == kit.t("03-02 11:00") and res.cycle == 0
    assert res.elapsed_seconds == 1800 and res.due_at == kit.t("03-02 12:00")


def test_stopped_instances_keep_the_target_they_were_judged_by(kit):
    config = kit.config([
        pol("urgent", {"first_response": {"within": "1h"}},
            match={"all": [{"field": "priority", "op": "eq", "value": "urgent"}]}),
        pol("base", {"first_response": {"within": "8h"}}),
    ])  # fmt: skip
    tk = kit.Ticket().create("03-02 08:00").reply("03-02 10:00")
    tk.update("03-02 11:00", priority="urgent")
    fr = kit.run(config, tk, "03-02 12:00")[("first_response", 0)]
    assert fr.policy == "base" and fr.target_seconds == 8 * 3600 and fr.state == "met"


def test_a_metric_the_new_policy_lacks_is_cancelled(kit):
    config = kit.config(UPGRADE)
    tk = kit.Ticket().create("03-02 08:00").reply("03-02 08:05").customer("03-02 08:10")
    tk.update("03-02 08:20", priority="urgent")
    nr = kit.run(config, tk, "03-02 12:00")[("next_response", 0)]
    assert nr.state == "cancelled" and nr.stopped_at == kit.t("03-02 08:20")
    assert nr.policy == "base" and nr.elapsed_seconds == 600
    assert nr.due_at == kit.t("03-02 09:10") and nr.breached_at is None


def test_an_instance_records_policy_and_policy_version(kit):
    config = kit.config([pol("p", {"resolution": {"within": "8h"}})])
    config = type(config)(
        **{
            **config.__dict__,
            "policies": (
                type(config.policies[0])(**{**config.policies[0].__dict__, "version": 7}),
            ),
        }
    )
    res = kit.run(config, kit.Ticket().create("03-02 08:00"), "03-02 09:00")[("resolution", 0)]
    assert (res.policy, res.policy_version) == ("p", 7)


def test_a_target_appearing_later_applies_from_the_original_start(kit):
    config = kit.config([pol("p", {"resolution": {"within": {"urgent": "1h", "high": "4h"}}})])
    tk = kit.Ticket().create("03-02 08:00", priority="low").update("03-02 09:00", priority="high")
    res = kit.run(config, tk, "03-02 10:00")[("resolution", 0)]
    assert res.started_at == kit.t("03-02 08:00") and res.due_at == kit.t("03-02 12:00")
