"""The pure core: calendars, conditions, configuration, the SLA clock engine.

Nothing in this package performs I/O beyond parsing text it is handed, reads the
clock, or imports from an outer layer (store, service, api, cli, web): "now" is
always passed in. ``tests/test_architecture.py`` keeps it that way.
"""
