# Cython declarations for the compiled build (setup.py, slaclock._accel); ignored by
# Python. Attributes here must match the class's __slots__ (tests/accel checks it).
import cython
from slaclock.core.engine.engine cimport Engine
from slaclock.core.events cimport Event
from slaclock.core.engine.instance cimport instance_of, json_line
from slaclock.core.engine.park cimport Parking, is_quiet
from slaclock.core.engine.state cimport TicketState

cdef class StreamReplay:
    cdef public object _all_ids, _idle, _newest, _sweep_at, as_of, parked
    cdef public bint _parked_any
    cdef public list _fresh_ids
    cdef public set needs_history
    cdef public dict states
    cdef public Engine engine
    cdef public Parking _parking
    @cython.locals(state=TicketState, event=Event)
    cpdef feed(self, event)
    @cython.locals(count=cython.Py_ssize_t)
    cpdef feed_all(self, events)

@cython.locals(state=TicketState)
cpdef bint _can_leave(state, idle_before)
