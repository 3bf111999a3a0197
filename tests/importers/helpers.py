"""What the importer tests share: the fixture slices of the real logs and a way to run
an import into a list."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from slaclock.core.events import parse_event
from slaclock.service.importers import ImportOptions, Summary, import_events

DATA = Path(__file__).resolve().parents[1] / "data" / "importers"
SERVICENOW = DATA / "servicenow_slice.csv"
BPI2013 = DATA / "bpi2013_slice.csv"
HELPDESK = DATA / "helpdesk_slice.csv"
ZENDESK_EVENTS = DATA / "zendesk_ticket_events.json"
ZENDESK_METRICS = DATA / "zendesk_ticket_metric_events.json"
FRESHDESK = DATA / "freshdesk_tickets.json"
JIRA_ISSUES = DATA / "jira_issues.json"
JIRA_SLA = DATA / "jira_sla.json"
ZAMMAD = DATA / "zammad_tickets.json"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def run(source: str, *files: Path, **options: Any) -> tuple[list[dict[str, Any]], Summary]:
    """The events and summary of importing ``files`` as ``source``."""
    summary = Summary()
    events = list(import_events(source, list(files), ImportOptions(**options), summary))
    return events, summary


def of_ticket(events: list[dict[str, Any]], ticket: str) -> list[dict[str, Any]]:
    return [e for e in events if e["ticket"] == ticket]


def imported_once(source: str, path: Path) -> Any:
    """A module-scoped fixture: ``run(source, path)``, once per test module."""

    @pytest.fixture(scope="module")
    def imported() -> tuple[list[dict[str, Any]], Summary]:
        return run(source, path)

    return imported


def all_valid(events: list[dict[str, Any]]) -> bool:
    """Whether every event parses as events.md says (parse_event raises otherwise)."""
    return all(parse_event(event) is not None for event in events)
