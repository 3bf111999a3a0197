"""A realistic, deterministic generator of ticket events, fitted to real incident logs.

``generate_events(config, tickets, days, seed, start)`` yields events in the events.md
format, in time order; the same arguments always give the same events. How the laws were
fitted and what is assumed: docs/workload.md.
"""

from slaclock.core.workload.draws import Knobs
from slaclock.core.workload.generator import (
    WorkloadOptions,
    generate_events,
    generate_from_world,
    generate_lines,
)
from slaclock.core.workload.world import World, world_from_config

__all__ = [
    "Knobs",
    "WorkloadOptions",
    "World",
    "generate_events",
    "generate_from_world",
    "generate_lines",
    "world_from_config",
]
