"""Outcomes per queue and per agent: resolution, transfer, conversion, order value, refunds,
rescues, surveys (CSAT), complaints and praise.

- **Resolution** is not in an export; repeats are. A mixture ("cure") model over the answered,
  not transferred contacts: with probability ``1 - resolve`` the customer comes back after an
  exponential delay counted in opening hours; customers not seen again by the end of the export
  are censored. Maximum likelihood gives ``resolve`` and ``return_delay_h`` with intervals.
  ``return_prob`` cannot be told apart from ``resolve`` (an unresolved customer who never comes
  back looks resolved), so it is fixed at 1 and listed as a default.
- **Per-agent rates** (resolution, conversion, complaints, ...) are shrunk towards the team
  (``shrinkage.shrink_rates``): an agent with 20 contacts is not given an extreme trait. An
  agent's trait is the odds ratio of its shrunk rate to its queue mix's rate; the group's trait
  distribution is the mean and spread of its agents' traits.
- **Queue base rates** are solved so that the simulator's own formula (odds x trait, minus the
  wait effect for conversion) reproduces the observed rate over the observed contacts.
- **Satisfaction**: CSAT 1-5 is an ordered probit of the satisfaction latent with the simulator's
  cut points; the latent mean per queue and per agent (courtesy, shrunk) is fitted by maximum
  likelihood. ``unresolved_penalty`` and ``wait_scale_s`` are not identified and keep defaults.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import optimize, stats

from kpisim.analysis.calibrate.base import Part
from kpisim.analysis.calibrate.fitting import Z95, binom_ci
from kpisim.analysis.calibrate.prep import Hours
from kpisim.analysis.calibrate.shrinkage import shrink_means, shrink_rates

CUTS = np.array([-np.inf, -1.5, -0.5, 0.5, 1.5, np.inf])
PENALTY, WAIT_SCALE = 1.0, 300.0  # scenario defaults of unresolved_penalty and wait_scale_s


def _expit(x):
    return 1 / (1 + np.exp(-x))


def _logit(p):
    p = np.clip(p, 1e-9, 1 - 1e-9)
    return np.log(p / (1 - p))


def solve_base(target: float, offsets: np.ndarray) -> float:
    """p0 with mean(expit(logit(p0) + offsets)) = target."""
    if target <= 0 or target >= 1 or offsets.size == 0:
        return float(np.clip(target, 0, 1))
    return float(_expit(optimize.brentq(lambda x: _expit(x + offsets).mean() - target, -30, 30)))


def cure_fit(gap: np.ndarray, cens: np.ndarray):
    """MLE of (P(return), mean delay) from observed return gaps and censoring times (s)."""

    def nll(t):
        pi, d = _expit(t[0]), np.exp(t[1])
        ll = np.sum(np.log(pi) - np.log(d) - gap / d) + np.sum(np.log(1 - pi + pi * np.exp(-cens / d)))
        return -ll

    d0 = gap.mean() if gap.size else 3600.0
    p0 = max(min(gap.size / max(gap.size + cens.size, 1), 0.99), 0.01)
    res = optimize.minimize(nll, [_logit(p0), np.log(d0)], method="Nelder-Mead")
    t = res.x
    h = 1e-3
    H = np.empty((2, 2))
    for i in range(2):
        for j in range(2):
            ei, ej = np.eye(2)[i] * h, np.eye(2)[j] * h
            H[i, j] = (nll(t + ei + ej) - nll(t + ei - ej) - nll(t - ei + ej) + nll(t - ei - ej)) / (
                4 * h * h
            )
    try:
        se = np.sqrt(np.clip(np.diag(np.linalg.inv(H)), 0, None))
    except np.linalg.LinAlgError:
        se = np.array([np.nan, np.nan])
    return t, se


def probit_mean(csat: np.ndarray) -> tuple[float, float]:
    """MLE of the latent mean (and its standard error) of CSAT ratings 1-5, unit latent sd."""
    counts = np.bincount(csat.astype(int), minlength=6)[1:6]

    def nll(mu):
        p = stats.norm.cdf(CUTS[1:] - mu) - stats.norm.cdf(CUTS[:-1] - mu)
        return -float(np.sum(counts * np.log(np.clip(p, 1e-300, None))))

    mu = optimize.minimize_scalar(nll, bounds=(-6, 8), method="bounded").x
    h = 1e-3
    info = (nll(mu + h) - 2 * nll(mu) + nll(mu - h)) / h**2
    return float(mu), float(1 / np.sqrt(info)) if info > 0 else np.inf


def _returns(c: pd.DataFrame, hours: Hours):
    """Per contact: eligible for a return, returned, gap and censoring time (opening-hours s)."""
    c = c.copy()
    c["is_repeat"] = (c["kind"] == "repeat").astype(np.int64)
    c["attempt_est"] = c.groupby("customer_id")["is_repeat"].cumsum() + 1
    nxt_kind = c.groupby("customer_id")["kind"].shift(-1)
    nxt_arr = c.groupby("customer_id")["arrival_at"].shift(-1)
    answered = c["answered_at"].notna() & ~c["transferred"]
    max_att = int(c["attempt_est"].max()) if (c["kind"] == "repeat").any() else 3
    elig = answered & (c["attempt_est"] < max_att)
    returned = elig & (nxt_kind == "repeat")
    end_open = hours.open_seconds(c["ended_at"])
    gap = np.where(returned, hours.open_seconds(nxt_arr.fillna(c["ended_at"])) - end_open, np.nan)
    horizon_end = hours.start + pd.Timedelta(days=hours.days)
    cens = hours.open_seconds(pd.Series([horizon_end])).item() - end_open
    return c, elig.to_numpy(), returned.to_numpy(), gap, cens, max_att


def fit_outcomes(c: pd.DataFrame, agents: pd.DataFrame, hours: Hours) -> Part:
    """Outcome model per queue and per agent (``c`` from ``prep.classify``)."""
    part = Part("outcomes")
    c, elig, returned, gap, cens, max_att = _returns(c, hours)
    team_of = (
        agents.set_index("agent_id")["team"].astype(object).fillna("").to_dict() if "team" in agents else {}
    )
    has_customers = (c["customer_id"] >= 0).any()
    ans = c["answered_at"].notna().to_numpy()
    agent_rows: dict[str, dict] = {}
    queues: dict[str, dict] = {}
    unres_prob = np.zeros(len(c))
    for q in sorted(c["queue"].unique()):
        mq = (c["queue"] == q).to_numpy()
        o: dict = {}
        e = elig & mq
        if has_customers and returned[e].sum() >= 5:
            t, se = cure_fit(gap[e & returned], cens[e & ~returned])
            pi, d = _expit(t[0]), np.exp(t[1])
            o["resolve_rate"] = 1 - pi
            o["return_delay_h"] = round(float(d / 3600), 3)
            part.est(
                q,
                "resolution rate",
                1 - pi,
                1 - _expit(t[0] + Z95 * se[0]),
                1 - _expit(t[0] - Z95 * se[0]),
                method="cure model on repeats (return_prob = 1)",
            )
            part.est(
                q,
                "return_delay_h",
                d / 3600,
                np.exp(t[1] - Z95 * se[1]) / 3600,
                np.exp(t[1] + Z95 * se[1]) / 3600,
                unit="h of opening hours",
                method="cure model",
            )
            s_c = np.exp(-cens[e & ~returned] / d)
            unres_prob[e & returned] = 1.0
            unres_prob[e & ~returned] = pi * s_c / (1 - pi + pi * s_c)
        else:
            o["resolve_rate"] = 1.0
            part.default(
                q, "resolve", 1.0, "no repeat contacts identified (customer ids missing or no repeats)"
            )
        mt = mq & ans
        k_tr = int(c.loc[mt, "transferred"].sum())
        p = binom_ci(k_tr, mt.sum())
        o["transfer"] = p[0]
        part.est(q, "transfer rate", *p, method="transferred / answered")
        if k_tr:
            nxt_q = c.groupby("customer_id")["queue"].shift(-1)[mt & c["transferred"].to_numpy()]
            o["transfer_to"] = nxt_q.mode().iat[0] if nxt_q.notna().any() else q
        conv = c.loc[mt, "converted"].to_numpy(dtype=bool)
        o["kind"] = (
            "presales" if conv.any() else "aftersales" if c.loc[mt, "rescue_opportunity"].any() else "service"
        )
        if conv.any():
            p = binom_ci(conv.sum(), mt.sum())
            o["conversion_rate"] = p[0]
            part.est(q, "conversion rate", *p, method="converted / answered")
            vals = c.loc[mt & c["converted"].to_numpy(), "order_value_cents"].to_numpy(dtype=float) / 100
            vals = vals[vals > 0]
            if vals.size:
                lv = np.log(vals)
                o["order_value_cents"] = int(round(vals.mean() * 100))
                o["order_value_cv"] = round(float(np.sqrt(np.expm1(lv.var()))), 3) if vals.size > 1 else 0.6
                part.est(
                    q,
                    "order value",
                    vals.mean(),
                    vals.mean() - Z95 * vals.std() / np.sqrt(vals.size),
                    vals.mean() + Z95 * vals.std() / np.sqrt(vals.size),
                    unit="currency units",
                )
            p = binom_ci(c.loc[mt, "refunded"].sum(), conv.sum())
            o["refund"] = round(p[0], 4)
            part.est(q, "refund rate", *p, method="refunded / converted")
        opp = c.loc[mt, "rescue_opportunity"].to_numpy(dtype=bool)
        if opp.any():
            p = binom_ci(opp.sum(), mt.sum())
            o["rescue_opportunity"] = round(p[0], 4)
            part.est(q, "rescue opportunity rate", *p)
            p = binom_ci(c.loc[mt, "rescued"].to_numpy(dtype=bool)[opp].sum(), opp.sum())
            o["rescue"] = round(p[0], 4)
            part.est(q, "rescue rate", *p, method="rescued / opportunities")
        surv = c.loc[mt, "survey_responded"].to_numpy(dtype=bool)
        p = binom_ci(surv.sum(), mt.sum())
        o["survey"] = round(p[0], 4)
        part.est(q, "survey response rate", *p)
        cs = c.loc[mt, "csat"].dropna().to_numpy(dtype=float)
        if cs.size >= 10:
            mu, se = probit_mean(cs)
            o["latent_mean"] = mu
            part.est(
                q,
                "satisfaction latent mean (observed)",
                mu,
                mu - Z95 * se,
                mu + Z95 * se,
                method="ordered probit of CSAT",
            )
        for col, name in (("complaint", "complaint"), ("praise", "praise")):
            p = binom_ci(c.loc[mt, col].sum(), mt.sum())
            o[f"{name}_rate"] = p[0]
            part.est(q, f"{name} rate", *p, method=f"{name}s / answered")
        queues[q] = o
    part.values = {"queues": queues, "max_attempts": max_att}
    part.tables["agent_outcomes"] = _agents(c, ans, elig, unres_prob, queues, team_of, part, agent_rows)
    part.default(
        "all queues",
        "return_prob",
        1.0,
        "not separable from resolve: an unresolved customer who never returns looks resolved",
    )
    part.default(
        "all queues",
        "unresolved_penalty",
        PENALTY,
        "CSAT of resolved and unresolved contacts cannot be told apart",
    )
    part.default(
        "all queues",
        "wait_scale_s",
        WAIT_SCALE,
        "the effect of waiting on CSAT and sales is not separated from the agent",
    )
    return part


def _agents(c, ans, elig, unres_prob, queues, team_of, part, rows) -> pd.DataFrame:
    """Per-agent shrunk rates and traits; fills the queue base rates (``queues``) in place."""
    a = c[ans].copy()
    a["unres"] = unres_prob[ans]
    a["elig"] = elig[ans]
    g = a.groupby("agent_id", sort=True)
    ids = list(g.groups)
    team = [team_of.get(i, "") for i in ids]
    out = pd.DataFrame({"agent_id": ids, "team": team, "answered": g.size().to_numpy()})
    n_el = g["elig"].sum().to_numpy(dtype=float)
    res = shrink_rates(n_el - g["unres"].sum().to_numpy(), n_el, team)
    out["resolution_raw"], out["resolution_shrunk"] = res["raw"], res["shrunk"]
    for col in ("converted", "complaint", "praise", "transferred"):
        sub = a if col != "converted" else a[a["queue"].map(lambda q: queues[q]["kind"] == "presales")]
        gg = sub.groupby("agent_id")[col]
        k = gg.sum().reindex(ids).fillna(0).to_numpy(dtype=float)
        n = gg.size().reindex(ids).fillna(0).to_numpy(dtype=float)
        s = shrink_rates(k, n, team)
        out[f"{col}_contacts"] = n
        out[f"{col}_raw"], out[f"{col}_shrunk"] = s["raw"], s["shrunk"]
    # traits: odds ratio of the shrunk rate to the rate the agent's queue mix would give
    mix_res = (
        a[a["elig"]]
        .groupby("agent_id")["queue"]
        .agg(lambda s: np.mean([queues[q]["resolve_rate"] for q in s]))
        .reindex(ids)
    )
    out["trait_resolution"] = np.exp(
        _logit(out["resolution_shrunk"].fillna(mix_res)) - _logit(mix_res)
    ).fillna(1.0)
    conv_all = a["converted"].sum() / max(out["converted_contacts"].sum(), 1)
    out["trait_sales"] = (
        np.exp(_logit(out["converted_shrunk"].fillna(conv_all)) - _logit(conv_all)) if conv_all > 0 else 1.0
    )
    cs = a.dropna(subset=["csat"])
    est, se = [], []
    for i in ids:
        x = cs.loc[cs["agent_id"] == i, "csat"].to_numpy(dtype=float)
        m, s = probit_mean(x) if x.size >= 3 else (np.nan, np.nan)
        est.append(m)
        se.append(s)
    sh = shrink_means(np.array(est), np.array(se), team)
    overall = (
        np.nansum(sh["shrunk"] * out["answered"]) / out["answered"][sh["shrunk"].notna()].sum()
        if sh["shrunk"].notna().any()
        else 0.0
    )
    out["trait_courtesy"] = (sh["shrunk"] - overall).fillna(0.0)
    ov = a[a["order_value_cents"] > 0]
    if len(ov):
        lv = np.log(ov["order_value_cents"].to_numpy(dtype=float))
        og = pd.DataFrame({"agent_id": ov["agent_id"].to_numpy(), "lv": lv}).groupby("agent_id")["lv"]
        e = og.mean().reindex(ids).to_numpy()
        s = (lv.std() / np.sqrt(og.size())).reindex(ids).to_numpy()
        sv = shrink_means(e, s, team)
        out["trait_order_value"] = np.exp(sv["shrunk"] - np.nanmean(sv["shrunk"])).fillna(1.0)
    else:
        out["trait_order_value"] = 1.0
    # queue base rates that reproduce the observed rates through the simulator's formulas
    tr = dict(zip(ids, out["trait_resolution"], strict=True))
    ts = dict(zip(ids, out["trait_sales"], strict=True))
    tc = dict(zip(ids, out["trait_courtesy"], strict=True))
    for q, o in queues.items():
        aq = a[a["queue"] == q]
        off_r = np.log(aq.loc[aq["elig"], "agent_id"].map(tr).to_numpy(dtype=float))
        o["resolve"] = round(solve_base(o["resolve_rate"], off_r), 4)
        if "conversion_rate" in o:
            off_s = (
                np.log(aq["agent_id"].map(ts).to_numpy(dtype=float)) - aq["wait_s"].to_numpy() / WAIT_SCALE
            )
            o["conversion"] = round(min(solve_base(o["conversion_rate"], off_s), 0.99), 4)
        cour = aq["agent_id"].map(tc).to_numpy(dtype=float)
        wait = aq["wait_s"].to_numpy(dtype=float) / WAIT_SCALE
        r = o["resolve_rate"]
        if "latent_mean" in o:
            surv = aq["survey_responded"].to_numpy(dtype=bool)
            o["satisfaction"] = round(
                o["latent_mean"]
                - float(np.mean(cour[surv]))
                + PENALTY * (1 - r)
                + float(np.mean(wait[surv])),
                3,
            )
        f_c = np.mean(np.exp(wait - cour) * (r + (1 - r) * np.exp(PENALTY)))
        f_p = np.mean(np.exp(cour - wait) * (r + (1 - r) * np.exp(-PENALTY)))
        o["complaint"] = round(min(o["complaint_rate"] / f_c, 1.0), 5)
        o["praise"] = round(min(o["praise_rate"] / f_p, 1.0), 5)
    return out
