"""The pieces of the policies page: reminders and escalations in words, targets in
hours, calendars as hour cells, contracts, a long draft's listing, a diff's rows."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from slaclock.core.config import parse_config
from slaclock.core.model import Action, Escalation, Reminder
from slaclock.web.calendar_grid import hour_cells
from slaclock.web.config_draft import LISTING_MAX_LINES, DraftProblem, diff_rows, listing
from slaclock.web.policy_view import config_sections
from slaclock.web.policy_words import PolicyWords

ROOT = Path(__file__).resolve().parents[2]
CONFIG = parse_config((ROOT / "tests" / "data" / "example_config.yaml").read_text())
DEMO = parse_config((ROOT / "demo" / "config.yaml").read_text())


def words(locale: str = "en", config=CONFIG) -> PolicyWords:  # type: ignore[no-untyped-def]
    return PolicyWords(locale, lambda text: text, config)


def test_targets_are_hours_never_days() -> None:
    assert words().hours(40 * 3600) == "40 hr"
    assert words().hours(5400) == "1 hr 30 min"
    assert words().hours(90) == "1 min 30 sec"
    assert words("de").hours(40 * 3600) == "40 Std."


def test_each_kind_of_recipient_by_name_and_channel() -> None:
    w = words()
    assert w.recipient("person:anna") == "Anna de Vries (person:anna) by email"
    assert w.recipient("role:legal") == "Lena Fischer (role:legal) by email"
    assert (
        w.recipient("group:support") == "the members of Customer Support (group:support) by email"
    )
    assert w.recipient("webhook:ops") == "ops by webhook"
    assert w.recipient("email:desk@example.com") == "desk@example.com by email"
    assert w.recipient("customer") == "the customer by email"
    assert w.recipients(["assignee", "group_lead"]) == (
        "the assignee by email and the lead of the ticket's group by email"
    )


def test_reminders_and_escalations_as_sentences() -> None:
    w = words()
    assert w.reminder(Reminder(notify=("assignee",), before_seconds=1800)) == (
        "30 min before due: remind the assignee by email"
    )
    share = Reminder(notify=("group_lead",), at_percent=75, metrics=("resolution",), clock="real")
    assert w.reminder(share) == (
        "At 75 % of the target (for resolution only; in real time): "
        "remind the lead of the ticket's group by email"
    )
    ladder = [
        Escalation(after_seconds=3600, notify=("person:mark",), unless_acknowledged=True,
                   ack_expires_seconds=7200),
        Escalation(after_seconds=4 * 3600, notify=("role:legal",), urgent=True,
                   actions=(Action("add_tags", ["late"]), Action("reassign", "group_lead"))),
    ]  # fmt: skip
    assert [w.escalation(e) for e in ladder] == [
        "1 hr after the breach: escalate to Mark Jansen (person:mark) by email; not if the "
        "clock was acknowledged before (an acknowledgement lapses after 2 hr)",
        "4 hr after the breach (never held for quiet hours): escalate to Lena Fischer "
        "(role:legal) by email; add the tags late; reassign to the lead of the ticket's group",
    ]


def test_contracts_with_their_credit_tiers() -> None:
    now = datetime(2026, 3, 6, 10, tzinfo=UTC)
    sections = config_sections(DEMO, now, words(config=DEMO))
    first = sections["contracts"][0]
    assert (first["id"], first["target"], first["cap"]) == ("enterprise-eu", "95%", "50%")
    assert first["fee"] == "€5,000.00"
    assert first["credits"][0] == {"below": "95%", "credit": "10%"}
    assert first["exclude"] == "tags contains 'customer_caused'"


def test_hour_cells_full_part_and_none() -> None:
    cells = hour_cells([(9 * 3600 + 1800, 17 * 3600)])
    assert cells[8:10] == ["none", "part"] and cells[10:17] == ["full"] * 7
    assert cells[17] == "none"


def test_a_long_draft_is_listed_around_its_problems() -> None:
    text = "\n".join(f"line {n}" for n in range(1, LISTING_MAX_LINES + 500))
    problem = DraftProblem(1000, "policies", "broken", None)
    shown = listing(text, [problem])
    assert [row.number for row in shown] == list(range(997, 1004))
    assert shown[3].problems == [problem] and shown[3].text == "line 1000"
    two = listing(text, [problem, DraftProblem(1, "a", "b", None)])
    assert 0 in [row.number for row in two]  # the gap between the two places


def test_diff_rows_carry_signs_and_line_numbers() -> None:
    rows = diff_rows("a\nb\nc\n", "a\nB\nc", 3, 4)
    assert [(r.kind, r.sign, r.old, r.new, r.text) for r in rows] == [
        ("file", "", None, None, "--- v3"),
        ("file", "", None, None, "+++ v4"),
        ("hunk", "", None, None, "@@ -1,3 +1,3 @@"),
        ("same", "", 1, 1, "a"),
        ("del", "−", 2, None, "b"),
        ("add", "+", None, 2, "B"),
        ("same", "", 3, 3, "c"),
    ]
    assert diff_rows("a\n", "a\n", 1, 2) == []
