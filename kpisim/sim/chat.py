"""Chat conversation detail per session, drawn after the run (``chat`` stream), vectorised.

For an answered chat session held by an agent with ``k`` sessions open (this one included):
- invalid (customer never writes a manual message) with P = ``invalid``;
- missed (the agent never replies) with P = ``miss x (k - 1)``; both count as invalid (S3 #19:
  only one side wrote);
- otherwise customer messages = 1 + Poisson(customer_msgs - 1), agent messages = 1 +
  Poisson(customer_msgs - 1), system messages = Poisson(system_ratio x customer messages);
- first response (s) ~ lognormal with mean ``first_response_s x speed x (1 + load_factor (k-1))``
  (+ the cherry-picking delay on stalled sessions), cv ``response_cv``;
- the reply gaps: ``response_count = min(customer msgs, agent msgs)``, their sum has mean
  ``count x response_s x speed x (1 + load_factor (k-1))`` and cv ``response_cv / sqrt(count)``.
``customer_wrote`` is False only for the first case (the base of ``reply_rate``).
Voice contacts: replied = customer_wrote = answered, no messages, NaN first response.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kpisim.scenario.models import Scenario
from kpisim.sim.outcomes import chunks


def draw_chat(
    scenario: Scenario,
    c: pd.DataFrame,
    roster: pd.DataFrame,
    stalled: np.ndarray,
    cherry_delay: np.ndarray,
    rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    """Chat-detail columns for contacts ``c`` (needs ``queue_idx``, ``agent_idx``, ``answered``,
    ``concurrency``)."""
    n = len(c)
    qspecs = [scenario.queues[q] for q in scenario.queues]
    qi = c["queue_idx"].to_numpy()
    ans = c["answered"].to_numpy()
    a = np.where(ans, c["agent_idx"].to_numpy(), 0)
    k = np.where(ans, c["concurrency"].to_numpy(dtype=float, na_value=1.0), 1.0)

    def cq(attr: str, rows=slice(None)) -> np.ndarray:
        return np.array([getattr(q.chat, attr) for q in qspecs], dtype=float)[qi[rows]]

    # the random numbers are drawn for all contacts in the order below; the formulas then run
    # slice by slice (the same numbers, a bounded working memory)
    u = [rng.random(n) for _ in range(2)]
    zs = [rng.standard_normal(n) for _ in range(2)]
    lam = cq("customer_msgs") - 1
    cust = rng.poisson(lam)  # 1 + Poisson: in place, as are the masks below
    cust += 1
    agent = rng.poisson(lam)
    agent += 1
    del lam
    is_chat = np.array([q.channel == "chat" for q in qspecs])[qi] & ans
    invalid_cust = is_chat & (u[0] < cq("invalid"))
    missed = is_chat & ~invalid_cust & (u[1] < np.clip(cq("miss") * (k - 1), 0, 1))
    del u
    valid = is_chat & ~invalid_cust & ~missed
    cust[~is_chat | invalid_cust] = 0
    agent[invalid_cust] = 1  # the agent's greeting
    agent[missed | ~is_chat] = 0
    lam = cq("system_ratio")
    lam *= np.maximum(cust, 1)
    system = rng.poisson(lam)
    del lam
    system[~is_chat] = 0

    speed = roster["true_speed"].to_numpy() if len(roster) else None
    first = np.empty(n)
    rsum = np.empty(n)
    count = np.where(valid, np.minimum(cust, agent), 0)
    for sl in chunks(n):
        sp = speed[a[sl]] if speed is not None else np.ones(sl.stop - sl.start)
        load = 1 + cq("load_factor", sl) * (k[sl] - 1)
        cv = cq("response_cv", sl)
        s2 = np.log1p(cv**2)
        delay = np.where(stalled[sl], cherry_delay[a[sl]] if len(roster) else 0.0, 0.0)
        fr = cq("first_response_s", sl) * sp * load * np.exp(np.sqrt(s2) * zs[0][sl] - s2 / 2) + delay
        first[sl] = np.where(valid[sl], fr, np.nan)
        cnt = np.maximum(count[sl], 1)
        s2n = np.log1p(cv**2 / cnt)
        rs = count[sl] * cq("response_s", sl) * sp * load * np.exp(np.sqrt(s2n) * zs[1][sl] - s2n / 2)
        rsum[sl] = np.where(valid[sl], rs, 0.0)
    return {
        "first_response_s": first,
        "response_time_sum_s": rsum,
        "response_count": count.astype(np.int64, copy=False),
        "customer_msgs": cust.astype(np.int64, copy=False),
        "agent_msgs": agent.astype(np.int64, copy=False),
        "system_msgs": system.astype(np.int64, copy=False),
        "replied": np.where(is_chat, valid, ans),
        "invalid": invalid_cust | missed,
        "customer_wrote": np.where(is_chat, ~invalid_cust, ans),
    }
