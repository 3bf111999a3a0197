# Cython declarations for the compiled build (setup.py, slaclock._accel); ignored by
# Python. Attributes here must match the class's __slots__ (tests/accel checks it).
# A big replay packs and unpacks hundreds of thousands of tickets: the states and
# clocks are read and written as C structs.
import cython
from slaclock.core.calendar.business_calendar cimport epoch_micros, from_epoch_micros
from slaclock.core.engine.clock cimport Clock
from slaclock.core.engine.state cimport TicketState, every_clock
from slaclock.core.events cimport new_event

cdef class Parking:
    cdef public object _known, _refs, cc
    @cython.locals(state=TicketState)
    cpdef pack(self, state)
    @cython.locals(state=TicketState, clock=Clock)
    cpdef unpack(self, data)

@cython.locals(c=Clock, segments=list, packed=list, i=Py_ssize_t)
cpdef _pack_clock(c, refs)

@cython.locals(clock=Clock, packed=tuple, segments=list, i=Py_ssize_t)
cpdef _unpack_clock(row, shared)

cpdef _us(value)
cpdef _at(value)

@cython.locals(state=TicketState, clock=Clock)
cpdef bint is_quiet(state)
