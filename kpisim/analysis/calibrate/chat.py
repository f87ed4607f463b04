"""Chat: sessions held at once per agent, and the message-level detail of sessions.

- Concurrency: each answered chat session holds a slot from ``answered_at`` to
  ``wrap_up_end_at``; the most slots an agent held at once is its observed concurrency (the
  roster's ``max_concurrency``, when given, is the configured cap and is kept).
- First response and reply gap: the simulator's mean is ``base x speed x (1 + load_factor x
  (sessions held - 1))``; with the agents' speeds from the handle-time part, a least-squares line
  of ``time / speed`` on ``sessions held - 1`` gives the base (intercept) and the load factor
  (slope / intercept). ``response_cv`` comes from the spread of the log first response.
- Messages: mean customer messages of valid sessions, system messages per customer message,
  P(invalid: the customer never wrote), P(missed: the agent never replied) per extra session held.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kpisim.analysis.calibrate.base import Part
from kpisim.analysis.calibrate.fitting import Z95, binom_ci, mean_ci


def max_overlap(start: np.ndarray, end: np.ndarray) -> int:
    """Most intervals [start, end) open at once."""
    if start.size == 0:
        return 0
    t = np.concatenate([start, end])
    d = np.concatenate([np.ones(start.size, dtype=int), -np.ones(end.size, dtype=int)])
    order = np.lexsort((d, t))  # at equal times an end (-1) comes before a start
    return int(np.cumsum(d[order]).max())


def _line(x: np.ndarray, y: np.ndarray):
    """Intercept, slope and their standard errors of a least-squares line."""
    if np.unique(x).size < 2:
        return float(y.mean()), 0.0, float(y.std(ddof=1) / np.sqrt(y.size)), np.nan
    X = np.column_stack([np.ones_like(x), x])
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    r = y - X @ beta
    cov = np.linalg.inv(X.T @ X) * (r @ r) / max(y.size - 2, 1)
    return float(beta[0]), float(beta[1]), float(np.sqrt(cov[0, 0])), float(np.sqrt(cov[1, 1]))


def fit_chat(ans: pd.DataFrame, speed: dict[str, float]) -> Part:
    """Chat model (``ans``: answered contacts; ``speed``: agent -> speed multiplier)."""
    part = Part("chat")
    chat = ans[ans["channel"] == "chat"]
    conc = []
    for a, ca in chat.groupby("agent_id", sort=True):
        s = ca["answered_at"].to_numpy(dtype="datetime64[ns]").astype(np.int64)
        e = ca["wrap_up_end_at"].fillna(ca["ended_at"]).to_numpy(dtype="datetime64[ns]").astype(np.int64)
        conc.append(
            {
                "agent_id": a,
                "sessions": len(ca),
                "max_sessions_at_once": max_overlap(s, e),
                "mean_sessions_held_at_answer": float(ca["concurrency"].astype(float).mean()),
            }
        )
    part.tables["chat_concurrency"] = pd.DataFrame(conc)
    queues = {}
    for q, cq in chat.groupby("queue", sort=True):
        k = cq["concurrency"].to_numpy(dtype=float, na_value=1.0) - 1
        sp = cq["agent_id"].map(speed).fillna(1.0).to_numpy(dtype=float)
        detail: dict[str, float] = {}
        fr = cq["first_response_s"].to_numpy(dtype=float)
        ok = ~np.isnan(fr) & (fr > 0)
        if ok.sum() >= 10:
            b0, b1, se0, se1 = _line(k[ok], fr[ok] / sp[ok])
            detail["first_response_s"] = round(max(b0, 0.1), 2)
            detail["load_factor"] = round(max(b1 / b0, 0.0), 4) if b0 > 0 else 0.0
            part.est(
                q,
                "chat.first_response_s",
                b0,
                b0 - Z95 * se0,
                b0 + Z95 * se0,
                unit="s",
                method="line of first response / speed on extra sessions held",
            )
            part.est(
                q,
                "chat.load_factor",
                b1 / b0,
                (b1 - Z95 * se1) / b0,
                (b1 + Z95 * se1) / b0,
                method="slope / intercept",
            )
            lr = np.log(fr[ok] / (sp[ok] * (1 + detail["load_factor"] * k[ok])))
            detail["response_cv"] = round(float(np.sqrt(np.expm1(lr.var()))), 3)
        cnt = cq["response_count"].to_numpy(dtype=float)
        rs = cq["response_time_sum_s"].to_numpy(dtype=float)
        ok2 = cnt > 0
        if ok2.sum() >= 10:
            lf = detail.get("load_factor", 0.0)
            g = rs[ok2] / cnt[ok2] / (sp[ok2] * (1 + lf * k[ok2]))
            m = mean_ci(g)
            detail["response_s"] = round(m[0], 2)
            part.est(q, "chat.response_s", *m, unit="s", method="mean reply gap / (speed x load)")
        cm = cq["customer_msgs"].to_numpy(dtype=float)
        inv_c = cm == 0
        p = binom_ci(inv_c.sum(), len(cq))
        detail["invalid"] = round(p[0], 4)
        part.est(q, "chat.invalid", *p, method="share of sessions where the customer never wrote")
        valid = ~inv_c & (cq["agent_msgs"].to_numpy(dtype=float) > 0)
        if valid.any():
            m = mean_ci(cm[valid])
            detail["customer_msgs"] = round(max(m[0], 1.0), 2)
            part.est(q, "chat.customer_msgs", *m, method="mean of valid sessions")
            sysm = cq["system_msgs"].to_numpy(dtype=float)
            detail["system_ratio"] = round(float(sysm.sum() / np.maximum(cm, 1).sum()), 3)
        missed = ~inv_c & (cq["agent_msgs"].to_numpy(dtype=float) == 0)
        exposure = float(np.sum(k[~inv_c]))
        if exposure > 0:
            p = binom_ci(missed.sum(), exposure)
            detail["miss"] = round(p[0], 5)
            part.est(q, "chat.miss", *p, method="missed sessions per extra session held")
        queues[q] = detail
    part.values = {
        "queues": queues,
        "max_concurrency": {r["agent_id"]: r["max_sessions_at_once"] for r in conc},
    }
    return part
