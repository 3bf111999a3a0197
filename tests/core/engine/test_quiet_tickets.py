"""What an event can do to a ticket whose clocks have all ended (``stirs_quiet_ticket``),
which the streaming replay relies on to print a parked ticket's lines as they were
rendered when it was parked."""

from __future__ import annotations

import copy

from hypothesis import given

from slaclock.core.engine import Engine
from slaclock.core.engine.park import is_quiet
from slaclock.core.engine.state import TicketState, _update_facts, stirs_quiet_ticket
from slaclock.core.engine.ticket import creation_facts, possible_fact_names
from slaclock.core.events import Event

from .test_engine_properties import AS_OF, EXAMPLE, PROPS, tickets


def _fresh(engine: Engine) -> TicketState:
    state = TicketState("T-1")
    state.keep = engine.compiled.field_filter  # as the streaming replay keeps tickets
    return state


def _stated(engine: Engine, state: TicketState, event: Event) -> list[str]:
    """The names of the facts the engine states for ``event`` on ``state`` (on a copy
    of its fields: ``_update_facts`` writes the changes into them)."""
    if event.type == "ticket.created":
        by = event.data.get("by", "customer")
        return [f.name for f in creation_facts(event.data["fields"], by)]
    if event.type == "ticket.deleted" or not state.created or state.deleted:
        return []
    probe = _fresh(engine)
    probe.created, probe.fields = True, copy.deepcopy(state.fields)
    return [f.name for f in _update_facts(engine.compiled, probe, event)]


@PROPS
@given(tickets())
def test_the_facts_an_event_states_are_among_its_possible_names(events):
    engine = Engine(EXAMPLE)
    state = _fresh(engine)
    for event in events:
        assert set(_stated(engine, state, event)) <= possible_fact_names(event), event
        engine.feed(state, event)


@PROPS
@given(tickets())
def test_an_event_that_cannot_stir_a_quiet_ticket_leaves_its_instances_alone(events):
    engine = Engine(EXAMPLE)
    state = _fresh(engine)
    for event in events:
        quiet = is_quiet(state)
        before = engine.instances(state, AS_OF)
        engine.feed(state, event)
        if quiet and not stirs_quiet_ticket(engine.compiled, event):
            assert engine.instances(state, AS_OF) == before, event


def test_what_stirs_a_quiet_ticket_in_the_example_configuration(kit):
    """Starts listen to created, customer_message, agent_reply, group_entered; the
    resolution resumes on a reopen."""
    cc = Engine(EXAMPLE).compiled
    tk = kit.Ticket("T-1").create("03-02 08:00")
    tk.update("03-02 09:00", status="closed").update("03-02 09:05", status="open")
    tk.reply("03-02 09:10", public=False).reply("03-02 09:20").customer("03-02 09:30")
    tk.update("03-02 09:40", group="engineering").update("03-02 09:50", priority="high")
    stirs = [stirs_quiet_ticket(cc, e) for e in tk.events]
    assert stirs == [True, False, True, False, True, True, True, False]
