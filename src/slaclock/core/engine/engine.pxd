# Cython declarations for the compiled build (setup.py, slaclock._accel); ignored by
# Python. Attributes here must match the class's __slots__ (tests/accel checks it).
import cython
from slaclock.core.engine.clock cimport Clock
from slaclock.core.engine.compiled cimport CompiledConfig, Track
from slaclock.core.engine.state cimport TicketState, apply_event
from slaclock.core.events cimport Event

cdef class Engine:
    cdef public object config
    cdef public CompiledConfig compiled
    @cython.locals(state=TicketState, event=Event)
    cpdef feed(self, state, event)
    @cython.locals(state=TicketState, clock=Clock, found=list)
    cpdef instances(self, state, as_of)
    @cython.locals(state=TicketState, clock=Clock, found=list)
    cpdef rows(self, state, as_of)

@cython.locals(clock=Clock, i=cython.Py_ssize_t, j=cython.Py_ssize_t)
cpdef list in_report_order(list clocks)
@cython.locals(ta=Track, tb=Track)
cpdef bint _before(Clock a, Clock b)
