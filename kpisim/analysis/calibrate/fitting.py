"""Maximum-likelihood fits of positive durations, with or without right censoring.

The three families a scenario can hold (``Distribution``: exponential, lognormal, gamma) are
parametrised as the scenario does, by mean and coefficient of variation (cv). Each fit returns
the mean with a 95 % confidence interval from the observed information (a numerical Hessian of
the log-likelihood in log-parameters, so the interval is asymmetric and stays positive), the cv
and the maximised log-likelihood; :func:`best_fit` picks the family with the lowest AIC.

Censored data (answered contacts censor patience) enter the likelihood through the survival
function: observed durations add ``log f(x)``, censored ones ``log S(c)``. This is the same
likelihood as ``scipy.stats.<family>.fit(scipy.stats.CensoredData(...))``, written out so the
information matrix (and so the uncertainty) comes with it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize, stats

FAMILIES = ("exponential", "lognormal", "gamma")
Z95 = 1.959963984540054


@dataclass(frozen=True)
class Fit:
    """One fitted family: mean (s) with its 95 % CI, cv, log-likelihood, AIC, sample sizes."""

    dist: str
    mean_s: float
    mean_lo: float
    mean_hi: float
    cv: float | None
    loglik: float
    aic: float
    n_observed: int
    n_censored: int

    def as_row(self) -> dict:
        return {
            "family": self.dist,
            "mean_s": self.mean_s,
            "mean_s_lo": self.mean_lo,
            "mean_s_hi": self.mean_hi,
            "cv": self.cv,
            "log_likelihood": self.loglik,
            "aic": self.aic,
            "events": self.n_observed,
            "censored": self.n_censored,
        }


def _frozen(dist: str, mean: float, cv: float):
    if dist == "exponential":
        return stats.expon(scale=mean)
    if dist == "lognormal":
        s2 = np.log1p(cv**2)
        return stats.lognorm(s=np.sqrt(s2), scale=mean * np.exp(-s2 / 2))
    k = 1.0 / cv**2
    return stats.gamma(a=k, scale=mean / k)


def _loglik(dist: str, theta: np.ndarray, x: np.ndarray, c: np.ndarray) -> float:
    mean = float(np.exp(theta[0]))
    cv = float(np.exp(theta[1])) if dist != "exponential" else 1.0
    d = _frozen(dist, mean, cv)
    ll = float(np.sum(d.logpdf(x))) + (float(np.sum(d.logsf(c))) if c.size else 0.0)
    return ll if np.isfinite(ll) else -1e300


def _hessian(f, theta: np.ndarray, h: float = 1e-3) -> np.ndarray:
    k = theta.size
    out = np.empty((k, k))
    for i in range(k):
        for j in range(k):
            ei, ej = np.eye(k)[i] * h, np.eye(k)[j] * h
            out[i, j] = (
                f(theta + ei + ej) - f(theta + ei - ej) - f(theta - ei + ej) + f(theta - ei - ej)
            ) / (4 * h * h)
    return out


def fit_family(dist: str, observed, censored=()) -> Fit:
    """Fit one family by maximum likelihood.

    Args:
        dist: ``exponential``, ``lognormal`` or ``gamma``.
        observed: durations (s) that ended in the event (> 0).
        censored: durations (s) after which the event had not happened yet.
    """
    x = np.clip(np.asarray(observed, dtype=float), 0.5, None)
    c = np.asarray(censored, dtype=float)
    c = c[c > 0]
    if x.size == 0:
        raise ValueError("no observed durations to fit")
    total = x.sum() + c.sum()
    if dist == "exponential":
        mean = total / x.size  # closed form; exact CI from the chi-square pivot when uncensored
        lo, hi = mean * np.exp(-Z95 / np.sqrt(x.size)), mean * np.exp(Z95 / np.sqrt(x.size))
        ll = _loglik(dist, np.array([np.log(mean), 0.0]), x, c)
        return Fit(dist, mean, lo, hi, None, ll, 2 - 2 * ll, x.size, c.size)
    lx = np.log(x)
    start = np.array([np.log(total / x.size), np.log(max(np.sqrt(np.expm1(lx.var())), 0.05))])

    def neg(t):
        return -_loglik(dist, t, x, c)

    res = optimize.minimize(neg, start, method="Nelder-Mead", options={"xatol": 1e-6, "fatol": 1e-6})
    theta = res.x
    ll = -float(res.fun)
    info = -_hessian(lambda t: _loglik(dist, t, x, c), theta)
    try:
        cov = np.linalg.inv(info)
        se = float(np.sqrt(max(cov[0, 0], 0.0)))
    except np.linalg.LinAlgError:
        se = np.nan
    mean = float(np.exp(theta[0]))
    return Fit(
        dist,
        mean,
        mean * np.exp(-Z95 * se),
        mean * np.exp(Z95 * se),
        float(np.exp(theta[1])),
        ll,
        4 - 2 * ll,
        x.size,
        c.size,
    )


def best_fit(observed, censored=(), families: tuple[str, ...] = FAMILIES) -> tuple[Fit, list[Fit]]:
    """All ``families`` fitted, sorted by AIC, and the chosen one: the lowest AIC, except that a
    two-parameter family must beat the exponential by at least 2 AIC points (otherwise the data
    cannot tell them apart and the simpler family is kept)."""
    fits = [fit_family(f, observed, censored) for f in families]
    fits.sort(key=lambda f: f.aic)
    expo = [f for f in fits if f.dist == "exponential"]
    if expo and expo[0].aic - fits[0].aic < 2.0:  # not clearly better: keep the simpler family
        return expo[0], fits
    return fits[0], fits


def kaplan_meier(durations, events) -> tuple[np.ndarray, np.ndarray]:
    """Kaplan-Meier survival curve: (times, S(t) just after each time) of the distinct event times."""
    t = np.asarray(durations, dtype=float)
    e = np.asarray(events, dtype=bool)
    order = np.argsort(t, kind="stable")
    t, e = t[order], e[order]
    uniq, idx = np.unique(t[e], return_index=False), None
    del idx
    at_risk = t.size - np.searchsorted(t, uniq, side="left")
    deaths = np.searchsorted(t[e], uniq, side="right") - np.searchsorted(t[e], uniq, side="left")
    surv = np.cumprod(1 - deaths / np.maximum(at_risk, 1))
    return uniq, surv


def survival(fit: Fit, t: np.ndarray) -> np.ndarray:
    """Fitted survival function S(t)."""
    return _frozen(fit.dist, fit.mean_s, fit.cv or 1.0).sf(t)


def pdf(fit: Fit, t: np.ndarray) -> np.ndarray:
    """Fitted density f(t)."""
    return _frozen(fit.dist, fit.mean_s, fit.cv or 1.0).pdf(t)


def binom_ci(k: float, n: float) -> tuple[float, float, float]:
    """Share k / n with its 95 % Wilson interval (NaN if n = 0)."""
    if n <= 0:
        return np.nan, np.nan, np.nan
    p = k / n
    d = 1 + Z95**2 / n
    centre = (p + Z95**2 / (2 * n)) / d
    half = Z95 * np.sqrt(p * (1 - p) / n + Z95**2 / (4 * n * n)) / d
    return p, max(0.0, centre - half), min(1.0, centre + half)


def mean_ci(x) -> tuple[float, float, float]:
    """Mean with a normal 95 % interval (NaN without data)."""
    x = np.asarray(x, dtype=float)
    x = x[~np.isnan(x)]
    if x.size == 0:
        return np.nan, np.nan, np.nan
    m = float(x.mean())
    se = float(x.std(ddof=1) / np.sqrt(x.size)) if x.size > 1 else np.nan
    return m, m - Z95 * se, m + Z95 * se
