# Cython's declarations for clock.py (setup.py, cython-modules.txt); Python ignores
# them. A class's attributes here are its __slots__ (tests/accel checks it).
import cython
from slaclock.core.calendar.business_calendar cimport Calendar
from slaclock.core.engine.compiled cimport Binding
from slaclock.core.engine.track cimport Track

cdef class Measure:
    cdef public object elapsed, paused, due_at, goal_due_at

cdef class Clock:
    cdef public object base_elapsed, base_paused, binding, cycle, ended, open_at
    cdef public object open_paused, rendered, started_at, stopped_at, target_seconds, trace
    cdef public object track
    cdef public list segments
    cdef public Clock previous
    cpdef set_paused(self, at, paused)
    cpdef stop(self, at, ended=*)
    cpdef resume(self, at, paused)
    cpdef _close(self, at)
    @cython.locals(calendar=Calendar, binding=Binding)
    cpdef Measure measure(self, as_of)
    cpdef _anchor(self)
    @cython.locals(binding=Binding, track=Track, m=Measure)
    cpdef render(self, ticket_id, as_of)
