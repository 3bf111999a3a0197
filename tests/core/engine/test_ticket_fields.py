"""A created ticket's fields, cut down by a :class:`FieldFilter` (``engine/ticket.py``)."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from slaclock.core.engine.ticket import FieldFilter, initial_fields, value_at

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
PATHS = st.lists(
    st.sampled_from(
        [
            "status", "priority", "group", "tags", "customer", "customer.plan", "custom",
            "custom.a", "custom.u1", "custom.u2", "u1", "requester.id",
        ]
    ),
    max_size=6,
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(fields=FIELDS, paths=PATHS)
def test_the_filtered_ticket_is_the_whole_ticket_cut_down(fields: dict[str, Any], paths):
    """The fast path (the event's fields read by the filter's keys, ``custom`` put
    together only when read) gives what pruning the whole ticket gives: a mapping that
    is not a dict takes that general path. Every read path sees the same value as on
    the unfiltered ticket."""
    keep = FieldFilter(paths)
    fast = initial_fields("T-1", fields, keep)
    general = initial_fields("T-1", MappingProxyType(fields), keep)
    whole = initial_fields("T-1", fields, None)
    assert fast == general
    assert list(fast) == list(general)  # the same key order, too
    for path in paths:
        steps = tuple(path.split("."))
        assert value_at(fast, steps) == value_at(whole, steps), path


def test_a_fact_compares_by_value():
    """``Fact`` is a class with slots (a C class when compiled), not a named tuple: it
    still compares by value, and one with the same name and groups hashes alike."""
    from slaclock.core.engine.ticket import Fact

    one = Fact("group_entered", {"group": "support"}, frozenset({"support"}))
    assert one == Fact("group_entered", {"group": "support"}, frozenset({"support"}))
    assert hash(one) == hash(Fact("group_entered", {"group": "x"}, frozenset({"support"})))
    assert one != Fact("group_entered", {"group": "engineering"}, frozenset({"support"}))
    assert Fact("solved") == Fact("solved", {}, frozenset())
    assert repr(Fact("solved")) == "Fact(name='solved', attrs={}, groups=frozenset())"
