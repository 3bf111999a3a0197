# Cython declarations for the compiled build (setup.py, slaclock._accel); ignored by
# Python. Attributes here must match the class's __slots__ (tests/accel checks it).
cdef class Measure:
    cdef public object elapsed, paused, due_at, goal_due_at

cdef class Clock:
    cdef public object base_elapsed, base_paused, binding, cycle, ended, open_at
    cdef public object open_paused, segments, started_at, stopped_at, target_seconds, trace, track
