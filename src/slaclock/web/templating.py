"""Jinja2 templates, one environment per language with its catalogue installed.

An environment per language (six, built once at startup) keeps translation out of
shared mutable state: two requests in two languages, on two threads, never see each
other's ``gettext``.
"""

from __future__ import annotations

import gettext
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

__all__ = ["TEMPLATES_DIR", "Templates"]

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"


class Templates:
    """Renders a template in a language: ``render("dashboard.html", "nl", **values)``."""

    def __init__(self, translations: Mapping[str, gettext.NullTranslations]) -> None:
        loader = FileSystemLoader(str(TEMPLATES_DIR))
        self._environments: dict[str, Environment] = {}
        self._catalogues = dict(translations)
        for locale, catalogue in translations.items():
            env = Environment(
                loader=loader,
                autoescape=select_autoescape(["html"]),
                extensions=["jinja2.ext.i18n"],
                undefined=StrictUndefined,
                trim_blocks=True,
                lstrip_blocks=True,
            )
            env.install_gettext_translations(catalogue, newstyle=True)  # type: ignore[attr-defined]
            self._environments[locale] = env

    def add_global(self, name: str, value: Any) -> None:
        """A name every template can use, in every language (e.g. a function)."""
        for env in self._environments.values():
            env.globals[name] = value

    def gettext(self, locale: str) -> Any:
        """The language's ``gettext`` for strings built in Python (labels, messages)."""
        return self._catalogues[locale].gettext

    def render(self, name: str, locale: str, **values: Any) -> str:
        return self._environments[locale].get_template(name).render(**values)
