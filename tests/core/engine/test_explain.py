"""Explanations: policies tried in order with the rejecting condition, each instance's
life with the event that caused each step (policies.md, "Every decision is explainable")."""

from __future__ import annotations

from slaclock.core.engine import Engine

POLICIES = [
    {"id": "urgent", "name": "Urgent", "calendar": "24x7",
     "match": {"all": [{"field": "priority", "op": "eq", "value": "urgent"}]},
     "retarget": {"mode": "keep_elapsed", "grace": "15m"},
     "targets": {"resolution": {"within": "1h"}}},
    {"id": "base", "name": "Base", "calendar": "24x7",
     "targets": {"resolution": {"within": "8h"}}},
]  # fmt: skip


def test_explanation_names_policies_tried_and_each_step_with_its_event(kit):
    tk = kit.Ticket().create("03-02 08:00").update("03-02 09:00", status="pending")
    tk.update("03-02 10:00", status="open").update("03-02 11:00", priority="urgent")
    engine = Engine(kit.config(POLICIES))
    explanation = engine.explain_ticket(tk.events, kit.t("03-02 12:00"))
    data = explanation.to_json()
    assert data["policy"] == "urgent"
    assert data["policies_tried"] == [{"policy": "urgent", "matched": True, "reason": None}]
    assert [h["policy"] for h in data["policy_history"]] == ["base", "urgent"]
    (entry,) = data["instances"]
    steps = [(s["step"], s["event"]) for s in entry["steps"]]
    ids = [e.id for e in tk.events]
    assert steps == [
        ("started", ids[0]),
        ("paused", ids[1]),
        ("resumed", ids[2]),
        ("retargeted", ids[3]),
        ("breached", None),
    ]
    assert entry["steps"][3]["detail"].startswith("keep_elapsed: urgent v1")
    # 2h consumed + 15m grace: the target becomes 2h15m, breached at 11:15.
    assert entry["instance"]["target_seconds"] == 8100
    assert entry["instance"]["breached_at"] == "2026-03-02T11:15:00Z"
    text = explanation.to_text()
    assert "urgent: MATCHED" in text and "Policy chosen: urgent" in text
    assert f"retargeted by {ids[3]}" in text


def test_a_rejected_policy_names_the_condition(kit):
    tk = kit.Ticket().create("03-02 08:00", priority="low")
    data = Engine(kit.config(POLICIES)).explain_ticket(tk.events, kit.t("03-02 09:00")).to_json()
    first, second = data["policies_tried"]
    assert first["policy"] == "urgent" and first["matched"] is False
    assert "priority" in first["reason"] and "low" in first["reason"]
    assert second == {"policy": "base", "matched": True, "reason": None}
