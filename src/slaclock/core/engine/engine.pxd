# Cython's declarations for engine.py (setup.py, cython-modules.txt); Python ignores
# them. A class's attributes here are its __slots__ (tests/accel checks it).
import cython
from slaclock.core.engine.compiled cimport CompiledConfig
from slaclock.core.engine.state cimport TicketState, apply_event
from slaclock.core.events cimport Event

cdef class Engine:
    cdef public object config
    cdef public CompiledConfig compiled
    @cython.locals(state=TicketState, event=Event)
    cpdef feed(self, state, event)
