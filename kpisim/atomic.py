"""Atomic output: a file or directory appears complete or not at all.

Everything kpisim writes goes through here: the data is written to a temporary sibling (same
directory, so the final rename cannot cross file systems) and renamed into place; on any error
the temporary is removed and an existing output is left untouched.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from kpisim.errors import KpisimError

TABLE_SUFFIXES = (".csv", ".parquet")


@contextmanager
def replacing(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on success it replaces ``path``, else it is removed."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)


def write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically."""
    with replacing(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def write_table(df, path: str | os.PathLike) -> Path:
    """Write a DataFrame to ``path`` atomically, as CSV or Parquet by the file extension.

    Raises:
        KpisimError: any other extension (the message names the path and the allowed ones).
    """
    out = Path(path)
    suffix = out.suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise KpisimError(f"{out}: unsupported extension {suffix!r}; use .csv or .parquet")
    with replacing(out) as tmp:
        if suffix == ".csv":
            df.to_csv(tmp, index=False)
        else:
            df.to_parquet(tmp, index=False)
    return out


def write_dir(out: str | os.PathLike, write: Callable[[Path], object]) -> Path:
    """Build a directory with ``write(tmp_dir)`` in a temporary sibling, then rename it to ``out``
    (if ``out`` exists, each new file is moved in by an atomic rename; other files stay)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o777 & ~umask)  # mkdtemp makes it private; the result is an ordinary directory
    try:
        write(tmp)
        if out.is_dir():
            for f in tmp.iterdir():
                os.replace(f, out / f.name)
        else:
            os.replace(tmp, out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out
