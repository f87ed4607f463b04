"""Assemble the calibrated parts into a validated ``Scenario`` and write it as YAML."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import yaml

from kpisim.analysis.calibrate.base import Part
from kpisim.analysis.calibrate.prep import Hours
from kpisim.io.load import validate
from kpisim.scenario.models import Scenario


def _clock(m: int) -> str:
    return f"{m // 60:02d}:{m % 60:02d}"


def _trait(values: np.ndarray, kind: str, weights: np.ndarray | None = None) -> dict:
    """Group trait distribution from its agents' (shrunk) traits. Multiplicative traits: mean of
    the multipliers, sd of their logs (de-shrunk by the mean weight on own data when given)."""
    v = np.asarray(values, dtype=float)
    v = v[~np.isnan(v)]
    if v.size == 0:
        return {"mean": 1.0 if kind == "mult" else 0.0, "sd": 0.0}
    x = np.log(v) if kind == "mult" else v
    var = float(np.var(x, ddof=1)) if v.size > 1 else 0.0
    if weights is not None and np.nanmean(weights) > 0.05:
        var /= float(np.nanmean(weights))
    mean = float(v.mean())
    return {"mean": round(mean, 4), "sd": round(float(np.sqrt(var)), 4)}


def build_scenario(
    parts: dict[str, Part], contacts: pd.DataFrame, hours: Hours, *, interval_min: int, scenario_id: str
) -> Scenario:
    arr, hnd, pat, cht, out, wf = (
        parts[k] for k in ("arrivals", "handle", "patience", "chat", "outcomes", "workforce")
    )
    channel = contacts.groupby("queue")["channel"].agg(lambda s: s.mode().iat[0]).to_dict()
    qa_sd = wf.values.get("qa_sd")
    queues = {}
    for q in sorted(channel):
        a = arr.values["queues"][q]
        h = hnd.values["queues"].get(q, {"handle": {"dist": "exponential", "mean_s": 300.0}})
        o = out.values["queues"][q]
        outcomes = {k: o[k] for k in ("kind", "resolve", "survey", "complaint", "praise") if k in o}
        outcomes["transfer"] = round(float(o["transfer"]), 4)
        if o["transfer"] > 0:
            outcomes["transfer_to"] = o.get("transfer_to", q)
        for k in (
            "return_delay_h",
            "conversion",
            "order_value_cents",
            "order_value_cv",
            "refund",
            "rescue_opportunity",
            "rescue",
            "satisfaction",
        ):
            if k in o:
                outcomes[k] = o[k]
        outcomes["max_attempts"] = int(out.values["max_attempts"])
        if qa_sd is not None:
            outcomes["qa_sd"] = qa_sd
        spec = {
            "channel": channel[q],
            "daily_volume": a["daily_volume"],
            "weekday_factor": a["weekday_factor"],
            "profile": a["profile"],
            **h,
            "outcomes": outcomes,
        }
        if pat.values["queues"].get(q):
            spec["patience"] = pat.values["queues"][q]
        if channel[q] == "chat" and cht.values["queues"].get(q):
            spec["chat"] = cht.values["queues"][q]
        queues[q] = spec
    agent_out = out.tables["agent_outcomes"].set_index("agent_id")
    speed = hnd.tables["agent_speed"].set_index("agent_id")
    group_of = pd.Series(wf.values["group_of"])
    groups = []
    served = set()
    for g in wf.values["groups"]:
        ids = group_of[group_of == g["name"]].index
        sp = speed.reindex(ids)
        ao = agent_out.reindex(ids)
        traits = {
            "speed": _trait(sp["speed"], "mult", sp["weight_on_own_data"]),
            "resolution": _trait(ao["trait_resolution"], "mult"),
            "sales": _trait(ao["trait_sales"], "mult"),
            "order_value": _trait(ao["trait_order_value"], "mult"),
            "courtesy": _trait(ao["trait_courtesy"], "add"),
        }
        if "qa" in wf.values and g["name"] in wf.values["qa"]:
            traits["qa"] = wf.values["qa"][g["name"]]
        g = {**g, "traits": traits}
        if not g["skills"]:
            g["skills"] = {sorted(queues)[0]: 1}
        served |= set(g["skills"])
        groups.append(g)
    for q in queues:  # a queue nobody answered is still served by every group, last in priority
        if q not in served:
            for g in groups:
                g["skills"][q] = 3
    start = hours.start.date()
    data = {
        "id": scenario_id,
        "name": f"Calibrated from {scenario_id}",
        "description": "Written by kpisim calibrate; see calibration.html for every estimate and its uncertainty.",
        "horizon": {
            "start": start,
            "days": hours.days,
            "interval_min": interval_min,
            "open": {"default": [_clock(hours.open_min), _clock(hours.close_min)]},
        },
        "queues": queues,
        "multipliers": arr.values["multipliers"],
        "agents": groups,
        "qa_samples_per_month": wf.values.get("qa_samples_per_month", 0),
    }
    if "silent_orders" in wf.values:
        data["silent_orders"] = wf.values["silent_orders"]
    return validate(Scenario, _plain(data), f"<calibrated {scenario_id}>")


def _plain(x):
    """numpy scalars -> Python scalars, recursively (for pydantic and YAML)."""
    if isinstance(x, dict):
        return {str(k): _plain(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_plain(v) for v in x]
    if isinstance(x, np.generic):
        return x.item()
    return x


def scenario_yaml(scenario: Scenario, header: str = "") -> str:
    """The scenario as YAML (fields at their default left out), with an optional comment header."""
    data = scenario.model_dump(mode="json", exclude_defaults=True)
    data = {"id": scenario.id, **data}
    for q in data.get("queues", {}).values():
        if isinstance(q.get("profile"), list):
            q["profile"] = [float(v) for v in q["profile"]]

    class _Dumper(yaml.SafeDumper):
        pass

    def _flow_list(dumper, value):
        flow = all(not isinstance(v, dict | list) for v in value)
        return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flow)

    _Dumper.add_representer(list, _flow_list)
    _Dumper.add_representer(
        dt.date, lambda d, v: d.represent_scalar("tag:yaml.org,2002:timestamp", v.isoformat())
    )
    body = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=110)
    lines = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines())
    return lines + body
