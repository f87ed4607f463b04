"""Draw positive durations (seconds) from a ``Distribution`` spec, in numpy batches."""

from __future__ import annotations

import numpy as np

from kpisim.scenario.models import Distribution


def draw(spec: Distribution | None, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` draws (seconds, float64) from ``spec``; zeros if ``spec`` is None.

    lognormal and gamma are parametrised by mean and coefficient of variation (cv):
    lognormal sigma^2 = ln(1 + cv^2), mu = ln(mean) - sigma^2 / 2; gamma shape = 1 / cv^2,
    scale = mean * cv^2.
    """
    if spec is None:
        return np.zeros(n)
    if spec.dist == "exponential":
        return rng.exponential(spec.mean_s, n)
    if spec.dist == "fixed":
        return np.full(n, float(spec.mean_s))
    if spec.dist == "lognormal":
        s2 = np.log1p(spec.cv**2)
        return rng.lognormal(np.log(spec.mean_s) - s2 / 2, np.sqrt(s2), n)
    if spec.dist == "gamma":
        k = 1.0 / spec.cv**2
        return rng.gamma(k, spec.mean_s / k, n)
    raise ValueError(f"unknown distribution {spec.dist!r}")  # unreachable: the spec validates it


def lognormal_mean_cv(mean: np.ndarray | float, cv: float, rng: np.random.Generator, n: int) -> np.ndarray:
    """Lognormal draws with the given mean(s) and coefficient of variation."""
    s2 = np.log1p(cv**2)
    return np.asarray(mean) * rng.lognormal(-s2 / 2, np.sqrt(s2), n)
