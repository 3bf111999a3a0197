# Cython's declarations for business_calendar.py (setup.py, cython-modules.txt); Python
# ignores them. A class's attributes here are its __slots__ (tests/accel checks it).
# The usual case of add and elapsed (whole UTC seconds inside the index) is typed as C
# integers.
import cython
from cpython.datetime cimport datetime
from slaclock.core.calendar.epoch cimport epoch_micros, from_epoch_micros, second_step

cdef class Calendar:
    cdef public object _builder, _days, _spec
    @cython.locals(t=cython.longlong)
    cpdef add(self, start, seconds)
    @cython.locals(lo=cython.longlong, hi=cython.longlong, starts=list, ends=list,
                   cum_start=list, cum_end=list, total=cython.longlong, t_table=list,
                   t_shift=cython.longlong, c_table=list, c_shift=cython.longlong,
                   end_datetimes=list, second_deltas=list, i=cython.Py_ssize_t,
                   j=cython.Py_ssize_t, s=cython.longlong,
                   c=cython.longlong, reached=cython.longlong, back=cython.longlong)
    cpdef _add_whole(self, long long t, long long seconds)
    @cython.locals(whole_a=cython.longlong, whole_b=cython.longlong, found=cython.double)
    cpdef elapsed(self, a, b)
    @cython.locals(found=cython.double)
    cpdef _elapsed_general(self, a, b)
    @cython.locals(lo=cython.longlong, hi=cython.longlong, starts=list, ends=list,
                   cum_start=list, t_table=list, t_shift=cython.longlong,
                   i=cython.Py_ssize_t, k=cython.Py_ssize_t, s=cython.longlong,
                   u=cython.longlong)
    cpdef double _elapsed_whole(self, long long whole_a, long long whole_b)

cdef long long _NOT_WHOLE

@cython.locals(i=cython.Py_ssize_t, end=cython.longlong)
cdef Py_ssize_t _span_whole(list ends, list t_table, long long lo, long long shift,
                            long long t) except -1

cpdef long long _utc_seconds(datetime t)

cdef long long _SECOND_MICROS
