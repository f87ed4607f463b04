"""What the command line says about itself: the help formatter (every option's default shown),
each command's examples (epilogs), money options in currency units with the old ``--*-cents``
spellings kept as hidden aliases, ``--quiet``, and the short summary tables printed at the end of
``compare`` and ``staffing``."""

from __future__ import annotations

import argparse
from decimal import Decimal, InvalidOperation

EPILOGS: dict[str, str] = {
    "simulate": """examples:
  kpisim simulate scenarios/shop_chat.yaml --seed 1 --out runs/shop
  kpisim simulate scenarios/phone_centre.yaml --replications 4 --population redraw --out runs/phone""",
    "validate": """examples:
  kpisim validate scenarios/shop_chat.yaml
  kpisim validate scenarios/policies/s1_xiyu_289.yaml""",
    "kpis": """examples:
  kpisim kpis runs/shop --out kpis.csv
  kpisim kpis runs/shop --by team,shift --period week --out team_weeks.parquet
  kpisim kpis export.csv --mapping mapping.yaml --roster roster.csv --quarantine bad.csv --out kpis.csv""",
    "score": """examples:
  kpisim score runs/shop --policy scenarios/policies/s1_xiyu_289.yaml --out pay.csv
  kpisim score kpis.csv --policy scenarios/policies/s4_callcentre.yaml --inputs ratings.csv --out pay.csv""",
    "compare": """examples:
  kpisim compare scenarios/shop_chat.yaml --policy scenarios/policies/s1_xiyu_289.yaml \\
      --policy scenarios/policies/s3_kuaishangtong_presales.yaml --baseline s1_xiyu_289 --out out/shop
  kpisim compare scenarios/shop_chat.yaml --policy A.yaml --policy B.yaml --budget 150000 \\
      --threshold 50 --replications 16 --levers --out out/ab

Writes report.html (summary first), CSV tables, PNG figures and manifest.json to --out.
Amounts are in currency units (yuan for CNY); the old --budget-cents / --threshold-cents still work.""",
    "staffing": """examples:
  kpisim staffing scenarios/phone_centre.yaml --out out/staffing
  kpisim staffing scenarios/phone_centre.yaml --headcounts 30,34,38,42 --target-sl 0.8 \\
      --threshold-s 20 --days 7 --hourly-cost 30 --out out/staffing
  kpisim staffing scenarios/phone_centre.yaml --headcounts 30,36,42 \
      --policy scenarios/policies/s4_callcentre.yaml --inputs ratings.csv --out out/staffing_pay

Prints one recommended headcount (the smallest simulated headcount meeting the target) and writes
staffing.html, CSV tables, PNG figures and manifest.json to --out. With --policy (repeatable, as
for compare) it also pays every agent under each plan: pay per agent a month by headcount.""",
    "calibrate": """examples:
  kpisim calibrate kpisim/data/sample_export.csv --mapping kpisim/data/sample_mapping.yaml \\
      --roster kpisim/data/sample_roster.csv --customer-share 0.025 --out out/calibrated/scenario.yaml
  kpisim calibrate EXPORT_DIR --mapping EXPORT_DIR/mapping.yaml --out out/calibrated/scenario.yaml

Writes a validated scenario YAML and, beside it, calibration.html, observed-vs-fitted CSVs and a
manifest; every estimate with its 95 % interval (docs/calibrate.md).""",
    "design": """examples:
  kpisim design scenarios/shop_chat.yaml --policy scenarios/policies/s3_kuaishangtong_presales.yaml \\
      --space scenarios/design/s3_space.yaml --budget 150000 --trials 300 --out out/design

Simulates the months once, re-scores them for each trial plan, and writes the Pareto front (CSV +
PNG), the chosen plans as policy YAML and their check on held-out months (docs/design.md).""",
    "alerts": """examples:
  kpisim alerts runs/phone --rules scenarios/alerts/s4_coaching.yaml
  kpisim alerts runs/phone --rules scenarios/alerts/daily_threshold.yaml --out out/alerts

Lists the alerts (agent or team, rule, date, metric value). When the run was simulated with hidden
declines (scenario field declines:), also judges the rules against them (docs/alerts.md).""",
    "year": """examples:
  kpisim year scenarios/shop_chat.yaml --policy scenarios/policies/s3_kuaishangtong_presales.yaml --out out/year
  kpisim year scenarios/shop_chat.yaml --policy scenarios/timelines/s1_then_s3.yaml --months 6 --out out/s1_year

Carries one team month to month: the plan's consequences happen (promotion, demotion, elimination
with notice), agents resign (about 25 % a year by default), posts are refilled after a hiring
delay, new agents learn. Writes year.html, CSV tables, PNG figures, manifest.json (docs/time.md).""",
    "schema": """examples:
  kpisim schema scenario > scenario.schema.json
  kpisim schema policy""",
}


