"""Write the bundled sample export: ``kpisim/data/sample_export.csv`` + roster + mapping.

The export looks like a chat platform's session report (vendor column names, day-first string
timestamps, Y/N flags, amounts in currency units) and contains a few deliberately bad rows of
every kind the importer checks. Its contacts come from one simulated month of
``scenarios/shop_chat.yaml`` (seed 7): every contact of the customers whose id is a multiple of
``--every`` (so repeat contacts stay together and FCR is measurable). With ``--source synthetic``
it uses ``kpisim.testing.synth.synthetic_log`` instead (numpy only, no simulation).

The output is deterministic: same arguments => byte-identical files.

    python scripts/make_sample_export.py            # rewrite kpisim/data/sample_*
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "kpisim" / "data"
FMT = "%d/%m/%Y %H:%M:%S"

MAPPING = """\
# Column mapping of the bundled sample export (see docs/import.md).
scenario_id: sample_shop
columns:
  Session ID: contact_id
  Customer: customer_id
  Channel: channel
  Skill Group: queue
  Agent: agent_id
  Start Time: arrival_at
  Answer Time: answered_at
  End Time: ended_at
  Wrap End: wrap_up_end_at
  Wait (s): wait_s
  Abandoned: abandoned
  Transferred: transferred
  Paid Order: converted
  Order Amount: order_value_cents
  Refunded: refunded
  Save Case: rescue_opportunity
  Saved: rescued
  Rating: csat
  NPS: nps
  Complaint: complaint
  Praise: praise
  First Response (s): first_response_s
  Response Time Total (s): response_time_sum_s
  Replies: response_count
  Customer Msgs: customer_msgs
  Agent Msgs: agent_msgs
  System Msgs: system_msgs
  Replied: replied
  Invalid: invalid
time_format: "%d/%m/%Y %H:%M:%S"
true_values: ["Y"]
false_values: ["N", ""]
money_unit: units
recode:
  channel: {"Web Chat": chat, "Phone": voice}
  queue: {"Pre-sales": presales, "After-sales": aftersales, "Support": voice_support}
roster:
  columns:
    Agent: agent_id
    Team: team
    Shift: shift
    Tenure: tenure_group
    Max Chats: max_concurrency
