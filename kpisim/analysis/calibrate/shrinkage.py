"""Empirical-Bayes shrinkage of per-agent estimates towards their team.

An agent with 20 contacts and 3 complaints has a raw complaint rate of 15 %; one with 2 000
contacts and 300 complaints has the same raw rate, but only the second one says much about the
agent. Both functions here pool each agent's estimate with its team's by how much the agent's own
data weigh against the real spread between agents (estimated from the data themselves, by the
method of moments):

- :func:`shrink_rates` (binary outcomes): a beta prior per team with the team's mean rate and a
  between-agent variance; an agent's posterior mean is ``(k + m kappa) / (n + kappa)``.
- :func:`shrink_means` (an estimate with a standard error, e.g. a log speed multiplier): a normal
  prior per team; the weight on the agent's own estimate is ``tau^2 / (tau^2 + se^2)``.

When the agents of a team do not differ by more than their noise, the between-agent variance is 0
and every agent gets the team value: the export cannot tell them apart.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def shrink_rates(k, n, team) -> pd.DataFrame:
    """Per-agent rates shrunk towards the team rate.

    Args:
        k: events per agent (e.g. complaints); n: trials per agent (e.g. answered contacts);
        team: each agent's team (agents of one team share a prior).

    Returns:
        Columns ``raw``, ``shrunk``, ``team_rate``, ``weight`` (on the agent's own data, 0-1),
        ``between_sd`` (the team's estimated spread of true rates).
    """
    k = np.asarray(k, dtype=float)
    n = np.asarray(n, dtype=float)
    team = pd.Series(np.asarray(team, dtype=object)).fillna("")
    out = pd.DataFrame({"raw": np.where(n > 0, k / np.maximum(n, 1), np.nan)})
    out["team_rate"] = np.nan
    out["shrunk"] = np.nan
    out["weight"] = np.nan
    out["between_sd"] = np.nan
    for _t, idx in team.groupby(team).groups.items():
        i = np.asarray(idx)
        kk, nn = k[i], n[i]
        m = kk.sum() / max(nn.sum(), 1)
        ok = nn > 0
        # between-agent variance of true rates: observed variance minus binomial noise
        if ok.sum() >= 2 and 0 < m < 1:
            r = kk[ok] / nn[ok]
            w = nn[ok] / nn[ok].sum()
            var_obs = float(np.sum(w * (r - m) ** 2))
            noise = float(np.sum(w * m * (1 - m) / nn[ok]))
            tau2 = max(var_obs - noise, 0.0)
        else:
            tau2 = 0.0
        kappa = m * (1 - m) / tau2 - 1 if tau2 > 0 else np.inf
        kappa = max(kappa, 0.0)
        shrunk = np.full(i.size, m) if np.isinf(kappa) else (kk + m * kappa) / (nn + kappa)
        out.loc[i, "team_rate"] = m
        out.loc[i, "shrunk"] = shrunk
        out.loc[i, "weight"] = 0.0 if np.isinf(kappa) else nn / (nn + kappa)
        out.loc[i, "between_sd"] = np.sqrt(tau2)
    return out


def shrink_means(est, se, team) -> pd.DataFrame:
    """Per-agent estimates with standard errors, shrunk towards the precision-weighted team mean.

    Returns:
        Columns ``raw``, ``shrunk``, ``team_mean``, ``weight``, ``between_sd``.
    """
    est = np.asarray(est, dtype=float)
    se = np.asarray(se, dtype=float)
    team = pd.Series(np.asarray(team, dtype=object)).fillna("")
    out = pd.DataFrame({"raw": est})
    for col in ("team_mean", "shrunk", "weight", "between_sd"):
        out[col] = np.nan
    for _t, idx in team.groupby(team).groups.items():
        i = np.asarray(idx)
        e, s = est[i], se[i]
        ok = ~np.isnan(e) & ~np.isnan(s)
        if not ok.any():
            continue
        v = np.maximum(s[ok] ** 2, 1e-12)
        m = float(np.sum(e[ok] / v) / np.sum(1 / v))
        tau2 = max(float(np.var(e[ok], ddof=1)) - float(np.mean(v)), 0.0) if ok.sum() >= 2 else 0.0
        if tau2 > 0:  # refine the team mean with the prior variance (one step is enough here)
            m = float(np.sum(e[ok] / (v + tau2)) / np.sum(1 / (v + tau2)))
        w = np.where(ok, tau2 / (tau2 + np.maximum(s**2, 1e-12)), 0.0)
        out.loc[i, "team_mean"] = m
        out.loc[i, "shrunk"] = np.where(ok, w * np.nan_to_num(e) + (1 - w) * m, m)
        out.loc[i, "weight"] = w
        out.loc[i, "between_sd"] = np.sqrt(tau2)
    return out
