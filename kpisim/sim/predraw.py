"""The random inputs of every first contact, drawn in numpy batches before the event loop.

Base work (handle time before the agent's speed and tactics), patience, wrap-up and the two
outcome uniforms are drawn per queue in arrival order from their named streams; the engine
reads them when the contact is answered (``Engine._answer``).
"""

from __future__ import annotations

import numpy as np

from kpisim.sim.distributions import draw


def predraw(eng, t: np.ndarray, q: np.ndarray) -> None:
    """Per-contact random inputs of all first contacts, drawn per queue in time order."""
    n = t.size
    work = np.empty(n)
    pat = np.full(n, np.inf)
    wrap = np.zeros(n)
    for qi, spec in enumerate(eng.qspecs):
        m = q == qi
        k = int(m.sum())
        work[m] = draw(spec.handle, k, eng.rngs["handle"])
        if spec.patience is not None:
            pat[m] = draw(spec.patience, k, eng.rngs["patience"])
        wrap[m] = draw(spec.wrap_up, k, eng.rngs["wrap"])
    u = eng.rngs["outcomes"].random((2, n))
    eng.contacts.add_many(
        arrival_s=t,
        queue=q,
        customer=np.arange(n),
        attempt=np.ones(n, dtype=np.int64),
        transfer_of=np.full(n, -1, dtype=np.int64),
        work_s=work,
        patience_s=pat,
        wrap_s=wrap,
        u_resolve=u[0],
        u_transfer=u[1],
    )
    eng.n_customers = n
    # cherry-picking threshold: the agent stalls on sessions whose base work is in the top share
    for a, share in enumerate(eng._cherry_share):
        if share > 0:
            for qi in eng.agents[a].prio:
                w = work[q == qi]
                if w.size:
                    eng.cherry_thr[a, qi] = float(np.quantile(w, 1 - share))
