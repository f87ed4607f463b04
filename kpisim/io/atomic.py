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

import errno
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
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


def _temp_prefix(out: Path, old: bool = False) -> str:
    """Temporaries are named ``.<name>.[old.]<pid>.<random>`` so a later run can tell the
    leftovers of a killed process (its pid is gone) from another live run's work."""
    return f".{out.name}.{'old.' if old else ''}{os.getpid()}."


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # e.g. EPERM: someone else's live process
        return True
    return True


def clean_stale(out: str | os.PathLike) -> list[Path]:
    """Remove temporaries next to ``out`` left by kpisim processes that no longer run (killed
    while writing); returns what was removed."""
    out = Path(out)
    pattern = re.compile(rf"^\.{re.escape(out.name)}\.(?:old\.)?(\d+)\.[A-Za-z0-9_]{{6,}}$")
    removed: list[Path] = []
    try:
        siblings = list(out.parent.iterdir()) if out.parent.is_dir() else []
    except OSError:
        return removed
    for p in siblings:
        m = pattern.match(p.name)
        if not m or int(m.group(1)) == os.getpid() or _pid_alive(int(m.group(1))):
            continue
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p, ignore_errors=True)
        else:
            p.unlink(missing_ok=True)
        removed.append(p)
    return removed


def check_writable(out: str | os.PathLike, *, what: str = "file") -> None:
    """Refuse an output path that cannot be written, before any expensive work: empty, inside
    /proc or /sys, under a file, in a directory without write permission, or (for a file) an
    existing directory.

    Raises:
        KpisimError: naming the path and what is wrong.
    """
    if str(out).strip() == "":
        raise KpisimError(f"--out {str(out)!r}: an empty path; give a {what} name")
    p = Path(out)
    real = Path(os.path.realpath(p))
    if real.parts[1:2] in (("proc",), ("sys",), ("dev",)):
        raise KpisimError(f"{out}: inside /{real.parts[1]}, not a place for output; choose another path")
    if what == "file" and p.is_dir():
        raise KpisimError(f"{out}: is a directory; give a file name ending in .csv or .parquet")
    parent = real.parent
    while not parent.exists():  # the missing directories will be created; check the first that exists
        parent = parent.parent
    if not parent.is_dir():
        raise KpisimError(f"{out}: {parent} is a file, not a directory")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise KpisimError(f"{out}: cannot write in {parent} (permission denied)")


@contextmanager
def replacing(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on success it replaces ``path``, else it is removed.

    The temporary file already has the final permissions: those of the file it replaces, or
    ``0o666`` less the umask for a new file (``mkstemp`` alone would make it private, 0600).
    """
    with replacing_all([path]) as (tmp,):
        yield tmp


@contextmanager
def replacing_all(paths) -> Iterator[list[Path]]:
    """Like :func:`replacing` for several files that belong together: a temporary path for each;
    none of them replaces its target unless the whole block succeeds. They are renamed in the
    order given (the main file first), so a target that cannot be replaced (a directory in the
    way) stops the others too."""
    outs = [Path(p) for p in paths]
    tmps: list[Path] = []
    try:
        for out in outs:
            check_writable(out)
            out.parent.mkdir(parents=True, exist_ok=True)
            clean_stale(out)
            fd, name = tempfile.mkstemp(prefix=_temp_prefix(out), dir=out.parent)
            os.close(fd)
            tmps.append(Path(name))
            os.chmod(tmps[-1], _mode_for(out, 0o666))
        yield list(tmps)
        for tmp, out in zip(tmps, outs, strict=True):
            try:
                os.replace(tmp, out)
            except OSError as exc:
                raise KpisimError(f"{out}: cannot write ({exc.strerror or exc})") from None
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EACCES, errno.EROFS, errno.EDQUOT):
            raise KpisimError(
                f"{outs[len(tmps) - 1 if tmps else 0]}: cannot write ({exc.strerror})"
            ) from None
        raise
    finally:
        for tmp in tmps:
            tmp.unlink(missing_ok=True)


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
    check_writable(out, what="directory")
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
    clean_stale(real)
    tmp = Path(tempfile.mkdtemp(prefix=_temp_prefix(real), dir=real.parent))
    try:
        os.chmod(tmp, _mode_for(real, 0o777))  # mkdtemp makes it private; the result is ordinary
        write(tmp)
        if not (tmp / MANIFEST).is_file():
            raise ValueError(f"write_dir({out}): the writer made no {MANIFEST}")
        check_output_dir(out)  # it may have appeared or filled up while we were writing
        if not os.path.lexists(real):
            os.rename(tmp, real)
            return Path(out)
        old = Path(tempfile.mkdtemp(prefix=_temp_prefix(real, old=True), dir=real.parent))
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
