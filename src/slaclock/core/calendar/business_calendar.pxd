# Cython declarations for the compiled build (setup.py, slaclock._accel); ignored by
# Python. Attributes here must match the class's __slots__ (tests/accel checks it).
# ``add`` and ``elapsed`` run for every clock read: C methods (see engine/clock.pxd).
cdef class Calendar:
    cdef public object _builder, _days, _spec
    cpdef add(self, start, seconds)
    cpdef elapsed(self, a, b)
