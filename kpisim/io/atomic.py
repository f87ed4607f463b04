"""Atomic output: a file or directory appears complete or not at all.

Everything kpisim writes goes through here: the data is written to a temporary sibling (same
directory, so the final rename cannot cross file systems) and renamed into place; on any error
the temporary is removed and an existing output is left untouched.

Files get ordinary permissions: the mode of the file they replace, else ``0o666`` less the umask
(as ``open()`` would give). An output *directory* is always rebuilt whole (see :func:`write_dir`):
a directory from an earlier run (it holds ``manifest.json``) is replaced, never merged into, and a
non-empty directory that is not a kpisim output is refused, never deleted.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from pathlib import Path

from kpisim.errors import KpisimError
from kpisim.provenance import MANIFEST

TABLE_SUFFIXES = (".csv", ".parquet")


def _umask() -> int:
    """The process umask, read without changing it where the OS allows (Linux), so no other
    thread ever sees a umask of 0."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _mode_for(target: Path, default: int) -> int:
    """Permission bits for a new ``target``: those of the existing one, else ``default`` less the umask."""
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        return default & ~_umask()


@contextmanager
def replacing(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on success it replaces ``path``, else it is removed.

    The temporary file already has the final permissions: those of the file it replaces, or
    ``0o666`` less the umask for a new file (``mkstemp`` alone would make it private, 0600).
    """
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        os.chmod(tmp, _mode_for(out, 0o666))
        yield tmp
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)


@contextmanager
def replacing_all(paths) -> Iterator[list[Path]]:
    """Like :func:`replacing` for several files that belong together: a temporary path for each;
    none of them replaces its target unless the whole block succeeds."""
    with ExitStack() as stack:
        yield [stack.enter_context(replacing(p)) for p in paths]


def write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically."""
    with replacing(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def write_table(
    df, path: str | os.PathLike, *, alongside: Mapping[str | os.PathLike, bytes] | None = None
) -> Path:
    """Write a DataFrame to ``path`` atomically, as CSV or Parquet by the file extension.

    ``alongside``: other files (path -> bytes, e.g. a provenance sidecar) that replace their
    targets together with the table: if anything fails, none of them changes.

    Raises:
        KpisimError: any other extension (the message names the path and the allowed ones).
    """
    out = Path(path)
    suffix = out.suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise KpisimError(f"{out}: unsupported extension {suffix!r}; use .csv or .parquet")
    extra = dict(alongside or {})
    with replacing_all([out, *extra]) as (tmp, *others):
        if suffix == ".csv":
            df.to_csv(tmp, index=False)
        else:
            df.to_parquet(tmp, index=False)
        for t, data in zip(others, extra.values(), strict=False):
            t.write_bytes(data)
    return out


def check_output_dir(out: str | os.PathLike) -> None:
    """Refuse an ``out`` that :func:`write_dir` would not replace; call it before expensive work.

    Raises:
        KpisimError: ``out`` exists and is not a directory, or is a non-empty directory without
            ``manifest.json`` (not an earlier kpisim output), or is the root directory.
    """
    out = Path(out)
    if not os.path.lexists(out):
        return
    if not out.is_dir():
        raise KpisimError(f"{out}: exists and is not a directory; choose a new or empty directory")
    real = Path(os.path.realpath(out))
    if real.parent == real:
        raise KpisimError(f"{out}: is the root directory; choose a new or empty directory")
    if not (real / MANIFEST).is_file() and any(real.iterdir()):
        raise KpisimError(
            f"{out}: exists and is not a kpisim output directory (no {MANIFEST}); "
            "choose a new or empty directory"
        )


def write_dir(out: str | os.PathLike, write: Callable[[Path], object]) -> Path:
    """Build a directory with ``write(tmp_dir)`` in a temporary sibling, then put it at ``out``.

    ``write`` must create ``manifest.json`` (that is how a later run recognises the directory as
    kpisim's). If ``out`` exists (an earlier kpisim output, or empty) it is renamed aside, the new
    directory renamed in and the old one removed, so no file of the earlier run survives next to
    the new ones. On any error the temporary directory is removed and ``out`` is untouched.
    A symlink ``out`` is followed: the directory it points to is replaced.

    Raises:
        KpisimError: ``out`` is not a directory or holds other files (:func:`check_output_dir`),
            checked before ``write`` runs and again before the swap.
    """
    check_output_dir(out)
    real = Path(os.path.realpath(out))
    real.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{real.name}.", dir=real.parent))
    try:
        os.chmod(tmp, _mode_for(real, 0o777))  # mkdtemp makes it private; the result is ordinary
        write(tmp)
        if not (tmp / MANIFEST).is_file():
            raise ValueError(f"write_dir({out}): the writer made no {MANIFEST}")
        check_output_dir(out)  # it may have appeared or filled up while we were writing
        if not os.path.lexists(real):
            os.rename(tmp, real)
            return Path(out)
        old = Path(tempfile.mkdtemp(prefix=f".{real.name}.old.", dir=real.parent))
        try:
            os.rename(real, old)  # onto the empty placeholder (POSIX allows it)
        except OSError as exc:
            shutil.rmtree(old, ignore_errors=True)
            raise KpisimError(f"{out}: cannot replace the existing directory ({exc.strerror})") from None
        try:
            os.rename(tmp, real)
        except BaseException:
            os.rename(old, real)  # put the earlier output back
            raise
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return Path(out)
