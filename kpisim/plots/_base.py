"""Shared helpers of the figures: the lazy pyplot import (Agg backend), CI error bars, tick labels, and ``save``.

Nothing here imports matplotlib at import time; ``_plt()`` does it on first use.
"""

from __future__ import annotations

import pandas as pd

#: resolution of saved figures (sharp on a laptop screen and in print)
DPI = 150


def _plt():
    import matplotlib

    if matplotlib.get_backend().lower() not in ("agg", "module://matplotlib_inline.backend_inline"):
        matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def _err(df: pd.DataFrame, col: str, scale: float = 1.0):
    lo = (df[col] - df[f"{col}_lo"]).clip(lower=0).fillna(0) * scale
    hi = (df[f"{col}_hi"] - df[col]).clip(lower=0).fillna(0) * scale
    return [lo.to_numpy(), hi.to_numpy()]


def _xticks(ax, labels) -> None:
    labels = [str(v) for v in labels]
    multiline = any("\n" in v for v in labels)
    ax.set_xticks(
        range(len(labels)),
        labels,
        rotation=0 if multiline else 30,
        ha="center" if multiline else "right",
        fontsize=8,
    )


def save(fig, path) -> None:
    """Write ``fig`` as PNG atomically and close it."""
    from kpisim.io.atomic import replacing

    plt = _plt()
    try:
        with replacing(path) as tmp:
            fig.savefig(tmp, dpi=DPI, format="png", bbox_inches="tight")
    finally:
        plt.close(fig)
