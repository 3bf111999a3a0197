"""Why a ticket's clocks say what they say: policies tried, and each instance's life.

Same data for people (:meth:`Explanation.to_text`, the ``slaclock explain`` command)
and programs (:meth:`Explanation.to_json`, the API).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slaclock.core.conditions import explain_failure
from slaclock.core.engine.engine import Engine, reported_clocks
from slaclock.core.engine.state import TicketState
from slaclock.core.events import Event, format_instant

__all__ = ["Explanation", "explain_ticket"]


@dataclass(frozen=True)
class Explanation:
    """The decisions behind one ticket's instances as of ``as_of``."""

    ticket: str
    as_of: datetime
    policies_tried: list[dict[str, Any]]
    policy: str | None
    policy_history: list[dict[str, Any]]
    instances: list[dict[str, Any]]

    def to_json(self) -> dict[str, Any]:
        return {
            "ticket": self.ticket,
            "as_of": format_instant(self.as_of),
            "policies_tried": self.policies_tried,
            "policy": self.policy,
            "policy_history": self.policy_history,
            "instances": self.instances,
        }

    def to_text(self) -> str:
        lines = [f"Ticket {self.ticket} as of {format_instant(self.as_of)}", "Policies tried:"]
        for tried in self.policies_tried:
            verdict = "MATCHED" if tried["matched"] else f"rejected: {tried['reason']}"
            lines.append(f"  {tried['policy']}: {verdict}")
        lines.append(f"Policy chosen: {self.policy or '(none)'}")
        for change in self.policy_history:
            lines.append(f"  {change['at']} {change['event']}: policy {change['policy']}")
        for entry in self.instances:
            inst = entry["instance"]
            lines.append(
                f"{inst['kind']} {inst['metric']} #{inst['cycle']} ({inst['policy']} "
                f"v{inst['policy_version']}, {inst['calendar']}): {inst['state']}, "
                f"target {inst['target_seconds']}s, due {inst['due_at']}, "
                f"elapsed {inst['elapsed_seconds']}s, paused {inst['paused_seconds']}s"
            )
            for s in entry["steps"]:
                cause = f" by {s['event']}" if s["event"] else ""
                lines.append(f"  {s['at']} {s['step']}{cause} ({s['detail']})")
        return "\n".join(lines) + "\n"


def explain_ticket(engine: Engine, events: Iterable[Event], as_of: datetime) -> Explanation:
    """Replay one ticket with tracing on, then read the decisions off its state."""
    state = engine.run(events, as_of, tracing=True)
    tried, chosen = _policies_tried(engine, state)
    history = [
        {"at": format_instant(at), "event": event_id, "policy": policy}
        for at, event_id, policy in state.policy_trace or ()
    ]
    result = engine.result(state, as_of, schedule=False)
    clocks = reported_clocks(state)  # the order of result.instances
    instances = []
    for clock, inst in zip(clocks, result.instances, strict=True):
        steps = [
            {"at": format_instant(at), "step": step, "event": event_id, "detail": detail}
            for at, step, event_id, detail in (clock.trace or [])
        ]
        if inst.breached and inst.breached_at is not None:
            how = (
                "elapsed open time exceeded the target before the stop"
                if clock.ended
                else "still running: elapsed open time exceeds the target"
            )
            steps.append(
                {"at": format_instant(inst.breached_at), "step": "breached", "event": None,
                 "detail": how}
            )  # fmt: skip
            steps.sort(key=lambda s: str(s["at"]))
        instances.append({"instance": inst.to_json(), "steps": steps})
    return Explanation(state.ticket_id, as_of, tried, chosen, history, instances)


def _policies_tried(engine: Engine, state: TicketState) -> tuple[list[dict[str, Any]], str | None]:
    """Policies in order up to the first match, with the condition that rejected each."""
    fields: Mapping[str, Any] = state.fields or {}
    tried: list[dict[str, Any]] = []
    for policy in engine.config.policies:
        reason = None if policy.match is None else explain_failure(policy.match, fields)
        tried.append({"policy": policy.id, "matched": reason is None, "reason": reason})
        if reason is None:
            return tried, policy.id
    return tried, None
