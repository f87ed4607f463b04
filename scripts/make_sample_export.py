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

from kpisim.testing.export import export_frame, mapping_text, roster_frame, spoil

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "kpisim" / "data"


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
    (out / "sample_mapping.yaml").write_text(
        mapping_text(["presales", "aftersales", "voice_support"]), encoding="utf-8"
    )
    print(
        f"wrote {out}/sample_export.csv ({len(export)} rows, source {args.source}), "
        f"sample_roster.csv ({len(agents)} agents), sample_mapping.yaml"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
