# Cython declarations for the compiled build (setup.py, slaclock._accel); ignored by
# Python. ``cached`` is a C function that other hot modules cimport: a hit is one C dict
# lookup (``dict.get`` on the cache compiles to ``PyDict_GetItemWithError``).

cdef object _MISSING
cpdef cached(cache, key)
cpdef _make(cache, key)
