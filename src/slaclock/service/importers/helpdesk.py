"""``helpdesk-csv``: the help desk event log of an Italian software company (4TU,
Polato et al.; ``finale.csv``): one row per activity of a ticket, a single completion
time each, no zone (Italian local time is assumed: ``Europe/Rome``, unless ``--tz``).

The source is described by a mapping file like any ``csv`` import
(``helpdesk_csv.yaml`` beside this module, a worked example of the format):
created = the ticket's first row; "Take in charge ticket" = a public agent reply
(the first is the first response); "Wait" = ``pending`` until the ticket's next row;
"Resolve ticket" = ``solved``; "Closed" = ``closed``. The log's four seriousness
and service levels are kept as custom fields (``custom.seriousness``,
``custom.service_level``): the source does not say which level is the most urgent,
so no priority is invented from them.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from slaclock.service.importers.csv_mapping import load_mapping
from slaclock.service.importers.plan import Plan

__all__ = ["MAPPING", "plan"]

MAPPING = Path(__file__).with_name("helpdesk_csv.yaml")


@cache
def plan() -> Plan:
    return load_mapping(MAPPING)
