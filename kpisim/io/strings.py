"""Columns of the event log's ``string`` dtype built from codes, without a Python object per row.

The simulator knows most of its text columns as small integer codes (a queue index, an agent's
roster row, a state code). ``string_column`` turns codes into the log's Arrow-backed ``string``
column directly (a dictionary array cast to strings in Arrow), instead of an object array of
Python strings converted afterwards, which held a pointer per row plus a copy during conversion.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa


def string_column(codes: np.ndarray, names: Sequence[str]) -> pd.arrays.ArrowStringArray:
    """``names[codes]`` as a ``string`` column; a negative code is a missing value (<NA>)."""
    codes = np.asarray(codes)
    idx = codes.astype(np.int32 if len(names) < 2**31 else np.int64)
    missing = codes < 0
    indices = pa.array(idx, mask=missing) if missing.any() else pa.array(idx)
    dictionary = pa.array(list(names), type=pa.large_string())
    return pd.arrays.ArrowStringArray(
        pa.DictionaryArray.from_arrays(indices, dictionary).cast(pa.large_string())
    )


def constant_string(value: str, n: int) -> pd.arrays.ArrowStringArray:
    """``value`` repeated ``n`` times as a ``string`` column."""
    return string_column(np.zeros(n, dtype=np.int8), [value])
