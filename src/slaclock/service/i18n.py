"""Languages and gettext catalogues, for each catalogue of the package: the dashboard's
(``web/translations``, domain ``messages``) and the notifications'
(``service/messages/translations``, domain ``notifications``).

The ``.po`` files are the only source: a catalogue is compiled in memory when it is
loaded (``read_po`` → ``write_mo`` → ``Translations``), so there is no compile step to
forget and no stale ``.mo`` file. :func:`load_catalog`, :func:`compile_catalog`,
:func:`extract_message_ids` and :func:`catalog_problems` take a directory or a file, so
each catalogue keeps its files beside the code and templates its messages come from.
"""

from __future__ import annotations

import gettext
import re
from collections.abc import Mapping
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

__all__ = [
    "DEFAULT_LOCALE",
    "LOCALES",
    "catalog_problems",
    "compile_catalog",
    "extract_message_ids",
    "language_code",
    "load_catalog",
]

DEFAULT_LOCALE = "en"
#: English is the source language; the others each have ``translations/<locale>/``.
LOCALES: tuple[str, ...] = ("en", "nl", "nb", "ro", "fr", "de")
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


def compile_catalog(po_path: Path, locale: str, domain: str) -> gettext.NullTranslations:
    """The catalogue in ``po_path`` (a ``.po`` file), compiled in memory."""
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=locale)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(fp=compiled, domain=domain)


def load_catalog(translations_dir: Path, domain: str, locale: str) -> gettext.NullTranslations:
    """The ``domain`` catalogue of ``locale`` under ``translations_dir``
    (``<locale>/LC_MESSAGES/<domain>.po``); English, the source language: none."""
    if locale == DEFAULT_LOCALE:
        return gettext.NullTranslations()
    po_path = translations_dir / locale / "LC_MESSAGES" / f"{domain}.po"
    return compile_catalog(po_path, locale, domain)


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
