"""Plan designer: a toy space with a known optimum is found; held-out months are other months."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kpisim.analysis.design import DesignSpace, Months, apply, evaluate_holdout, search
from kpisim.analysis.design.space import policy_data
from kpisim.errors import SpecError
from kpisim.policy.loading import validate_policy

pytest.importorskip("optuna")

TOY = {
    "kind": "policy",
    "id": "toy",
    "name": "toy: half volume, half satisfaction",
    "scorecard": {
        "components": [
            {
                "id": "volume",
                "metric": "handled",
                "weight": 50,
                "rule": {"type": "linear", "points": [[50, 0], [150, 100]]},
            },
            {
                "id": "csat",
                "metric": "csat_mean",
                "weight": 50,
                "rule": {"type": "linear", "points": [[3, 0], [5, 100]]},
            },
        ]
    },
    "pay": {"base_cents": 100000, "performance": {"full_cents": 100000}},
}


def toy_months(seed: int, months: int = 6, agents: int = 20) -> Months:
    """handled follows each agent's (hidden) skill; csat_mean is pure noise."""
    rng = np.random.default_rng(seed)
    skill = np.random.default_rng(0).normal(size=agents)  # the same agents every month
    ids = [f"a{i:02d}" for i in range(agents)]
    kt = pd.DataFrame(
        {
            "scenario_id": "toy",
            "replication": np.repeat(np.arange(months), agents),
            "seed": seed,
            "period": "2026-01",
            "agent_id": ids * months,
            "group": "all",
            "handled": (100 + 20 * np.tile(skill, months) + rng.normal(0, 3, agents * months))
            .round()
            .astype("int64"),
            "csat_mean": 4 + rng.normal(0, 0.4, agents * months),
        }
    )
    agents_t = pd.DataFrame(
        {
            "replication": np.repeat(np.arange(months), agents),
            "agent_id": ids * months,
            "true_contribution": np.tile(skill, months),
        }
    )
    return Months.from_tables(kt, agents_t, seed=seed, replications=months)


SPACE = DesignSpace.model_validate(
    {
        "weights": {"components": ["volume", "csat"], "low": 1, "high": 99},
        "parameters": [
            {
                "name": "full",
                "path": "pay.performance.full_cents",
                "low": 50000,
                "high": 300000,
                "integer": True,
            }
        ],
    }
)


def test_apply_keeps_weights_adding_up_and_refuses_broken_variants():
    base = validate_policy(TOY)
    pol = apply(
        policy_data(base), SPACE, {"weight_volume": 3, "weight_csat": 1, "full": 120000}, policy_id="v"
    )
    assert [c.weight for c in pol.scorecard.components] == [75, 25]
    assert pol.pay_plan.performance.full_cents == 120000
    bad = DesignSpace.model_validate(
        {"parameters": [{"name": "w", "path": "scorecard.components[nope].weight", "low": 1, "high": 2}]}
    )
    with pytest.raises(SpecError, match="no item with id 'nope'"):
        search(toy_months(1), base, bad, budget_cents=10**9, trials=2)


def test_toy_search_finds_the_known_optimum():
    base = validate_policy(TOY)
    months = toy_months(1)
    # budget: base pay 1,000 + performance <= 1,500 per agent at most -> binds the full_cents range
    budget = 20 * (100000 + 150000)
    res = search(months, base, SPACE, budget_cents=budget, trials=80, seed=3)
    assert res.trials["feasible"].any() and not res.front.empty
    best = res.chosen["best_validity"]
    w = {c.id: c.weight for c in best.scorecard.components}
    # the optimum puts (almost) all weight on the metric that follows skill ...
    assert w["volume"] >= 90, w
    # ... and the most performance pay the budget allows (more pay on skill = less luck share)
    top = res.trials.loc[res.trials["trial"] == res.chosen_trials["best_validity"]].iloc[0]
    assert top["cost_cents"] <= budget
    assert res.front["validity"].max() > 0.9
    assert (res.trials.loc[~res.trials["feasible"], "cost_cents"] > budget).all()


