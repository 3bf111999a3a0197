"""The notification catalogues: the .pot file matches the templates and code, and every
language translates every message — none missing, empty, fuzzy, stale or with other
placeholders."""

from __future__ import annotations

import functools
import tomllib
from fnmatch import fnmatch
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from slaclock.service.i18n import LOCALES, catalog_problems, extract_message_ids
from slaclock.service.messages.catalogs import DOMAIN, PACKAGE_DIR, TRANSLATIONS_DIR, translations

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

TRANSLATED = [locale for locale in LOCALES if locale != "en"]
ROOT = Path(__file__).resolve().parents[2]
PYTHON = (".py", ".pyc")


@functools.cache
def _extracted() -> frozenset[str]:
    """Every msgid in the package's templates and code, as ``pybabel extract`` finds it."""
    return extract_message_ids(PACKAGE_DIR, PACKAGE_DIR / "babel.cfg")


def _po(locale: str) -> Path:
    return TRANSLATIONS_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def test_extraction_finds_templates_and_code() -> None:
    ids = _extracted()
    assert "Open the ticket:" in ids  # a text template
    assert "I am on it" in ids  # an HTML template and the Slack buttons
    assert "first response" in ids  # N_ in words.py
    assert "overdue by %(duration)s" in ids  # _() in words.py
    assert "[SLA] %(num)d message from outside your working hours" in ids  # ngettext


def test_the_pot_file_is_up_to_date() -> None:
    with (TRANSLATIONS_DIR / f"{DOMAIN}.pot").open("rb") as pot_file:
        pot = read_po(pot_file)
    in_pot = {m.id if isinstance(m.id, str) else m.id[0] for m in pot if m.id}
    assert in_pot == _extracted()


@pytest.mark.parametrize("locale", TRANSLATED)
def test_every_message_is_translated(locale: str) -> None:
    assert catalog_problems(_po(locale), locale, _extracted()) == []


def test_only_po_files_are_shipped() -> None:
    """Catalogues are compiled in memory when loaded, as the dashboard's are."""
    assert not list(TRANSLATIONS_DIR.rglob("*.mo"))
    assert sorted(p.name for p in TRANSLATIONS_DIR.iterdir() if p.is_dir()) == sorted(TRANSLATED)


def test_every_template_and_catalogue_ships() -> None:
    """Each file beside the modules matches a pattern of pyproject's package-data."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = pyproject["tool"]["setuptools"]["package-data"]["*"]
    data = [p.name for p in PACKAGE_DIR.rglob("*") if p.is_file() and p.suffix not in PYTHON]
    assert {"person.txt", "person.html", "babel.cfg", "notifications.po"} <= set(data)
    assert [name for name in data if not any(fnmatch(name, p) for p in patterns)] == []


def test_the_catalogues_load_and_translate() -> None:
    for locale in TRANSLATED:
        assert translations(locale).gettext("first response") != "first response", locale
    assert translations("en").gettext("first response") == "first response"


def test_the_check_finds_what_is_wrong(tmp_path: Path) -> None:
    """Guard against a check that cannot fail."""
    po = tmp_path / "x.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: nl\\n"\n'
        '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
        'msgid "a"\nmsgstr ""\n\n'
        '#, fuzzy\nmsgid "b"\nmsgstr "B"\n\n'
        'msgid "c %(x)s"\nmsgstr "C %(y)s"\n\n'
        'msgid "%(num)d d"\nmsgid_plural "%(num)d ds"\n'
        'msgstr[0] "één d"\nmsgstr[1] "%(num)d ds"\n\n'
        'msgid "stale"\nmsgstr "oud"\n',
        encoding="utf-8",
    )
    problems = catalog_problems(po, "nl", frozenset({"a", "b", "c %(x)s", "%(num)d d", "new"}))
    assert problems == [
        "empty 'a'",
        "fuzzy 'b'",
        "placeholders of 'c %(x)s': 'C %(y)s'",
        "missing 'new'",
        "obsolete 'stale'",
    ]
    assert catalog_problems(po, "de", frozenset())[0] == "declares nl"
