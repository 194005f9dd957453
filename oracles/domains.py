"""Hypothesis strategies for oracle domains, per dtype, with the edge values mixed in.

Every strategy here draws NumPy values of one float dtype. The ml_dtypes formats (bfloat16,
float8), which Hypothesis cannot draw, are drawn exactly: an element is a value of the format
picked by its ordinal (``mathoracle.sweep.inputs``), an array is drawn in float64 and cast,
which is exact because every element is a value of the format. Edge values are drawn about
as often as ordinary ones: 0, -0, the smallest subnormal and normal, huge magnitudes up
to the dtype's limits, logits at ±1e4, probabilities at 1e-300 and 1 - 2^-p.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Callable

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from mathoracle.core.formats import finfo, finite_span, is_ml, to_ordinals, to_values

WIDTH = {"float16": 16, "float32": 32, "float64": 64}


def _dtype_name(dtype) -> str:
    name = np.dtype(dtype).name
    if name not in WIDTH:
        raise ValueError(f"dtype={name} has no domain; use one of {', '.join(WIDTH)}")
    return name


def _width(dtype) -> int:
    return WIDTH[_dtype_name(dtype)]


def _ml_floats(dtype, lo, hi) -> st.SearchStrategy:
    """Finite values of an ml_dtypes format in [lo, hi], exactly, as Python floats."""
    start, stop = finite_span(dtype)
    first = start if lo is None else int(to_ordinals(np.array([_toward(lo, dtype, 1)], dtype), dtype)[0])
    last = stop - 1 if hi is None else int(to_ordinals(np.array([_toward(hi, dtype, -1)], dtype), dtype)[0])
    return st.integers(first, last).map(
        lambda o: float(to_values(np.array([o], dtype=np.int64), dtype)[0].astype(np.float64)))


def _toward(x: float, dtype, side: int):
    """The value of dtype nearest x on x's ``side`` (+1: the smallest ≥ x; -1: the largest ≤ x)."""
    fi = finfo(dtype)
    x = min(max(float(x), -float(fi.max)), float(fi.max))
    v = np.array(x).astype(dtype)
    if side * (float(v.astype(np.float64)) - x) < 0:
        v = to_values(to_ordinals(np.array([v]), dtype) + side, dtype)[0]
    return v


def representable(dtype, values) -> list:
    """``values`` cast to dtype, keeping those that stay finite, without duplicates."""
    out, seen = [], set()
    with np.errstate(over="ignore", under="ignore"):
        for v in values:
            x = np.asarray(v, dtype=np.float64).astype(dtype)
            if np.isfinite(x) and (float(x), np.signbit(x)) not in seen:
                seen.add((float(x), bool(np.signbit(x))))
                out.append(x[()])
    return out


def real_edges(dtype) -> list:
    """Edge values of the whole real line, for activations."""
    fi = finfo(dtype)
    tiny_sub = float(fi.smallest_subnormal)
    vals = [0.0, -0.0, tiny_sub, -tiny_sub, float(fi.tiny), -float(fi.tiny), 1.0, -1.0, 0.5,
            -0.5, 2.0 ** -30, 40.0, -40.0, 88.0, -88.0, 700.0, -700.0, 745.0, -745.0, 1e4, -1e4,
            float(fi.max), -float(fi.max), 1e-8]
    return representable(dtype, vals)


def prob_edges(dtype) -> list:
    """Edge values of [0, 1]."""
    fi = finfo(dtype)
    one_below = 1.0 - 2.0 ** -(fi.nmant + 1)
    vals = [0.0, 1.0, 0.5, float(fi.smallest_subnormal), float(fi.tiny), 1e-300, 1e-30, 1e-10,
            one_below, 1.0 - 2.0 ** -fi.nmant, 1e-3, 0.999]
    return representable(dtype, vals)


def check_edges(edges, lo, hi, fix: str) -> list:
    """``edges`` as a list, every one a number in [lo, hi]: a declared edge is always drawn, so
    one outside the range is an error, never silently dropped (γ = 0 below a range from
    2^-8 was never drawn). ``fix`` says how to widen the range or move the edge."""
    out = list(edges)
    for e in out:
        try:
            v = float(e)
        except (TypeError, ValueError):
            v = math.nan
        if isinstance(e, bool) or v != v or (lo is not None and v < float(lo)) \
                or (hi is not None and v > float(hi)):
            raise ValueError(f"edges: {e!r} is not a number in [{lo}, {hi}]; {fix}")
    return out


