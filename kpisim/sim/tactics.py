"""Where an agent chooses how to behave: per-agent tactic intensities and their effects in a run.

A ``TacticPlan`` holds one replication's intensities (agents x ``vocab.TACTICS``, each 0..1) and
the scenario's ``Behaviour`` parameters, and is the one place the simulator consults them:

- before the run (``adjust_staff``): rush and genuine effort change speed and resolution odds,
  cherry-picking sets the chat stall levers, limit_concurrency cuts session slots;
- during the run (``on_answer``, ``on_talk_end``, ``extra_wrap``, called by the engine): early
  release, transfer dumping and availability avoidance, decided with per-contact uniforms of the
  ``tactics`` stream taken by contact index (contact c always gets the c-th triple);
- after the run (``outcome_factors``, ``survey_kept``, ``detected``): sales push, rush and effort
  on satisfaction and sales, survey selection, and QA / complaint detection of gaming (the
  ``detection`` stream).

With no plan (``tactics=None``) or all intensities 0 nothing changes and no existing stream is
drawn from, so the same seed gives the same tables as without tactics. The plan also keeps the
hidden truth of the run (which contacts were released, dumped, had their survey withheld, and
every answered customer's would-be rating) for the behaviour analyses; the KPI engine never sees it.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from kpisim.errors import KpisimError
from kpisim.scenario.behaviour import Behaviour
from kpisim.vocab import TACTICS

_T = {t: i for i, t in enumerate(TACTICS)}
_CHUNK = 4096


def intensity_matrix(roster: pd.DataFrame, tactics: pd.DataFrame | Mapping | None) -> np.ndarray:
    """Agents x tactics intensities in roster order.

    Args:
        tactics: a DataFrame indexed by ``agent_id`` (or with an ``agent_id`` column) whose
            columns are tactic names, or ``{tactic: intensity}`` for every agent; missing = 0.

    Raises:
        KpisimError: unknown tactic or an intensity outside 0..1.
    """
    x = np.zeros((len(roster), len(TACTICS)))
    if tactics is None:
        return x
    if isinstance(tactics, Mapping):
        tactics = pd.DataFrame({k: [v] * len(roster) for k, v in tactics.items()}, index=roster["agent_id"])
    df = tactics.set_index("agent_id") if "agent_id" in tactics.columns else tactics
    unknown = sorted(set(df.columns) - set(TACTICS))
    if unknown:
        raise KpisimError(f"unknown tactic(s) {unknown}; allowed: {', '.join(TACTICS)}")
    df = df.reindex(roster["agent_id"]).fillna(0.0)
    for t in df.columns:
        v = df[t].to_numpy(float)
        if np.any((v < 0) | (v > 1)):
            raise KpisimError(f"tactic {t!r}: intensities must be within 0..1, got {v.min()}..{v.max()}")
        x[:, _T[t]] = v
    return x


def _odds_mult(p: np.ndarray, mult: np.ndarray) -> np.ndarray:
    inner = (p > 0) & (p < 1)
    o = np.where(inner, p / np.where(inner, 1 - p, 1) * mult, 0)
    return np.where(inner, o / (1 + o), p)


class TacticPlan:
    """One replication's tactic intensities and their effects (see the module docstring).

    Args:
        intensity: agents x ``TACTICS`` array in roster order (``intensity_matrix``).
        behaviour: effects, costs and detection parameters.
    """

    def __init__(self, intensity: np.ndarray, behaviour: Behaviour | None = None):
        self.x = np.asarray(intensity, dtype=float)
        self.b = behaviour or Behaviour()
        self.released: set[int] = set()
        self.dumped: set[int] = set()
        self.avoided_s = np.zeros(len(self.x))
        self._u = np.empty((0, 3))
        self._rng: np.random.Generator | None = None
        self._dump_thr: list[float] = []
        self.truth: dict[str, np.ndarray] = {}

    @property
    def active(self) -> bool:
        return bool(np.any(self.x > 0))

    def col(self, tactic: str) -> np.ndarray:
        return self.x[:, _T[tactic]]

    # --- before the run ----------------------------------------------------------------------
    def adjust_staff(self, staff, scenario, rngs: dict[str, np.random.Generator]) -> None:
        """Apply rush, effort, cherry-picking and concurrency limits to the engine's staff."""
        self._rng = rngs["tactics"]
        e = self.b.effects
        rush, effort = self.col("rush"), self.col("genuine_effort")
        speed = (1 - e.rush_speed * rush) * (1 - e.effort_speed * effort)
        odds = (1 - e.rush_resolution * rush) * (1 + e.effort_resolution * effort)
        staff.p_resolve[:] = _odds_mult(staff.p_resolve, odds[:, None])
        cherry, cut = self.col("cherry_pick"), self.col("limit_concurrency")
        for a, ag in enumerate(staff.agents):
            ag.speed *= speed[a]
            if cherry[a] > 0:
                staff.cherry_share[a] = max(staff.cherry_share[a], e.cherry_share * cherry[a])
                staff.cherry_delay[a] = max(staff.cherry_delay[a], e.cherry_delay_s * cherry[a])
                staff.cherry_transfer[a] = max(staff.cherry_transfer[a], e.cherry_transfer * cherry[a])
            if cut[a] > 0 and ag.cap > 1:
                cap = max(1, int(round(ag.cap * (1 - e.concurrency_cut * cut[a]))))
                ag.cost = [cap if k == ag.cap else k for k in ag.cost]  # a call takes all slots
                ag.cap = cap
        qspecs = [scenario.queues[q] for q in scenario.queues]
        self._dump_thr = [e.dump_work * q.handle.mean_s if q.outcomes.transfer_to else np.inf for q in qspecs]

    # --- during the run ----------------------------------------------------------------------
    def _uniforms(self, c: int) -> np.ndarray:
        while c >= len(self._u):  # chunks continue one sequence: contact c gets the c-th triple
            assert self._rng is not None
            self._u = np.vstack([self._u, self._rng.random((_CHUNK, 3))])
        return self._u[c]

    def on_answer(self, c: int, a: int, q: int, work: float, handle: float) -> float:
        """Handle time of contact ``c`` after early release / dumping by agent ``a``."""
        xd, xr = self.x[a, _T["transfer_dump"]], self.x[a, _T["early_release"]]
        if xd == 0 and xr == 0:
            return handle
        u = self._uniforms(c)
        e = self.b.effects
        if xd > 0 and work > self._dump_thr[q] and u[0] < xd * e.dump_share:
            self.dumped.add(c)
            return min(handle, e.dump_handle_s)
        if xr > 0 and u[1] < xr * e.release_share:
            self.released.add(c)
            return handle * e.release_handle
        return handle

    def extra_wrap(self, c: int, a: int, peak: bool) -> float:
        """Extra not-ready time (s) after contact ``c`` (availability avoidance at peaks)."""
        xa = self.x[a, _T["availability_avoidance"]]
        if xa == 0 or not peak or self._uniforms(c)[2] >= xa * self.b.effects.avoid_share:
            return 0.0
        self.avoided_s[a] += self.b.effects.avoid_s
        return self.b.effects.avoid_s

    # --- after the run -----------------------------------------------------------------------
    def outcome_factors(self, a: np.ndarray) -> dict[str, np.ndarray]:
        """Per-contact multipliers / shifts for the contacts' agents ``a`` (roster indices)."""
        e = self.b.effects
        push, rush, eff = self.col("sales_push")[a], self.col("rush")[a], self.col("genuine_effort")[a]
        return {
            "sales_odds": (1 + e.push_odds * push) * (1 + e.effort_sales * eff),
            "complaint": 1 + e.push_complaint * push,
            "refund": 1 + e.push_refund * push,
            "csat_shift": e.effort_csat * eff - e.rush_csat * rush,
        }

    def survey_kept(self, a: np.ndarray, csat_all: np.ndarray, surveyed: np.ndarray, rng) -> np.ndarray:
        """``surveyed`` after survey selection; keeps the hidden truth (would-be ratings)."""
        u = rng.random(len(a))
        xs = self.col("survey_selection")[a]
        withheld = surveyed & (csat_all <= 3) & (u < xs * self.b.effects.survey_suppress)
        self.truth["csat_all"] = csat_all
        self.truth["survey_withheld"] = withheld
        return surveyed & ~withheld

    def detected(self, contacts: pd.DataFrame, qa: pd.DataFrame, rng) -> pd.DataFrame:
        """Conduct events for gaming caught by QA samples or complaints (agent_id, date, event)."""
        n = len(contacts)
        gamed = np.zeros(n, dtype=bool)
        ids = contacts["contact_id"].to_numpy()
        gamed[np.isin(ids, list(self.released | self.dumped))] = True
        gamed |= self.truth.get("survey_withheld", np.zeros(n, dtype=bool))
        u = rng.random((2, n))
        sampled = np.isin(ids, qa["contact_id"].to_numpy()) if len(qa) else np.zeros(n, dtype=bool)
        d = self.b.detection
        caught = gamed & (
            (sampled & (u[0] < d.qa)) | (contacts["complaint"].to_numpy(bool) & (u[1] < d.complaint))
        )
        self.truth["gamed"] = gamed
        self.truth["caught"] = caught
        sub = contacts[caught]
        return pd.DataFrame(
            {
                "agent_id": sub["agent_id"].astype(object).to_numpy(),
                "date": sub["arrival_at"].dt.normalize().to_numpy(),
                "event": np.full(len(sub), d.event, dtype=object),
            }
        )
