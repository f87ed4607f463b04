"""Per-row contributions of outbound campaigns to the additive KPI columns: outbound contacts,
dial attempts and calling-list records (see ``metrics_outbound.py``), vectorised."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kpisim.vocab import PICKED_UP_OUTCOMES


def outbound_mask(contacts: pd.DataFrame) -> np.ndarray:
    """True for outbound contacts (a table without ``direction`` has none)."""
    if "direction" not in contacts:
        return np.zeros(len(contacts), dtype=bool)
    return (contacts["direction"] == "outbound").to_numpy(dtype=bool, na_value=False)


def outbound_contact_values(df: pd.DataFrame, need: list[str]) -> dict[str, np.ndarray]:
    """Per-contact values of the outbound contact columns (0 for inbound contacts, except
    ``n_calls_handled``, which counts both directions)."""
    out = outbound_mask(df)
    rules = {
        "n_outbound_calls": lambda: out,
        "n_calls_handled": lambda: df["answered_at"].notna().to_numpy(),
        "sum_outbound_talk_s": lambda: np.where(
            out, np.nan_to_num(df["handle_s"].to_numpy(dtype=np.float64, na_value=np.nan)), 0.0
        ),
        "n_outbound_sales": lambda: out & df["converted"].to_numpy(dtype=bool, na_value=False),
    }
    return {c: rules[c]() for c in need if c in rules}


def dial_values(df: pd.DataFrame, need: list[str]) -> dict[str, np.ndarray]:
    """Per-attempt values of the dial columns."""
    outcome = df["outcome"]
    rules = {
        "n_dials": lambda: np.ones(len(df), dtype=bool),
        "n_dials_picked_up": lambda: outcome.isin(PICKED_UP_OUTCOMES).to_numpy(dtype=bool, na_value=False),
        "n_dials_connected": lambda: (outcome == "connected").to_numpy(dtype=bool, na_value=False),
    }
    return {c: rules[c]() for c in need if c in rules}


def record_values(df: pd.DataFrame, need: list[str]) -> dict[str, np.ndarray]:
    """Per-record values of the calling-list columns."""
    rules = {
        "n_records": lambda: np.ones(len(df), dtype=bool),
        "n_records_attempted": lambda: df["attempts"].to_numpy(dtype=np.int64, na_value=0) > 0,
        "n_records_exhausted": lambda: (df["status"] == "exhausted").to_numpy(dtype=bool, na_value=False),
        "n_records_converted": lambda: df["converted"].to_numpy(dtype=bool, na_value=False),
    }
    return {c: rules[c]() for c in need if c in rules}
