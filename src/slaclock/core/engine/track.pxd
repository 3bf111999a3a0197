# Cython's declarations for track.py (setup.py, cython-modules.txt); Python ignores
# them. A class's attributes here are its __slots__ (tests/accel checks it).
import cython
from slaclock.core.engine.ticket cimport Fact

cdef class Track:
    cdef public object definition, gated_next_response, key, kind, metric, ola, owner
    cdef public object repeat, resumes, start_checks, start_names, start_plain, stop_checks
    cdef public object stop_names, stop_plain
    cpdef started_by(self, facts, names, ticket)
    cpdef stopped_by(self, facts, names, ticket)

@cython.locals(fact=Fact)
cpdef _any_holds(checks, facts, ticket)
