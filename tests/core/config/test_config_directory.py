"""People, groups, roles, webhooks, sources and OLAs: what loads and each error."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from slaclock.core.config import parse_config
from slaclock.core.model import CalendarRef, Group, Ola, Person, Source, Target, Webhook

BASE = (Path(__file__).parents[2] / "data" / "config_base.yaml").read_text(encoding="utf-8")
POLICY = (
    "policies:\n  - id: default\n    calendar: office\n"
    "    targets: {first_response: {within: 8h}}\n"
)
Finder = Any


def replaced(old: str, new: str) -> str:
    assert old in BASE
    return BASE.replace(old, new) + POLICY


def test_directory_loads() -> None:
    config = parse_config(BASE + POLICY)
    assert config.people["anna"] == Person("anna", "Anna", "anna@example.com", "nl", ("support",))
    assert config.people["mark"].locale == "en"
    assert config.groups == {"support": Group("support", "Support", "mark")}
    assert config.roles == {"manager": ("mark",)}
    assert config.webhooks == {
        "ops": Webhook("ops", "https://ops.example.com/hook", "OPS_SECRET", "json")
    }


def test_person_bad_email(find: Finder) -> None:
    text = replaced("email: anna@example.com", "email: anna-at-example")
    find.expect(
        text, "people[0].email", "anna-at-example", "anna-at-example", "expected an email address"
    )


def test_person_bad_locale(find: Finder) -> None:
    text = replaced("locale: nl", "locale: Dutch")
    find.expect(text, "people[0].locale", "Dutch", "Dutch", "expected a locale")


def test_person_unknown_group(find: Finder) -> None:
    text = replaced("groups: [support]", "groups: [support, sales]")
    find.expect(text, "people[0].groups[1]", "sales", "sales", "declared under groups:")


def test_person_unknown_key(find: Finder) -> None:
    text = replaced("locale: nl,", "locale: nl, phone: '123',")
    find.expect(text, "people[0].phone", "phone", "phone", "unknown key 'phone'")


def test_duplicate_person(find: Finder) -> None:
    person = "{id: mark, name: Mark, email: mark@example.com}"
    text = replaced(person, person + "\n  - {id: anna, name: Anna Two}")
    find.expect(text, "people[2].id", "Anna Two", "anna", "duplicate id in people")


def test_group_unknown_lead(find: Finder) -> None:
    text = replaced("lead: mark", "lead: marc")
    find.expect(text, "groups[0].lead", "marc", "marc", "unknown person")


def test_role_unknown_person(find: Finder) -> None:
    text = replaced("roles: {manager: [mark]}", "roles: {manager: [mark, zoe]}")
    find.expect(text, "roles.manager[1]", "zoe", "zoe", "declared under people:")


def test_webhook_bad_url(find: Finder) -> None:
    text = replaced('url: "https://ops.example.com/hook"', "url: ops.example.com")
    find.expect(
        text, "webhooks[0].url", "ops.example.com", "ops.example.com", "http:// or https:// URL"
    )


def test_webhook_bad_format(find: Finder) -> None:
    text = replaced("secret_env: OPS_SECRET}", "secret_env: OPS_SECRET, format: teams}")
    find.expect(text, "webhooks[0].format", "teams", "teams", "expected one of json, slack")


def test_webhook_bad_secret_env(find: Finder) -> None:
    text = replaced("secret_env: OPS_SECRET", "secret_env: 'my secret'")
    find.expect(text, "webhooks[0].secret_env", "my secret", "my secret", "environment variable")


# ------------------------------------------------------------------------------ sources

SOURCE = """\
sources:
  - id: zendesk
    secret_env: ZENDESK_SECRET
    mapping:
      {id: $.delivery_id, ticket: $.ticket.id, at: $.ticket.updated_at,
       fields.priority: "$.ticket['priority']"}
    constants: {type: ticket.updated}
