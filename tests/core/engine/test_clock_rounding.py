"""A clock's seconds are rounded as ``round`` rounds them, fast path or not."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from slaclock.core.engine.clock import _whole


@given(seconds=st.floats(allow_nan=False, allow_infinity=False) | st.integers())
def test_whole_equals_round(seconds):
    assert _whole(seconds) == round(seconds)
    assert type(_whole(seconds)) is int


@pytest.mark.parametrize("seconds", [0.5, 1.5, 2.5, -0.5, 0.49999999999999994])
def test_halves_go_to_the_even_neighbour_as_round_does(seconds):
    assert _whole(seconds) == round(seconds)


@pytest.mark.parametrize("seconds", [math.inf, -math.inf, math.nan])
def test_what_round_refuses_is_refused_alike(seconds):
    with pytest.raises((OverflowError, ValueError)) as expected:
        round(seconds)
    with pytest.raises(expected.type):
        _whole(seconds)
