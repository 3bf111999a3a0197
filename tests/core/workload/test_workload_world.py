"""What the generator reads from a configuration, and the fitted laws it draws from."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from slaclock.core.config import config_from_mapping, load_config
from slaclock.core.workload import params, world_from_config
from slaclock.core.workload.laws import Law, fitted_laws
from slaclock.core.workload.population import build_population, customer_count

CONFIG_PATH = Path(__file__).resolve().parents[2] / "data" / "example_config.yaml"
CONFIG = load_config(CONFIG_PATH)


def test_plans_regions_teams_and_hours_come_from_the_example_config():
    world = world_from_config(CONFIG)
    assert world.plans == ("enterprise", "business", "free", "trial")
    assert world.regions[:2] == ("EU", "US") and "APAC" in world.regions  # map has a default
    assert world.frontline.group == "support" and set(world.frontline.agents) == {"anna", "mark"}
    assert world.engineering is not None and world.engineering.group == "engineering"
    assert world.frontline_calendar["EU"] == "amsterdam-office"
    assert world.frontline_calendar["US"] == "newyork-office"
    assert world.frontline_calendar["APAC"] == "amsterdam-office"  # 24x7 says nothing of staff
    assert world.engineering_calendar == "amsterdam-office"  # the OLA's calendar


def test_a_config_without_people_or_maps_falls_back_to_defaults():
    bare = {
        "calendars": [{"id": "24x7", "tz": "UTC", "always_open": True}],
        "policies": [{"id": "all", "name": "All", "calendar": "24x7",
                      "match": {"all": [{"field": "customer.plan", "op": "in",
                                         "value": ["gold", "silver"]}]},
                      "targets": {"first_response": {"within": "1h"}}}],
    }  # fmt: skip
    world = world_from_config(config_from_mapping(bare))
    assert world.plans == ("gold", "silver", "free", "trial")
    assert world.regions == ("EU", "US", "APAC")
    assert world.frontline.agents  # synthesised agent ids so agent messages have an author
    assert world.frontline_calendar["EU"] is None  # only 24x7 calendars in use: any time


def test_population_is_seeded_and_shares_tickets_like_a_zipf_law():
    world = world_from_config(CONFIG)
    first = build_population(world, 300, np.random.default_rng(1))
    again = build_population(world, 300, np.random.default_rng(1))
    assert first.customers == again.customers
    assert abs(first.weights.sum() - 1) < 1e-9
    ordered = np.sort(first.weights)[::-1]
    ratio = ordered[0] / ordered[99]
    assert abs(ratio / 100.0**params.CUSTOMER_ZIPF_EXPONENT - 1) < 1e-9
    assert {c.plan for c in first.customers} <= set(world.plans)
    assert customer_count(20_000) == 500 and customer_count(10) == 20


def test_law_draws_match_their_own_median():
    rng = np.random.default_rng(3)
    for law in fitted_laws().values():
        draws = law.draw(rng, 100_000)
        assert np.all(draws >= 0)
        assert abs(np.median(draws) / law.median_seconds() - 1) < 0.05, law.name


def test_fixed_law_is_a_rule_not_a_spread():
    law = Law("close", "fixed", 432000.0, 0.0)
    assert set(law.draw(np.random.default_rng(0), 10).tolist()) == {432000.0}


def test_a_region_gets_the_support_team_named_after_it():
    regional = {
        "calendars": [{"id": "24x7", "tz": "UTC", "always_open": True}],
        "people": [
            {"id": "anna", "name": "Anna", "groups": ["support-eu"]},
            {"id": "jake", "name": "Jake", "groups": ["support-us"]},
            {"id": "omar", "name": "Omar", "groups": ["engineering"]},
        ],
        "groups": [{"id": g, "name": g} for g in ("support-eu", "support-us", "engineering")],
        "policies": [{"id": "all", "name": "All", "calendar": {"by": "customer.region",
                      "map": {"EU": "24x7", "US": "24x7"}, "default": "24x7"},
                      "targets": {"first_response": {"within": "1h"}}}],
    }  # fmt: skip
    world = world_from_config(config_from_mapping(regional))
    assert world.regions == ("EU", "US", "APAC")
    assert world.frontline_by_region["APAC"] == world.frontline  # no team named after it
    assert world.frontline_by_region["EU"].agents == ("anna",)
    assert world.frontline_by_region["US"].group == "support-us"
    assert world.engineering is not None and world.engineering.agents == ("omar",)
