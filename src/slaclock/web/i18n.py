"""Languages of the dashboard: which one a request gets, and its compiled catalogue.

The ``.po`` files are the only source: they are compiled in memory at startup
(``read_po`` → ``write_mo`` → ``Translations``), so there is no compile step to forget
and no stale ``.mo`` file can ever be served.
"""

from __future__ import annotations

import gettext
from collections.abc import Mapping
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

__all__ = [
    "DEFAULT_LOCALE",
    "LOCALES",
    "LOCALE_NAMES",
    "TRANSLATIONS_DIR",
    "choose_locale",
    "load_all",
    "load_translations",
    "parse_accept_language",
]

DEFAULT_LOCALE = "en"
#: English is the source language; the others each have ``translations/<locale>/``.
LOCALES: tuple[str, ...] = ("en", "nl", "nb", "ro", "fr", "de")
#: Each language named in itself, for the language switcher.
LOCALE_NAMES: Mapping[str, str] = {
    "en": "English",
    "nl": "Nederlands",
    "nb": "Norsk bokmål",
    "ro": "Română",
    "fr": "Français",
    "de": "Deutsch",
}
#: Browsers send "no" and "nn" for Norwegian; Bokmål is the written standard we have.
_ALIASES: Mapping[str, str] = {"no": "nb", "nn": "nb"}
TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"


def load_translations(locale: str) -> gettext.NullTranslations:
    """The catalogue of ``locale`` compiled from its ``.po`` file (English: none)."""
    if locale == DEFAULT_LOCALE:
        return gettext.NullTranslations()
    po_path = TRANSLATIONS_DIR / locale / "LC_MESSAGES" / "messages.po"
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=locale)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(fp=compiled)


def load_all() -> dict[str, gettext.NullTranslations]:
    return {locale: load_translations(locale) for locale in LOCALES}


def _known(tag: str | None) -> str | None:
    """``tag``'s language if we have it ("nl-BE" → "nl", "no" → "nb"), else None."""
    if not tag:
        return None
    language = tag.strip().replace("_", "-").split("-")[0].lower()
    language = _ALIASES.get(language, language)
    return language if language in LOCALES else None


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
        known = _known(candidate)
        if known is not None:
            return known
    return DEFAULT_LOCALE
