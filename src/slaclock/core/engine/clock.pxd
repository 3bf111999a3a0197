# Cython declarations for the compiled build (setup.py, slaclock._accel); ignored by
# Python. Attributes here must match the class's __slots__ (tests/accel checks it).
# The methods the engine calls per event and per instance are C methods: called on a
# variable declared as a Clock, they skip the attribute lookup and the argument tuple.
import cython
from slaclock.core.calendar.business_calendar cimport Calendar
from slaclock.core.engine.compiled cimport Binding, Track
from slaclock.core.engine.instance cimport instance_of

cpdef _whole(seconds)

cdef class Measure:
    cdef public object elapsed, paused, due_at, goal_due_at

cdef class Clock:
    cdef public object base_elapsed, base_paused, binding, cycle, ended, open_at
    cdef public object open_paused, started_at, stopped_at, target_seconds, trace, track
    cdef public list segments
    cdef public Clock previous
    cpdef begin(self, track, at, paused, binding)
    cpdef set_paused(self, at, paused)
    cpdef stop(self, at, ended=*)
    cpdef resume(self, at, paused)
    @cython.locals(segments=list)
    cpdef _close(self, at)
    @cython.locals(calendar=Calendar, binding=Binding, segments=list, i=Py_ssize_t)
    cpdef Measure measure(self, as_of)
    cpdef _anchor(self)
    cpdef render(self, ticket_id, as_of)
    @cython.locals(binding=Binding, track=Track, m=Measure)
    cpdef tuple row(self, ticket_id, as_of)
