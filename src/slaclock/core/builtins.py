"""The four built-in metrics, written in the same predicate language as custom ones.

A ``metrics:`` entry of the same name in the configuration replaces one of these.
The parts of their behaviour that are about the engine's own state rather than
ticket events (``next_response`` opens a cycle only when no customer message is
unanswered and the first response was given; ``resolution`` resumes the same
instance on reopen) are implemented by the engine for metrics whose
``builtin`` flag is set (``slaclock.core.engine.state``; docs/engine.md).

``first_response`` starts only on ``created by: customer``: a ticket an agent opens
has no first response to wait for. ``periodic_update`` both starts and stops on a
public reply: the engine stops a running cycle before it starts the next.
"""

from __future__ import annotations

from collections.abc import Mapping

from slaclock.core.model import MetricDef, PauseRule, Predicate

BUILTIN_METRIC_DEFS: Mapping[str, MetricDef] = {
    "first_response": MetricDef(
        name="first_response",
        start=(Predicate("created", {"by": "customer"}),),
        stop=(Predicate("agent_reply"), Predicate("solved")),
        builtin=True,
    ),
    "next_response": MetricDef(
        name="next_response",
        start=(Predicate("customer_message"),),
        stop=(Predicate("agent_reply"), Predicate("solved")),
        repeat=True,
        builtin=True,
    ),
    "periodic_update": MetricDef(
        name="periodic_update",
        start=(Predicate("agent_reply"),),
        stop=(Predicate("agent_reply"), Predicate("solved")),
        pause=PauseRule(statuses=frozenset({"pending"})),
        repeat=True,
        builtin=True,
    ),
    "resolution": MetricDef(
        name="resolution",
        start=(Predicate("created"),),
        stop=(Predicate("solved"),),
        pause=PauseRule(statuses=frozenset({"pending"})),
        builtin=True,
    ),
}
