"""People, groups, roles and outbound webhooks: who is notified, and how.

Secrets are never in the file: a webhook names the environment variable holding its
secret (``secret_env``); reading it is the service's job, not the pure core's.
"""

from __future__ import annotations

import re
from typing import Any

from slaclock.core.config.checks import (
    check_choice,
    check_id,
    check_keys,
    check_list,
    check_mapping,
    check_name,
)
from slaclock.core.config.known import Known
from slaclock.core.config.problems import KeyPath, Problems
from slaclock.core.config.validate_targets import check_calendar_id
from slaclock.core.model import Group, Person, Webhook

__all__ = ["check_env_name", "parse_groups", "parse_people", "parse_roles", "parse_webhooks"]

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_LOCALE = re.compile(r"^[a-z]{2,3}([_-][A-Za-z0-9]{2,8})*$")
_ENV = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_URL = re.compile(r"^https?://[^\s/]+\S*$")


def _entries(p: Problems, section: str, value: Any) -> list[tuple[KeyPath, Any]]:
    entries = check_list(p, (section,), value if value is not None else [])
    return [((section, i), entry) for i, entry in enumerate(entries or [])]


def _unique(p: Problems, path: KeyPath, seen: set[str], entry_id: str) -> None:
    if entry_id in seen:
        p.add((*path, "id"), f"duplicate id in {path[0]}", entry_id)
    seen.add(entry_id)


def parse_people(p: Problems, value: Any, known: Known) -> dict[str, Person]:
    people: dict[str, Person] = {}
    for path, entry in _entries(p, "people", value):
        mapping = check_mapping(p, path, entry)
        optional = ("name", "email", "locale", "groups", "calendar")
        if mapping is None or not check_keys(p, path, mapping, ("id",), optional):
            continue
        person_id = check_id(p, (*path, "id"), mapping["id"])
        name = check_name(p, path, mapping)
        email = mapping.get("email")
        ok = person_id is not None and name is not None
        if email is not None and not (isinstance(email, str) and _EMAIL.match(email)):
            p.add((*path, "email"), "expected an email address such as anna@example.com", email)
            ok = False
        locale = mapping.get("locale", "en")
        if not (isinstance(locale, str) and _LOCALE.match(locale)):
            p.add((*path, "locale"), "expected a locale such as en, nl or pt_BR", locale)
            ok = False
        groups = _refs(p, (*path, "groups"), mapping.get("groups", []), known.groups, "groups:")
        calendar = mapping.get("calendar")
        if calendar is not None and not check_calendar_id(p, (*path, "calendar"), calendar, known):
            ok = False
        if not ok or groups is None or person_id is None or name is None:
            continue
        _unique(p, path, set(people), person_id)
        people[person_id] = Person(person_id, name, email, locale, groups, calendar)
    return people


def _refs(
    p: Problems, path: KeyPath, value: Any, ids: frozenset[str], section: str
) -> tuple[str, ...] | None:
    entries = check_list(p, path, value)
    if entries is None:
        return None
    ok = True
    for index, ref in enumerate(entries):
        if not (isinstance(ref, str) and ref in ids):
            p.add((*path, index), f"expected an id declared under {section}", ref)
            ok = False
    return tuple(entries) if ok else None


def parse_groups(p: Problems, value: Any, known: Known) -> dict[str, Group]:
    groups: dict[str, Group] = {}
    for path, entry in _entries(p, "groups", value):
        mapping = check_mapping(p, path, entry)
        optional = ("name", "lead", "calendar")
        if mapping is None or not check_keys(p, path, mapping, ("id",), optional):
            continue
        group_id = check_id(p, (*path, "id"), mapping["id"])
        name = check_name(p, path, mapping)
        lead = mapping.get("lead")
        if lead is not None and not (isinstance(lead, str) and lead in known.people):
            p.add((*path, "lead"), "unknown person: expected an id declared under people:", lead)
            continue
        calendar = mapping.get("calendar")
        if calendar is not None and not check_calendar_id(p, (*path, "calendar"), calendar, known):
            continue
        if group_id is None or name is None:
            continue
        _unique(p, path, set(groups), group_id)
        groups[group_id] = Group(group_id, name, lead, calendar)
    return groups


def parse_roles(p: Problems, value: Any, known: Known) -> dict[str, tuple[str, ...]]:
    """``{role_name: [person ids]}``."""
    mapping = check_mapping(p, ("roles",), value if value is not None else {})
    roles: dict[str, tuple[str, ...]] = {}
    for name, members in (mapping or {}).items():
        path: KeyPath = ("roles", name)
        if check_id(p, path, name) is None:
            continue
        people = _refs(p, path, members, known.people, "people:")
        if people is not None:
            roles[name] = people
    return roles


def check_env_name(p: Problems, path: KeyPath, value: Any) -> str | None:
    if isinstance(value, str) and _ENV.match(value):
        return value
    p.add(
        path, "expected the name of an environment variable, such as SLACLOCK_WEBHOOK_SECRET", value
    )
    return None


def parse_webhooks(p: Problems, value: Any) -> dict[str, Webhook]:
    webhooks: dict[str, Webhook] = {}
    for path, entry in _entries(p, "webhooks", value):
        mapping = check_mapping(p, path, entry)
        optional = ("secret_env", "format")
        if mapping is None or not check_keys(p, path, mapping, ("id", "url"), optional):
            continue
        hook_id = check_id(p, (*path, "id"), mapping["id"])
        url = mapping["url"]
        ok = hook_id is not None
        if not (isinstance(url, str) and _URL.match(url)):
            p.add((*path, "url"), "expected an http:// or https:// URL", url)
            ok = False
        secret_env = None
        if mapping.get("secret_env") is not None:
            secret_env = check_env_name(p, (*path, "secret_env"), mapping["secret_env"])
            ok = ok and secret_env is not None
        fmt = check_choice(p, (*path, "format"), mapping.get("format", "json"), ("json", "slack"))
        if not ok or fmt is None or hook_id is None:
            continue
        _unique(p, path, set(webhooks), hook_id)
        webhooks[hook_id] = Webhook(hook_id, url, secret_env, "slack" if fmt == "slack" else "json")
    return webhooks
