# Cython declarations for the compiled build (setup.py, slaclock._accel); ignored by
# Python. The scan of a line for its ticket key works on C indexes.
import cython

cpdef ticket_of(bytes line)
cpdef _key_value(bytes line, Py_ssize_t after)
cpdef Py_ssize_t _skip_blanks(bytes line, Py_ssize_t i)
@cython.locals(count=cython.Py_ssize_t, number=cython.Py_ssize_t, index=cython.Py_ssize_t,
               raw=bytes, line=bytes, pieces=list, lines=list, chunk=list)
cpdef Py_ssize_t split_by_ticket(source, parts) except -1
@cython.locals(texts=list, block=list, count=cython.Py_ssize_t)
cpdef write_groups(rows, out, notes)
cpdef tuple _write_ticket(ticket, list texts, out)
