"""A synthetic KPI table for demos, tests and benchmarks (not a simulation: no queueing).

Values are drawn independently per agent-month from plausible ranges so every bundled policy can
score them. Use the simulator (``kpisim.simulate`` + ``kpisim.kpis``) for meaningful numbers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

_LEVELS = np.array(["junior", "mid", "senior"], dtype=object)


def synthetic_kpi_table(
    n_agents: int = 20,
    n_periods: int = 3,
    *,
    replications: int = 1,
    team_size: int = 10,
    seed: int = 0,
    scenario_id: str = "synthetic",
) -> pd.DataFrame:
    """Random KPI rows: one per (replication, agent, month), with every column the bundled
    policies use (registry metrics and their declared inputs).

    Args:
        n_agents: agents per replication.
        n_periods: consecutive months, labelled ``2024-01``, ``2024-02``, ...
        replications: replications (each its own ranking group).
        team_size: agents per team (teams ``t00``, ``t01``, ...).
        seed: seed of the (local) random generator.
        scenario_id: value of the ``scenario_id`` column.

    Returns:
        A DataFrame with ``n_agents * n_periods * replications`` rows.
    """
    rng = np.random.default_rng(np.random.SeedSequence([seed, 7]))
    n = n_agents * n_periods * replications
    rep = np.repeat(np.arange(replications), n_agents * n_periods)
    agent_idx = np.tile(np.repeat(np.arange(n_agents), n_periods), replications)
    month = np.tile(np.arange(n_periods), n_agents * replications)
    periods = np.array([f"{2024 + m // 12}-{m % 12 + 1:02d}" for m in range(n_periods)], dtype=object)
    width = max(4, len(str(n_agents)))
    agent_ids = np.array([f"a{i:0{width}d}" for i in range(n_agents)], dtype=object)
    handled = rng.poisson(1800, n).astype(float)
    orders = np.round(handled * rng.uniform(0.3, 0.7, n))
    aov = np.round(rng.uniform(8000, 30000, n))
    per_group = rng.integers(50_000_00, 200_000_00, replications * n_periods)
    silent = per_group[rep * n_periods + month]

    def counts(lam: float) -> np.ndarray:
        return rng.poisson(lam, n).astype(float)

    df = pd.DataFrame(
        {
            "scenario_id": scenario_id,
            "replication": rep,
            "seed": seed,
            "team": np.array([f"t{i // team_size:02d}" for i in range(n_agents)], dtype=object)[agent_idx],
            "agent_id": agent_ids[agent_idx],
            "period": periods[month],
            "handled": handled,
            "orders": orders,
            "conversion_rate": orders / np.maximum(handled, 1),
            "aov_cents": aov,
            "sales_cents": orders * aov,
            "reply_rate": rng.uniform(0.85, 1.0, n),
            "avg_response_s": rng.uniform(8, 40, n),
            "first_response_s": rng.uniform(5, 70, n),
            "csat_positive_rate": rng.uniform(0.8, 1.0, n),
            "refund_rate": rng.uniform(0, 0.08, n),
            "qa_mean": rng.uniform(60, 100, n),
            "qa_reviews": rng.choice([10.0, 12.0, 12.0, 12.0], n),
            "qa_pass_rate": rng.uniform(0.7, 1.0, n),
            "talk_s": rng.uniform(200, 500, n),
            "acw_s": rng.uniform(20, 130, n),
            "actual_work_rate": rng.uniform(0.85, 0.98, n),
            "fcr_rate": rng.uniform(0.6, 0.95, n),
            "service_level": rng.uniform(0.6, 1.0, n),
            "avg_daily_online_h": rng.uniform(6.0, 10.0, n),
            "complaints": counts(0.5),
            "praise": counts(0.5),
            "late_count": counts(1.5),
            "long_late_count": counts(0.2),
            "absence_days": counts(0.1),
            "leave_days": counts(1.0),
            "short_online_days": counts(0.3),
            "rule_breach": counts(0.8),
            "poor_attitude": counts(0.8),
            "ignored_customer": counts(0.8),
            "wrong_answer": counts(0.8),
            "unclear_agreement": counts(0.2),
            "work_handoff": counts(1.0),
            "handover_failure": counts(1.0),
            "after_hours_help": counts(0.3),
            "adopted_idea": counts(0.05),
            "silent_order_sales_cents": silent.astype(float),
            # declared inputs of the bundled policies
            "reexam_failed": counts(0.1),
            "level": _LEVELS[rng.integers(0, 3, n)],
            "severe_complaints": counts(0.05),
            "ticket_audit": rng.uniform(60, 100, n),
            "knowledge_exam": rng.uniform(50, 100, n),
            "conduct_rating": rng.uniform(60, 100, n),
            "dial_success_rate": rng.uniform(0.2, 0.6, n),  # a registry metric since #19
        }
    )
    for name in (
        "holiday_conduct",
        "professionalism",
        "execution",
        "training",
        "voice_use",
        "follow_up",
        "customer_info",
        "order_submit",
        "order_process",
        "order_check",
        "order_feedback",
        "order_disputes",
        "content",
        "paid_placement",
        "social",
        "account_upkeep",
    ):
        df[f"rating_{name}"] = rng.uniform(50, 100, n)
    df["answer_in_2_rings_rate"] = rng.uniform(0.6, 1.0, n)  # S4 input (drawn last: earlier draws unchanged)
    # roles and definitions of the bundled policies (drawn after the above: earlier draws unchanged):
    # every fourth agent serves after-sales first; the variant columns S1 and S3 read
    df["skill"] = np.where(agent_idx % 4 == 3, "aftersales", "presales").astype(object)
    df["rating_self_media"] = rng.uniform(50, 100, n)
    df["rescue_rate"] = rng.uniform(0.1, 0.6, n)
    df["grade_pay_cents"] = 0
    df["conversion_rate@queues=presales"] = df["conversion_rate"]
    df["late_count@count=events,include_long=true"] = df["late_count"] + df["long_late_count"]
    df["calls_handled"] = handled  # S4's volume: inbound + outbound calls (no outbound here)
    return df
