"""Epoch microseconds and back, exactly: parking stores every instant this way."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from slaclock.core.calendar.epoch import epoch_micros, from_epoch_micros

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@given(
    instant=st.datetimes(
        min_value=datetime(1900, 1, 1), max_value=datetime(2200, 12, 31), timezones=st.just(UTC)
    )
)
def test_from_epoch_micros_inverts_epoch_micros(instant):
    micros = epoch_micros(instant)
    assert micros == (instant - _EPOCH) // timedelta(microseconds=1)
    back = from_epoch_micros(micros)
    assert back == instant and back.tzinfo is UTC
    assert (back.year, back.microsecond) == (instant.year, instant.microsecond)


def test_whole_seconds_on_either_side_of_the_epoch():
    for micros in (0, 1_000_000, -1_000_000, -86_400_000_000, 86_399_000_000, -1):
        assert from_epoch_micros(micros) == _EPOCH + timedelta(microseconds=micros)