def test_holdout_uses_other_months():
    base = validate_policy(TOY)
    months, held = toy_months(1), toy_months(2)
    res = search(months, base, SPACE, budget_cents=10**9, trials=10, seed=1)
    out = evaluate_holdout(res, months, held)
    assert set(out["sample"]) == {"search", "holdout"}
    assert out.loc[out["sample"] == "holdout", "seed"].eq(2).all()
    assert not months.kpis["handled"].equals(held.kpis["handled"])
    with pytest.raises(Exception, match="another seed"):
        evaluate_holdout(res, months, toy_months(1))


def test_cli_design_writes_front_plans_and_holdout(tmp_path, capsys):
    import yaml

    from kpisim.cli import main
    from kpisim.policy import load_policy
    from tests.analysis.conftest import ROOT, short

    sc = short("scenarios/shop_chat.yaml", 2).model_copy(update={"multipliers": []})  # none in 2 days
    scen = tmp_path / "shop2.yaml"
    scen.write_text(yaml.safe_dump(sc.model_dump(mode="json", by_alias=True), sort_keys=False))
    out = tmp_path / "design"
    rc = main(
        [
            "design",
            str(scen),
            "--policy",
            str(ROOT / "scenarios/policies/s3_kuaishangtong_presales.yaml"),
            "--space",
            str(ROOT / "scenarios/design/s3_space.yaml"),
            "--budget",
            "150000",
            "--trials",
            "12",
            "--replications",
            "2",
            "--jobs",
            "1",
            "--quiet",
            "--out",
            str(out),
        ]
    )
    assert rc == 0
    captured = capsys.readouterr()
    assert captured.err == ""  # --quiet: no progress
    assert "note: validity and luck share rest on 2 month(s)" in captured.out
    for name in ("pareto.csv", "trials.csv", "pareto.png", "holdout.csv", "components.csv", "manifest.json"):
        assert (out / name).is_file(), name
    plans = sorted((out / "plans").glob("*.yaml"))
    assert plans and all(load_policy(p).id.startswith("s3_") for p in plans)
    held = pd.read_csv(out / "holdout.csv")
    assert set(held["sample"]) == {"search", "holdout"}
    assert held.groupby("sample")["seed"].first().nunique() == 2


def test_component_spread_tells_flat_allowances_from_incentives():
    from kpisim.analysis.design import component_spread

    months = toy_months(4)
    months.kpis["csat_mean"] = 4.0  # everyone the same: its points are a flat allowance
    res = search(months, validate_policy(TOY), SPACE, budget_cents=10**9, trials=6, seed=2)
    parts = component_spread(res).set_index(["plan", "component"])
    assert list(dict.fromkeys(p for p, _ in parts.index)) == ["base", *res.chosen]
    base = parts.loc["base"]
    assert base["worth_points"].to_dict() == {"volume": 50.0, "csat": 50.0}
    # hand-computed: linear 50 -> 0, 150 -> 100 points of 100, at a weight of 50 %
    kt = months.kpis
    pts = np.clip(kt["handled"].to_numpy() - 50.0, 0, 100) * 0.5
    spread = pd.Series(pts).groupby(kt["replication"].to_numpy()).std(ddof=0).mean()
    assert base.loc["volume", "spread_points"] == pytest.approx(spread, rel=1e-12)
    assert base.loc["volume", "mean_points"] == pytest.approx(pts.mean(), rel=1e-12)
    assert base.loc["csat", "spread_points"] == 0 and base.loc["csat", "mean_points"] == pytest.approx(25.0)
    for label, pol in res.chosen.items():  # each chosen plan with its own weights
        worth = {c.id: float(c.weight) for c in pol.scorecard.components}
        assert parts.loc[label, "worth_points"].to_dict() == worth
    # what kpisim design prints: each chosen plan's flat allowance, not the incentive
    from kpisim.cli_design import _flat_allowances

    flat = _flat_allowances(res)
    assert set(flat) == set(res.chosen)
    for label, pol in res.chosen.items():
        csat = next(c for c in pol.scorecard.components if c.id == "csat")
        assert flat[label] == [f"csat {float(csat.weight):g} points"]
