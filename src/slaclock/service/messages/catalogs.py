"""Languages and gettext catalogues: which language a locale tag gets, and its catalogue.

The ``.po`` files are the only source, as for the dashboard: a catalogue is compiled in
memory when it is first needed (``read_po`` → ``write_mo`` → ``Translations``), so there
is no compile step to forget and no stale ``.mo`` file. :func:`compile_catalog`,
:func:`language_code`, :func:`extract_message_ids` and :func:`catalog_problems` take a
directory or a file and so serve any catalogue of the package, not only this one.
"""

from __future__ import annotations

import functools
import gettext
import re
from collections.abc import Mapping
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

__all__ = [
    "DEFAULT_LOCALE",
    "DOMAIN",
    "LOCALES",
    "TRANSLATIONS_DIR",
    "Language",
    "catalog_problems",
    "choose_language",
    "compile_catalog",
    "extract_message_ids",
    "language_code",
    "translations",
]

DEFAULT_LOCALE = "en"
#: English is the source language; the others each have ``translations/<locale>/``.
LOCALES: tuple[str, ...] = ("en", "nl", "nb", "ro", "fr", "de")
DOMAIN = "notifications"
PACKAGE_DIR = Path(__file__).resolve().parent
TRANSLATIONS_DIR = PACKAGE_DIR / "translations"
#: "no" (Norwegian) and "nn" (Nynorsk) read Bokmål, the written standard we have.
_ALIASES: Mapping[str, str] = {"no": "nb", "nn": "nb"}
_PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def language_code(tag: str | None, known: tuple[str, ...] = LOCALES) -> str | None:
    """The language of ``tag`` when it is one of ``known`` ("nl-BE" → "nl",
    "no" → "nb", "de_CH.UTF-8" → "de"), else None."""
    if not tag:
        return None
    language = re.split(r"[-_.@]", tag.strip(), maxsplit=1)[0].lower()
    language = _ALIASES.get(language, language)
    return language if language in known else None


@dataclass(frozen=True)
class Language:
    """What a locale tag gets: the catalogue ``code`` (one of :data:`LOCALES`) and the
    Babel locale ``formats`` for dates and durations — the tag's own region when Babel
    knows it ("en-GB" writes "2 March", "de-CH" Swiss dates), else the language's."""

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


def compile_catalog(po_path: Path, locale: str) -> gettext.NullTranslations:
    """The catalogue in ``po_path`` (a ``.po`` file), compiled in memory."""
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=locale)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(fp=compiled, domain=DOMAIN)


@functools.cache
def translations(code: str) -> gettext.NullTranslations:
    """The notifications catalogue of language ``code`` (English: the source, none)."""
    if code == DEFAULT_LOCALE:
        return gettext.NullTranslations()
    return compile_catalog(TRANSLATIONS_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.po", code)


def extract_message_ids(source_dir: Path, mapping_file: Path) -> frozenset[str]:
    """Every message id in ``source_dir`` (a plural by its singular), by the rules of
    ``mapping_file`` (a ``babel.cfg``), as ``pybabel extract -F mapping_file`` finds them."""
    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    with mapping_file.open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)  # type: ignore[no-untyped-call]
    return frozenset(
        message if isinstance(message, str) else message[0]
        for _, _, message, _, _ in extract_from_dir(str(source_dir), method_map, options_map)
    )


def _forms(value: object) -> tuple[str, ...]:
    """A message's id or string as its forms: one, or one per plural form."""
    if isinstance(value, str):
        return (value,)
    return tuple(str(form or "") for form in value) if isinstance(value, tuple | list) else ("",)


def catalog_problems(po_path: Path, locale: str, expected: frozenset[str]) -> list[str]:
    """What keeps ``po_path`` from translating exactly ``expected``: a missing, empty or
    fuzzy message, a translation whose placeholders differ, an obsolete message, or a
    catalogue of another language. An empty list: complete."""
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=locale)
    problems = [] if str(catalog.locale) == locale else [f"declares {catalog.locale}"]
    by_id = {_forms(m.id)[0]: m for m in catalog if m.id}
    for msgid in sorted(expected):
        message = by_id.get(msgid)
        if message is None:
            problems.append(f"missing {msgid!r}")
            continue
        strings = _forms(message.string)
        if not all(string.strip() for string in strings):
            problems.append(f"empty {msgid!r}")
        if message.fuzzy:
            problems.append(f"fuzzy {msgid!r}")
        # A plural form may leave out the number ("one message"), so: no placeholder the
        # source lacks, and together the forms use all the source's.
        wanted = set(_PLACEHOLDER.findall(" ".join(_forms(message.id))))
        used = [set(_PLACEHOLDER.findall(string)) for string in strings]
        if any(names - wanted for names in used) or set().union(*used) != wanted:
            problems.append(f"placeholders of {msgid!r}: {message.string!r}")
    problems += [f"obsolete {msgid!r}" for msgid in sorted(set(by_id) - expected)]
    return problems
