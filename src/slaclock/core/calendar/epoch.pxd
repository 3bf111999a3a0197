# Cython's declarations for epoch.py (setup.py, cython-modules.txt); Python ignores
# them.
import cython
from cpython.datetime cimport datetime
from slaclock.core.bounded_cache cimport cached

@cython.locals(days=cython.longlong, seconds=cython.longlong, year=cython.longlong,
               era=cython.longlong, year_of_era=cython.longlong,
               day_of_year=cython.longlong, day_of_era=cython.longlong)
cpdef long long epoch_micros(datetime t)

@cython.locals(days=cython.longlong, rest=cython.longlong)
cpdef from_epoch_micros(long long micros)
cpdef _second_step(Py_ssize_t second)
cdef list _SECOND_STEPS
cdef long long _DAY_MICROS, _SECOND_MICROS
