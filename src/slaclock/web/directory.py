"""Names for the ids the service reports: groups and people from the configuration.

The queue and summary carry ids (``support-eu``, ``anna``); the pages show a group's
and a person's name where the current configuration knows it, and the id otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from slaclock.service.app_state import Services

__all__ = ["Directory"]


@dataclass(frozen=True)
class Directory:
    """Group and person names, metric ids and calendar zones of the current configuration."""

    group_names: Mapping[str, str] = field(default_factory=dict)
    person_names: Mapping[str, str] = field(default_factory=dict)
    person_locales: Mapping[str, str] = field(default_factory=dict)
    metrics: tuple[str, ...] = ()
    zones: tuple[str, ...] = ()
    policies: tuple[str, ...] = ()

    @classmethod
    def from_services(cls, services: Services) -> Directory:
        config = services.config_current()[2]
        return cls(
            group_names={g.id: g.name for g in config.groups.values()},
            person_names={p.id: p.name for p in config.people.values()},
            person_locales={p.id: p.locale for p in config.people.values()},
            metrics=tuple(sorted(config.metrics)),
            zones=tuple(sorted({str(cal.tz.key) for cal in config.calendars.values()})),
            policies=(*(p.id for p in config.policies), *(o.id for o in config.olas)),
        )

    def group(self, group_id: str | None) -> str:
        if not group_id:
            return ""
        return self.group_names.get(group_id, group_id)

    def person(self, person_id: str | None) -> str:
        if not person_id:
            return ""
        return self.person_names.get(person_id, person_id)
