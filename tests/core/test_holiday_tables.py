"""Holiday tables loaded one country module at a time equal the library's own."""

from __future__ import annotations

import subprocess
import sys

import holidays
import pytest
from holidays.registry import COUNTRIES

from slaclock.core.calendar.holiday_tables import country_table

#: Countries with and without subdivisions, and aliases the registry also knows.
CASES = [
    ("NL", None), ("Netherlands", None), ("NLD", None), ("US", None), ("US", "CA"),
    ("NO", None), ("DE", "BY"), ("GB", "SCT"), ("RO", None), ("FR", None), ("AX", None),
    ("HolidaysAX", None), ("SZ", None), ("JP", None), ("AU", "NSW"),
]  # fmt: skip


@pytest.mark.parametrize(("country", "subdiv"), CASES)
def test_a_table_equals_country_holidays(country, subdiv):
    years = [2025, 2026, 2027]
    ours = country_table(country, subdiv, years)
    theirs = holidays.country_holidays(country, subdiv=subdiv, years=years)
    assert dict(ours.items()) == dict(theirs.items()) and len(ours) > 5


def test_every_registered_country_gives_the_library_table():
    for names in COUNTRIES.values():
        code = names[1]
        ours = country_table(code, None, 2026)
        assert dict(ours.items()) == dict(holidays.country_holidays(code, years=2026).items())


@pytest.mark.parametrize(("country", "subdiv"), [("XX", None), ("NL", "no-such-province")])
def test_unknown_countries_and_subdivisions_raise_as_the_library_does(country, subdiv):
    with pytest.raises(NotImplementedError):
        holidays.country_holidays(country, subdiv=subdiv, years=[])
    with pytest.raises(NotImplementedError):
        country_table(country, subdiv, [])


ONE_COUNTRY = """
import sys
from slaclock.core.calendar.holiday_tables import country_table
table = country_table("NL", None, 2026)
loaded = sorted(m for m in sys.modules if m.startswith("holidays.countries"))
print(loaded, len(table))
import holidays.countries
assert holidays.countries.Netherlands is sys.modules["holidays.countries.netherlands"].Netherlands
assert len(holidays.country_holidays("NL", years=2026)) == len(table)
"""


def test_only_the_named_country_is_imported_and_the_package_still_works():
    done = subprocess.run([sys.executable, "-c", ONE_COUNTRY], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("]")[0] == "['holidays.countries.netherlands'"
