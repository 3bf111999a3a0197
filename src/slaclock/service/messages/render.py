"""Messages rendered from Jinja2 templates in the reader's language and time zone.

One environment per (language, override directory, flavour), built when first asked
for and kept: translation lives in the environment, never in shared mutable state, so
two workers rendering in two languages never see each other's ``gettext``. A template
is looked up in ``overrides/<language>/``, then ``overrides/``, then the built-in
``templates/``; the built-in ones are also reachable as ``builtin/<name>``, so an
override can extend or include the template it replaces.
"""

from __future__ import annotations

import functools
import re
import textwrap
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PrefixLoader,
    StrictUndefined,
    select_autoescape,
)

from slaclock.service.messages.catalogs import choose_language, translations
from slaclock.service.messages.facts import MessageFacts, RenderedMessage
from slaclock.service.messages.views import MessageView, message_view, notice_view
from slaclock.service.messages.words import zone

__all__ = [
    "TEMPLATES_DIR",
    "Renderer",
    "render_customer_notice",
    "render_digest",
    "render_person_message",
]

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
#: Plain-text lines are wrapped at this width (RFC 3676 suggests under 78).
TEXT_WIDTH = 72
_BLANK_LINES = re.compile(r"\n{3,}")
#: Runs of white space but the no-break spaces typography puts in ("Statut : …").
_SPACES = re.compile(r"[^\S\u00a0\u202f]+")


def wrap(value: object, indent: str = "", width: int = TEXT_WIDTH) -> str:
    """``value`` wrapped to ``width``, later lines indented by ``indent``; a long word
    (a link) is never broken."""
    return textwrap.fill(
        str(value),
        width=width,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )


def mrkdwn(value: object) -> str:
    """``value`` escaped for Slack's mrkdwn: ``&``, ``<`` and ``>``, as Slack asks."""
    text = "" if value is None else str(value)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _loader(code: str, overrides: Path | None) -> BaseLoader:
    builtin = FileSystemLoader(str(TEMPLATES_DIR))
    loaders: list[BaseLoader] = []
    if overrides is not None:
        loaders.append(FileSystemLoader([str(overrides / code), str(overrides)]))
    loaders += [builtin, PrefixLoader({"builtin": builtin})]
    return ChoiceLoader(loaders)


@functools.lru_cache(maxsize=64)
def _environment(code: str, overrides: Path | None, slack: bool) -> Environment:
    """Mail: ``.html`` autoescaped, ``.txt`` not. Slack: every ``{{ … }}`` escaped for
    mrkdwn, so a ticket's subject cannot make links or mentions."""
    env = Environment(
        loader=_loader(code, overrides),
        autoescape=False if slack else select_autoescape(["html"]),
        finalize=mrkdwn if slack else None,
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["wrap"] = wrap
    env.install_gettext_translations(translations(code), newstyle=True)  # type: ignore[attr-defined]
    return env


def one_line(text: str) -> str:
    """A subject line: the rendering's words on one line (a no-break space stays)."""
    return _SPACES.sub(" ", text).strip(" ")


def tidy_text(text: str) -> str:
    """A plain-text body: no trailing spaces, at most one blank line in a row, one
    final newline."""
    lines = "\n".join(line.rstrip() for line in text.splitlines())
    return _BLANK_LINES.sub("\n\n", lines).strip("\n") + "\n"


class Renderer:
    """Renders for one reader: a locale tag (``"nl-BE"``; None or unknown: English), an
    IANA time zone (None or unknown: UTC) and an optional override directory."""

    def __init__(self, locale: str | None, tz: str | None, overrides: Path | None = None):
        language = choose_language(locale)
        self.code = language.code
        self.formats = language.formats
        self.zone = zone(tz)
        self.overrides = None if overrides is None else Path(overrides)
        self.translations = translations(language.code)

    def render(self, name: str, slack: bool = False, **values: Any) -> str:
        template = _environment(self.code, self.overrides, slack).get_template(name)
        return template.render(lang=self.code, **values)

    def message(self, facts: MessageFacts) -> MessageView:
        """The view of one message to a person, its ``title`` (subject line) rendered."""
        view = message_view(facts, self.translations, self.formats, self.zone)
        return replace(view, title=one_line(self.render("person_subject.txt", message=view)))

    def mail(self, name: str, **values: Any) -> RenderedMessage:
        """``<name>_subject.txt`` rendered, then ``<name>.txt`` and ``<name>.html`` with
        it as ``subject``."""
        subject = one_line(self.render(f"{name}_subject.txt", **values))
        return RenderedMessage(
            subject=subject,
            text=tidy_text(self.render(f"{name}.txt", subject=subject, **values)),
            html=self.render(f"{name}.html", subject=subject, **values),
        )


def render_person_message(
    facts: MessageFacts, locale: str | None, tz: str | None, overrides: Path | None = None
) -> RenderedMessage:
    """An email to a person (assignee, lead, manager…) about one reminder, breach or
    escalation, in their language and time zone."""
    renderer = Renderer(locale, tz, overrides)
    return renderer.mail("person", message=renderer.message(facts))


def render_digest(
    facts_list: Iterable[MessageFacts],
    locale: str | None,
    tz: str | None,
    overrides: Path | None = None,
) -> RenderedMessage:
    """Messages held for one person (quiet hours) in one email, in fire order."""
    renderer = Renderer(locale, tz, overrides)
    ordered = sorted(facts_list, key=lambda facts: facts.fire_at)
    if not ordered:
        raise ValueError("a digest needs at least one message")
    views = [renderer.message(facts) for facts in ordered]
    return renderer.mail("digest", messages=views, count=len(views))


def render_customer_notice(
    facts: MessageFacts,
    locale: str | None,
    tz: str | None,
    missed: bool,
    overrides: Path | None = None,
) -> RenderedMessage:
    """A notice to the customer that a promised time will be (``missed=False``) or was
    missed: what was promised and by when, what happens next, an apology. It names no
    policy, group, agent or internal link."""
    renderer = Renderer(locale, tz, overrides)
    notice = notice_view(facts, missed, renderer.translations, renderer.formats, renderer.zone)
    return renderer.mail("customer", notice=notice)
