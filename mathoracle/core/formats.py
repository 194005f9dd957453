"""The ML formats judged through ``ml_dtypes``: bfloat16, float8_e4m3fn and float8_e5m2.

Each format's facts are read from ``ml_dtypes.finfo``, never typed in: precision p (significand
bits, implicit bit included), the smallest normal exponent emin, the largest finite value.
u = 2^-p; the smallest normal is 2^emin; the smallest subnormal 2^(emin-p+1).

Overflow. A magnitude rounds past the largest finite value M when it is at least the
midpoint M + ½·ulp(M) (ties go to the even neighbour, and M's significand is odd in the
IEEE-like formats, so the midpoint itself rounds away). bfloat16 and e5m2 round it to ±inf.
float8_e4m3fn has no infinities and spends its top significand on NaN: M = 448 = 1.75·2^8
has an even significand, so the midpoint 464 rounds down to 448 and anything beyond it
becomes NaN (what ``ml_dtypes`` does, and what the format's specification says).
"""
from __future__ import annotations

from dataclasses import dataclass

import mpmath
import numpy as np

try:
    import ml_dtypes
except ImportError:  # pragma: no cover - ml_dtypes is a dependency; kept optional for imports
    ml_dtypes = None

ML_NAMES = ("bfloat16", "float8_e4m3fn", "float8_e5m2")
ALL_NAMES = ("float16", "float32", "float64", *ML_NAMES)


@dataclass(frozen=True)
class Format:
    """A binary floating-point format: the facts the error model reads."""

    name: str
    precision: int  # significand bits, implicit bit included
    emin: int       # exponent of the smallest normal number
    emax: int

    @property
    def unit_roundoff(self) -> mpmath.mpf:
        return mpmath.ldexp(1, -self.precision)

    @property
    def smallest_normal(self) -> mpmath.mpf:
        return mpmath.ldexp(1, self.emin)

    @property
    def overflow(self) -> mpmath.mpf:
        """Magnitudes at or above this round to infinity."""
        return mpmath.ldexp(2 * (1 << self.precision) - 1, self.emax - self.precision)


@dataclass(frozen=True)
class MLFormat(Format):
    """A format of ``ml_dtypes``: a Format whose largest value and overflow are its own."""

    max: float = 0.0          # largest finite value
    infinities: bool = True   # False: overflow gives NaN (float8_e4m3fn)

    @property
    def smallest_subnormal(self) -> mpmath.mpf:
        return mpmath.ldexp(1, self.emin - self.precision + 1)

    @property
    def overflow(self) -> mpmath.mpf:
        """Magnitudes at or above this round past the largest finite value (see module doc);
        for e4m3fn the midpoint itself still rounds to the maximum, so ``saturates`` is strict."""
        return mpmath.mpf(self.max) + mpmath.ldexp(1, self.emax - self.precision)

    def rounds_past_max(self, magnitude) -> bool:
        """True when |x| = magnitude rounds to ±inf (or NaN without infinities)."""
        m = mpmath.mpf(magnitude)
        return m > self.overflow if not self.infinities else m >= self.overflow


def _read(name: str) -> MLFormat:
    fi = ml_dtypes.finfo(getattr(ml_dtypes, name))
    p = int(fi.nmant) + 1
    emin = int(np.log2(float(fi.tiny)))
    largest = float(fi.max)
    emax = int(np.floor(np.log2(largest)))
    infinities = bool(np.isinf(np.array(np.inf, np.float32).astype(getattr(ml_dtypes, name))))
    return MLFormat(name, p, emin, emax, largest, infinities)


def ml_formats() -> dict:
    """{name: MLFormat} for the ml_dtypes formats; empty when ml_dtypes is not installed."""
    if ml_dtypes is None:  # pragma: no cover
        return {}
    return {name: _read(name) for name in ML_NAMES}


def np_dtype(name) -> np.dtype:
    """The NumPy dtype of a judged format name (ml_dtypes registers its names on import)."""
    if isinstance(name, str) and name in ML_NAMES and ml_dtypes is None:  # pragma: no cover
        raise ValueError(f"dtype={name} needs ml_dtypes; install it: pip install ml_dtypes")
    return np.dtype(name)


def finfo(dtype):
    """``np.finfo`` for IEEE dtypes, ``ml_dtypes.finfo`` for the ML formats."""
    dt = np.dtype(dtype)
    return ml_dtypes.finfo(dt) if dt.name in ML_NAMES else np.finfo(dt)


def is_ml(dtype) -> bool:
    return np.dtype(dtype).name in ML_NAMES


def is_float(dtype) -> bool:
    """A binary floating-point dtype: NumPy's (kind "f") or an ML format (NumPy kind "V")."""
    dt = np.dtype(dtype)
    return dt.kind == "f" or dt.name in ML_NAMES


def bits_dtype(dtype) -> np.dtype:
    """The unsigned integer dtype of the same width (for bit patterns)."""
    return np.dtype(f"u{np.dtype(dtype).itemsize}")


# --- ordinals: every value of a format in order, as integers --------------------------------
# A value's ordinal is its bit pattern b when the sign bit is clear and -(b without sign) - 1
# when it is set: ordinals increase with the value (-0 is -1, +0 is 0), and consecutive
# ordinals are neighbouring floats (the sweeps and the ml_dtypes domains count on them).

def _sign(dtype) -> int:
    return 1 << (8 * np.dtype(dtype).itemsize - 1)


def to_values(ords: np.ndarray, dtype) -> np.ndarray:
    """Ordinals (int64) as values of dtype."""
    sign = _sign(dtype)
    bits = np.where(ords >= 0, ords, (-ords - 1) | sign)
    return bits.astype(bits_dtype(dtype)).view(dtype)


def to_ordinals(values: np.ndarray, dtype) -> np.ndarray:
    """Values of dtype as ordinals (int64)."""
    sign = _sign(dtype)
    bits = np.asarray(values, dtype=dtype).view(bits_dtype(dtype)).astype(np.int64)
    return np.where(bits & sign, -(bits & (sign - 1)) - 1, bits)


def finite_span(dtype) -> tuple[int, int]:
    """[start, stop) of every finite value of dtype."""
    top = int(to_ordinals(np.array([finfo(dtype).max], dtype=dtype), dtype)[0])
    return -top - 1, top + 1
