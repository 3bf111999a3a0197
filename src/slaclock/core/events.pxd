# Cython declarations for the compiled build (setup.py, slaclock._accel); ignored by
# Python. The per-line decoding and checks are C functions: read_events calls them
# directly, without a Python call each. An instant to format is a C datetime, whose
# fields are then struct reads.
import cython
from cpython.datetime cimport datetime

# An event's fields are read for every event by the engine: struct reads on a variable
# declared as an Event (the engine's .pxd files do).
cdef class Event:
    cdef public object at, data, id, seq, ticket, type

# Returns an Event, declared as an object: a C function other modules cimport must not
# name a C class in its signature (engine/ticket.pxd).
@cython.locals(event=Event)
cpdef new_event(event_id, ticket, at, event_type, seq, data)

cpdef format_instant(datetime value)
@cython.locals(day=cython.long, second=cython.long, days=list, seconds=list)
cpdef str instant_text(datetime value, bint quoted)
cdef list _DAYS, _QUOTED_DAYS, _SECONDS, _QUOTED_SECONDS
cdef long _FIRST_YEAR, _DAY_SLOTS
cpdef parse_event(obj, seq=*)
cpdef _parse_plain(dict obj, seq)
@cython.locals(text=str)
cpdef _decode(line)
@cython.locals(n=cython.Py_ssize_t, i=cython.Py_ssize_t, start=cython.Py_ssize_t,
               end=cython.Py_ssize_t, c=cython.Py_UCS4)
cpdef bint _has_long_digits(str text)
@cython.locals(kinds=dict)
cpdef _plain_value(key, value)
cpdef bint _plain_kind(key, int kind, value)
@cython.locals(fields=dict)
cpdef _fast_created(dict obj)
@cython.locals(changes=dict)
cpdef _fast_updated(dict obj)
cpdef _fast_message(dict obj)
cpdef _all_strings(values)
