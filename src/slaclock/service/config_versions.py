"""The configuration's history: every accepted text, its diff, and policy versions.

A policy's (or OLA's) version is 1 when it first appears and goes up by one each
time its own raw mapping changes; the engine reports it on every instance, so a
report can tell which promise a clock was judged by. The current configuration is
cached per process and reloaded when another process has stored a newer version
(checked with one cheap ``max(version)`` query at most once per
``RELOAD_CHECK_SECONDS``).
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import json
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from slaclock.core.builtins import BUILTIN_METRIC_DEFS
from slaclock.core.model import Config
from slaclock.service.history import Span
from slaclock.service.views import ConfigVersion
from slaclock.store.database import Database, Tx

RELOAD_CHECK_SECONDS = 1.0
#: Parsed configurations kept per process (the current one and recent older ones).
CONFIGS_KEPT = 16


class ConfigConflict(RuntimeError):
    """Another version was stored since the one a change was based on: applying it
    would silently undo that version (a lost update). ``current`` is the newest one."""

    def __init__(self, base: int, current: int) -> None:
        super().__init__(f"the configuration is at version {current}, not {base}")
        self.base = base
        self.current = current


def empty_config() -> Config:
    """What applies before any configuration is stored: no policies, so no clocks."""
    return Config(calendars={}, metrics=dict(BUILTIN_METRIC_DEFS), policies=())


def raw_hashes(config: Config) -> dict[str, dict[str, str]]:
    """A digest of each policy's and OLA's raw mapping, by kind and id."""
    out: dict[str, dict[str, str]] = {"policies": {}, "olas": {}}
    for kind in ("policies", "olas"):
        for entry in _raw_entries(config.raw.get(kind)):
            digest = json.dumps(entry, sort_keys=True, default=str).encode()
            out[kind][str(entry.get("id"))] = hashlib.sha256(digest).hexdigest()
    return out


def _raw_entries(value: Any) -> list[Mapping[str, Any]]:
    if isinstance(value, Mapping):  # tolerate ``{id: {...}}`` as well as a list
        return [{"id": key, **entry} for key, entry in value.items()]
    return [entry for entry in value or () if isinstance(entry, Mapping)]


def next_policy_versions(previous: Mapping[str, Any], config: Config) -> dict[str, Any]:
    """Versions for ``config`` given the previous record ``{kind: {id: {hash, version}}}``.

    Ids that disappear are kept, so a policy removed and added back gets a new version.
    """
    result: dict[str, Any] = {}
    for kind, hashes in raw_hashes(config).items():
        known = {k: dict(v) for k, v in previous.get(kind, {}).items()}
        for item_id, digest in hashes.items():
            old = known.get(item_id)
            if old is None:
                known[item_id] = {"hash": digest, "version": 1, "present": True}
            elif old["hash"] != digest or not old.get("present", True):
                known[item_id] = {"hash": digest, "version": old["version"] + 1, "present": True}
            else:
                old["present"] = True
        for item_id, entry in known.items():
            if item_id not in hashes:
                entry["present"] = False
        result[kind] = known
    return result


def with_versions(config: Config, versions: Mapping[str, Any]) -> Config:
    """``config`` with each Policy/Ola's ``version`` set from the stored record."""

    def version_of(kind: str, item_id: str) -> int:
        return int(versions.get(kind, {}).get(item_id, {}).get("version", 1))

    policies = tuple(
        dataclasses.replace(p, version=version_of("policies", p.id)) for p in config.policies
    )
    olas = tuple(dataclasses.replace(o, version=version_of("olas", o.id)) for o in config.olas)
    return dataclasses.replace(config, policies=policies, olas=olas)


