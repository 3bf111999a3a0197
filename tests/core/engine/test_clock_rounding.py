"""Elapsed open time counts a started second (events.md: breached ⇔ remaining < 0)."""

from __future__ import annotations

import math
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from slaclock.core.engine.clock import _whole_up


@given(micros=st.integers(0, 10**15))
def test_a_started_second_counts_whole(micros):
    assert _whole_up(micros / 1_000_000) == math.ceil(Fraction(micros, 1_000_000))


def test_sums_of_fractions_do_not_count_a_second_they_never_had():
    assert _whole_up(0.7 + 0.3) == 1  # 0.9999999999999999
    assert _whole_up(0.1 + 0.2 + 2.7) == 3  # 3.0000000000000004
    assert _whole_up(3600.0) == 3600 and _whole_up(3600.000001) == 3601
