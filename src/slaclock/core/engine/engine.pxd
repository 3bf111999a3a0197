# Cython declarations for the compiled build (setup.py, slaclock._accel); ignored by
# Python. Attributes here must match the class's __slots__ (tests/accel checks it).
cdef class Engine:
    cdef public object compiled, config
    cpdef feed(self, state, event)
    cpdef instances(self, state, as_of)