class Formatter(argparse.RawDescriptionHelpFormatter):
    """Keeps the epilog's line breaks and adds "(default: X)" to an option's help unless its text
    already names its default."""

    def _get_help_string(self, action: argparse.Action) -> str:
        h = action.help or ""
        if (
            "default" not in h
            and action.default not in (None, False, argparse.SUPPRESS)
            and action.option_strings
        ):
            h += " (default: %(default)s)"
        return h


def subcommand(sub, name: str, help: str) -> argparse.ArgumentParser:
    """A command's parser: its help as description, its examples as epilog, defaults shown."""
    return sub.add_parser(
        name,
        help=help,
        description=help[:1].upper() + help[1:] + ".",
        epilog=EPILOGS.get(name),
        formatter_class=Formatter,
    )


def cmd_schema(args: argparse.Namespace) -> int:
    """``kpisim schema scenario|policy|alerts``: the JSON Schema on stdout."""
    import sys

    from kpisim.policy.jsonschema import schema_json

    sys.stdout.write(schema_json(args.kind))
    return 0


def money_units(text: str) -> int:
    """An amount in currency units ("150000", "1,234.50") as integer cents."""
    allowed = "an amount >= 0 in currency units with at most 2 decimals, e.g. 150000 or 49.90"
    try:
        v = Decimal(text.replace(",", "").replace("_", ""))
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"{text!r} is not allowed; give {allowed}") from None
    if not v.is_finite() or v < 0 or (v * 100) != (v * 100).to_integral_value():
        raise argparse.ArgumentTypeError(f"{text!r} is not allowed; give {allowed}")
    return int(v * 100)


def add_money(
    p: argparse.ArgumentParser, name: str, *, dest: str, help: str, default_cents=None, cents_type=None
):
    """``--NAME AMOUNT`` in currency units, and ``--NAME-cents`` (hidden, the old spelling) to the
    same ``dest`` (integer cents)."""
    shown = f"{default_cents / 100:,.2f}".rstrip("0").rstrip(".") if default_cents is not None else None
    p.add_argument(
        f"--{name}",
        dest=dest,
        metavar="AMOUNT",
        type=money_units,
        default=default_cents,
        help=help + (f" (default: {shown})" if shown is not None else ""),
    )
    p.add_argument(f"--{name}-cents", dest=dest, type=cents_type or int, help=argparse.SUPPRESS)


def add_quiet(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="no progress on stderr (a bar in a terminal, timestamped lines otherwise); results still print",
    )


def progress_mode(args: argparse.Namespace) -> bool | str:
    """What the runner is asked to show: nothing with --quiet, else a bar or plain lines."""
    return False if getattr(args, "quiet", False) else "auto"


def table(rows: list[list[str]], headers: list[str]) -> str:
    """A small aligned text table (numbers right-aligned)."""
    cols = list(zip(headers, *rows, strict=True))
    widths = [max(len(str(c)) for c in col) for col in cols]

    def fmt(row, head=False):
        out = []
        for i, (v, w) in enumerate(zip(row, widths, strict=True)):
            v = str(v)
            out.append(
                v.ljust(w)
                if i == 0 or head or not v[:1].lstrip("+−-").replace(".", "").isdigit()
                else v.rjust(w)
            )
        return "  ".join(out).rstrip()

    lines = [fmt(headers, True), "  ".join("-" * w for w in widths)]
    lines += [fmt(r) for r in rows]
    return "\n".join(lines)


