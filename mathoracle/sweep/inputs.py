"""The inputs of a sweep: every value of a format, in order, as integer ordinals.

A value's ordinal is its bit pattern b when the sign bit is clear and -(b without sign) - 1 when
it is set, so ordinals increase with the value (-0 is -1, +0 is 0) and consecutive ordinals are
neighbouring floats. A sweep covers an ordinal range [start, stop) in chunks of ``chunk``
ordinals; NaN patterns inside it are skipped.
"""
from __future__ import annotations

import math

import numpy as np

from mathoracle.core.errors import UsageError
from mathoracle.core.formats import (ALL_NAMES, finite_span, np_dtype,  # noqa: F401 (re-exported)
                                     to_ordinals, to_values)

SWEEPABLE = tuple(n for n in ALL_NAMES if n != "float64")


def sweep_dtype(name) -> np.dtype:
    """The dtype of a sweep (≤ 32 bits: the fast reference needs float64 headroom)."""
    name = getattr(name, "__name__", str(name))
    if name not in SWEEPABLE:
        raise UsageError(f"dtype={name!r} cannot be swept; use one of {', '.join(SWEEPABLE)}")
    return np_dtype(name)


def parse_range(text: str | None, dtype) -> tuple[int, int]:
    """``LO,HI`` as the ordinal span of the dtype's values in [LO, HI]; None: all finite values."""
    start, stop = finite_span(dtype)
    if text is None:
        return start, stop
    try:
        lo, hi = (float(t) for t in str(text).split(","))
    except ValueError:
        raise UsageError(f"--range {text!r} must be two numbers LO,HI, e.g. -10,10") from None
    if not (math.isfinite(lo) and math.isfinite(hi)) or lo > hi:
        raise UsageError(f"--range {text!r} must be finite with LO ≤ HI, e.g. -10,10")
    first = _bisect(start, stop, lambda o: _value(o, dtype) >= lo)
    last = _bisect(start, stop, lambda o: _value(o, dtype) > hi)
    if first >= last:
        raise UsageError(f"--range {text!r} holds no {np.dtype(dtype).name} value")
    return first, last


def _value(o: int, dtype) -> float:
    return float(to_values(np.array([o], dtype=np.int64), dtype)[0].astype(np.float64))


def _bisect(lo: int, hi: int, pred) -> int:
    """The first ordinal in [lo, hi) where the monotone pred holds (hi if none)."""
    while lo < hi:
        mid = (lo + hi) // 2
        if pred(mid):
            hi = mid
        else:
            lo = mid + 1
    return lo


def plan(start: int, stop: int, chunk: int | None, bins: int = 2048) -> tuple[int, int]:
    """(chunk size, bin width): the bin width a power of two giving about ``bins`` bins over
    the span, the chunk size a multiple of it (default 2^22 ordinals: 32 MB per float64 array)."""
    n = stop - start
    width = 1 << max(0, math.ceil(math.log2(max(1, n / bins))))
    if chunk is None:
        chunk = 1 << 22
    if isinstance(chunk, bool) or not isinstance(chunk, int) or chunk < 1:
        raise UsageError(f"chunk={chunk!r} must be a positive whole number of inputs, e.g. 4194304")
    chunk = max(width, (chunk // width) * width)
    return chunk, width
