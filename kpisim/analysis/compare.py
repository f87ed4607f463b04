"""``compare``: simulate R months once, score and pay every policy on the same months (CRN).

Every table of the result carries ``scenario_id``, ``policy`` (where it applies), ``replication``
and ``seed``. Summaries give 95 % t confidence intervals across replications (each replication x
period is one independent month). Measures are defined in docs/analysis.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from kpisim.analysis import fairness as F
from kpisim.analysis.behaviour.respond import behaviour_params, respond, respond_options
from kpisim.analysis.policy_meta import describe_inputs, needed_variants, policy_hashes, policy_meta
from kpisim.analysis.runner import run_replications, summarise_for_compare
from kpisim.analysis.stats import ci_frame
from kpisim.errors import KpisimError
from kpisim.policy.inputs import attach_policy_inputs
from kpisim.policy.timeline import flat_policies
from kpisim.provenance import content_sha256
from kpisim.scenario.models import Scenario

RUN = ["scenario_id", "replication", "seed"]
AGENT_KEYS = ["replication", "agent_id", "period"]


@dataclass
class Comparison:
    """Result of :func:`compare`: tidy tables plus summary methods.

    Attributes:
        kpis: KPI table (one row per replication, agent, period).
        scores: ``policy`` + the policies' score tables (``total`` = points).
        pay: ``policy`` + the pay tables (``total_cents`` = payout, integer cents).
        agents: HIDDEN TRUTH: the simulator's agent roster with ``true_*`` traits and
            ``true_contribution`` (see docs/analysis.md). Only fairness/validity read it.
        baseline: name of the baseline policy.
        currency: ISO currency of the cents.
        behaviour: the agents' equilibrium response to each policy
            (:class:`kpisim.analysis.behaviour.Response`) if ``compare`` was asked for it, else None.
    """

    scenario_id: str
    seed: int
    replications: int
    kpis: pd.DataFrame
    scores: pd.DataFrame
    pay: pd.DataFrame
    agents: pd.DataFrame
    baseline: str
    policies: list[str]
    currency: str = "CNY"
    meta: dict[str, Any] = field(default_factory=dict)
    behaviour: Any = None

    # --- per agent ---------------------------------------------------------------------------
    def agent_pay(self) -> pd.DataFrame:
        """One row per policy, replication, agent, period: pay_cents, total (score), role, group keys
        and the hidden ``true_*`` columns (incl. ``true_contribution``)."""
        p = self.pay[
            ["policy", *RUN, "agent_id", "period", "total_cents", *["role"][: "role" in self.pay]]
        ].rename(columns={"total_cents": "pay_cents"})
        s = self.scores[["policy", *AGENT_KEYS, "total"]]
        out = p.merge(s, on=["policy", *AGENT_KEYS], how="left")
        kcols = [
            c for c in ("group", "team", "shift", "tenure_group", "handled", "sales_cents") if c in self.kpis
        ]
        out = out.merge(self.kpis[AGENT_KEYS + kcols], on=AGENT_KEYS, how="left")
        truth = [c for c in self.agents.columns if c.startswith("true_")]
        ag = self.agents[["replication", "agent_id", *truth]]
        ag = ag.loc[:, ~ag.columns.duplicated()]
        return out.merge(ag, on=["replication", "agent_id"], how="left")

    # --- cost --------------------------------------------------------------------------------
    def monthly_cost(self) -> pd.DataFrame:
        """Per policy, replication and period: total_cents, agents, handled, sales_cents."""
        ap = self.agent_pay()
        g = ap.groupby(["policy", "scenario_id", "replication", "seed", "period"], sort=False)
        out = g.agg(
            total_cents=("pay_cents", "sum"),
            agents=("agent_id", "nunique"),
            handled=("handled", lambda x: float(pd.to_numeric(x, errors="coerce").sum())),
            sales_cents=("sales_cents", lambda x: float(pd.to_numeric(x, errors="coerce").sum())),
        )
        out = out.reset_index()
        out["total_cents"] = out["total_cents"].astype("int64")
        return out

    def cost(self, *, budget_cents: int | None = None) -> pd.DataFrame:
        """Payout cost per policy with 95 % CIs across months.

        Columns: total_cents (mean per month, CI), p5_cents/p95_cents (spread of monthly totals),
        per_agent_cents, per_handled_cents, pct_of_sales, diff_cents (paired difference from the
        baseline, CI) and, if ``budget_cents`` is given, p_over_budget (share of months whose
        total exceeds it).
        """
        mc = self.monthly_cost()
        mc["per_agent_cents"] = mc["total_cents"] / mc["agents"]
        mc["per_handled_cents"] = mc["total_cents"] / mc["handled"].where(mc["handled"] > 0)
        mc["pct_of_sales"] = 100 * mc["total_cents"] / mc["sales_cents"].where(mc["sales_cents"] > 0)
        base = mc[mc["policy"] == self.baseline].set_index(["replication", "period"])["total_cents"]
        mc["diff_cents"] = (
            mc["total_cents"]
            - base.reindex(pd.MultiIndex.from_frame(mc[["replication", "period"]])).to_numpy()
        )
        out = ci_frame(
            mc,
            ["policy"],
            ["total_cents", "per_agent_cents", "per_handled_cents", "pct_of_sales", "diff_cents"],
        )
        q = mc.groupby("policy", sort=False)["total_cents"]
        out["p5_cents"] = out["policy"].map(q.quantile(0.05))
        out["p95_cents"] = out["policy"].map(q.quantile(0.95))
        if budget_cents is not None:
            out["budget_cents"] = int(budget_cents)
            out["p_over_budget"] = out["policy"].map(
                mc.assign(o=mc["total_cents"] > budget_cents).groupby("policy")["o"].mean()
            )
        out.insert(1, "scenario_id", self.scenario_id)
        out.insert(2, "seed", self.seed)
        return out

    # --- winners and losers ------------------------------------------------------------------
    def winners_losers(self, *, threshold_cents: int = 5000, bands: int = 5) -> pd.DataFrame:
        """Share of agents gaining / losing more than ``threshold_cents`` vs the baseline.

        Agents are grouped by the baseline's score quantile bands (edges fixed by the baseline's
        scores pooled over all months; band 1 = lowest). Shares are computed per month, then
        averaged with 95 % CIs.

        Columns: policy, band, band_range, share_gain, share_lose, mean_gain_cents (among
        winners), mean_loss_cents (among losers), mean_delta_cents, each with _lo/_hi.
        """
        ap = self.agent_pay()
        base = ap[ap["policy"] == self.baseline][[*AGENT_KEYS, "pay_cents", "total"]]
        base = base.rename(columns={"pay_cents": "base_pay_cents", "total": "base_total"})
        score = base["base_total"].astype(float)
        if score.notna().any() and score.nunique() > 1:
            labels, _edges = pd.qcut(
                score.rank(method="first"), q=min(bands, score.notna().sum()), labels=False, retbins=True
            )
            base["band"] = labels + 1
            rng = base.groupby("band")["base_total"].agg(["min", "max"])
            band_range = {b: f"{r['min']:.4g}–{r['max']:.4g}" for b, r in rng.iterrows()}
        else:
            base["band"] = 1
            band_range = {1: "all"}
        m = ap.merge(base, on=AGENT_KEYS, how="inner")
        m = m[m["policy"] != self.baseline].copy()
        m["delta_cents"] = m["pay_cents"] - m["base_pay_cents"]
        m["gain"] = m["delta_cents"] > threshold_cents
        m["lose"] = m["delta_cents"] < -threshold_cents

        def moves(keys: list[str]) -> pd.DataFrame:
            """Per group and month: shares who gain / lose, and the mean move of each."""
            return (
                m.groupby(keys)
                .agg(
                    share_gain=("gain", "mean"),
                    share_lose=("lose", "mean"),
                    mean_delta_cents=("delta_cents", "mean"),
                    mean_gain_cents=(
                        "delta_cents",
                        lambda x: x[x > threshold_cents].mean() if (x > threshold_cents).any() else np.nan,
                    ),
                    mean_loss_cents=(
                        "delta_cents",
                        lambda x: x[x < -threshold_cents].mean() if (x < -threshold_cents).any() else np.nan,
                    ),
                )
                .reset_index()
            )

        per = moves(["policy", "band", "replication", "period"])
        allb = moves(["policy", "replication", "period"]).assign(band=0)
        cols = ["share_gain", "share_lose", "mean_gain_cents", "mean_loss_cents", "mean_delta_cents"]
        out = ci_frame(pd.concat([per, allb], ignore_index=True), ["policy", "band"], cols)
        for c in ("share_gain", "share_lose"):  # shares: keep the interval inside [0, 1]
            out[f"{c}_lo"] = out[f"{c}_lo"].clip(lower=0.0)
            out[f"{c}_hi"] = out[f"{c}_hi"].clip(upper=1.0)
        out["band_range"] = out["band"].map(lambda b: "all" if b == 0 else band_range.get(b, ""))
        out["threshold_cents"] = int(threshold_cents)
        out["baseline"] = self.baseline
        return out.sort_values(["policy", "band"], kind="stable").reset_index(drop=True)

    # --- fairness ----------------------------------------------------------------------------
    def truth_table(self) -> pd.DataFrame:
        """:meth:`agent_pay` joined with ``true_contribution`` (HIDDEN TRUTH)."""
        return self.agent_pay()

    def fairness(self) -> pd.DataFrame:
        """Validity, luck share, rank agreement and inequality per policy (READS HIDDEN TRUTH)."""
        return F.fairness_table(self.truth_table())

    def pay_gaps(self) -> pd.DataFrame:
        """Pay gap of each team / shift / tenure group vs everyone, per policy, with CIs."""
        return F.pay_gaps(self.truth_table())

    # --- incentives --------------------------------------------------------------------------
    def incentive_gradient(self) -> pd.DataFrame:
        """Pay change of the median agent for one realistic step better on each scored metric."""
        from kpisim.analysis.incentives import incentive_gradient

        return incentive_gradient(self)

    def tier_cliffs(self) -> pd.DataFrame:
        """Share of agents within one step below each tier boundary of each policy."""
        from kpisim.analysis.incentives import tier_cliffs

        return tier_cliffs(self)

    def lever_effects(
        self,
        levers: Mapping[str, Mapping[str, float]] | None = None,
        *,
        groups: Sequence[str] | None = None,
        jobs: int | None = None,
        executor: Any = None,
        progress: bool | str = True,
    ) -> pd.DataFrame:
        """Simulate each lever pulled by ``groups`` (default: the largest agent group) on the same
        seed and replications as this comparison and report the change in pay and KPIs of the
        agents who pull it, per policy (:func:`kpisim.analysis.incentives.lever_effects`; ``levers``
        default ``incentives.DEFAULT_LEVERS``; ``executor``: where they run)."""
        from kpisim.analysis.incentives import DEFAULT_LEVERS, lever_effects

        scenario = self.meta.get("scenario")
        if scenario is None:
            raise KpisimError("this comparison does not hold its scenario; call incentives.lever_effects")
        if groups is None:
            groups = [max(scenario.agents, key=lambda g: g.count).name]
        out = lever_effects(
            scenario,
            self.meta["policy_objects"],
            levers or DEFAULT_LEVERS,
            groups=groups,
            replications=self.replications,
            seed=self.seed,
            jobs=jobs,
            executor=executor,
            progress=progress,
            period=self.meta.get("period", "month"),
            base_kpis=self.kpis,
        )
        out.insert(2, "groups", ",".join(groups))
        return out

    # --- figures (one kpisim.plots function each; matplotlib Figures) -------------------------
    def plot_cost(self, *, budget_cents: int | None = None):
        """Payout per month by policy with CIs (:func:`kpisim.plots.cost_bars`)."""
        from kpisim import plots

        return plots.cost_bars(
            self.cost(budget_cents=budget_cents), currency=self.currency, budget_cents=budget_cents
        )

    def plot_winners_losers(self, *, threshold_cents: int = 5000, bands: int = 5):
        """Shares gaining / losing vs the baseline by score band (:func:`kpisim.plots.winners_losers_bars`)."""
        from kpisim import plots

        return plots.winners_losers_bars(
            self.winners_losers(threshold_cents=threshold_cents, bands=bands), currency=self.currency
        )

    def plot_fairness(self):
        """Validity, rank stability, Gini and the luck / position / person split (:func:`kpisim.plots.fairness_bars`)."""
        from kpisim import plots

        return plots.fairness_bars(self.fairness())

    def plot_pay_gaps(self):
        """Pay gap of each team / shift / tenure group (:func:`kpisim.plots.pay_gap_bars`)."""
        from kpisim import plots

        return plots.pay_gap_bars(self.pay_gaps(), currency=self.currency)

    def plot_incentives(self):
        """Pay for one realistic step on each scored metric (:func:`kpisim.plots.incentive_bars`)."""
        from kpisim import plots

        return plots.incentive_bars(self.incentive_gradient(), currency=self.currency)

    # --- output ------------------------------------------------------------------------------


def compare(
    scenario: Scenario,
    policies: Mapping[str, Any],
    *,
    baseline: str | None = None,
    replications: int = 4,
    seed: int = 1,
    jobs: int | None = None,
    executor: Any = None,
    progress: bool | str = True,
    kpi_by: Sequence[str] = ("agent_id",),
    period: str = "month",
    inputs: pd.DataFrame | Mapping[str, float] | None = None,
    fill_missing: bool = False,
    behaviour: Any = None,
    behaviour_options: Mapping[str, Any] | None = None,
) -> Comparison:
    """Simulate ``replications`` runs once and score + pay every policy on the same runs.

    Args:
        scenario: the centre.
        policies: name -> policy (anything with ``.score(kpi_table)`` and ``.pay(scores, kpi_table)``).
        baseline: name of the reference policy (default: the first).
        replications: independent simulated runs (>= 2 for confidence intervals).
        seed: base seed; replication r uses ``SeedSequence([seed, r])``.
        jobs: worker processes (default all cores; results identical to ``jobs=1``).
        progress: show a progress bar.
        kpi_by: KPI grouping (must include ``agent_id`` for per-agent pay).
        period: KPI period (``month`` for monthly scorecards).
        inputs: the policies' declared extra inputs (manager ratings, exams): a DataFrame joined
            on agent_id (and period/replication if present), or column -> constant. Inputs still
            missing get a neutral constant (see :func:`kpisim.policy.inputs.neutral_inputs`): equal for every agent,
            so they never separate agents.
        fill_missing: fill metrics without data with the policies' declared neutral values
            (listed in ``meta["filled_metrics"]``) instead of refusing (docs/policies.md).
        behaviour: ``"equilibrium"`` or a :class:`kpisim.Behaviour` (its parameters): also find
            the agents' equilibrium tactics under each policy and their consequences
            (:func:`kpisim.respond` with the same seed, replications, executor and inputs) in
            ``Comparison.behaviour``; None (default): agents do not respond.
        behaviour_options: further keywords of :func:`kpisim.respond` (``respond_options``).

    Raises:
        KpisimError: no policies, unknown baseline, or ``agent_id`` missing from ``kpi_by``.
    """
    if not policies:
        raise KpisimError("compare needs at least one policy")
    names = list(policies)
    baseline = names[0] if baseline is None else baseline
    if baseline not in policies:
        raise KpisimError(f"baseline {baseline!r} is not one of the policies {names}")
    if "agent_id" not in kpi_by:
        raise KpisimError(f"kpi_by must include 'agent_id', got {tuple(kpi_by)}")
    params = behaviour_params(behaviour)
    options = respond_options(behaviour_options, params)
    if params is not None and replications < 2:
        raise KpisimError(f"behaviour needs replications >= 2 for confidence intervals, got {replications}")
    res = run_replications(
        scenario,
        summarise_for_compare,
        seed=seed,
        replications=replications,
        jobs=jobs,
        executor=executor,
        progress=progress,
        options={
            "kpi_by": tuple(kpi_by),
            "period": period,
            "variants": needed_variants(flat_policies(policies)),
        },
    )
    kt = pd.concat([r["kpis"] for r in res], ignore_index=True)
    kt, filled = attach_policy_inputs(kt, flat_policies(policies), inputs)  # timelines: every version's
    agents = pd.concat([r["agents"] for r in res], ignore_index=True)
    agents["true_contribution"] = F.contribution(agents)
    agents.attrs["kpisim"] = {"hidden_truth": True}
    scores, pays = [], []
    for name in names:
        pol = policies[name]
        s = pol.score(kt, fill_missing=True) if fill_missing else pol.score(kt)
        p = pol.pay(s, kt)
        scores.append(_with_policy(s, name, scenario, seed))
        pays.append(_with_policy(p, name, scenario, seed))
    currency = getattr(policies[baseline], "currency", getattr(scenario, "currency", "CNY"))
    response = None
    if params is not None:
        response = respond(
            scenario, policies, behaviour=params, replications=replications, seed=seed, jobs=jobs,
            executor=executor, inputs=inputs, **options,
        )  # fmt: skip
    return Comparison(
        scenario_id=scenario.id,
        seed=seed,
        replications=replications,
        kpis=kt,
        scores=pd.concat(scores, ignore_index=True),
        pay=pd.concat(pays, ignore_index=True),
        agents=agents,
        baseline=baseline,
        policies=names,
        currency=currency,
        meta={
            "scenario_sha256": content_sha256(scenario),
            "period": period,
            "policy_objects": dict(policies),
            "scenario": scenario,
            "filled_inputs": filled,
            "policy_sha256": policy_hashes(policies),
            "population": _one_value(r.get("population") for r in res),
            "inputs": describe_inputs(inputs),
            **policy_meta(policies, scores),
        },
        behaviour=response,
    )


def _one_value(values):
    """The common value of ``values`` (None if empty), or the sorted distinct ones."""
    distinct = sorted({v for v in values}, key=str)
    return distinct[0] if len(distinct) == 1 else (distinct or None)


def _with_policy(df: pd.DataFrame, name: str, scenario: Scenario, seed: int) -> pd.DataFrame:
    df = df.copy()
    for col, val in (("scenario_id", scenario.id), ("seed", seed)):
        if col not in df:
            df[col] = val
    df.insert(0, "policy", name)
    return df
