"""Word lists for plausible customers, people and subjects (data, not logic).

Everything generated from these is fictional; e-mail domains use ``.example``.
"""

from __future__ import annotations

COMPANY_WORDS: tuple[str, ...] = (
    "Acme", "Bolt", "Cedar", "Delta", "Ember", "Fjord", "Granite", "Harbor", "Iris", "Juniper",
    "Kestrel", "Lumen", "Maple", "Nimbus", "Orchid", "Pioneer", "Quartz", "Rivet", "Summit",
    "Tundra", "Umbra", "Vertex", "Willow", "Xenon", "Yonder", "Zephyr", "Atlas", "Beacon",
    "Cobalt", "Dune", "Falcon", "Glacier", "Helix", "Indigo", "Jasper", "Krypton", "Lotus",
    "Meridian", "Nova", "Onyx", "Prism", "Quill", "Raven", "Sable", "Titan", "Vega",
)  # fmt: skip
COMPANY_KINDS: tuple[str, ...] = (
    "Logistics", "Analytics", "Foods", "Health", "Retail", "Labs", "Energy", "Media",
    "Systems", "Finance", "Travel", "Robotics", "Studios", "Pharma", "Mobility", "Software",
)  # fmt: skip
FIRST_NAMES: tuple[str, ...] = (
    "Jan", "Sanne", "Pieter", "Emma", "Lukas", "Mia", "Louis", "Chloé", "Oliver", "Amelia",
    "Noah", "Olivia", "Liam", "Ava", "Hiro", "Yuki", "Priya", "Arjun", "Lucas", "Sofia",
    "Mateo", "Valentina", "Erik", "Astrid", "Marta", "Pablo", "Aisha", "Omar", "Chen", "Mei",
)  # fmt: skip
LAST_NAMES: tuple[str, ...] = (
    "de Jong", "Bakker", "Müller", "Schmidt", "Dubois", "Martin", "Smith", "Johnson",
    "Garcia", "Rossi", "Tanaka", "Sato", "Sharma", "Patel", "Silva", "Lindqvist", "Nowak",
    "Kowalski", "Haddad", "Wang", "Kim", "Novak", "Jensen", "Costa", "O'Brien",
)  # fmt: skip

#: (tag, subjects): the tag goes on the ticket, a subject is picked from the list.
TOPICS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("billing", ("Invoice shows wrong VAT", "Charged twice this month", "Need a copy of invoice")),
    ("login", ("Cannot log in", "Password reset mail never arrives", "SSO login loops")),
    ("export", ("Export fails", "CSV export is missing columns", "Export times out")),
    ("api", ("API returns 500", "Rate limit reached too early", "Webhook not delivered")),
    ("performance", ("Dashboard is very slow", "Reports take minutes to load")),
    ("integration", ("Salesforce sync stopped", "Slack notifications missing")),
    ("account", ("Add a new admin user", "Change our billing contact", "Cancel subscription")),
    ("bug", ("Button does nothing on Safari", "Dates shown in wrong time zone")),
    ("feature-request", ("Feature request: dark mode", "Can we get SAML groups?")),
)
OUTAGE_SUBJECTS: tuple[str, ...] = (
    "Service unavailable", "Everything is down for us", "502 errors on every page",
    "Cannot reach the application", "Outage? Nothing loads",
)  # fmt: skip

#: Customer time zones by region, and a locale for people in each zone.
REGION_ZONES: dict[str, tuple[str, ...]] = {
    "EU": ("Europe/Amsterdam", "Europe/Berlin", "Europe/Paris", "Europe/London", "Europe/Madrid",
           "Europe/Stockholm", "Europe/Warsaw"),
    "US": ("America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"),
    "APAC": ("Asia/Tokyo", "Asia/Singapore", "Australia/Sydney", "Asia/Kolkata"),
    "UK": ("Europe/London",),
    "LATAM": ("America/Sao_Paulo", "America/Mexico_City"),
}  # fmt: skip
ZONE_LOCALES: dict[str, str] = {
    "Europe/Amsterdam": "nl", "Europe/Berlin": "de", "Europe/Paris": "fr", "Europe/London": "en-GB",
    "Europe/Madrid": "es", "Europe/Stockholm": "sv", "Europe/Warsaw": "pl",
    "America/New_York": "en-US", "America/Chicago": "en-US", "America/Denver": "en-US",
    "America/Los_Angeles": "en-US", "Asia/Tokyo": "ja", "Asia/Singapore": "en",
    "Australia/Sydney": "en-AU", "Asia/Kolkata": "en-IN", "America/Sao_Paulo": "pt-BR",
    "America/Mexico_City": "es-MX",
}  # fmt: skip