class ConfigService:
    """Stores configuration versions and serves the current one from a cache."""

    def __init__(self, database: Database) -> None:
        self._db = database
        self._lock = threading.Lock()
        self._version = -1
        self._text = ""
        self._config = empty_config()
        self._spans: tuple[Span, ...] = ()
        self._configs: OrderedDict[int, Config] = OrderedDict()
        self._checked_at = float("-inf")

    def current(self) -> tuple[int, str, Config]:
        """``(version, text, Config)``; version 0 and the empty config before any."""
        with self._lock:
            self._refresh_if_due()
            return self._version, self._text, self._config

    def spans(self) -> tuple[Span, ...]:
        """When each version came into force (refreshed like :meth:`current`)."""
        with self._lock:
            self._refresh_if_due()
            return self._spans

    def spans_in(self, tx: Tx) -> tuple[Span, ...]:
        """The versions as seen inside ``tx`` (no cache wait)."""
        with self._lock:
            self._refresh(tx)
            return self._spans

    def config_of(self, tx: Tx, version: int) -> Config:
        """Version ``version`` (with its policy versions), parsed once per process."""
        if version == 0:
            return empty_config()
        with self._lock:
            config = self._configs.get(version)
        if config is not None:
            return config
        stored = tx.config_versions.get(version)
        config = _parse_version(version, stored.text, stored.policy_versions)
        with self._lock:
            self._keep(version, config)
        return config

    def _keep(self, version: int, config: Config) -> None:
        self._configs[version] = config
        self._configs.move_to_end(version)
        while len(self._configs) > CONFIGS_KEPT:
            self._configs.popitem(last=False)

    def _refresh_if_due(self) -> None:
        if time.monotonic() - self._checked_at >= RELOAD_CHECK_SECONDS:
            with self._db.reading() as tx:
                self._refresh(tx)

    def _refresh(self, tx: Tx) -> None:
        latest = tx.config_versions.latest_number()
        self._checked_at = time.monotonic()
        if latest == self._version:
            return
        self._spans = tuple(Span(v, created_at) for v, created_at in tx.config_versions.starts())
        if latest == 0:
            self._version, self._text, self._config = 0, "", empty_config()
            return
        stored = tx.config_versions.get(latest)
        config = self._configs.get(latest) or _parse_version(
            latest, stored.text, stored.policy_versions
        )
        self._keep(latest, config)
        self._version, self._text, self._config = latest, stored.text, config

    def store(self, tx: Tx, text: str, author: str, now: datetime, base: int | None = None) -> int:
        """Validate ``text`` and store it as the next version (inside ``tx``, which the
        caller holds as the writer). Raises ConfigError; with ``base`` (the version the
        text was edited from), ConfigConflict when another version came after it, checked
        under the configuration gate so two editors cannot both pass."""
        from slaclock.core.config import parse_config

        config = parse_config(text, "<config>")
        tx.locks.config_gate(exclusive=True)
        last = tx.config_versions.latest()
        current = last.version if last else 0
        if base is not None and base != current:
            raise ConfigConflict(base, current)
        previous_text = last.text if last else ""
        previous_versions = last.policy_versions if last else {}
        version = (last.version if last else 0) + 1
        tx.config_versions.add(
            version,
            text,
            author,
            now,
            diff=unified_diff(previous_text, text, version - 1, version),
            policy_versions=next_policy_versions(previous_versions, config),
        )
        return version

    def invalidate(self) -> None:
        with self._lock:
            self._checked_at = float("-inf")

    def versions(self) -> list[ConfigVersion]:
        """Every version, oldest first: number, author, time, and policy versions."""
        with self._db.reading() as tx:
            listed = tx.config_versions.listing()
        return [
            ConfigVersion(
                version=v.version,
                author=v.author,
                created_at=v.created_at,
                policies=_present_versions(v.policy_versions, "policies"),
                olas=_present_versions(v.policy_versions, "olas"),
            )
            for v in listed
        ]

    def diff(self, v1: int, v2: int) -> str:
        """A unified diff of version ``v1``'s text to ``v2``'s; KeyError if either is missing.

        Version 0 is the empty text before the first version.
        """
        texts = {0: ""}
        with self._db.reading() as tx:
            texts.update(tx.config_versions.texts([v1, v2]))
        for v in (v1, v2):
            if v not in texts:
                raise KeyError(f"no configuration version {v}")
        return unified_diff(texts[v1], texts[v2], v1, v2)


def _parse_version(version: int, text: str, policy_versions: Mapping[str, Any]) -> Config:
    from slaclock.core.config import parse_config

    return with_versions(parse_config(text, f"config v{version}"), policy_versions)


def _present_versions(record: Mapping[str, Any], kind: str) -> dict[str, int]:
    return {
        item_id: int(entry["version"])
        for item_id, entry in record.get(kind, {}).items()
        if entry.get("present", True)
    }


def unified_diff(old: str, new: str, v_old: int, v_new: int) -> str:
    return "".join(
        difflib.unified_diff(
            old.splitlines(keepends=True),
            new.splitlines(keepends=True),
            fromfile=f"v{v_old}",
            tofile=f"v{v_new}",
        )
    )
