"""A created ticket's fields (``engine/ticket.py``)."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from slaclock.core.engine.ticket import initial_fields, value_at

VALUES = st.one_of(st.none(), st.sampled_from(["open", "high", "EU", "x"]), st.integers(0, 3))
FIELDS = st.fixed_dictionaries(
    {},
    optional={
        "status": st.sampled_from(["new", "open"]),
        "priority": st.sampled_from(["low", "high"]),
        "group": st.sampled_from(["support", "engineering"]),
        "tags": st.lists(st.sampled_from(["vip", "login"]), max_size=2),
        "subject": st.text(max_size=5),
        "customer": st.dictionaries(st.sampled_from(["plan", "region", "tz"]), VALUES),
        "custom": st.dictionaries(st.sampled_from(["a", "b", "u1"]), VALUES),
        "u1": VALUES,  # unknown top-level keys: they go under ``custom``
        "u2": VALUES,
    },
)


@settings(max_examples=300, deadline=None)
@given(fields=FIELDS)
def test_a_created_ticket_keeps_known_fields_and_files_the_rest_under_custom(
    fields: dict[str, Any],
):
    ticket = initial_fields("T-1", fields)
    assert ticket["id"] == "T-1" and ticket["status"] == fields.get("status", "new")
    assert ticket["tags"] == fields.get("tags", [])
    unknown = {k: v for k, v in fields.items() if k in ("u1", "u2")}
    if unknown:
        assert ticket["custom"] == {**fields.get("custom", {}), **unknown}
    else:
        assert ticket.get("custom") == fields.get("custom")
    for key in ("priority", "group", "subject", "customer"):
        assert value_at(ticket, (key,)) == fields.get(key)
    assert initial_fields("T-1", MappingProxyType(fields)) == ticket


def test_a_fact_compares_by_value():
    """A fact compares by value, and one with the same name and groups hashes alike."""
    from slaclock.core.engine.ticket import Fact

    one = Fact("group_entered", {"group": "support"}, frozenset({"support"}))
    assert one == Fact("group_entered", {"group": "support"}, frozenset({"support"}))
    assert hash(one) == hash(Fact("group_entered", {"group": "x"}, frozenset({"support"})))
    assert one != Fact("group_entered", {"group": "engineering"}, frozenset({"support"}))
    assert Fact("solved") == Fact("solved", {}, frozenset())
    assert repr(Fact("solved")) == "Fact(name='solved', attrs={}, groups=frozenset())"
