"""Importers: a helpdesk's export in, ticket events (events.md) out, as a stream.

``import_events(source, files, options, summary)`` yields the events of one of
:data:`SOURCES`; :mod:`.sink` writes them as JSON Lines or ingests them into the
service. Each source is a module with its plan (:mod:`.plan`); one mapper
(:mod:`.mapper`) applies any plan, so ids, order, vocabularies and the summary of
what was not mapped (:class:`.base.Summary`) follow the same rules everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from slaclock.core.errors import SlaclockError
from slaclock.service.importers import bpi2013, helpdesk, servicenow
from slaclock.service.importers.base import Progress, Summary, TimeReader, zone_named
from slaclock.service.importers.csv_mapping import load_mapping
from slaclock.service.importers.mapper import Observer, PlanMapper
from slaclock.service.importers.plan import Plan
from slaclock.service.importers.reading import read_csv

__all__ = ["SOURCES", "ImportOptions", "Summary", "import_events", "zone_in_use"]

#: The sources ``slaclock import`` knows, with a line each for ``--help``.
SOURCES = {
    "servicenow": "ServiceNow incident audit export (UCI incident event log shape)",
    "bpi2013": "Volvo IT VINST incident log, BPI Challenge 2013 (IBM's CSV)",
    "helpdesk-csv": "help desk log of an Italian software company (4TU finale.csv)",
    "csv": "any CSV of ticket events, with a mapping file (--mapping)",
}


@dataclass(frozen=True)
class ImportOptions:
    """``tz``: the zone of times without an offset (default: the plan's, else UTC);
    ``mapping``: the ``csv`` source's mapping file; ``awaiting``: the status of
    ServiceNow's Awaiting states; ``verdicts``: where ServiceNow's ``made_sla``
    verdicts go (one dict each), when wanted."""

    tz: str | None = None
    mapping: Path | None = None
    awaiting: str = "pending"
    verdicts: Callable[[dict[str, Any]], None] | None = None


def import_events(
    source: str,
    files: Sequence[Path],
    options: ImportOptions,
    summary: Summary,
    progress: Progress | None = None,
) -> Iterator[dict[str, Any]]:
    """The events of ``files`` read as ``source``, in file order, ticket by ticket;
    ``summary`` counts what was read, written and not mapped as they stream."""
    plan = source_plan(source, options)
    observe: Observer | None = None
    if options.verdicts is not None:
        observe = servicenow.Verdicts(options.verdicts, summary)
    prepare = bpi2013.repair_names if source == "bpi2013" else None
    times = TimeReader(zone_named(zone_in_use(plan, options)), plan.time_format)
    mapper = PlanMapper(plan, times, summary, prepare, observe)
    rows = read_csv(files, progress, plan.delimiter, plan.encoding, plan.columns)
    return mapper.events(rows)


def source_plan(source: str, options: ImportOptions) -> Plan:
    """The plan of ``source``, after checking that the options fit it."""
    if source not in SOURCES:
        raise SlaclockError(f"unknown source {source!r}; expected one of {', '.join(SOURCES)}")
    if (options.mapping is not None) != (source == "csv"):
        raise SlaclockError(
            "the csv source needs --mapping FILE"
            if source == "csv"
            else f"--mapping is for the csv source, not {source}"
        )
    if source != "servicenow" and (options.verdicts is not None or options.awaiting != "pending"):
        raise SlaclockError(f"--verdicts-output and --awaiting are for servicenow, not {source}")
    if options.awaiting not in servicenow.AWAITING_STATUSES:
        expected = " or ".join(servicenow.AWAITING_STATUSES)
        raise SlaclockError(f"--awaiting: expected {expected}, not {options.awaiting!r}")
    if source == "servicenow":
        return servicenow.plan(options.awaiting)
    if source == "bpi2013":
        return bpi2013.plan()
    if source == "helpdesk-csv":
        return helpdesk.plan()
    assert options.mapping is not None
    return load_mapping(options.mapping)


def zone_in_use(plan: Plan, options: ImportOptions) -> str:
    """The zone naive times are read in: ``--tz``, else the plan's, else UTC."""
    return options.tz or plan.zone or "UTC"
