"""Public holiday tables from the ``holidays`` library, importing one country at a time.

``holidays.country_holidays`` imports the package ``holidays.countries``, whose
``__init__`` imports all 250 country modules: 45 ms and a fifth of the instructions of
every command's start-up, for the two or three countries a configuration names.
:func:`country_table` loads only the named country's module, under its own name (a
later import of the whole package finds it there and shares it), and builds the table
as ``country_holidays`` does. A name the library's registry does not list, or a module
that cannot be found or loaded, goes through ``country_holidays`` itself, so errors
(``NotImplementedError`` for an unknown country or subdivision) are the library's own.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterable
from importlib.machinery import PathFinder
from importlib.util import module_from_spec
from pathlib import Path
from types import ModuleType
from typing import Any

import holidays
from holidays.registry import COUNTRIES

__all__ = ["country_table"]

_PACKAGE = "holidays.countries"
_lock = threading.Lock()
#: Every name the registry knows a country by (class name, alpha-2, alpha-3, aliases)
#: -> (its module's name, that name).
_NAMES: dict[str, tuple[str, str]] = {
    name: (module, name) for module, names in COUNTRIES.items() for name in names
}


def country_table(
    country: str, subdiv: str | None = None, years: int | Iterable[int] | None = None
) -> Any:
    """``holidays.country_holidays(country, subdiv=subdiv, years=years)``, loading only
    that country's module (a ``HolidayBase`` mapping of date -> name)."""
    entity = _entity(country)
    if entity is None:
        return holidays.country_holidays(country, subdiv=subdiv, years=years)
    return entity(years=years, subdiv=subdiv)


def _entity(country: str) -> Any:
    """The country's class, or None when only the library's own lookup can tell."""
    found = _NAMES.get(country)
    if found is None:
        return None
    module_name, name = found
    module = _module(f"{_PACKAGE}.{module_name}")
    return None if module is None else getattr(module, name, None)


def _module(name: str) -> ModuleType | None:
    """The country module, imported on its own (without its package's ``__init__``)."""
    module = sys.modules.get(name)
    if module is not None:
        return module
    with _lock:
        module = sys.modules.get(name)
        if module is not None:
            return module
        folder = Path(holidays.__file__).parent / "countries"
        spec = PathFinder.find_spec(name, [str(folder)])
        if spec is None or spec.loader is None:
            return None
        module = module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except Exception:  # the library's own import path will report it
            del sys.modules[name]
            return None
        return module
