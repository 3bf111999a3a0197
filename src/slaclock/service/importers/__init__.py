"""Importers: a helpdesk's export in, ticket events (events.md) out, as a stream.

``import_events(source, files, options, summary)`` yields the events of one of
:data:`SOURCES`; :mod:`.sink` writes them as JSON Lines or ingests them into the
service. Each source is a module with its plan (:mod:`.plan`); one mapper
(:mod:`.mapper`) applies any plan, so ids, order, vocabularies and the summary of
what was not mapped (:class:`.base.Summary`) follow the same rules everywhere. The
CSV sources read rows (:mod:`.reading`); the JSON sources (:data:`JSON_SOURCES`) read
items (:mod:`.json_reading`) and make rows of them with a reader of their own
(:mod:`.json_source`); ``zendesk`` can read its items from the API instead
(:mod:`.zendesk_api`, :class:`ApiOptions`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol

from slaclock.core.errors import SlaclockError
from slaclock.service.importers import (
    bpi2013,
    freshdesk,
    helpdesk,
    jira,
    servicenow,
    zammad,
    zendesk,
)
from slaclock.service.importers.base import Progress, SourceRow, Summary, TimeReader, zone_named
from slaclock.service.importers.csv_mapping import load_mapping
from slaclock.service.importers.json_reading import JsonItem, read_json_items
from slaclock.service.importers.mapper import Observer, PlanMapper
from slaclock.service.importers.plan import Plan
from slaclock.service.importers.reading import read_csv
from slaclock.service.importers.zendesk_api import ZendeskApi

__all__ = [
    "JSON_SOURCES",
    "SOURCES",
    "VERDICT_SOURCES",
    "ApiOptions",
    "ImportOptions",
    "Summary",
    "import_events",
    "zone_in_use",
]

#: The sources ``slaclock import`` knows, with a line each for ``--help``.
SOURCES = {
    "servicenow": "ServiceNow incident audit export (UCI incident event log shape)",
    "bpi2013": "Volvo IT VINST incident log, BPI Challenge 2013 (IBM's CSV)",
    "helpdesk-csv": "help desk log of an Italian software company (4TU finale.csv)",
    "csv": "any CSV of ticket events, with a mapping file (--mapping)",
    "zendesk": "Zendesk incremental ticket events and ticket metric events (JSON; or --api)",
    "freshdesk": "Freshdesk tickets with their conversations and stats (JSON)",
    "jira": "Jira Service Management issues with changelog and comments, SLA cycles (JSON)",
    "zammad": "Zammad tickets with their history and articles (JSON)",
}
#: The sources whose items are JSON, each a module with ``KEYS`` (a page's arrays),
#: ``plan()`` and ``Reader(summary, verdicts)``.
JSON_SOURCES: dict[str, ModuleType] = {
    "zendesk": zendesk,
    "freshdesk": freshdesk,
    "jira": jira,
    "zammad": zammad,
}
#: The sources whose exports carry the vendor's own verdicts (``--verdicts-output``).
VERDICT_SOURCES = ("servicenow", "zendesk", "freshdesk", "jira")


class JsonReader(Protocol):
    """A JSON source's items as rows; :meth:`finish` once every item is read."""

    def rows(self, items: Iterable[JsonItem]) -> Iterator[SourceRow]: ...

    def finish(self) -> None: ...


@dataclass(frozen=True)
class ApiOptions:
    """``zendesk`` from the API: the client of the account, and whether to read the
    metric events too (for verdicts)."""

    api: ZendeskApi
    metric_events: bool = False


@dataclass(frozen=True)
class ImportOptions:
    """``tz``: the zone of times without an offset (default: the plan's, else UTC);
    ``mapping``: the ``csv`` source's mapping file; ``awaiting``: the status of
    ServiceNow's Awaiting states; ``verdicts``: where the vendor's verdicts go (one
    dict each), when wanted; ``api``: read ``zendesk`` from its API, not files."""

    tz: str | None = None
    mapping: Path | None = None
    awaiting: str = "pending"
    verdicts: Callable[[dict[str, Any]], None] | None = None
    api: ApiOptions | None = None


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
    if source in JSON_SOURCES:
        module = JSON_SOURCES[source]
        batches: Iterable[Iterable[JsonItem]]
        if options.api is not None:
            batches = _api_pages(options.api)
        else:
            batches = [read_json_items(files, module.KEYS, progress)]
        reader: JsonReader = module.Reader(summary, options.verdicts)
        if options.api is not None:  # what a later run must know of the open tickets
            requesters = options.api.api.state.memory.setdefault("requesters", {})
            reader = zendesk.Reader(summary, options.verdicts, requesters)
        return _json_events(plan, options, summary, reader, batches)
    observe: Observer | None = None
    if options.verdicts is not None:
        observe = servicenow.Verdicts(options.verdicts, summary)
    prepare = bpi2013.repair_names if source == "bpi2013" else None
    times = TimeReader(zone_named(zone_in_use(plan, options)), plan.time_format)
    mapper = PlanMapper(plan, times, summary, prepare, observe)
    rows = read_csv(files, progress, plan.delimiter, plan.encoding, plan.columns)
    return mapper.events(rows)


def _json_events(
    plan: Plan,
    options: ImportOptions,
    summary: Summary,
    reader: JsonReader,
    batches: Iterable[Iterable[JsonItem]],
) -> Iterator[dict[str, Any]]:
    """The events of a JSON source's items, batch after batch: the events of a batch
    are all handed on before the next batch is read (an API page is then safely
    behind, see :class:`.zendesk_api.ExportState`)."""
    mapper = PlanMapper(plan, TimeReader(zone_named(zone_in_use(plan, options))), summary)
    for batch in batches:
        yield from mapper.events(reader.rows(batch))
    reader.finish()


def _api_pages(options: ApiOptions) -> Iterator[list[JsonItem]]:
    yield from options.api.pages("ticket_events")
    if options.metric_events:
        yield from options.api.pages("ticket_metric_events", hold=True)


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
    if source not in VERDICT_SOURCES and options.verdicts is not None:
        sources = ", ".join(VERDICT_SOURCES)
        raise SlaclockError(f"--verdicts-output is for {sources}, not {source}")
    if source != "servicenow" and options.awaiting != "pending":
        raise SlaclockError(f"--awaiting is for servicenow, not {source}")
    if source != "zendesk" and options.api is not None:
        raise SlaclockError(f"--api is for zendesk, not {source}")
    if options.awaiting not in servicenow.AWAITING_STATUSES:
        expected = " or ".join(servicenow.AWAITING_STATUSES)
        raise SlaclockError(f"--awaiting: expected {expected}, not {options.awaiting!r}")
    if source == "servicenow":
        return servicenow.plan(options.awaiting)
    if source == "bpi2013":
        return bpi2013.plan()
    if source == "helpdesk-csv":
        return helpdesk.plan()
    if source in JSON_SOURCES:
        plan: Plan = JSON_SOURCES[source].plan()
        return plan
    assert options.mapping is not None
    return load_mapping(options.mapping)


def zone_in_use(plan: Plan, options: ImportOptions) -> str:
    """The zone naive times are read in: ``--tz``, else the plan's, else UTC."""
    return options.tz or plan.zone or "UTC"
