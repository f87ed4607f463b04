"""Executors for the analyses: re-exported from :mod:`kpisim.executors` (defined there, in the
bottom layer, so that ``kpisim.sim.run.simulate`` can take ``executor=`` too)."""

from kpisim.executors import (
    EXECUTOR_NAMES,
    DaskExecutor,
    Executor,
    LocalProcesses,
    Sequential,
    as_executor,
    open_executor,
)

__all__ = [
    "EXECUTOR_NAMES",
    "DaskExecutor",
    "Executor",
    "LocalProcesses",
    "Sequential",
    "as_executor",
    "open_executor",
]
