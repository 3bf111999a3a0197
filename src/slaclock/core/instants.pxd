# Cython's declarations for instants.py (setup.py, cython-modules.txt); Python ignores
# them.
import cython
from cpython.datetime cimport datetime

cpdef format_instant(datetime value)
@cython.locals(day=cython.long, second=cython.long, days=list, seconds=list)
cpdef str instant_text(datetime value, bint quoted)
cdef list _DAYS, _QUOTED_DAYS, _SECONDS, _QUOTED_SECONDS
cdef long _FIRST_YEAR, _DAY_SLOTS
