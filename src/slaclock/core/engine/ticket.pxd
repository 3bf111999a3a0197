# Cython declarations for the compiled build (setup.py, slaclock._accel); ignored by
# Python. Attributes here must match the class's __slots__ (tests/accel checks it).
# What an event does to a ticket's fields runs as C functions (see clock.pxd). No
# defaults on the functions other modules cimport: Cython's check of their signature
# would compare the compiled name with the import name and refuse to load.
import cython
from slaclock.core.bounded_cache cimport cached

cdef class Fact:
    cdef public object attrs, groups, name

cdef class FieldFilter:
    cdef public object nodes, root, trie
    @cython.locals(found=dict, out=dict, steps=tuple)
    cpdef prune(self, value, plan)

# A ticket's fields are always a dict (``initial_fields`` makes it, parking restores
# it): typed so, each ``get`` is a C lookup rather than a method call.

cdef dict _INTERNED
cpdef _intern(value)
@cython.locals(ticket=dict, kept=FieldFilter)
cpdef initial_fields(ticket_id, fields, keep)
@cython.locals(out=dict, kept=FieldFilter)
cpdef dict _kept_fields(dict fields, kept)
@cython.locals(extra=dict)
cpdef _custom_of(fields)
cpdef creation_facts(dict ticket, by)
@cython.locals(kept=FieldFilter)
cpdef apply_changes(dict ticket, changes, keep)
cpdef field_facts(path, old, new)
@cython.locals(data=dict)
cpdef message_facts(dict ticket, event, author_groups)
cpdef dict as_dict(data)
@cython.locals(found=dict)
cpdef value_at(ticket, steps)
@cython.locals(current=dict)
cpdef _set(dict ticket, steps, value)
