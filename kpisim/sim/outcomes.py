"""Per-contact outcomes that do not change the traffic, drawn after the run, vectorised.

Each answered contact gets a satisfaction latent

    z = satisfaction + courtesy(agent) + rush_csat_shift - unresolved_penalty x (not resolved)
        - wait_s / wait_scale_s + N(0, 1)

from which CSAT (1-5: cut points -1.5, -0.5, 0.5, 1.5) and NPS (0-10: floor(5.5 + 2 (z + N(0, 0.5))),
clipped) follow. Complaints and praise scale with dissatisfaction / delight:
P(complaint) = complaint x push_factor x exp(satisfaction - z - 1/2) and
P(praise) = praise x exp(z - satisfaction - 1/2) (capped at 1), so an average contact has the
configured rates. Pre-sales conversion has log-odds
``logit(conversion) + ln(sales) + ln(sales_push_odds) - wait_s / wait_scale_s``.
Uniforms come from the ``outcomes`` stream, drawn for all contacts in contact order. Agents'
tactics (``kpisim.sim.tactics``) scale the sales, refund and complaint odds, shift the latent and
withhold surveys, with their own ``detection`` stream; without tactics nothing changes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kpisim.scenario.models import Scenario

CSAT_CUTS = np.array([-1.5, -0.5, 0.5, 1.5])


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-12, 1 - 1e-12)
    return np.log(p / (1 - p))


#: Contacts per slice when the outcome formulas are evaluated: the same numbers as one
#: whole-month evaluation (element by element), with a bounded working memory.
CHUNK = 1 << 14


def chunks(n: int, size: int | None = None) -> list[slice]:
    """Consecutive slices of ``range(n)`` of at most ``size`` (default ``CHUNK``) items."""
    size = size or CHUNK
    return [slice(lo, min(lo + size, n)) for lo in range(0, n, size)]


def draw_outcomes(
    scenario: Scenario,
    c: pd.DataFrame,
    roster: pd.DataFrame,
    rng: np.random.Generator,
    *,
    tactics=None,
    detection_rng: np.random.Generator | None = None,
) -> dict[str, np.ndarray]:
    """Outcome columns for contacts ``c``.

    Args:
        c: contacts with integer columns ``queue_idx``, ``agent_idx`` (-1 if not answered) and
            ``answered`` (bool), ``resolved`` (bool), ``wait_s`` (float).
        roster: agents with ``true_*`` traits and ``group``.
        rng: the ``outcomes`` generator.
        tactics: an active ``TacticPlan`` or None; detection_rng: its ``detection`` generator.
    """
    n = len(c)
    ans = c["answered"].to_numpy()
    a = np.where(ans, c["agent_idx"].to_numpy(), 0)
    qi = c["queue_idx"].to_numpy()
    wait = c["wait_s"].to_numpy()
    resolved = c["resolved"].to_numpy()
    # the same numbers as one (9, n) and one (3, n) draw, a row at a time
    u = [rng.random(n) for _ in range(7)]
    for _ in range(2):  # rows 7 and 8 are reserved: drawn, not used
        rng.random(n)
    zn = [rng.standard_normal(n) for _ in range(3)]
    par = _Params(scenario, roster)
    out = {name: np.empty(n, dtype) for name, dtype in _COLUMNS.items()}
    for sl in chunks(n):
        f = tactics.outcome_factors(a[sl]) if tactics is not None else None
        _fill(par, sl, ans[sl], a[sl], qi[sl], wait[sl], resolved[sl], u, zn, f, out)
    surveyed = out.pop("survey_responded")
    csat, nps = out.pop("csat"), out.pop("nps")
    if tactics is not None:
        surveyed = tactics.survey_kept(a, np.where(ans, csat, 0), surveyed, detection_rng)
    return {
        **{
            k: out[k] for k in ("converted", "order_value_cents", "refunded", "rescue_opportunity", "rescued")
        },
        "survey_responded": surveyed,
        "csat": _masked_int(csat, surveyed),
        "nps": _masked_int(nps, surveyed),
        "complaint": out["complaint"],
        "praise": out["praise"],
    }


_COLUMNS = {
    "converted": bool,
    "order_value_cents": np.int64,
    "refunded": bool,
    "rescue_opportunity": bool,
    "rescued": bool,
    "survey_responded": bool,
    "csat": np.int64,
    "nps": np.int64,
    "complaint": bool,
    "praise": bool,
}


class _Params:
    """Per-queue and per-agent parameters of the outcome formulas, looked up per contact."""

    def __init__(self, scenario: Scenario, roster: pd.DataFrame):
        self.qspecs = [scenario.queues[q] for q in scenario.queues]
        groups = {g.name: g for g in scenario.agents}
        self.groups = [groups[g] for g in roster["group"]]
        self.roster = roster

    def queue(self, attr: str, qi: np.ndarray) -> np.ndarray:
        return np.array([getattr(q.outcomes, attr) for q in self.qspecs], dtype=float)[qi]

    def lever(self, attr: str, a: np.ndarray) -> np.ndarray:
        if not self.groups:
            return np.zeros(a.size)
        return np.array([getattr(g.levers, attr) for g in self.groups], dtype=float)[a]

    def trait(self, name: str, a: np.ndarray) -> np.ndarray:
        return self.roster[f"true_{name}"].to_numpy()[a] if self.groups else np.ones(a.size)


def _fill(par: _Params, sl: slice, ans, a, qi, wait, resolved, u, zn, f, out) -> None:
    """The outcome formulas (module docstring) for the contacts of slice ``sl``, into ``out``."""
    push_odds = par.lever("sales_push_odds", a)
    push_compl = par.lever("sales_push_complaint_factor", a)
    push_ref = par.lever("sales_push_refund_factor", a)
    rush_csat = par.lever("rush_csat_shift", a)
    if f is not None:
        push_odds, push_compl, push_ref = (
            push_odds * f["sales_odds"],
            push_compl * f["complaint"],
            push_ref * f["refund"],
        )
        rush_csat = rush_csat + f["csat_shift"]

    def pq(attr: str) -> np.ndarray:
        return par.queue(attr, qi)

    wscale = pq("wait_scale_s")
    # sales (pre-sales queues)
    presales = np.array([q.outcomes.kind == "presales" for q in par.qspecs])[qi] & ans
    conv0 = pq("conversion")
    logit = _logit(conv0) + np.log(par.trait("sales", a)) + np.log(push_odds) - wait / wscale
    converted = presales & (conv0 > 0) & (u[0][sl] < 1 / (1 + np.exp(-logit)))
    mean_val = pq("order_value_cents") * par.trait("order_value", a)
    cv = pq("order_value_cv")
    s2 = np.log1p(cv**2)
    value = mean_val * np.exp(np.sqrt(s2) * zn[0][sl] - s2 / 2)
    out["converted"][sl] = converted
    out["order_value_cents"][sl] = np.where(converted, np.rint(value), 0).astype(np.int64)
    out["refunded"][sl] = converted & (u[1][sl] < np.clip(pq("refund") * push_ref, 0, 1))

    # rescue (after-sales)
    opp = ans & (u[2][sl] < pq("rescue_opportunity"))
    r0 = pq("rescue")
    r_odds = np.where((r0 > 0) & (r0 < 1), r0 / np.clip(1 - r0, 1e-12, None) * par.trait("resolution", a), 0)
    p_rescue = np.where(r0 >= 1, 1.0, r_odds / (1 + r_odds))
    out["rescue_opportunity"][sl] = opp
    out["rescued"][sl] = opp & (u[3][sl] < p_rescue)

    # satisfaction
    sat = pq("satisfaction")
    z = (
        sat
        + par.trait("courtesy", a)
        + rush_csat
        - pq("unresolved_penalty") * (~resolved)
        - wait / wscale
        + zn[1][sl]
    )
    out["survey_responded"][sl] = ans & (u[4][sl] < pq("survey"))
    out["csat"][sl] = np.searchsorted(CSAT_CUTS, z) + 1
    out["nps"][sl] = np.clip(np.floor(5.5 + 2.0 * (z + 0.5 * zn[2][sl])), 0, 10)
    p_compl = np.clip(pq("complaint") * push_compl * np.exp(sat - z - 0.5), 0, 1)
    out["complaint"][sl] = ans & (u[5][sl] < p_compl)
    p_praise = np.clip(pq("praise") * np.exp(z - sat - 0.5), 0, 1)
    out["praise"][sl] = ans & (u[6][sl] < p_praise)


def _masked_int(values: np.ndarray, keep: np.ndarray) -> pd.arrays.IntegerArray:
    """Nullable Int64 array: ``values`` where ``keep``, <NA> elsewhere."""
    return pd.arrays.IntegerArray(values.astype(np.int64), ~keep.astype(bool))