"""

_QUEUE = {"presales": "Pre-sales", "aftersales": "After-sales", "voice_support": "Support"}
_CHANNEL = {"chat": "Web Chat", "voice": "Phone"}


def source_log(source: str, every: int):
    """Contacts + agents to export (simulated or synthetic)."""
    if source == "sim":
        import kpisim

        log = kpisim.simulate(kpisim.load_scenario(ROOT / "scenarios" / "shop_chat.yaml"), seed=7)
        c = log.contacts
        c = c[c["customer_id"] % every == 0]
        return c.reset_index(drop=True), log.agents
    from kpisim.testing.synth import synthetic_log

    log = synthetic_log(
        4000, n_agents=24, n_teams=4, days=30, start="2026-11-01", seed=7, states_per_contact=0.1
    )
    return log.contacts, log.agents


def _t(s: pd.Series) -> pd.Series:
    return s.dt.floor("s").dt.strftime(FMT).fillna("")


def _yn(s: pd.Series) -> pd.Series:
    return np.where(s.to_numpy(dtype=bool), "Y", "N")


def _num(s: pd.Series, decimals: int) -> pd.Series:
    x = s.to_numpy(dtype=float, na_value=np.nan)
    return pd.Series([("" if np.isnan(v) else f"{v:.{decimals}f}") for v in x])


def export_frame(c: pd.DataFrame) -> pd.DataFrame:
    """The vendor-style export of a contacts table (all values as text)."""
    c = c.sort_values(["arrival_at", "contact_id"], kind="stable").reset_index(drop=True)
    ints = lambda s: s.astype("Int64").astype("string").fillna("")  # noqa: E731
    return pd.DataFrame(
        {
            "Session ID": (700000 + c["contact_id"]).astype(str),
            "Customer": "C" + c["customer_id"].astype(str).str.zfill(6),
            "Channel": c["channel"].map(_CHANNEL),
            "Skill Group": c["queue"].map(_QUEUE),
            "Agent": c["agent_id"].fillna(""),
            "Start Time": _t(c["arrival_at"]),
            "Answer Time": _t(c["answered_at"]),
            "End Time": _t(c["ended_at"]),
            "Wrap End": _t(c["wrap_up_end_at"]),
            "Wait (s)": _num(c["wait_s"], 1),
            "Abandoned": _yn(c["abandoned"]),
            "Transferred": _yn(c["transferred"]),
            "Paid Order": _yn(c["converted"]),
            "Order Amount": [f"{v // 100}.{v % 100:02d}" if v else "" for v in c["order_value_cents"]],
            "Refunded": _yn(c["refunded"]),
            "Save Case": _yn(c["rescue_opportunity"]),
            "Saved": _yn(c["rescued"]),
            "Rating": ints(c["csat"]),
            "NPS": ints(c["nps"]),
            "Complaint": _yn(c["complaint"]),
            "Praise": _yn(c["praise"]),
            "First Response (s)": _num(c["first_response_s"], 1),
            "Response Time Total (s)": _num(c["response_time_sum_s"], 1),
            "Replies": ints(c["response_count"]),
            "Customer Msgs": ints(c["customer_msgs"]),
            "Agent Msgs": ints(c["agent_msgs"]),
            "System Msgs": ints(c["system_msgs"]),
            "Replied": _yn(c["replied"]),
            "Invalid": _yn(c["invalid"]),
            "Browser": np.where(c["contact_id"] % 3 == 0, "Chrome", "Safari"),  # not mapped: ignored
        }
    )


#: (kind, column, how to spoil the value) -- each applied to two answered rows
SPOILERS = (
    ("bad time", "Start Time", lambda r: "31/02/2026 25:61:00"),
    ("bad number", "Wait (s)", lambda r: "12,5s"),
    ("bad boolean", "Abandoned", lambda r: "maybe"),
    ("time zone", "End Time", lambda r: r["End Time"] + "+01:00"),
    ("empty required", "Start Time", lambda r: ""),
    ("out of range", "Rating", lambda r: "7"),
    ("unknown agent", "Agent", lambda r: "ghost-99"),
    ("negative duration", "Wait (s)", lambda r: "-15.0"),
    (
        "answered before arrival",
        "Answer Time",
        lambda r: (pd.to_datetime(r["Start Time"], format=FMT) - pd.Timedelta(seconds=60)).strftime(FMT),
    ),
    (
        "ended before answered",
        "End Time",
        lambda r: (pd.to_datetime(r["Answer Time"], format=FMT) - pd.Timedelta(seconds=30)).strftime(FMT),
    ),
)


def spoil(df: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Damage a few answered rows (two per kind) and duplicate two Session IDs."""
    rng = np.random.default_rng(seed)
    df = df.copy()
    answered = np.flatnonzero((df["Answer Time"] != "").to_numpy())
    rows = rng.choice(answered, size=2 * len(SPOILERS) + 2, replace=False)
    for k, (_, col, how) in enumerate(SPOILERS):
        for i in rows[2 * k : 2 * k + 2]:
            df.loc[i, col] = how(df.loc[i])
    for i in rows[-2:]:  # a later row re-uses an earlier Session ID (re-exported session)
        df.loc[i, "Session ID"] = df.loc[max(i - 5, 0), "Session ID"]
    return df


def roster_frame(agents: pd.DataFrame) -> pd.DataFrame:
    return (
        pd.DataFrame(
            {
                "Agent": agents["agent_id"],
                "Team": agents["team"],
                "Shift": agents["shift"],
                "Tenure": agents["tenure_group"],
                "Max Chats": agents["max_concurrency"],
            }
        )
        .sort_values("Agent")
        .reset_index(drop=True)
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", choices=("sim", "synthetic"), default="sim")
    ap.add_argument("--every", type=int, default=40, help="keep customers whose id is a multiple of this")
    ap.add_argument("--out", default=str(OUT))
    args = ap.parse_args(argv)
    contacts, agents = source_log(args.source, args.every)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    export = spoil(export_frame(contacts), seed=7)
    export.to_csv(out / "sample_export.csv", index=False, lineterminator="\n")
    roster_frame(agents).to_csv(out / "sample_roster.csv", index=False, lineterminator="\n")
    (out / "sample_mapping.yaml").write_text(MAPPING, encoding="utf-8")
    print(
        f"wrote {out}/sample_export.csv ({len(export)} rows, source {args.source}), "
        f"sample_roster.csv ({len(agents)} agents), sample_mapping.yaml"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
