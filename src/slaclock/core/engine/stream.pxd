# Cython declarations for the compiled build (setup.py, slaclock._accel); ignored by
# Python. Attributes here must match the class's __slots__ (tests/accel checks it).
from slaclock.core.engine.engine cimport Engine

cdef class StreamReplay:
    cdef public object _all_ids, _idle, _newest, _parking, _sweep_at, as_of
    cdef public object needs_history, parked, states
    cdef public Engine engine
    cpdef feed(self, event)
