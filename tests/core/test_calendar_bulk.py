"""The NumPy API: kinds in and out, negative and long durations, errors."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from slaclock import Calendar
from slaclock.core.errors import CalendarError

HOUR = 3600
CAL = Calendar.from_dict(
    {
        "id": "ams",
        "tz": "Europe/Amsterdam",
        "week": {day: ["09:00-17:00"] for day in ("mon", "tue", "wed", "thu", "fri")},
        "holidays": {"country": "NL"},
    }
)
MONDAY_9 = int(datetime(2024, 1, 8, 8, tzinfo=UTC).timestamp())  # 09:00 in Amsterdam


def test_epoch_int_in_int_out() -> None:
    out = CAL.add_many(np.array([MONDAY_9, MONDAY_9]), np.array([8 * HOUR, 9 * HOUR]))
    assert out.dtype == np.int64
    assert out.tolist() == [MONDAY_9 + 8 * HOUR, MONDAY_9 + 25 * HOUR]


def test_python_lists_and_scalar_broadcast() -> None:
    out = CAL.add_many([MONDAY_9, MONDAY_9 + HOUR], HOUR)
    assert out.tolist() == [MONDAY_9 + HOUR, MONDAY_9 + 2 * HOUR]


def test_float_epoch_keeps_fractions() -> None:
    out = CAL.add_many(np.array([MONDAY_9 + 0.25]), np.array([1.5]))
    assert out.dtype == np.float64 and out[0] == MONDAY_9 + 1.75
    assert CAL.elapsed_many([MONDAY_9 - 10.5], [MONDAY_9 + 2.25]).tolist() == [2.25]


@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
def test_datetime64_units_round_trip(unit: str) -> None:
    starts = np.array(["2024-01-08T08:00:00", "2024-01-06T12:00:00"], dtype=f"datetime64[{unit}]")
    out = CAL.add_many(starts, np.array([8 * HOUR, HOUR]))
    assert out.dtype == np.dtype(f"datetime64[{unit}]")
    assert out.astype("datetime64[s]").tolist() == [
        datetime(2024, 1, 8, 16),
        datetime(2024, 1, 8, 9),
    ]


def test_datetime64_with_sub_second_parts() -> None:
    starts = np.array(["2024-01-08T15:59:59.500"], dtype="datetime64[ms]")
    out = CAL.add_many(starts, [1])
    assert out[0] == np.datetime64("2024-01-09T08:00:00.500", "ms")


def test_coarse_datetime64_comes_back_in_seconds() -> None:
    out = CAL.add_many(np.array(["2024-01-08T08:00"], dtype="datetime64[m]"), [90])
    assert out[0] == np.datetime64("2024-01-08T08:01:30", "s")


def test_negative_and_zero_durations_match_scalar() -> None:
    starts = np.array([MONDAY_9, MONDAY_9 + HOUR, MONDAY_9 - 5 * HOUR, MONDAY_9 + 30])
    seconds = np.array([-HOUR, 0, 0, -40 * HOUR])
    out = CAL.add_many(starts, seconds)
    for start, duration, got in zip(starts, seconds, out, strict=True):
        want = CAL.add(datetime.fromtimestamp(int(start), UTC), int(duration))
        assert datetime.fromtimestamp(int(got), UTC) == want


def test_long_durations_grow_the_index() -> None:
    cal = Calendar.from_dict(CAL.to_dict())
    years = 8 * HOUR * 252 * 30  # about thirty working years
    out = cal.add_many([MONDAY_9, MONDAY_9], [years, -years])
    for got, duration in zip(out, [years, -years], strict=True):
        want = cal.add(datetime.fromtimestamp(MONDAY_9, UTC), duration)
        assert datetime.fromtimestamp(int(got), UTC) == want
    assert cal.elapsed_many([out[1]], [out[0]]).tolist() == [2.0 * years]


def test_elapsed_many_sign_and_dtype() -> None:
    a = np.array([MONDAY_9, MONDAY_9 + 8 * HOUR], dtype="datetime64[s]")
    out = CAL.elapsed_many(a, a[::-1])
    assert out.dtype == np.float64 and out.tolist() == [8.0 * HOUR, -8.0 * HOUR]


def test_empty_arrays() -> None:
    assert CAL.add_many(np.array([], dtype=np.int64), 5).shape == (0,)
    assert CAL.elapsed_many([], []).shape == (0,)


@pytest.mark.parametrize(
    "call",
    [
        lambda: CAL.add_many(np.array(["NaT"], dtype="datetime64[s]"), [1]),
        lambda: CAL.add_many(np.array(["x"]), [1]),
        lambda: CAL.add_many([MONDAY_9], ["1h"]),
        lambda: CAL.add_many([MONDAY_9], [np.inf]),
        lambda: CAL.add_many([int(datetime(2300, 1, 1, tzinfo=UTC).timestamp())], [1]),
        lambda: CAL.add_many([int(datetime(2200, 12, 1, tzinfo=UTC).timestamp())], [10**9]),
        lambda: CAL.elapsed_many([0], [int(datetime(1800, 1, 1, tzinfo=UTC).timestamp())]),
    ],
)
def test_errors(call: object) -> None:
    with pytest.raises(CalendarError):
        call()  # type: ignore[operator]


def test_short_intervals_fall_back_to_bisect() -> None:
    # 1-second intervals every 2 seconds for an hour: the bucket tables would need too
    # many steps, so lookups take the searchsorted road; results must still be exact.
    hours = [f"10:00:{s:02d}-10:00:{s + 1:02d}" for s in range(0, 58, 2)]
    cal = Calendar.from_dict({"id": "blink", "tz": "UTC", "week": {"mon": hours}})
    start = int(datetime(2024, 1, 8, 10, tzinfo=UTC).timestamp())
    starts = start + np.arange(-5, 60)
    out = cal.add_many(starts, 3)
    for s, got in zip(starts, out, strict=True):
        assert datetime.fromtimestamp(int(got), UTC) == cal.add(
            datetime.fromtimestamp(int(s), UTC), 3
        )
    assert cal.elapsed_many(starts, starts + 10).tolist() == [
        cal.elapsed(datetime.fromtimestamp(int(s), UTC), datetime.fromtimestamp(int(s) + 10, UTC))
        for s in starts
    ]
