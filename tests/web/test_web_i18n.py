"""Languages: the choice of language, translated pages, Babel formats, complete catalogues."""

from __future__ import annotations

import functools
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from babel.dates import format_datetime
from babel.messages.pofile import read_po

import slaclock.web
from slaclock.service.i18n import extract_message_ids
from slaclock.web.i18n import (
    LOCALES,
    TRANSLATIONS_DIR,
    choose_locale,
    load_translations,
    parse_accept_language,
)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

WEB_DIR = Path(slaclock.web.__file__).resolve().parent
TRANSLATED = [locale for locale in LOCALES if locale != "en"]
#: The queue's heading in each language, as a native speaker would write it.
QUEUE = {
    "en": "Queue",
    "nl": "Wachtrij",
    "nb": "Kø",
    "ro": "Coadă",
    "fr": "File d’attente",
    "de": "Warteschlange",
}
NOW = datetime(2026, 3, 3, 11, 0, tzinfo=UTC)


def _heading(html: str) -> str:
    match = re.search(r'<h2 id="queue">([^<]*)</h2>', html)
    assert match, "no queue heading"
    return match.group(1)


@pytest.mark.parametrize("locale", LOCALES)
def test_each_language_translates_the_page(site: Any, locale: str) -> None:
    browser = site.signed_in()
    response = browser.get(f"/?lang={locale}")
    assert response.status_code == 200
    html = response.text
    assert f'<html lang="{locale}">' in html
    assert _heading(html) == QUEUE[locale]
    # Dates are Babel's, in the language: the "as of" line and the due column.
    assert format_datetime(NOW, "medium", tzinfo=UTC, locale=locale) in html
    due = format_datetime(
        datetime(2026, 3, 3, 10, 59, tzinfo=UTC), "short", tzinfo=UTC, locale=locale
    )
    assert due in html
    # The choice is remembered for the next page.
    assert f"slaclock_lang={locale}" in response.headers["set-cookie"]
    assert _heading(browser.get("/").text) == QUEUE[locale]


def test_dutch_words_and_durations(site: Any, text_of: Any) -> None:
    text = text_of(site.signed_in().get("/?lang=nl").text)
    for words in ("Resterende tijd", "Onderwerp", "Klant", "1 min te laat", "2 uur 34 min"):
        assert words in text
    assert "3 mrt 2026, 11:00:00" in text  # Babel's medium date in Dutch


def test_the_ticket_page_is_translated_too(site: Any, text_of: Any) -> None:
    text = text_of(site.signed_in().get("/tickets/T-1?lang=de").text)
    for words in (
        "Geprüfte Richtlinien",
        "Ereignisse",
        "verletzt",
        "eingehalten",
        "neu festgelegt",
    ):
        assert words in text
    assert "03.03.2026, 10:05:00" in text


@pytest.mark.parametrize(
    ("header", "locale"),
    [
        ("nl-NL,nl;q=0.9,en;q=0.8", "nl"),
        ("nb-NO", "nb"),
        ("no", "nb"),
        ("es-ES, fr;q=0.5, de;q=0.7", "de"),
        ("ro", "ro"),
        ("fr-CA", "fr"),
        ("*", "en"),
        ("es", "en"),
        ("de;q=0, nl;q=0.1", "nl"),
    ],
)
def test_accept_language_picks_the_language(site: Any, header: str, locale: str) -> None:
    html = site.signed_in().get("/", headers={"Accept-Language": header}).text
    assert _heading(html) == QUEUE[locale]


def test_a_person_gets_their_configured_language(site: Any) -> None:
    """A token named after a person of the configuration (ingrid: nb) without a browser
    preference gets that person's language."""
    secret = site.services.tokens.create("viewer", "ingrid", site.clock.now())[1]
    browser = site.browser()
    browser.post("/login", data={"token": secret}, headers={"Origin": site.origin})
    html = browser.get("/").text
    assert _heading(html) == QUEUE["nb"]
    assert _heading(browser.get("/", headers={"Accept-Language": "fr"}).text) == QUEUE["fr"]


def test_choose_locale_order() -> None:
    assert choose_locale("de", "nl", "fr", "ro") == "de"
    assert choose_locale("xx", "nl", "fr", "ro") == "nl"
    assert choose_locale(None, None, "fr-BE", "ro") == "fr"
    assert choose_locale(None, None, "es", "ro") == "ro"
    assert choose_locale(None, None, None, None) == "en"
    assert parse_accept_language("a;q=0.2, b, c;q=0.9, d;q=x") == ["b", "c", "a"]


@functools.cache
def _extracted() -> frozenset[str]:
    """Every msgid in the templates and code, by the same rules as ``pybabel extract``."""
    return extract_message_ids(WEB_DIR, WEB_DIR / "babel.cfg")


def _catalogue(path: Path, locale: str | None = None) -> Any:
    with path.open("rb") as po_file:
        return read_po(po_file, locale=locale)


def test_the_pot_file_is_up_to_date() -> None:
    pot = _catalogue(TRANSLATIONS_DIR / "messages.pot")
    assert {m.id for m in pot if m.id} == _extracted()


@pytest.mark.parametrize("locale", TRANSLATED)
def test_every_message_is_translated(locale: str) -> None:
    po = _catalogue(TRANSLATIONS_DIR / locale / "LC_MESSAGES" / "messages.po", locale)
    assert str(po.locale) == locale
    by_id = {m.id: m for m in po if m.id}
    for msgid in sorted(_extracted()):
        message = by_id.get(msgid)
        assert message is not None, f"{locale}: missing {msgid!r}"
        assert message.string and message.string.strip(), f"{locale}: empty {msgid!r}"
        assert not message.fuzzy, f"{locale}: fuzzy {msgid!r}"
        placeholders = sorted(re.findall(r"%\(\w+\)s", msgid))
        assert sorted(re.findall(r"%\(\w+\)s", message.string)) == placeholders, (locale, msgid)
    assert not [m.id for m in po if m.id and m.id not in _extracted()], "obsolete messages"


def test_the_catalogues_load_and_translate() -> None:
    for locale in TRANSLATED:
        catalogue = load_translations(locale)
        assert catalogue.gettext("Queue") != "Queue" or locale == "en"
    assert load_translations("en").gettext("Queue") == "Queue"
