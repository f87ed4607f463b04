"""Executors: where replications run — this process, a local process pool, or a Dask cluster.

Every API that runs replications (``simulate``, ``compare``, ``lever_effects``, the staffing
studies, the plan designer) takes ``executor=``; :func:`as_executor` turns what the caller passed
into an object with one method, ``map(fn, tasks)``, that yields ``fn(task)`` for every task *in
task order*.
Because replication r always draws from ``SeedSequence([seed, r])`` and each task reduces its
event log in the worker (KPI tables, not raw logs), the results are identical whichever executor
runs them. (This module sits in the bottom layer so the simulator's ``simulate`` can use it;
``kpisim.analysis.executors`` re-exports it.)

Accepted values of ``executor``:

* ``None``: local processes (``jobs`` of them, default all cores; ``jobs=1`` = this process);
* ``"sequential"``: this process; ``"processes"``: local processes;
* a :class:`LocalProcesses` (keeps one pool for several calls when used as a context manager);
* a ``distributed.Client`` (Dask; ``pip install "kpisim[dask]"``), or a :class:`DaskExecutor`;
* any object whose ``map(fn, tasks)`` returns the results in order
  (e.g. a ``concurrent.futures.Executor``).

The CLI's ``--scheduler`` goes through :func:`open_executor` (``local`` starts a Dask
``LocalCluster``, ``tcp://HOST:8786`` connects to a running scheduler). See docs/cluster.md.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any, Protocol, runtime_checkable

from kpisim.errors import KpisimError

#: Names accepted as ``executor=`` strings.
EXECUTOR_NAMES = ("sequential", "processes")


@runtime_checkable
class Executor(Protocol):
    """Runs ``fn`` on every task and yields the results in task order."""

    def map(self, fn: Callable[[Any], Any], tasks: Sequence[Any], /) -> Iterator[Any]: ...


class Sequential:
    """Every task in this process, one after another (the reference the others must equal)."""

    def map(self, fn: Callable[[Any], Any], tasks: Sequence[Any], /) -> Iterator[Any]:
        return (fn(t) for t in tasks)

    def __repr__(self) -> str:
        return "Sequential()"


def _worker_init() -> None:
    """In each pool worker: Ctrl-C is the parent's to handle (no traceback per worker), and on
    Linux the worker gets SIGTERM when its parent dies, so no orphan keeps simulating."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
            if os.getppid() == 1:  # the parent died before prctl took effect
                os._exit(1)
        except (OSError, AttributeError):  # pragma: no cover - not glibc
            pass


def _stop(ex: ProcessPoolExecutor) -> None:
    """Stop a pool now: pending tasks cancelled, running workers terminated."""
    ex.shutdown(wait=False, cancel_futures=True)
    for proc in list((getattr(ex, "_processes", None) or {}).values()):
        if proc.is_alive():
            proc.terminate()
    for proc in list((getattr(ex, "_processes", None) or {}).values()):
        proc.join(timeout=5)


class LocalProcesses:
    """A local process pool of ``jobs`` workers (``None`` = all cores).

    Used bare, a pool is started per ``map`` call; used as a context manager, one pool serves
    every call inside the ``with`` block (no start-up cost per call)::

        with LocalProcesses(jobs=4) as ex:
            comp = compare(scenario, policies, executor=ex)
            study = study_staffing(scenario, executor=ex)
    """

    def __init__(self, jobs: int | None = None) -> None:
        if jobs is not None and jobs < 1:
            raise KpisimError(f"jobs must be >= 1 or None, got {jobs}")
        self.jobs = jobs
        self._pool: ProcessPoolExecutor | None = None

    def workers(self, n_tasks: int) -> int:
        return max(1, min(self.jobs or os.cpu_count() or 1, n_tasks))

    def map(self, fn: Callable[[Any], Any], tasks: Sequence[Any], /) -> Iterator[Any]:
        if self._pool is not None:
            return iter(self._pool.map(fn, tasks))
        if self.workers(len(tasks)) == 1:
            return (fn(t) for t in tasks)
        return self._map_new_pool(fn, tasks)

    def _map_new_pool(self, fn: Callable[[Any], Any], tasks: Sequence[Any]) -> Iterator[Any]:
        ex = ProcessPoolExecutor(max_workers=self.workers(len(tasks)), initializer=_worker_init)
        try:
            yield from ex.map(fn, tasks)  # map keeps task order
        except BaseException:  # an error, Ctrl-C or SIGTERM: no worker outlives this call
            _stop(ex)
            raise
        ex.shutdown(wait=True)

    def __enter__(self) -> LocalProcesses:
        self._pool = ProcessPoolExecutor(
            max_workers=self.jobs or os.cpu_count() or 1, initializer=_worker_init
        )
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if self._pool is not None:
            if exc_type is None:
                self._pool.shutdown(cancel_futures=True)
            else:  # an error, Ctrl-C or SIGTERM inside the block: stop the workers now
                _stop(self._pool)
            self._pool = None

    def __repr__(self) -> str:
        return f"LocalProcesses(jobs={self.jobs})"


