"""A fixed, seeded population of customer organisations and their contacts.

A few hundred organisations share the tickets unevenly: ticket share follows a Zipf-like
law, weight ∝ 1 / rank^s, with ``s`` fitted to the Italian help desk's tickets per
customer (params.CUSTOMER_ZIPF_EXPONENT). The population depends only on the seed and
the world, so every window of a run draws customers from the same set.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import numpy as np

from slaclock.core.workload import params
from slaclock.core.workload.names import (
    COMPANY_KINDS,
    COMPANY_WORDS,
    FIRST_NAMES,
    LAST_NAMES,
    ZONE_LOCALES,
)
from slaclock.core.workload.world import CONTRACT_SHARE, World

MIN_CUSTOMERS = 20
MAX_CUSTOMERS = 600
TICKETS_PER_CUSTOMER = 40


@dataclass(frozen=True)
class Customer:
    """One organisation: the ``customer`` object of its tickets, plus its contacts."""

    id: str
    name: str
    plan: str
    region: str
    tz: str
    contract: bool
    requesters: tuple[dict[str, str], ...]

    def as_field(self) -> dict[str, object]:
        return {"id": self.id, "name": self.name, "plan": self.plan, "region": self.region,
                "tz": self.tz, "contract": self.contract}  # fmt: skip


@dataclass(frozen=True)
class Population:
    customers: tuple[Customer, ...]
    weights: np.ndarray  # ticket share per customer, sums to 1


def customer_count(tickets: int) -> int:
    """About one organisation per 40 tickets, between 20 and 600."""
    return int(min(MAX_CUSTOMERS, max(MIN_CUSTOMERS, tickets // TICKETS_PER_CUSTOMER)))


def build_population(world: World, count: int, rng: np.random.Generator) -> Population:
    plans = rng.choice(len(world.plans), size=count, p=_norm(world.plan_weights))
    regions = rng.choice(len(world.regions), size=count, p=_norm(world.region_weights))
    customers = []
    for i in range(count):
        plan, region = world.plans[plans[i]], world.regions[regions[i]]
        zones = world.region_zones[region]
        tz = zones[int(rng.integers(len(zones)))]
        customers.append(_customer(i, plan, region, tz, rng))
    ranks = rng.permutation(count) + 1.0
    weights = ranks ** -float(params.CUSTOMER_ZIPF_EXPONENT)
    return Population(tuple(customers), weights / weights.sum())


def _customer(i: int, plan: str, region: str, tz: str, rng: np.random.Generator) -> Customer:
    word = COMPANY_WORDS[int(rng.integers(len(COMPANY_WORDS)))]
    kind = COMPANY_KINDS[int(rng.integers(len(COMPANY_KINDS)))]
    cid = f"org-{i + 1:04d}"
    domain = f"{word.lower()}-{kind.lower()}-{i + 1}.example"
    locale = ZONE_LOCALES.get(tz, "en")
    contacts = 1 + int(rng.geometric(0.35))
    requesters = tuple(_requester(cid, k, domain, locale, rng) for k in range(contacts))
    contract = bool(rng.random() < CONTRACT_SHARE.get(plan, 0.0))
    return Customer(cid, f"{word} {kind}", plan, region, tz, contract, requesters)


def _requester(
    cid: str, k: int, domain: str, locale: str, rng: np.random.Generator
) -> dict[str, str]:
    first = FIRST_NAMES[int(rng.integers(len(FIRST_NAMES)))]
    last = LAST_NAMES[int(rng.integers(len(LAST_NAMES)))]
    folded = unicodedata.normalize("NFKD", f"{first}.{last}").encode("ascii", "ignore").decode()
    local_part = folded.lower().replace(" ", "").replace("'", "")
    return {"id": f"{cid}-u{k + 1}", "name": f"{first} {last}",
            "email": f"{local_part}@{domain}", "locale": locale}  # fmt: skip


def _norm(weights: tuple[float, ...]) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    return np.asarray(w / w.sum(), dtype=float)
