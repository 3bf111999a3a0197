"""Notification messages: each type in each language, time zones, durations, escaping,
digests, customer notices, Slack, template overrides and language fallbacks."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from slaclock.service.messages import (
    LOCALES,
    MessageFacts,
    RenderedMessage,
    choose_language,
    render_customer_notice,
    render_digest,
    render_person_message,
    render_slack,
)

DUE = datetime(2026, 3, 2, 9, 15, tzinfo=UTC)  # 10:15 in Amsterdam (CET)
TICKET_URL = "https://sla.example.com/tickets/T-1"
ACK_URL = "https://sla.example.com/ack/T-1/first_response/0?sig=abc&by=anna"

REMINDER = MessageFacts(
    type="sla.reminder",
    ticket_id="T-1",
    subject="Printer on fire",
    kind="sla",
    metric="first_response",
    cycle=0,
    policy_name="Enterprise Gold",
    due_at=DUE,
    fire_at=DUE - timedelta(minutes=15),
    remaining_seconds=900,
    priority="high",
    group_name="Tier 2 Escalations",
    assignee_name="Anna de Vries",
    customer_name="Acme",
    ticket_url=TICKET_URL,
)
BREACH = dataclasses.replace(
    REMINDER, type="sla.breached", fire_at=DUE, remaining_seconds=0, ack_url=ACK_URL
)
ESCALATION = dataclasses.replace(
    REMINDER,
    type="sla.escalation",
    fire_at=DUE + timedelta(hours=2),
    remaining_seconds=-7200,
    ack_url=ACK_URL,
)
BY_TYPE = {"sla.reminder": REMINDER, "sla.breached": BREACH, "sla.escalation": ESCALATION}

#: What a native speaker expects to read, per language.
METRIC = {
    "en": "first response",
    "nl": "eerste reactie",
    "nb": "første svar",
    "ro": "primul răspuns",
    "fr": "première réponse",
    "de": "Erstantwort",
}
DUE_DATE = {
    "en": "Monday, March 2, 2026",
    "nl": "maandag 2 maart 2026",
    "nb": "mandag 2. mars 2026",
    "ro": "luni, 2 martie 2026",
    "fr": "lundi 2 mars 2026",
    "de": "Montag, 2. März 2026",
}
STATUS = {
    "sla.reminder": {
        "en": "due in 15 minutes",
        "nl": "termijn verloopt over 15 minuten",
        "nb": "frist om 15 minutter",
        "ro": "termenul expiră peste 15 minute",
        "fr": "échéance dans 15 minutes",
        "de": "fällig in 15 Minuten",
    },
    "sla.breached": {
        "en": "overdue",
        "nl": "te laat",
        "nb": "over fristen",
        "ro": "termen depășit",
        "fr": "en retard",
        "de": "überfällig",
    },
    "sla.escalation": {
        "en": "overdue by 2 hours",
        "nl": "2 uur te laat",
        "nb": "2 timer over fristen",
        "ro": "termen depășit cu 2 ore",
        "fr": "en retard de 2 heures",
        "de": "2 Stunden überfällig",
    },
}
SUBJECT_PREFIX = {
    "sla.reminder": dict.fromkeys(LOCALES, "[SLA] T-1"),
    "sla.breached": {
        "en": "[SLA breached] T-1",
        "nl": "[SLA overschreden] T-1",
        "nb": "[SLA brutt] T-1",
        "ro": "[SLA încălcat] T-1",
        "fr": "[SLA non respecté] T-1",
        "de": "[SLA verletzt] T-1",
    },
    "sla.escalation": {
        "en": "[SLA escalation] T-1",
        "nl": "[SLA-escalatie] T-1",
        "nb": "[SLA-eskalering] T-1",
        "ro": "[Escaladare SLA] T-1",
        "fr": "[Escalade SLA] T-1",
        "de": "[SLA-Eskalation] T-1",
    },
}
ON_IT = {
    "en": "I am on it",
    "nl": "Ik pak het op",
    "nb": "Jeg tar den",
    "ro": "Mă ocup eu",
    "fr": "Je m’en occupe",
    "de": "Ich kümmere mich darum",
}
APOLOGY = {
    "en": "We are sorry for the delay",
    "nl": "Onze excuses voor de vertraging",
    "nb": "Vi beklager forsinkelsen",
    "ro": "Ne cerem scuze pentru întârziere",
    "fr": "Nous vous prions de nous excuser pour ce retard",
    "de": "Wir entschuldigen uns für die Verzögerung",
}
TAG = re.compile(r"</?[A-Za-z][^>]*>|<!")


def _flat(text: str) -> str:
    """``text`` with its line breaks and no-break spaces read as spaces."""
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def _html_text(html: str) -> str:
    return _flat(re.sub(r"<[^>]+>", " ", html).replace("&amp;", "&"))


# --- messages to people -------------------------------------------------------------


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("message_type", sorted(BY_TYPE))
def test_each_type_in_each_language(message_type: str, locale: str) -> None:
    facts = BY_TYPE[message_type]
    mail = render_person_message(facts, locale, "Europe/Amsterdam")
    assert isinstance(mail, RenderedMessage)
    status = STATUS[message_type][locale]
    assert _flat(mail.subject).startswith(SUBJECT_PREFIX[message_type][locale])
    assert METRIC[locale] in mail.subject and status in _flat(mail.subject)
    assert "\n" not in mail.subject
    for body in (_flat(mail.text), _html_text(mail.html)):
        assert "T-1" in body and "Printer on fire" in body
        assert METRIC[locale] in body
        assert status in body
        assert DUE_DATE[locale] in body and "10:15" in body  # 09:15Z in Amsterdam, March
        assert "Anna de Vries" in body and "Tier 2 Escalations" in body
        assert (ON_IT[locale] in body) == (facts.ack_url is not None)
    assert f'href="{TICKET_URL}"' in mail.html
    assert f'<html lang="{locale}">' in mail.html
    # Plain text: the links stand on lines of their own.
    lines = mail.text.splitlines()
    assert TICKET_URL in lines
    assert (ACK_URL in lines) == (facts.ack_url is not None)
    if facts.ack_url:
        assert 'href="https://sla.example.com/ack/T-1/first_response/0?sig=abc&amp;by=anna"' in (
            mail.html
        )


def test_english_subject_lines_read_in_an_inbox() -> None:
    def subject(facts: MessageFacts) -> str:
        return render_person_message(facts, "en", "UTC").subject

    assert subject(REMINDER) == "[SLA] T-1: first response due in 15 minutes"
    assert subject(BREACH) == "[SLA breached] T-1: first response overdue"
    assert subject(ESCALATION) == "[SLA escalation] T-1: first response overdue by 2 hours"
    late = dataclasses.replace(BREACH, remaining_seconds=-300, kind="ola")
    assert subject(late) == "[OLA breached] T-1: first response overdue by 5 minutes"


@pytest.mark.parametrize(
    ("metric", "words"),
    [
        ("first_response", "first response"),
        ("next_response", "next response"),
        ("resolution", "resolution"),
        ("periodic_update", "periodic update"),
        ("engineering_triage", "engineering triage"),
        ("legal-review_2", "legal review 2"),
    ],
)
def test_metrics_in_words(metric: str, words: str) -> None:
    mail = render_person_message(dataclasses.replace(REMINDER, metric=metric), "en", "UTC")
    assert f"T-1: {words} due" in mail.subject
    assert f"Metric: {words}" in mail.text


def test_built_in_metrics_are_translated_and_custom_ones_kept() -> None:
    texts = {
        metric: render_person_message(dataclasses.replace(REMINDER, metric=metric), "de", "UTC")
        for metric in ("next_response", "resolution", "periodic_update", "engineering_triage")
    }
    assert "Metrik: Folgeantwort" in texts["next_response"].text
    assert "Metrik: Lösung" in texts["resolution"].text
    assert "Metrik: Statusaktualisierung" in texts["periodic_update"].text
    assert "Metrik: engineering triage" in texts["engineering_triage"].text


@pytest.mark.parametrize(
    ("tz", "due", "when"),
    [
        ("UTC", DUE, "9:15\u202fAM (Coordinated Universal Time)"),
        ("Europe/Amsterdam", DUE, "10:15\u202fAM (Central European Standard Time)"),
        (
            "Europe/Amsterdam",
            datetime(2026, 7, 1, 9, 15, tzinfo=UTC),
            "11:15\u202fAM (Central European Summer Time)",
        ),
        ("America/New_York", DUE, "Monday, March 2, 2026, 4:15\u202fAM (Eastern Standard Time)"),
        ("Asia/Kolkata", DUE, "2:45\u202fPM (India Standard Time)"),
        ("Not/AZone", DUE, "9:15\u202fAM (Coordinated Universal Time)"),
        (None, DUE, "9:15\u202fAM (Coordinated Universal Time)"),
    ],
)
def test_the_due_time_is_in_the_readers_zone(tz: str | None, due: datetime, when: str) -> None:
    facts = dataclasses.replace(REMINDER, due_at=due, fire_at=due - timedelta(minutes=15))
    assert when in render_person_message(facts, "en", tz).text


def test_en_gb_writes_british_dates() -> None:
    text = render_person_message(REMINDER, "en-GB", "Europe/London").text
    assert "Monday, 2 March 2026, 09:15 (Greenwich Mean Time)" in text


@pytest.mark.parametrize(
    ("remaining", "words"),
    [
        (30, "due in 30 seconds"),
        (60, "due in 1 minute"),
        (89, "due in 1 minute"),
        (900, "due in 15 minutes"),
        (3600, "due in 1 hour"),
        (5400, "due in 90 minutes"),
        (7200, "due in 2 hours"),
        (3 * 3600 + 20 * 60, "due in 3 hours"),
        (86400, "due in 1 day"),
        (30 * 3600, "due in 30 hours"),
        (4 * 86400 + 3600, "due in 4 days"),
        (0, "overdue"),
        (-59, "overdue"),
        (-61, "overdue by 1 minute"),
        (-7200, "overdue by 2 hours"),
        (-2 * 86400, "overdue by 2 days"),
    ],
)
def test_time_left_in_words(remaining: int, words: str) -> None:
    facts = dataclasses.replace(REMINDER, remaining_seconds=remaining)
    assert f"Status: {words}\n" in render_person_message(facts, "en", "UTC").text


def test_a_message_without_a_due_time_leaves_the_line_out() -> None:
    mail = render_person_message(dataclasses.replace(REMINDER, due_at=None), "en", "UTC")
    assert "Due:" not in mail.text and "Status: due in 15 minutes" in mail.text


def test_html_escapes_what_the_ticket_says() -> None:
    hostile = dataclasses.replace(
        BREACH,
        subject='<script>alert("x")</script> & more',
        assignee_name="<b>Anna</b>",
        customer_name="Acme <img src=x onerror=alert(1)>",
        policy_name="Gold</td><td>",
    )
    mail = render_person_message(hostile, "en", "UTC")
    assert "<script>" not in mail.html and "<img" not in mail.html and "<b>" not in mail.html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; more" in mail.html
    assert "&lt;b&gt;Anna&lt;/b&gt;" in mail.html
    assert "Gold&lt;/td&gt;&lt;td&gt;" in mail.html
    # Plain text is not markup: it shows the subject as it is.
    assert '<script>alert("x")</script> & more' in mail.text


def test_subject_lines_stay_on_one_line() -> None:
    facts = dataclasses.replace(REMINDER, ticket_id="T-1\r\nBcc: everyone@example.com")
    subject = render_person_message(facts, "en", "UTC").subject
    assert "\n" not in subject and "\r" not in subject
    assert subject.startswith("[SLA] T-1 Bcc: everyone@example.com:")


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("message_type", sorted(BY_TYPE))
def test_plain_text_has_no_markup_and_wrapped_lines(message_type: str, locale: str) -> None:
    text = render_person_message(BY_TYPE[message_type], locale, "America/New_York").text
    assert not TAG.search(text)
    assert "&amp;" not in text and "&lt;" not in text
    for line in text.splitlines():
        assert len(line) <= 72 or " " not in line.strip(), line
    assert text.endswith("\n") and not text.endswith("\n\n")
    assert "\n\n\n" not in text


def test_facts_are_checked() -> None:
    with pytest.raises(ValueError, match="aware"):
        dataclasses.replace(REMINDER, fire_at=datetime(2026, 3, 2, 9, 0))
    with pytest.raises(ValueError, match="type"):
        dataclasses.replace(REMINDER, type="sla.met")
    with pytest.raises(ValueError, match="kind"):
        dataclasses.replace(REMINDER, kind="goal")
    with pytest.raises(ValueError, match="URL"):
        dataclasses.replace(REMINDER, ticket_url="/tickets/T-1")
    cet = timezone(timedelta(hours=1))
    facts = dataclasses.replace(REMINDER, due_at=datetime(2026, 3, 2, 10, 15, tzinfo=cet))
    assert facts.due_at == DUE and facts.due_at.tzinfo is UTC


# --- digests ------------------------------------------------------------------------


def _at(facts: MessageFacts, ticket: str, minutes: int) -> MessageFacts:
    return dataclasses.replace(
        facts, ticket_id=ticket, fire_at=DUE + timedelta(minutes=minutes), subject=None
    )


DIGEST = [
    _at(ESCALATION, "T-3", 30),
    _at(REMINDER, "T-1", -20),
    _at(BREACH, "T-2", 0),
]


@pytest.mark.parametrize("locale", LOCALES)
def test_a_digest_lists_its_messages_in_fire_order(locale: str) -> None:
    digest = render_digest(DIGEST, locale, "Europe/Amsterdam")
    assert re.search(r"\b3\b", digest.subject)
    for body in (digest.text, digest.html):
        positions = [body.index(ticket) for ticket in ("T-1", "T-2", "T-3")]
        assert positions == sorted(positions)
    assert digest.text.splitlines().count(TICKET_URL) == 3
    assert digest.html.count(f'href="{TICKET_URL}"') == 3
    text = _flat(digest.text)
    for message_type in ("sla.reminder", "sla.breached", "sla.escalation"):
        assert STATUS[message_type][locale] in text
    assert not TAG.search(digest.text)
    assert f"1. {SUBJECT_PREFIX['sla.reminder'][locale]}" in text


def test_digest_wording_in_english() -> None:
    digest = render_digest(DIGEST, "en", "UTC")
    assert digest.subject == "[SLA] 3 messages from outside your working hours"
    assert "These 3 messages came up outside your working hours" in digest.text
    one = render_digest(DIGEST[:1], "en", "UTC")
    assert one.subject == "[SLA] 1 message from outside your working hours"
    assert "This message came up outside your working hours" in one.text


def test_romanian_digests_use_three_plural_forms() -> None:
    assert render_digest(DIGEST[:1], "ro", "UTC").subject.startswith("[SLA] 1 mesaj ")
    assert render_digest(DIGEST, "ro", "UTC").subject.startswith("[SLA] 3 mesaje ")
    many = [_at(REMINDER, f"T-{i}", i) for i in range(20)]
    assert render_digest(many, "ro", "UTC").subject.startswith("[SLA] 20 de mesaje ")


def test_an_empty_digest_is_refused() -> None:
    with pytest.raises(ValueError):
        render_digest([], "en", "UTC")


# --- customer notices ---------------------------------------------------------------


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("missed", [False, True])
def test_customer_notices_apologise_and_name_nothing_internal(locale: str, missed: bool) -> None:
    notice = render_customer_notice(REMINDER, locale, "Europe/Amsterdam", missed=missed)
    for body in (_flat(notice.text), _html_text(notice.html)):
        assert "T-1" in body and "Printer on fire" in body
        assert DUE_DATE[locale] in body and "10:15" in body
        assert APOLOGY[locale] in body
    everything = notice.subject + notice.text + notice.html
    for internal in (
        "Enterprise Gold",
        "Tier 2 Escalations",
        "Anna de Vries",
        "sla.example.com",
        "SLA",
        "first_response",
    ):
        assert internal not in everything
    assert "T-1" in notice.subject
    assert not TAG.search(notice.text)


def test_customer_notices_say_what_was_promised_and_what_happens_next() -> None:
    def text(metric: str, missed: bool) -> str:
        facts = dataclasses.replace(REMINDER, metric=metric)
        return _flat(render_customer_notice(facts, "en", "UTC", missed=missed).text)

    due = "Monday, March 2, 2026, 9:15 AM (Coordinated Universal Time)"
    assert f"We promised to reply to your request by {due}." in text("first_response", False)
    assert "we expect to be late" in text("first_response", False)
    assert "we did not manage this in time" in text("first_response", True)
    assert "answer your latest message" in text("next_response", True)
    assert "resolve your request" in text("resolution", True)
    assert "keep you informed until it is resolved" in text("resolution", True)
    assert "send you an update" in text("periodic_update", False)
    custom = text("engineering_triage", True)
    assert "get back to you" in custom and "engineering" not in custom
    will = render_customer_notice(REMINDER, "en", "UTC", missed=False).subject
    was = render_customer_notice(REMINDER, "en", "UTC", missed=True).subject
    assert will == "Your request T-1: we will be later than promised"
    assert was == "Your request T-1: we are later than promised"


def test_a_customer_notice_escapes_and_needs_a_due_time() -> None:
    hostile = dataclasses.replace(REMINDER, subject="<i>hi</i>", ticket_id="<T&1>")
    notice = render_customer_notice(hostile, "de", "UTC", missed=True)
    assert "<i>" not in notice.html and "&lt;i&gt;hi&lt;/i&gt;" in notice.html
    assert "&lt;T&amp;1&gt;" in notice.html
    with pytest.raises(ValueError, match="due_at"):
        render_customer_notice(dataclasses.replace(REMINDER, due_at=None), "en", "UTC", True)


# --- Slack --------------------------------------------------------------------------


def _buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    (actions,) = [block for block in message["blocks"] if block["type"] == "actions"]
    return list(actions["elements"])


def test_slack_has_text_blocks_and_buttons() -> None:
    message = render_slack(ESCALATION)
    assert message["text"] == "[SLA escalation] T-1: first response overdue by 2 hours"
    section = message["blocks"][0]
    assert section["type"] == "section" and section["text"]["type"] == "mrkdwn"
    assert f"<{TICKET_URL}|T-1> Printer on fire" in section["text"]["text"]
    assert "*Status*: overdue by 2 hours" in section["text"]["text"]
    buttons = _buttons(message)
    assert [(b["text"]["text"], b["url"]) for b in buttons] == [
        ("Open ticket", TICKET_URL),
        ("I am on it", ACK_URL),
    ]
    assert buttons[1]["style"] == "primary"
    assert [b["text"]["text"] for b in _buttons(render_slack(REMINDER))] == ["Open ticket"]


def test_slack_in_a_language_and_zone() -> None:
    message = render_slack(BREACH, "nb-NO", "Europe/Oslo")
    assert message["text"] == "[SLA brutt] T-1: første svar – over fristen"
    assert "mandag 2. mars 2026, 10:15" in message["blocks"][0]["text"]["text"]
    assert [b["text"]["text"] for b in _buttons(message)] == ["Åpne saken", "Jeg tar den"]


def test_slack_escapes_mentions_and_links() -> None:
    hostile = dataclasses.replace(
        REMINDER, subject="<!channel> <https://evil.example|click> & co", ticket_id="T<1>"
    )
    message = render_slack(hostile)
    text = message["blocks"][0]["text"]["text"]
    assert "<!channel>" not in text and "<https://evil" not in text
    assert "&lt;!channel&gt; &lt;https://evil.example|click&gt; &amp; co" in text
    assert "|T&lt;1&gt;>" in text
    assert "<" not in message["text"]


def test_slack_sections_stay_within_slacks_limit() -> None:
    long = dataclasses.replace(REMINDER, subject="word " * 1000)
    assert len(render_slack(long)["blocks"][0]["text"]["text"]) <= 3000


# --- overrides ----------------------------------------------------------------------


def test_override_templates_replace_the_built_in_ones(tmp_path: Path) -> None:
    (tmp_path / "person_subject.txt").write_text(
        "Deadline {{ message.ticket_id }} ({{ message.metric_words }})", encoding="utf-8"
    )
    (tmp_path / "nl").mkdir()
    (tmp_path / "nl" / "person.txt").write_text(
        "Hoi! {{ message.ticket_id }} {{ message.status }}\n{{ message.ticket_url }}\n",
        encoding="utf-8",
    )
    (tmp_path / "person.html").write_text(
        '{% extends "builtin/person.html" %}'
        '{% block footer %}<p class="ours">{{ _("Open ticket") }}</p>{% endblock %}',
        encoding="utf-8",
    )
    english = render_person_message(REMINDER, "en", "UTC", overrides=tmp_path)
    dutch = render_person_message(REMINDER, "nl-BE", "UTC", overrides=tmp_path)
    assert english.subject == "Deadline T-1 (first response)"
    assert dutch.subject == "Deadline T-1 (eerste reactie)"
    assert dutch.text == f"Hoi! T-1 termijn verloopt over 15 minuten\n{TICKET_URL}\n"
    assert english.text.startswith("Reminder: a deadline")  # nl/ is for Dutch only
    assert '<p class="ours">Ticket openen</p>' in dutch.html
    assert "Meting" in dutch.html and "Je ontvangt dit bericht" not in dutch.html
    # The digest's item headings are the (overridden) subject lines too.
    assert (
        "1. Deadline T-1 (first response)" in render_digest([REMINDER], "en", "UTC", tmp_path).text
    )
    # Without overrides, or with a directory lacking the template: the built-in one.
    assert render_person_message(REMINDER, "en", "UTC").subject.startswith("[SLA]")
    assert render_person_message(REMINDER, "en", "UTC", tmp_path / "none").subject.startswith(
        "[SLA]"
    )


def test_customer_and_slack_templates_can_be_overridden_per_locale(tmp_path: Path) -> None:
    (tmp_path / "fr").mkdir()
    (tmp_path / "fr" / "customer_subject.txt").write_text(
        "Votre demande {{ notice.ticket_id }}", encoding="utf-8"
    )
    (tmp_path / "slack.txt").write_text("*{{ message.ticket_id }}* {{ message.subject }}")
    notice = render_customer_notice(REMINDER, "fr-CA", "UTC", missed=True, overrides=tmp_path)
    assert notice.subject == "Votre demande T-1"
    hostile = dataclasses.replace(REMINDER, subject="<!here>")
    section = render_slack(hostile, overrides=tmp_path)["blocks"][0]["text"]["text"]
    assert section == "*T-1* &lt;!here&gt;"


def test_an_override_without_a_variable_fails_loudly(tmp_path: Path) -> None:
    (tmp_path / "person.txt").write_text("{{ message.no_such_thing }}", encoding="utf-8")
    with pytest.raises(Exception, match="no_such_thing"):
        render_person_message(REMINDER, "en", "UTC", overrides=tmp_path)


# --- languages ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tag", "language", "formats"),
    [
        ("nl", "nl", "nl"),
        ("nl-BE", "nl", "nl_BE"),
        ("nl_NL.UTF-8", "nl", "nl_NL"),
        ("no", "nb", "nb"),
        ("nn-NO", "nb", "nb_NO"),
        ("nb_NO", "nb", "nb_NO"),
        ("NB-no", "nb", "nb_NO"),
        ("de-CH", "de", "de_CH"),
        ("fr-CA", "fr", "fr_CA"),
        ("ro-RO", "ro", "ro_RO"),
        ("en-GB", "en", "en_GB"),
        ("es", "en", "en"),
        ("pt-BR", "en", "en"),
        ("zz-ZZ", "en", "en"),
        ("de-XX", "de", "de"),
        ("", "en", "en"),
        (None, "en", "en"),
    ],
)
def test_locale_tags_get_a_language(tag: str | None, language: str, formats: str) -> None:
    chosen = choose_language(tag)
    assert (chosen.code, str(chosen.formats)) == (language, formats)


@pytest.mark.parametrize(
    ("tag", "words"),
    [
        ("nl-BE", "eerste reactie"),
        ("no", "første svar"),
        ("de-AT", "Erstantwort"),
        ("es", "first response"),
    ],
)
def test_region_variants_read_their_language(tag: str, words: str) -> None:
    mail = render_person_message(REMINDER, tag, "UTC")
    assert words in mail.subject and words in mail.text


def test_unknown_languages_read_english_with_english_dates() -> None:
    text = render_person_message(REMINDER, "es-ES", "Europe/Madrid").text
    assert "Due: Monday, March 2, 2026, 10:15" in _flat(text)