def elements(dtype, *, lo=None, hi=None, edges=()) -> st.SearchStrategy:
    """Finite floats of dtype in [lo, hi], with ``edges`` mixed in (each must lie in [lo, hi]:
    ``check_edges``)."""
    base = _ml_floats(dtype, lo, hi) if is_ml(dtype) else st.floats(
        min_value=lo, max_value=hi, allow_nan=False, allow_infinity=False, width=_width(dtype))
    inside = check_edges(edges, lo, hi, "draw it separately (st.one_of) or widen lo/hi")
    return st.one_of(st.sampled_from(inside), base) if inside else base


def fraction(dtype, edges=(0.0, 1.0)) -> st.SearchStrategy:
    """A parameter in [0, 1] (a slope, a class weight): 0, or at least dtype's smallest normal,
    so that an implementation computing in dtype may round it to dtype without flushing it
    to 0 (rounding costs a relative u, which the sensitivity covers; a flush does not).
    Every edge is drawn: one in (0, tiny) or outside [0, 1] is an error."""
    tiny = float(finfo(dtype).tiny)
    edges = check_edges(edges, 0.0, 1.0, "pass edges in [0, 1]")
    for e in edges:
        if 0 < e < tiny:
            raise ValueError(f"edges: {e!r} is below {np.dtype(dtype).name}'s smallest normal "
                             f"{tiny}; pass 0 or a value >= it")
    return st.one_of(st.sampled_from(edges), st.floats(min_value=tiny, max_value=1.0))


@dataclass(frozen=True)
class Coverage:
    """What a domain promises to draw, declared next to it (tests/test_coverage.py checks it
    on seeded draws of the domain and edge strategies): ``edges(dtype)`` maps an input name to
    values that must appear in it (an element of the array, or the scalar itself; -0.0 by its
    sign); ``classes`` maps a shape class's name to a predicate on the drawn inputs."""

    edges: Callable[[Any], dict] = lambda dtype: {}
    classes: dict = field(default_factory=dict)


def arrays(dtype, elems, *, min_dims=1, max_dims=2, max_side=6, shape=None) -> st.SearchStrategy:
    shapes = shape if shape is not None else hnp.array_shapes(
        min_dims=min_dims, max_dims=max_dims, min_side=1, max_side=max_side)
    if is_ml(dtype):  # elements are values of the format: the cast from float64 is exact
        return hnp.arrays(np.float64, shapes, elements=elems.map(float)).map(
            lambda a: a.astype(dtype))
    return hnp.arrays(np.dtype(dtype), shapes, elements=elems)


def square_safe_bound(dtype, terms: int = 64) -> float:
    """Largest power of two B with terms·(2B)² ≤ the dtype's max: squared losses of values
    in [-B, B], summed over up to ``terms`` elements, stay finite. Exact rational
    arithmetic: B = 2^k, k = ⌊⌊log2(max/(4·terms))⌋/2⌋ (a float log2 rounds up at 2^1016)."""
    if isinstance(terms, bool) or not isinstance(terms, (int, np.integer)) or terms < 1:
        raise ValueError(f"terms={terms!r} is not a count of summed squares; pass an int >= 1")
    r = Fraction(float(finfo(dtype).max)) / (4 * int(terms))
    n, m = r.numerator, r.denominator
    e = n.bit_length() - m.bit_length()          # ⌊log2 r⌋, or one more
    if (n << max(-e, 0)) < (m << max(e, 0)):
        e -= 1
    return math.ldexp(1.0, e // 2)


@st.composite
def distributions(draw, dtype, shape, *, support=None):
    """Rows (last axis) that are probability distributions in dtype: non-negative, sum ≈ 1.

    Weights include zeros and tiny values. ``support``: a boolean array; entries outside
    it are zero (so that q = 0 only where p = 0)."""
    w_edges = [0.0, 1e-300, 1e-100, 1e-30, 1e-8, 0.5, 1.0]
    w = draw(hnp.arrays(np.float64, shape, elements=elements(np.float64, lo=0.0, hi=1.0,
                                                               edges=w_edges)))
    if support is not None:
        w = np.where(support, w, 0.0)
    rows = w.reshape(-1, shape[-1])
    fallback = (np.ones(shape) if support is None else np.asarray(support, float)).reshape(rows.shape)
    empty = rows.sum(axis=-1) == 0
    rows[empty] = fallback[empty]
    with np.errstate(under="ignore"):
        return (rows / rows.sum(axis=-1, keepdims=True)).reshape(shape).astype(dtype)
