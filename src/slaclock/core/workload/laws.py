"""The fitted duration laws as values that draw vectorised samples.

A law is a point mass of "immediate" values (at most a minute; the real logs have
minute resolution) mixed with a lognormal or Weibull body, or a fixed rule (auto-close
after five days). Parameters come from :mod:`slaclock.core.workload.params`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from slaclock.core.workload import params

INSTANT_SECONDS = 60.0


@dataclass(frozen=True)
class Law:
    """A fitted duration law in seconds (see params.py for ``a``/``b`` per ``kind``)."""

    name: str
    kind: str
    a: float
    b: float
    p_instant: float = 0.0

    @classmethod
    def from_params(cls, name: str, entry: Mapping[str, Any]) -> Law:
        return cls(name, str(entry["law"]), float(entry["a"]), float(entry["b"]),
                   float(entry.get("p_instant", 0.0)))  # fmt: skip

    def draw(self, rng: np.random.Generator, n: int, scale: float = 1.0) -> np.ndarray:
        """``n`` durations in seconds (float64), every one multiplied by ``scale``."""
        if self.kind == "fixed":
            return np.full(n, self.a * scale)
        if self.kind == "lognormal":
            body = rng.lognormal(self.a, self.b, n)
        elif self.kind == "weibull":
            body = self.b * rng.weibull(self.a, n)
        else:
            raise ValueError(f"unknown law {self.kind!r} for {self.name}")
        instant = rng.random(n) < self.p_instant
        body = np.where(instant, rng.random(n) * INSTANT_SECONDS, body)
        return np.asarray(body * scale, dtype=np.float64)

    def median_seconds(self) -> float:
        """The median of the whole law, point mass included (for docs and tests)."""
        if self.kind == "fixed":
            return self.a
        u = (0.5 - self.p_instant) / (1.0 - self.p_instant)
        if u <= 0:
            return INSTANT_SECONDS / 2
        if self.kind == "lognormal":
            return math.exp(self.a + self.b * _normal_quantile(u))
        return float(self.b * (-math.log1p(-u)) ** (1.0 / self.a))


def _normal_quantile(u: float) -> float:
    """Inverse standard normal CDF by bisection (stdlib only, used off the hot path)."""
    lo, hi = -10.0, 10.0
    for _ in range(80):
        mid = (lo + hi) / 2
        if 0.5 * (1 + math.erf(mid / math.sqrt(2))) < u:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def fitted_laws() -> dict[str, Law]:
    """Every fitted duration law by name: first_response, resolution, pending, …"""
    return {name: Law.from_params(name, entry) for name, entry in params.DURATIONS.items()}
