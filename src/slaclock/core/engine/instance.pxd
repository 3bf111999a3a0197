# Cython's declarations for instance.py (setup.py, cython-modules.txt); Python ignores
# them.
from slaclock.core.instants cimport format_instant, instant_text
from slaclock.core.bounded_cache cimport cached

cpdef str json_line(instance)
cpdef str _at(value)
cpdef str _num(value)
cpdef str _int(value)
