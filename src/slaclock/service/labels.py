"""Words for codes, shared by the dashboard and the notification messages.

A code (a state, a priority, a metric: ``"breached"``) is shown as a word of the reader's
language: each catalogue keeps a table of the English words, marked with :func:`N_`, in
its own package (``web/labels.py``, ``service/messages/words.py``), because ``pybabel
extract`` reads the messages of a catalogue from that catalogue's directory; the word is
translated with :func:`label` when a page or message is rendered.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

__all__ = ["N_", "label"]


def N_(message: str) -> str:
    """Marks a string for extraction; translated later, in the reader's language."""
    return message


def label(table: Mapping[str, str], code: str | None, gettext: Callable[[str], str]) -> str:
    """The translated word for ``code``, or the code itself when it has none ("" for
    no code)."""
    if code is None:
        return ""
    english = table.get(code)
    return gettext(english) if english is not None else code
