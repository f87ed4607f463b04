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
    groups = {g.name: g for g in scenario.agents}
    qspecs = [scenario.queues[q] for q in scenario.queues]
    ans = c["answered"].to_numpy()
    a = np.where(ans, c["agent_idx"].to_numpy(), 0)
    qi = c["queue_idx"].to_numpy()
    wait = c["wait_s"].to_numpy()
    resolved = c["resolved"].to_numpy()

    def per_queue(attr: str) -> np.ndarray:
        return np.array([getattr(q.outcomes, attr) for q in qspecs], dtype=float)[qi]

    def per_agent(fn) -> np.ndarray:
        return (
            np.array([fn(groups[g]) for g in roster["group"]], dtype=float)[a] if len(roster) else np.zeros(n)
        )

    trait = {
        name: roster[f"true_{name}"].to_numpy()[a] if len(roster) else np.ones(n)
        for name in ("sales", "order_value", "courtesy", "resolution")
    }
    push_odds = per_agent(lambda g: g.levers.sales_push_odds)
    push_compl = per_agent(lambda g: g.levers.sales_push_complaint_factor)
    push_ref = per_agent(lambda g: g.levers.sales_push_refund_factor)
    rush_csat = per_agent(lambda g: g.levers.rush_csat_shift)
    if tactics is not None:
        f = tactics.outcome_factors(a)
        push_odds, push_compl, push_ref = (
            push_odds * f["sales_odds"],
            push_compl * f["complaint"],
            push_ref * f["refund"],
        )
        rush_csat = rush_csat + f["csat_shift"]

    u = rng.random((9, n))
    zn = rng.standard_normal((3, n))
    wscale = per_queue("wait_scale_s")

    # sales (pre-sales queues)
    presales = np.array([q.outcomes.kind == "presales" for q in qspecs])[qi] & ans
    conv0 = per_queue("conversion")
    logit = _logit(conv0) + np.log(trait["sales"]) + np.log(push_odds) - wait / wscale
    converted = presales & (conv0 > 0) & (u[0] < 1 / (1 + np.exp(-logit)))
    mean_val = per_queue("order_value_cents") * trait["order_value"]
    cv = per_queue("order_value_cv")
    s2 = np.log1p(cv**2)
    value = mean_val * np.exp(np.sqrt(s2) * zn[0] - s2 / 2)
    order_value = np.where(converted, np.rint(value), 0).astype(np.int64)
    refunded = converted & (u[1] < np.clip(per_queue("refund") * push_ref, 0, 1))

    # rescue (after-sales)
    opp = ans & (u[2] < per_queue("rescue_opportunity"))
    r0 = per_queue("rescue")
    r_odds = np.where((r0 > 0) & (r0 < 1), r0 / np.clip(1 - r0, 1e-12, None) * trait["resolution"], 0)
    p_rescue = np.where(r0 >= 1, 1.0, r_odds / (1 + r_odds))
    rescued = opp & (u[3] < p_rescue)

    # satisfaction
    sat = per_queue("satisfaction")
    z = (
        sat
        + trait["courtesy"]
        + rush_csat
        - per_queue("unresolved_penalty") * (~resolved)
        - wait / wscale
        + zn[1]
    )
    surveyed = ans & (u[4] < per_queue("survey"))
    csat = (np.searchsorted(CSAT_CUTS, z) + 1).astype(np.int64)
    if tactics is not None:
        surveyed = tactics.survey_kept(a, np.where(ans, csat, 0), surveyed, detection_rng)
    nps = np.clip(np.floor(5.5 + 2.0 * (z + 0.5 * zn[2])), 0, 10).astype(np.int64)
    p_compl = np.clip(per_queue("complaint") * push_compl * np.exp(sat - z - 0.5), 0, 1)
    complaint = ans & (u[5] < p_compl)
    p_praise = np.clip(per_queue("praise") * np.exp(z - sat - 0.5), 0, 1)
    praise = ans & (u[6] < p_praise)

    return {
        "converted": converted,
        "order_value_cents": order_value,
        "refunded": refunded,
        "rescue_opportunity": opp,
        "rescued": rescued,
        "survey_responded": surveyed,
        "csat": _masked_int(csat, surveyed),
        "nps": _masked_int(nps, surveyed),
        "complaint": complaint,
        "praise": praise,
    }


def _masked_int(values: np.ndarray, keep: np.ndarray) -> pd.arrays.IntegerArray:
    """Nullable Int64 array: ``values`` where ``keep``, <NA> elsewhere."""
    return pd.arrays.IntegerArray(values.astype(np.int64), ~keep.astype(bool))
