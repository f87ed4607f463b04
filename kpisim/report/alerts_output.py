"""Write the coaching alerts of a run (and, when the run has hidden declines, their evaluation
with the trade-off figure) to a directory, atomically."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from kpisim.io import atomic
from kpisim.plots import alert_tradeoff, save
from kpisim.provenance import MANIFEST, Manifest


def write_alerts(
    table: pd.DataFrame,
    path,
    *,
    evaluation: pd.DataFrame | None = None,
    manifest: Manifest | Mapping[str, Any] | None = None,
) -> dict[str, str]:
    """Write ``alerts.csv``, and with ``evaluation`` also ``evaluation.csv`` and the figure
    ``alert_tradeoff.png`` drawn from it, plus ``manifest.json`` (command ``alerts``), to the
    directory ``path`` (:func:`kpisim.io.atomic.write_dir`: whole or not at all).

    Returns:
        Mapping artefact name -> file path inside ``path``.
    """
    out = Path(path)
    m = manifest if isinstance(manifest, Manifest) else Manifest.from_dict(manifest or {})
    m = m.model_copy(update={"command": "alerts"}).with_details(alerts=len(table))
    body = m.to_json_bytes()
    names = {"alerts": "alerts.csv", "manifest": MANIFEST}
    if evaluation is not None:
        names |= {"evaluation": "evaluation.csv", "figure": "alert_tradeoff.png"}

    def build(d: Path) -> None:
        table.to_csv(d / "alerts.csv", index=False)
        if evaluation is not None:
            evaluation.to_csv(d / "evaluation.csv", index=False)
            save(alert_tradeoff(evaluation), d / "alert_tradeoff.png")
        (d / MANIFEST).write_bytes(body)

    atomic.write_dir(out, build)
    return {k: str(out / v) for k, v in names.items()}


def write_alert_study(study, path, *, manifest: Manifest | Mapping[str, Any] | None = None) -> dict[str, str]:
    """Write an ``AlertStudy``: ``summary.csv`` (the figure's data), ``exposure.csv``,
    ``declines.csv``, the figure ``alert_tradeoff.png`` and ``manifest.json`` (command
    ``alert_study``) to the directory ``path``, whole or not at all.

    Returns:
        Mapping artefact name -> file path inside ``path``.
    """
    out = Path(path)
    m = manifest if isinstance(manifest, Manifest) else Manifest.from_dict(manifest or {})
    body = m.model_copy(update={"command": "alert_study"}).to_json_bytes()
    names = {
        "summary": "summary.csv",
        "exposure": "exposure.csv",
        "declines": "declines.csv",
        "figure": "alert_tradeoff.png",
        "manifest": MANIFEST,
    }

    def build(d: Path) -> None:
        for name in ("summary", "exposure", "declines"):
            getattr(study, name).to_csv(d / names[name], index=False)
        save(alert_tradeoff(study.summary), d / names["figure"])
        (d / MANIFEST).write_bytes(body)

    atomic.write_dir(out, build)
    return {k: str(out / v) for k, v in names.items()}
