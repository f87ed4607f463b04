"""Handle time and wrap-up per queue, with each agent's speed separated from the queue's base.

The simulator's handle time is ``base work x agent speed x (1 + stretch x (sessions held - 1))``
(``kpisim/sim/engine.py::_answer``). On the log scale this is additive, so the three factors are
estimated by alternating least squares on ``log handle_s``: queue level, agent effect (one per
agent, across queues) and, for chat queues, the stretch (a bounded one-dimensional search). The
agent effects are shrunk towards the team (``shrinkage.shrink_means``), then scaled so that the
agents of the largest tenure group have mean speed 1: the export identifies only base x speed,
so the base is "the work of an average agent of the core group". Its uncertainty includes that
of the scale (between-agent spread / sqrt(agents in the core group)).

The base work ``handle / (speed x stretch factor)`` of each contact is then fitted by maximum
likelihood with each family (lognormal, gamma, exponential); the lowest AIC wins. Wrap-up is
fitted the same way without agent effects (the simulator draws it per contact).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import optimize

from kpisim.analysis.calibrate.base import Part
from kpisim.analysis.calibrate.fitting import Z95, best_fit, pdf
from kpisim.analysis.calibrate.shrinkage import shrink_means

_MAX_FIT = 20000  # contacts per queue used for the distribution fits (a fixed, evenly spaced subset)


def _subset(x: np.ndarray) -> np.ndarray:
    return x if x.size <= _MAX_FIT else x[np.linspace(0, x.size - 1, _MAX_FIT).astype(int)]


def _als(y, qi, ai, k, chat_q, nq, na, iters: int = 12):
    mu = np.array([y[qi == q].mean() for q in range(nq)])
    s = np.zeros(na)
    st = np.zeros(nq)

    def resid(q, stq, m):
        return y[m] - s[ai[m]] - np.log1p(stq * (k[m] - 1))

    for _ in range(iters):
        for q in chat_q:
            m = qi == q
            if np.all(k[m] <= 1):
                continue
            st[q] = optimize.minimize_scalar(
                lambda v, q=q, m=m: float(np.var(resid(q, v, m))), bounds=(0.0, 1.0), method="bounded"
            ).x
        lst = np.log1p(st[qi] * (k - 1))
        mu = np.array([(y - s[ai] - lst)[qi == q].mean() for q in range(nq)])
        r = y - mu[qi] - lst
        s = np.bincount(ai, r, minlength=na) / np.maximum(np.bincount(ai, minlength=na), 1)
    lst = np.log1p(st[qi] * (k - 1))
    e = y - mu[qi] - s[ai] - lst
    return mu, s, st, e


def fit_handle(ans: pd.DataFrame, agents: pd.DataFrame) -> Part:
    """Handle-time and wrap-up model (``ans``: answered contacts; ``agents``: the roster)."""
    part = Part("handle")
    qnames = sorted(ans["queue"].unique())
    qi = ans["queue"].map({q: i for i, q in enumerate(qnames)}).to_numpy()
    anames = sorted(ans["agent_id"].unique())
    ai = ans["agent_id"].map({a: i for i, a in enumerate(anames)}).to_numpy()
    h = np.clip(ans["handle_s"].to_numpy(dtype=float), 0.5, None)
    k = ans["concurrency"].to_numpy(dtype=float, na_value=1.0)
    chat_q = [i for i, q in enumerate(qnames) if (ans.loc[qi == i, "channel"] == "chat").any()]
    mu, s, st, e = _als(np.log(h), qi, ai, k, chat_q, len(qnames), len(anames))
    sig2 = np.array([e[qi == q].var() for q in range(len(qnames))])
    n_a = np.bincount(ai, minlength=len(anames))
    se_a = np.sqrt(np.bincount(ai, sig2[qi], minlength=len(anames)) / np.maximum(n_a, 1) / np.maximum(n_a, 1))
    roster = agents.set_index("agent_id").reindex(anames)
    team = (
        roster["team"].astype(object).fillna("").to_numpy() if "team" in roster else np.full(len(anames), "")
    )
    sh = shrink_means(s, se_a, team)
    tenure = roster["tenure_group"].astype(object).fillna("") if "tenure_group" in roster else pd.Series("")
    core = tenure.value_counts().index[0] if len(tenure) else ""
    ref = (tenure == core).to_numpy() if len(tenure) else np.ones(len(anames), dtype=bool)
    mult = np.exp(sh["shrunk"].to_numpy())
    scale = mult[ref].mean()
    speed = mult / scale
    tau = float(np.nanmax(sh["between_sd"].to_numpy())) if len(sh) else 0.0
    se_scale = tau / np.sqrt(max(ref.sum(), 1))
    part.tables["agent_speed"] = pd.DataFrame(
        {
            "agent_id": anames,
            "team": team,
            "contacts": n_a,
            "raw_speed": np.exp(s) / scale,
            "speed": speed,
            "weight_on_own_data": sh["weight"].to_numpy(),
            "core_group": ref,
        }
    )
    part.est("all agents", "speed between-agent sd (log)", tau, unit="log units", method="empirical Bayes")
    base = h / (speed[ai] * (1 + st[qi] * (k - 1)))
    fits, queues, rows, density = {}, {}, [], []
    for q, name in enumerate(qnames):
        m = qi == q
        best, all_fits = best_fit(_subset(base[m]))
        se = np.hypot(np.log(best.mean_hi / best.mean_s) / Z95, se_scale)
        lo, hi = best.mean_s * np.exp(-Z95 * se), best.mean_s * np.exp(Z95 * se)
        part.est(
            name,
            "handle.mean_s",
            best.mean_s,
            lo,
            hi,
            unit="s",
            method=f"{best.dist} (AIC), agent speed removed",
        )
        if best.cv is not None:
            part.est(name, "handle.cv", best.cv, unit="", method=best.dist)
        spec = {"dist": best.dist, "mean_s": round(best.mean_s, 2)}
        if best.cv is not None:
            spec["cv"] = round(best.cv, 3)
        entry = {"handle": spec}
        for f in all_fits:
            rows.append({"queue": name, "part": "handle", **f.as_row(), "chosen": f is best})
        if q in chat_q:
            mm = m & (k > 1)
            if mm.any():
                d2 = optimize.approx_fprime(
                    [st[q]],
                    lambda v, q=q, m=m: optimize.approx_fprime(
                        v,
                        lambda u: float(
                            np.sum((np.log(h[m]) - mu[q] - s[ai[m]] - np.log1p(u[0] * (k[m] - 1))) ** 2)
                        ),
                        1e-4,
                    )[0],
                    1e-4,
                )[0]
                se_st = np.sqrt(2 * sig2[q] / d2) if d2 > 0 else np.nan
                part.est(
                    name,
                    "concurrency_stretch",
                    st[q],
                    max(0.0, st[q] - Z95 * se_st),
                    st[q] + Z95 * se_st,
                    method="least squares on log handle time",
                )
            entry["concurrency_stretch"] = round(float(st[q]), 4)
        w = ans.loc[m, "wrap_up_s"].to_numpy(dtype=float)
        w = w[~np.isnan(w) & (w > 0)]
        if w.size >= 10:
            wb, wall = best_fit(_subset(w))
            part.est(
                name, "wrap_up.mean_s", wb.mean_s, wb.mean_lo, wb.mean_hi, unit="s", method=f"{wb.dist} (AIC)"
            )
            entry["wrap_up"] = {"dist": wb.dist, "mean_s": round(wb.mean_s, 2)} | (
                {"cv": round(wb.cv, 3)} if wb.cv is not None else {}
            )
            for f in wall:
                rows.append({"queue": name, "part": "wrap_up", **f.as_row(), "chosen": f is wb})
        else:
            part.default(
                name, "wrap_up", "none", "the export has no after-contact work (no wrap-up end times)"
            )
        fits[name] = best
        queues[name] = entry
        edges = np.linspace(0, np.quantile(base[m], 0.99), 41)
        dens, _ = np.histogram(base[m], bins=edges, density=True)
        mid = (edges[1:] + edges[:-1]) / 2
        density.append(
            pd.DataFrame(
                {
                    "queue": name,
                    "base_work_s": mid,
                    "observed_density": dens * 0.99,
                    "fitted_density": pdf(best, mid),
                }
            )
        )
    part.tables["handle_fits"] = pd.DataFrame(rows)
    conc = pd.DataFrame(
        {
            "queue": np.array(qnames)[qi],
            "sessions_held": k.astype(int),
            "handle_s": h,
            "fitted_s": np.array([fits[n].mean_s for n in qnames])[qi] * speed[ai] * (1 + st[qi] * (k - 1)),
        }
    )
    part.tables["handle_by_sessions"] = conc.groupby(["queue", "sessions_held"], as_index=False).agg(
        contacts=("handle_s", "size"),
        observed_mean_s=("handle_s", "mean"),
        fitted_mean_s=("fitted_s", "mean"),
    )
    part.tables["handle_density"] = pd.concat(density, ignore_index=True)
    part.values = {"queues": queues, "speed": dict(zip(anames, speed, strict=True)), "speed_sd": tau}
    return part
