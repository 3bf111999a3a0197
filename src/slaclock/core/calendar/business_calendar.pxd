# Cython's declarations for business_calendar.py (setup.py, cython-modules.txt); Python
# ignores them. A class's attributes here are its __slots__ (tests/accel checks it).
# The usual case of add and elapsed (whole UTC seconds inside the index) is typed as C
# integers.
import cython
from cpython.datetime cimport datetime
from slaclock.core.calendar.epoch cimport epoch_micros, from_epoch_micros

cdef class Calendar:
    cdef public object _builder, _days, _spec
    cpdef add(self, start, seconds)
    cpdef elapsed(self, a, b)
    cpdef long long add_micros(self, long long t, seconds) except? -1
    cpdef double elapsed_micros(self, long long a, long long b) except? -1
    @cython.locals(lo=cython.longlong, hi=cython.longlong, starts=list, ends=list,
                   cum_start=list, cum_end=list, total=cython.longlong, t_table=list,
                   t_shift=cython.longlong, c_table=list, c_shift=cython.longlong,
                   i=cython.Py_ssize_t, j=cython.Py_ssize_t, s=cython.longlong,
                   c=cython.longlong, reached=cython.longlong)
    cpdef long long _add_whole(self, long long t, long long seconds) except? -1
    @cython.locals(lo=cython.longlong, hi=cython.longlong, starts=list, ends=list,
                   cum_start=list, t_table=list, t_shift=cython.longlong,
                   i=cython.Py_ssize_t, k=cython.Py_ssize_t, s=cython.longlong,
                   u=cython.longlong)
    cpdef double _elapsed_whole(self, long long whole_a, long long whole_b)

cdef long long _NOT_WHOLE, _WHOLE_LIMIT

@cython.locals(i=cython.Py_ssize_t, end=cython.longlong)
cdef Py_ssize_t _span_whole(list ends, list t_table, long long lo, long long shift,
                            long long t) except -1

cdef long long _SECOND_MICROS
