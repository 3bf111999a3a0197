# Cython's declarations for events.py (setup.py, cython-modules.txt); Python ignores
# them. A class's attributes here are its __slots__ (tests/accel checks it).
import cython
from slaclock.core.event_checks cimport plainly_valid

cdef class Event:
    cdef public object at, data, id, seq, ticket, type

cpdef parse_event(obj, seq=*)
cpdef _parse_plain(dict obj, seq)
@cython.locals(text=str)
cpdef _decode(line)
@cython.locals(n=cython.Py_ssize_t, i=cython.Py_ssize_t, start=cython.Py_ssize_t,
               end=cython.Py_ssize_t, c=cython.Py_UCS4)
cpdef bint _has_long_digits(str text)
