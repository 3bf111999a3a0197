"""A message as Slack takes it (``format: slack`` webhooks): ``text`` plus ``blocks``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from slaclock.service.messages.facts import MessageFacts
from slaclock.service.messages.render import Renderer, mrkdwn, tidy_text

__all__ = ["SECTION_LIMIT", "render_slack"]

#: Slack refuses a section whose text is longer.
SECTION_LIMIT = 3000


def _button(text: str, url: str, action_id: str, **extra: str) -> dict[str, Any]:
    """A link button (Slack opens ``url``; its label may be 75 characters)."""
    return {
        "type": "button",
        "text": {"type": "plain_text", "text": text[:75], "emoji": True},
        "url": url,
        "action_id": action_id,
        **extra,
    }


def render_slack(
    facts: MessageFacts,
    locale: str | None = "en",
    tz: str | None = "UTC",
    overrides: Path | None = None,
) -> dict[str, Any]:
    """``text`` (the subject line: notifications and clients without blocks), then
    ``blocks``: a mrkdwn section (``slack.txt``) and a link button to the ticket, with an
    "I am on it" button when the message carries an acknowledgement link."""
    renderer = Renderer(locale, tz, overrides)
    message = renderer.message(facts)
    _ = renderer.translations.gettext
    section = tidy_text(renderer.render("slack.txt", slack=True, message=message)).strip()
    if len(section) > SECTION_LIMIT:
        section = section[: SECTION_LIMIT - 1] + "…"
    buttons = [_button(_("Open ticket"), message.ticket_url, "open_ticket")]
    if message.ack_url:
        buttons.append(_button(_("I am on it"), message.ack_url, "acknowledge", style="primary"))
    return {
        "text": mrkdwn(message.title),
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": section}},
            {"type": "actions", "elements": buttons},
        ],
    }