"""


def test_source_loads_with_default_tolerance() -> None:
    config = parse_config(BASE + POLICY + SOURCE)
    assert config.sources["zendesk"] == Source(
        "zendesk",
        "ZENDESK_SECRET",
        {
            "id": "$.delivery_id",
            "ticket": "$.ticket.id",
            "at": "$.ticket.updated_at",
            "fields.priority": "$.ticket['priority']",
        },
        {"type": "ticket.updated"},
        300,
    )


def test_source_tolerance() -> None:
    config = parse_config(BASE + POLICY + SOURCE + "    tolerance: 90s\n")
    assert config.sources["zendesk"].tolerance_seconds == 90


def test_source_missing_event_field(find: Finder) -> None:
    text = BASE + POLICY + SOURCE.replace("constants: {type: ticket.updated}", "constants: {}")
    find.expect(text, "sources[0].mapping", "mapping:", None, "event field 'type' must come from")


def test_source_bad_json_path(find: Finder) -> None:
    text = BASE + POLICY + SOURCE.replace("$.delivery_id", "delivery_id")
    find.expect(text, "sources[0].mapping.id", "delivery_id", "delivery_id", "expected a JSON path")


def test_source_unknown_event_field(find: Finder) -> None:
    text = BASE + POLICY + SOURCE.replace("id: $.delivery_id", "uid: $.delivery_id, id: $.x")
    find.expect(text, "sources[0].mapping.uid", "uid", "uid", "expected an event field")


def test_source_bad_constant_type(find: Finder) -> None:
    text = BASE + POLICY + SOURCE.replace("type: ticket.updated", "type: ticket.changed")
    find.expect(
        text, "sources[0].constants.type", "constants:", "ticket.changed", "expected an event type"
    )


def test_source_missing_secret(find: Finder) -> None:
    text = BASE + POLICY + SOURCE.replace("    secret_env: ZENDESK_SECRET\n", "")
    find.expect(text, "sources[0]", "- id: zendesk", None, "missing required key 'secret_env'")


# --------------------------------------------------------------------------------- olas

OLA = """\
olas:
  - id: support-triage
    group: support
    metric: first_response
    within: {urgent: 1h, normal: 4h}
    calendar: office
    supports: [resolution]
"""


def test_ola_loads() -> None:
    (ola,) = parse_config(BASE + POLICY + OLA).olas
    assert ola == Ola(
        "support-triage",
        "support",
        "first_response",
        Target("first_response", {"urgent": 3600, "normal": 4 * 3600}),
        CalendarRef(id="office"),
        ("resolution",),
    )


def test_ola_unknown_group(find: Finder) -> None:
    text = BASE + POLICY + OLA.replace("group: support", "group: billing")
    find.expect(text, "olas[0].group", "billing", "billing", "unknown group")


def test_ola_unknown_metric(find: Finder) -> None:
    text = BASE + POLICY + OLA.replace("metric: first_response", "metric: vetting")
    find.expect(text, "olas[0].metric", "vetting", "vetting", "unknown metric")


def test_ola_missing_within(find: Finder) -> None:
    text = BASE + POLICY + OLA.replace("    within: {urgent: 1h, normal: 4h}\n", "")
    find.expect(text, "olas[0]", "- id: support-triage", None, "missing required key 'within'")


def test_ola_unknown_supported_metric(find: Finder) -> None:
    text = BASE + POLICY + OLA.replace("supports: [resolution]", "supports: [uptime]")
    find.expect(text, "olas[0].supports[0]", "uptime", "uptime", "built-in metric")


def test_ola_unknown_calendar(find: Finder) -> None:
    text = BASE + POLICY + OLA.replace("calendar: office", "calendar: oslo")
    find.expect(text, "olas[0].calendar", "oslo", "oslo", "unknown calendar")


def test_duplicate_calendar_id(find: Finder) -> None:
    text = replaced(
        "  - {id: 24x7,", "  - {id: office, tz: UTC, always_open: true}\n  - {id: 24x7,"
    )
    find.expect(
        text, "calendars[1].id", "{id: office, tz: UTC", "office", "duplicate id in calendars"
    )


def test_duplicate_webhook_id(find: Finder) -> None:
    hook = '  - {id: ops, url: "https://ops.example.com/hook", secret_env: OPS_SECRET}'
    text = replaced(hook, hook + '\n  - {id: ops, url: "https://two.example.com"}')
    find.expect(text, "webhooks[1].id", "two.example.com", "ops", "duplicate id in webhooks")


def test_people_must_be_a_list(find: Finder) -> None:
    text = BASE.split("people:")[0] + "people: {anna: {}}\ngroups: []\n" + POLICY
    find.expect(text, "people", "people:", {"anna": {}}, "expected a list")