def compare_summary(comp, *, threshold_cents: int = 5000) -> str:
    """The short table printed at the end of ``kpisim compare``."""
    from kpisim.report.comparison_page import display_names
    from kpisim.report.format import money, pct

    names = display_names(comp)
    cost = comp.cost()
    fair = comp.fairness().set_index("policy")
    wl = comp.winners_losers(threshold_cents=threshold_cents) if len(comp.policies) > 1 else None
    cur = comp.currency
    base = cost.loc[cost["policy"] == comp.baseline, "total_cents"].iloc[0]
    rows = []
    for _, r in cost.iterrows():
        p = r["policy"]
        w = None if wl is None else wl[(wl["policy"] == p) & (wl["band"] == 0)]
        gain = (
            "–"
            if w is None or w.empty
            else f"{pct(w.iloc[0]['share_gain'], decimals=0)} / {pct(w.iloc[0]['share_lose'], decimals=0)}"
        )
        rows.append(
            [
                ("* " if p == comp.baseline else "  ") + _short(names.get(p, p)),
                money(r["total_cents"], cur, unit=False, decimals=0),
                "–"
                if p == comp.baseline
                else f"{money(r['diff_cents'], cur, unit=False, sign=True, decimals=0)} ({pct(r['diff_cents'] / base, sign=True)})",
                gain,
                f"{fair.loc[p, 'validity_pay']:.2f}" if p in fair.index else "–",
            ]
        )
    head = ["plan (* baseline)", f"cost/month {cur}", "vs baseline", "gain / lose", "pay vs skill (corr.)"]
    note = f"gain / lose: share of agent-months whose pay moves more than {money(threshold_cents, cur, decimals=0)} against the baseline"
    return table(rows, head) + "\n" + note


def _short(name: str, width: int = 44) -> str:
    return name if len(name) <= width else name[: width - 1].rstrip() + "…"


def staffing_summary(study) -> str:
    """The short table printed at the end of ``kpisim staffing``."""
    from kpisim.report.format import pct

    rows = []
    for _, r in study.sweep.iterrows():
        rows.append(
            [
                str(int(r["agents"])) + (" *" if int(r["agents"]) == (study.recommended or -1) else ""),
                f"{pct(r['service_level'])} [{pct(r['service_level_lo'])}, {pct(max(0.0, min(1.0, r['service_level_hi'])))}]",
                f"{r['asa_s']:.1f}",
                pct(r["abandon_rate"]),
                pct(r["occupancy"]),
                "yes" if bool(r.get("mean_meets_target")) else "no",
            ]
        )
    return table(rows, ["agents", "service level [95 %]", "ASA s", "abandoned", "occupancy", "meets target"])


def staffing_pay_lines(study, *, currency: str = "CNY") -> list[str]:
    """One line per pay plan of ``kpisim staffing --policy``: its mean pay per agent a month at the
    recommended headcount, or at each end of the sweep when none is recommended."""
    from kpisim.report.format import money
    from kpisim.report.staffing_pay import PREFIX

    sweep, best = study.sweep, study.recommended
    rows = [sweep[sweep["agents"] == best].iloc[0]] if best is not None else [sweep.iloc[0], sweep.iloc[-1]]
    out = []
    for key, name in study.plan_names.items():
        col = f"{PREFIX}{key}"
        at = "; ".join(
            f"{money(r[col], currency)} [{money(r[f'{col}_lo'], currency, unit=False)}, "
            f"{money(r[f'{col}_hi'], currency, unit=False)}] at {int(r['agents'])} agents"
            for r in rows
        )
        where = "at the recommended headcount" if best is not None else "at each end of the sweep"
        out.append(f"pay per agent a month under {name!r} ({where}): {at}")
    return out


def narrow_hint(study) -> str:
    """Why the Erlang headcount is not the recommendation, and how to narrow it (or "")."""
    from kpisim.report.staffing_page import erlang_note

    return erlang_note(study.sweep, study.check) or ""
