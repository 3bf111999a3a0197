# Cython's declarations for state.py (setup.py, cython-modules.txt); Python ignores
# them. A class's attributes here are its __slots__ (tests/accel checks it).
import cython
from slaclock.core.bounded_cache cimport cached
from slaclock.core.events cimport Event
from slaclock.core.engine.clock cimport Clock
from slaclock.core.engine.compiled cimport CompiledConfig, pause_holds
from slaclock.core.engine.track cimport Track
from slaclock.core.engine.ticket cimport (
    Fact, apply_changes, as_dict, creation_facts, initial_fields, message_facts,
)

cdef class TicketState:
    cdef public dict clocks
    cdef public object binding_values, created, created_at, deleted, fields
    cdef public object first_response_given, last_at, last_seq, pending, policy
    cdef public object policy_trace, started, ticket_id, unanswered_since
    @cython.locals(event=Event)
    cpdef mark_last(self, event)
    cpdef list visible_clocks(self)

@cython.locals(cc=CompiledConfig, state=TicketState, event=Event)
cpdef apply_event(cc, state, event, at)

@cython.locals(state=TicketState, event=Event)
cpdef _create(state, event, at, by)

@cython.locals(cc=CompiledConfig, state=TicketState, fields=dict, event=Event)
cpdef _update_facts(cc, state, event)

@cython.locals(cc=CompiledConfig, state=TicketState, clock=Clock, all_clocks=dict, track=Track, fields=dict, event=Event)
cpdef _after_facts(cc, state, event, at, facts)

@cython.locals(cc=CompiledConfig, state=TicketState, event=Event, fact=Fact, tops=set)
cpdef _what_changed(cc, state, event, facts, names, fields)

@cython.locals(state=TicketState, clock=Clock, fields=dict)
cpdef _update_pauses(state, event, at, fields)

@cython.locals(state=TicketState, clock=Clock)
cpdef _follow(state, clock, binding, event, at)

@cython.locals(cc=CompiledConfig, state=TicketState, clock=Clock, latest=Clock, track=Track, fields=dict)
cpdef _maybe_start(cc, state, track, policy, event, at, facts, names, was_unanswered)

@cython.locals(cc=CompiledConfig, state=TicketState, track=Track)
cpdef _binding(cc, state, track, policy)

@cython.locals(state=TicketState)
cpdef _track_conversation(state, names, at)

@cython.locals(state=TicketState, clock=Clock, sibling=Clock)
cpdef _make_visible(clock)

@cython.locals(clocks=dict, found=list, clock=Clock, latest=Clock, start=Py_ssize_t)
cpdef list every_clock(clocks)

@cython.locals(clock=Clock)
cpdef _note(clock, at, step, event, detail)
