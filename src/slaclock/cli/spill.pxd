# Cython declarations for the compiled build (setup.py, slaclock._accel); ignored by
# Python. Attributes here must match the class's __slots__ (tests/accel checks it).
# The index and the buffer are C-typed: each lookup and append is a C call.

cdef class SpillFile:
    cdef public object _fd, _file, _written
    cdef public dict _index
    cdef public bytearray _buffer
