# Cython declarations for the compiled build (setup.py, slaclock._accel); ignored by
# Python. The output line is built by C functions, format_instant included.
from slaclock.core.events cimport format_instant, instant_text
from slaclock.core.bounded_cache cimport cached

cpdef instance_of(row)

cpdef str json_line(instance)

cpdef str _at(value)

cpdef str _num(value)

cpdef str _int(value)
