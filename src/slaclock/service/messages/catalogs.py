"""The notifications' languages and catalogue: which language a locale tag gets, and its
gettext catalogue (domain ``notifications``, in ``translations/`` beside this module).

Locale tags, loading and checking catalogues are shared with the dashboard's
(:mod:`slaclock.service.i18n`).
"""

from __future__ import annotations

import functools
import gettext
import re
from dataclasses import dataclass
from pathlib import Path

from babel import Locale, UnknownLocaleError

from slaclock.service.i18n import DEFAULT_LOCALE, language_code, load_catalog

__all__ = [
    "DOMAIN",
    "PACKAGE_DIR",
    "TRANSLATIONS_DIR",
    "Language",
    "choose_language",
    "translations",
]

DOMAIN = "notifications"
PACKAGE_DIR = Path(__file__).resolve().parent
TRANSLATIONS_DIR = PACKAGE_DIR / "translations"


@dataclass(frozen=True)
class Language:
    """What a locale tag gets: the catalogue ``code`` (one of
    :data:`~slaclock.service.i18n.LOCALES`) and the Babel locale ``formats`` for dates and
    durations — the tag's own region when Babel knows it ("en-GB" writes "2 March",
    "de-CH" Swiss dates), else the language's."""

    code: str
    formats: Locale


@functools.lru_cache(maxsize=256)
def choose_language(tag: str | None) -> Language:
    """The language a reader with locale ``tag`` gets; English when we have not theirs."""
    code = language_code(tag)
    if tag is None or code is None:
        return Language(DEFAULT_LOCALE, Locale.parse(DEFAULT_LOCALE))
    try:
        asked = Locale.parse(re.split(r"[.@]", tag.strip())[0].replace("-", "_"))
        formats = Locale(code, territory=asked.territory, script=asked.script)
    except (ValueError, TypeError, UnknownLocaleError):
        formats = Locale.parse(code)
    return Language(code, formats)


@functools.cache
def translations(code: str) -> gettext.NullTranslations:
    """The notifications catalogue of language ``code`` (English: the source, none)."""
    return load_catalog(TRANSLATIONS_DIR, DOMAIN, code)
