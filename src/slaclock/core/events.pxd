# Cython declarations for the compiled build (setup.py, slaclock._accel); ignored by
# Python. The per-line decoding and checks are C functions: read_events calls them
# directly, without a Python call each. An instant to format is a C datetime, whose
# fields are then struct reads.
from cpython.datetime cimport datetime

cpdef format_instant(datetime value)
cpdef parse_event(obj, seq=*)
cpdef _decode(line)
cpdef _plain_value(key, value)
cpdef _fast_created(obj)
cpdef _fast_updated(obj)
cpdef _fast_message(obj)
cpdef _fast_deleted(obj)
cpdef _doubt(obj)
cpdef _all_strings(values)
