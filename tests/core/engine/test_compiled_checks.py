"""The engine's unrolled predicate checks (``compiled._any_holds``) against
:func:`matches`, the predicate semantics written plainly."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from slaclock.core.conditions import evaluate
from slaclock.core.engine.ticket import Fact
from slaclock.core.engine.track import _any_holds, _check
from slaclock.core.model import Condition, ConditionGroup, Predicate


def matches(predicate: Predicate, fact: Fact, ticket: Any) -> bool:
    """Whether ``fact`` satisfies ``predicate`` (its event name, parameters and ``when``)."""
    if predicate.event != fact.name:
        return False
    for key, wanted in predicate.params.items():
        allowed = wanted if isinstance(wanted, list | tuple | frozenset | set) else (wanted,)
        if key == "by_group":
            if not fact.groups.intersection(allowed):
                return False
        elif fact.attrs.get(key) not in allowed:
            return False
    return predicate.when is None or evaluate(predicate.when, ticket)


NAMES = ["group_entered", "group_left", "note", "agent_reply", "field_changed"]
VALUES = st.sampled_from(["support", "engineering", "legal", None, 1, True, ["a", "b"]])
WANTED = st.one_of(
    st.sampled_from(["support", "engineering", 1, True]),
    st.lists(st.sampled_from(["support", "engineering", "legal", 1]), max_size=3).map(tuple),
)
WHEN = st.one_of(
    st.none(),
    st.sampled_from(["enterprise", "free"]).map(
        lambda plan: ConditionGroup(all=(Condition("customer.plan", "eq", plan),))
    ),
)
PREDICATES = st.builds(
    Predicate,
    event=st.sampled_from(NAMES),
    params=st.dictionaries(st.sampled_from(["group", "to", "by_group"]), WANTED, max_size=2),
    when=WHEN,
)
FACTS = st.builds(
    Fact,
    name=st.sampled_from(NAMES),
    attrs=st.dictionaries(st.sampled_from(["group", "to", "field"]), VALUES, max_size=2),
    groups=st.frozensets(st.sampled_from(["support", "engineering"]), max_size=2),
)
TICKETS = st.sampled_from(
    [{"customer": {"plan": "enterprise"}}, {"customer": {"plan": "free"}}, {}]
)


@settings(max_examples=400, deadline=None)
@given(predicates=st.lists(PREDICATES, max_size=3), facts=st.lists(FACTS, max_size=3),
       ticket=TICKETS)  # fmt: skip
def test_unrolled_checks_agree_with_matches(predicates, facts, ticket):
    expected = any(matches(p, f, ticket) for p in predicates for f in facts)
    assert _any_holds(tuple(_check(p) for p in predicates), facts, ticket) == expected


def test_a_binding_compares_by_value_and_pickles_whole(kit):
    """``Binding`` is a class with slots (a C class when compiled), not the frozen
    dataclass it was: equal fields are equal bindings, and pickling keeps them."""
    import pickle

    from slaclock.core.engine import Engine

    engine = Engine(kit.one_policy())
    cc = engine.compiled
    track = cc.tracks[0]
    ticket = {"priority": "high", "status": "open", "tags": []}
    binding = cc.binding(track, cc.choose_policy(ticket), ticket)
    assert binding is not None
    again = pickle.loads(pickle.dumps(binding))
    assert again == binding and hash(again) == hash(binding)
    assert again.identity == binding.identity
    assert binding.identity == (
        binding.policy_id, binding.policy_version, binding.target_seconds,
        binding.goal_seconds, binding.calendar.id,
    )  # fmt: skip
    assert repr(binding).startswith(f"Binding(policy_id={binding.policy_id!r}")
