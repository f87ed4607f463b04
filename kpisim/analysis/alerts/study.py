"""``alert_study``: simulate replications with hidden declines and judge alert rules on them.

Every rules file is judged on the same simulated months (common random numbers), replication r
from ``SeedSequence([seed, r])`` whatever the executor, so sequential equals parallel. Reads the
hidden ``declines`` table (through ``evaluate.measure``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from kpisim.analysis.alerts.evaluate import measure, summarise
from kpisim.analysis.runner import run_replications
from kpisim.io.eventlog import EventLog
from kpisim.policy.alerts_models import AlertRules
from kpisim.scenario.declines import STUDY_DECLINES, Declines
from kpisim.scenario.models import Scenario


@dataclass
class AlertStudy:
    """Result of :func:`alert_study`.

    Attributes:
        summary: one row per (rules file, rule): ``rules_id`` then the columns of
            ``evaluate.summarise`` (false alarms per agent-month, declines, missed share, delay).
        exposure: per (rules file, rule, replication) counts; declines: per (rules file, rule,
            hidden decline) whether and when it was detected.
    """

    summary: pd.DataFrame
    exposure: pd.DataFrame
    declines: pd.DataFrame


def _measure_all(log: EventLog, *, rules: list[AlertRules]) -> list[tuple[pd.DataFrame, pd.DataFrame]]:
    return [measure(log, r) for r in rules]


def alert_study(
    scenario: Scenario,
    rules: AlertRules | Sequence[AlertRules],
    *,
    declines: Declines | None = STUDY_DECLINES,
    seed: int = 1,
    replications: int = 4,
    jobs: int | None = 1,
    executor: Any = None,
    progress: bool | str = False,
) -> AlertStudy:
    """Simulate ``replications`` months of ``scenario`` with hidden declines; judge every rule.

    Args:
        scenario: the centre.
        rules: one rules file or several (compared on the same months).
        declines: the hidden declines and off-days to simulate (default: ``STUDY_DECLINES``,
            documented in docs/alerts.md); None keeps the scenario's own ``declines``.
        seed, replications: replication r uses ``SeedSequence([seed, r])``.
        jobs, executor, progress: as in :func:`kpisim.analysis.runner.run_replications`.
    """
    files = [rules] if isinstance(rules, AlertRules) else list(rules)
    sc = scenario if declines is None else scenario.model_copy(update={"declines": declines})
    results = run_replications(
        sc,
        _measure_all,
        seed=seed,
        replications=replications,
        jobs=jobs,
        executor=executor,
        progress=progress,
        options={"rules": files},
        desc="alerts",
    )
    summaries, exposures, hidden = [], [], []
    for i, f in enumerate(files):
        exp = pd.concat([res[i][0] for res in results], ignore_index=True)
        dec = pd.concat([res[i][1] for res in results], ignore_index=True)
        summaries.append(summarise(exp, dec, f).assign(rules_id=f.id))
        exposures.append(exp.assign(rules_id=f.id))
        hidden.append(dec.assign(rules_id=f.id))
    summary = pd.concat(summaries, ignore_index=True)
    summary = summary[["rules_id", *[c for c in summary.columns if c != "rules_id"]]]
    return AlertStudy(summary, pd.concat(exposures, ignore_index=True), pd.concat(hidden, ignore_index=True))
