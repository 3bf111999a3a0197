# Cython declarations for the compiled build (setup.py, slaclock._accel); ignored by
# Python. The scan of a line for its ticket key works on C indexes.
import cython

cpdef ticket_of(bytes line)
cpdef _key_value(bytes line, Py_ssize_t after)
cpdef bint _no_other_key(bytes line, Py_ssize_t start)
cpdef Py_ssize_t _skip_blanks(bytes line, Py_ssize_t i)
@cython.locals(count=cython.Py_ssize_t, number=cython.longlong, index=cython.Py_ssize_t,
               raw=bytes, line=bytes, pieces=list, numbers=list, lines=list, numbered=list,
               chunk=list)
cpdef split_by_ticket(source, parts)
cpdef _flush_lines(part, list lines, numbers, list new)
@cython.locals(texts=list)
cpdef write_groups(rows, out, Py_ssize_t part, list groups)
cpdef _flush_group(ticket, list texts, out, Py_ssize_t part, list groups)
