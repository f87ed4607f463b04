"""The ipywidgets of the what-if panel (imported only when a panel is shown)."""

from __future__ import annotations

import html
from typing import Any


def results_html(ex) -> str:
    """The results box: cost vs baseline, winners and losers, pay vs true skill, update time."""
    from kpisim.report.format import money, pct

    r, cur = ex.last, ex.comp.currency
    if r.get("error"):
        return f"<div style='color:#b35c00'>⚠ edit refused: {html.escape(r['error'])}</div>"
    rows = [
        ("Cost per month", money(r["cost_cents"], cur, decimals=0)),
        (
            "vs baseline",
            f"{money(r['diff_cents'], cur, sign=True, decimals=0)} ({pct(r['diff_pct'], sign=True)})",
        ),
        (
            f"Agent-months gaining / losing > {money(ex.threshold_cents, cur, decimals=0)}",
            f"{pct(r['share_gain'], decimals=0)} / {pct(r['share_lose'], decimals=0)}",
        ),
        ("Pay vs true skill (correlation)", f"{r['validity_pay']:.2f}"),
        ("Update took", f"{1000 * r['seconds']:.0f} ms"),
    ]
    cells = "".join(
        f"<tr><th style='text-align:left'>{html.escape(a)}</th><td>{html.escape(b)}</td></tr>"
        for a, b in rows
    )
    return f"<table>{cells}</table>"


def build(ex) -> dict[str, Any]:
    """The widgets of ``ex`` (an :class:`~kpisim.widgets.explore.Explorer`), wired to it."""
    import ipywidgets as w

    out = w.HTML()
    sliders = {}
    groups: dict[str, list] = {"weight": [], "edge": [], "pool": []}
    for k in ex.knobs:
        s = w.FloatSlider(
            value=ex.values[k.key],
            min=k.lo,
            max=k.hi,
            step=k.step,
            description=k.label,
            continuous_update=False,
            style={"description_width": "260px"},
            layout=w.Layout(width="560px"),
        )

        def changed(change, key=k.key):
            if not ex._syncing:  # a slider moved by a rebalance is not a new edit
                ex.set(**{key: change["new"]})

        s.observe(changed, names="value")
        sliders[k.key] = s
        groups[k.key.split(":", 1)[0]].append(s)
    titles = {"weight": "Component weights", "edge": "Tier edges", "pool": "Pool split shares (%)"}
    acc = w.Accordion(children=[w.VBox(v) for v in groups.values() if v])
    for i, name in enumerate(n for n, v in groups.items() if v):
        acc.set_title(i, titles[name])
    path = w.Text(value=f"{ex.key}_whatif.yaml", description="save as", layout=w.Layout(width="420px"))
    button = w.Button(description="Write policy YAML", icon="save")
    saved = w.HTML()

    def save(_):
        saved.value = f"wrote {html.escape(str(ex.save(path.value)))}"

    button.on_click(save)
    title = w.HTML(f"<b>What if: {html.escape(str(getattr(ex.original, 'name', ex.key)))}</b>")
    root = w.VBox([title, acc, out, w.HBox([path, button]), saved])
    return {"root": root, "out": out, "sliders": sliders, "button": button, "path": path, "saved": saved}
