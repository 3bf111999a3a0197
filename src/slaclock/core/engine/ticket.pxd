# Cython's declarations for ticket.py (setup.py, cython-modules.txt); Python ignores
# them. A class's attributes here are its __slots__ (tests/accel checks it). No
# defaults on the functions other modules cimport.
import cython
from slaclock.core.bounded_cache cimport cached

cdef class Fact:
    cdef public object attrs, groups, name

cpdef initial_fields(ticket_id, fields)
cpdef creation_facts(dict ticket, by)
cpdef apply_changes(dict ticket, changes)
cpdef field_facts(path, old, new)
@cython.locals(data=dict)
cpdef message_facts(dict ticket, event, author_groups)
cpdef dict as_dict(data)
cpdef value_at(ticket, steps)
@cython.locals(current=dict)
cpdef _set(dict ticket, steps, value)
