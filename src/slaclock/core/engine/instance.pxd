# Cython declarations for the compiled build (setup.py, slaclock._accel); ignored by
# Python. An instant to format is a C datetime, whose fields are then struct reads.
from cpython.datetime cimport datetime

cpdef str json_line(instance)

cpdef str _at(datetime value)

cpdef str _num(value)
