"""Languages of the dashboard: which one a request gets, and its compiled catalogue
(domain ``messages``, in ``translations/`` beside this module).

Locale tags, loading and checking catalogues are shared with the notifications'
(:mod:`slaclock.service.i18n`).
"""

from __future__ import annotations

import gettext
from collections.abc import Mapping
from pathlib import Path

from slaclock.service.i18n import DEFAULT_LOCALE, LOCALES, language_code, load_catalog

__all__ = [
    "DEFAULT_LOCALE",
    "DOMAIN",
    "LOCALES",
    "LOCALE_NAMES",
    "TRANSLATIONS_DIR",
    "choose_locale",
    "load_all",
    "load_translations",
    "parse_accept_language",
]

#: Each language named in itself, for the language switcher.
LOCALE_NAMES: Mapping[str, str] = {
    "en": "English",
    "nl": "Nederlands",
    "nb": "Norsk bokmål",
    "ro": "Română",
    "fr": "Français",
    "de": "Deutsch",
}
DOMAIN = "messages"
TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"


def load_translations(locale: str) -> gettext.NullTranslations:
    """The catalogue of ``locale`` compiled from its ``.po`` file (English: none)."""
    return load_catalog(TRANSLATIONS_DIR, DOMAIN, locale)


def load_all() -> dict[str, gettext.NullTranslations]:
    return {locale: load_translations(locale) for locale in LOCALES}


def parse_accept_language(header: str | None) -> list[str]:
    """The header's language tags, most preferred first (``q=0`` dropped)."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag and tag != "*" and quality > 0:
            ranked.append((-quality, position, tag))
    return [tag for _, _, tag in sorted(ranked)]


def choose_locale(
    query_lang: str | None,
    cookie_lang: str | None,
    accept_language: str | None,
    person_locale: str | None = None,
) -> str:
    """``?lang=``, else the remembered choice, else the browser's, else the person's, else en."""
    languages = parse_accept_language(accept_language)
    for candidate in (query_lang, cookie_lang, *languages, person_locale):
        known = language_code(candidate)
        if known is not None:
            return known
    return DEFAULT_LOCALE
