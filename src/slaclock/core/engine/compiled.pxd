# Cython's declarations for compiled.py (setup.py, cython-modules.txt); Python ignores
# them. A class's attributes here are its __slots__ (tests/accel checks it).
from slaclock.core.engine.ticket cimport value_at
from slaclock.core.engine.track cimport Track
cdef class Binding:
    cdef public object calendar, escalations, goal_seconds, identity, pause, policy_id
    cdef public object policy_version, reminders, retarget, target_seconds

cdef class CompiledConfig:
    cdef public object _binding_cache, _binding_paths, _plans, _plans_all, _policy_cache
    cdef public object _policy_paths
    cdef public object binding_tops, config, exhaustive, pause_tops
    cdef public object policies, policy_tops, tracks
    cdef public dict person_groups
    cpdef plan(self, names, every_track)
    cpdef choose_policy(self, ticket)
    cpdef binding_key(self, ticket)
    cpdef binding(self, track, policy, ticket, values=*)

cpdef pause_holds(rule, dict ticket)
cpdef _typed(value)