class DaskExecutor:
    """Tasks as Dask futures on the cluster of a ``distributed.Client``.

    Each task runs ``fn`` in a worker and only its (small) result comes back; results are
    gathered in task order. The client is the caller's: this class never closes it.
    """

    def __init__(self, client: Any) -> None:
        self.client = client

    def map(self, fn: Callable[[Any], Any], tasks: Sequence[Any], /) -> Iterator[Any]:
        futures = self.client.map(fn, list(tasks), pure=False)
        return self._results(futures)

    @staticmethod
    def _results(futures: list[Any]) -> Iterator[Any]:
        try:
            for f in futures:
                yield f.result()
        finally:
            for f in futures:  # free the cluster's memory of results already read or not needed
                f.release()

    def __repr__(self) -> str:
        return f"DaskExecutor({self.client!r})"


def _is_dask_client(obj: Any) -> bool:
    return type(obj).__module__.split(".")[0] == "distributed" and type(obj).__name__ == "Client"


def as_executor(executor: Any = None, *, jobs: int | None = None) -> Executor:
    """The executor for ``executor`` (see the module docstring for what is accepted).

    Raises:
        KpisimError: an unknown name or an object without ``map``.
    """
    if jobs is not None and jobs < 1:
        raise KpisimError(f"jobs must be >= 1 or None, got {jobs}")
    if executor is None or executor == "processes":
        return Sequential() if jobs == 1 else LocalProcesses(jobs)
    if isinstance(executor, str):
        if executor == "sequential":
            return Sequential()
        raise KpisimError(
            f"unknown executor {executor!r}; use one of {', '.join(EXECUTOR_NAMES)}, a "
            "distributed.Client or an object with map(fn, tasks)"
        )
    if _is_dask_client(executor):
        return DaskExecutor(executor)
    if callable(getattr(executor, "map", None)):
        return executor
    raise KpisimError(
        f"executor {executor!r} has no map(fn, tasks); pass None, 'sequential', a distributed.Client "
        "or a LocalProcesses"
    )


@contextmanager
def open_executor(scheduler: str | None = None, *, jobs: int | None = None) -> Iterator[Executor]:
    """The executor the CLI's ``--scheduler`` names, closed (cluster and client) on exit.

    Args:
        scheduler: ``None``: local processes (``jobs``); ``"local"``: a Dask ``LocalCluster``
            with ``jobs`` workers (default 2); ``tcp://HOST:PORT`` (or any address Dask accepts):
            the running scheduler there.

    Raises:
        KpisimError: Dask is not installed, or the scheduler cannot be reached.
    """
    if scheduler is None:
        if jobs == 1:
            yield Sequential()
            return
        with LocalProcesses(jobs) as ex:
            yield ex
        return
    try:
        from distributed import Client, LocalCluster
    except ImportError:  # pragma: no cover - depends on the installed extras
        raise KpisimError(
            f"--scheduler {scheduler}: Dask is not installed; pip install 'kpisim[dask]'"
        ) from None
    cluster = None
    try:
        if scheduler == "local":
            cluster = LocalCluster(n_workers=jobs or 2, threads_per_worker=1, dashboard_address=None)
            client = Client(cluster)
        else:
            client = Client(scheduler, timeout="10s")
    except OSError as exc:
        if cluster is not None:
            cluster.close()
        raise KpisimError(f"--scheduler {scheduler}: cannot reach the Dask scheduler ({exc})") from None
    try:
        yield DaskExecutor(client)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
