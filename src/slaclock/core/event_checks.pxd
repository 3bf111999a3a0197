# Cython's declarations for event_checks.py (setup.py, cython-modules.txt); Python
# ignores them.
import cython

cpdef bint plainly_valid(dict obj, event_type)
cpdef _plain_value(key, value)
cpdef bint _plain_kind(key, int kind, value)
@cython.locals(fields=dict)
cpdef _fast_created(dict obj)
@cython.locals(changes=dict)
cpdef _fast_updated(dict obj)
cpdef _fast_message(dict obj)
