"""PCA (seed: "Dimensionality Reduction › PCA"): centre, C = X_cᵀX_c/(n-1), C = VΛVᵀ, keep
the top k eigenvectors, Z = X_c V_k; the explained variance ratio λ_k/Σλ_i, and the smallest k
whose cumulative ratio reaches a threshold.

The exact answers and their sensitivities (the exact eigenproblem and its derivation) are
in pca_exact.py.

Components are defined up to sign: ``align`` flips each returned component to the sign of the
exact one (positive dot product) before judging.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import mpmath
import numpy as np
from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from mathoracle.core.formats import finfo
from mathoracle.core.model import Exact, Oracle, Param, Part, digits

from . import domains as d
from .pca_exact import (chosen_k, cumulative_margin, cumulative_ratios, eigenvector_sensitivity,
                        smallest_normal, spectrum, unit_roundoff)
from .structured import Structured

SEED = "Dimensionality Reduction › PCA"
# (n, d): few and small (n ≤ 6, d ≤ 4: ``bound``); tall (n > d) and wide (n ≤ d: the centred
# data have rank ≤ n - 1 < d, and the trailing eigenvalues and ratios are exactly 0).
SHAPES = [(2, 1), (3, 2), (4, 2), (5, 2), (4, 3), (6, 3), (5, 4), (2, 3), (3, 4), (2, 4), (3, 3)]
TALL, WIDE = "tall (n > d)", "wide (n ≤ d)"
THRESHOLDS = (0.95, 0.9, 0.8, 0.5, 0.99)


# --- oracles -----------------------------------------------------------------------------

def _all_nan(oracle, inputs):
    """A NaN anywhere in X reaches the mean, the covariance and every eigenpair."""
    return np.ones(oracle.output_shape(inputs), dtype=bool)


def _constant_in_X(inputs) -> bool:
    """d = 1: C is 1×1, its unit eigenvector ±1 and its ratio λ/Σλ = 1 whatever X is (where
    defined): a NaN in X need not reach them (the dependence rule, oracles/dependence.py)."""
    return np.shape(inputs["X"])[1] == 1


@dataclass(eq=False)
class Fit(Oracle):
    """fit(X, k) → (components (k, d), explained_variance (k,)), the top k eigenpairs of C."""

    def output_parts(self, inputs):
        k, dim = int(inputs["k"]), np.shape(inputs["X"])[1]
        return (Part("components", (0,), (k, dim)), Part("explained_variance", (1,), (k,)))

    def output_shape(self, inputs):
        k, dim = int(inputs["k"]), np.shape(inputs["X"])[1]
        return (k * dim + k,)

    def exact(self, inputs):
        s, k = spectrum(inputs["X"]), int(inputs["k"])
        with mpmath.workdps(digits()):
            comps = [mpmath.mpf(v) for j in range(k) for v in s.vectors[j]]
            sens = [eigenvector_sensitivity(s, j) for j in range(k) for _ in s.vectors[j]]
            value = np.array(comps + [mpmath.mpf(v) for v in s.values[:k]], dtype=object)
            sens = np.array(sens + [s.W] * k, dtype=object)
        return Exact(value, sens, s.budget)

    def align(self, inputs, got, exact):
        """Each returned component with the sign of the exact one (positive dot product)."""
        k, dim = int(inputs["k"]), np.shape(inputs["X"])[1]
        out = np.array(got, dtype=np.float64).reshape(-1)
        for j in range(k):
            row = out[j * dim:(j + 1) * dim]
            dot = sum(float(e) * g for e, g in zip(exact.value[j * dim:(j + 1) * dim], row))
            if dot < 0:
                out[j * dim:(j + 1) * dim] = -row
        return out.astype(np.asarray(got).dtype)

    def nan_reach(self, inputs, arg, index):
        """Every output, but the components when d = 1 (constant); the variance varies."""
        mask = _all_nan(self, inputs)
        if _constant_in_X(inputs):
            mask[:int(inputs["k"])] = False
        return mask


@dataclass(eq=False)
class Ratios(Oracle):
    """explained_variance_ratio(X) → λ_j/Σλ_i for all d eigenvalues, descending."""

    def output_shape(self, inputs):
        return (np.shape(inputs["X"])[1],)

    def exact(self, inputs):
        s = spectrum(inputs["X"])
        dim = len(s.values)
        with mpmath.workdps(digits()):
            value = np.array([v / s.trace for v in s.values], dtype=object)
            sens = np.array([s.W * (1 + dim * r) / s.trace for r in value], dtype=object)
        return Exact(value, sens, s.budget + 2)  # + the sum of the trace, the division

    def nan_reach(self, inputs, arg, index):
        """Every ratio, but none when d = 1 (λ/λ = 1)."""
        return _all_nan(self, inputs) & (not _constant_in_X(inputs))


@dataclass(eq=False)
class ChooseK(Oracle):
    """choose_k(X, threshold) → the smallest k with Σ_{i≤k} λ_i/Σλ ≥ threshold, exactly."""

    def output_shape(self, inputs):
        return ()

    def exact(self, inputs):
        full = {**self.defaults(), **inputs}
        k = chosen_k(spectrum(full["X"]), float(full["threshold"]))
        return Exact(np.array(mpmath.mpf(k), dtype=object), np.array(mpmath.mpf(0), dtype=object), 1)


# --- domains -------------------------------------------------------------------------------

def bound(dtype) -> float:
    """Largest power of two B (at most 2^20) such that entries in [-B, B] keep every centred
    product sum n·(2B)², and the d² terms of ‖M‖_F, below a quarter of the dtype's max."""
    top = float(finfo(dtype).max) / 4
    n, dim = max(n for n, _ in SHAPES), max(dim for _, dim in SHAPES)
    b = 2.0 ** 20
    while b > 1 and 3 * n * dim * (2 * b) ** 2 >= top:
        b /= 2
    return b


def _edges(dtype) -> list:
    b = bound(dtype)
    fi = finfo(dtype)
    return [e for e in d.representable(dtype, [0.0, -0.0, 1.0, -1.0, 0.5, 2.0, -3.0, b, -b, b / 3,
                                                 1e-3, float(fi.tiny), float(fi.smallest_subnormal)])
            if abs(float(e)) <= b]


def _elements(dtype, edges_only=False):
    b, edges = bound(dtype), _edges(dtype)
    return st.sampled_from(edges) if edges_only else d.elements(dtype, lo=-b, hi=b, edges=edges)


@st.composite
def data(draw, dtype, edges_only=False, shapes=SHAPES):
    """X (n, d), n ≥ 2: random entries; or correlated columns (a dominant direction), an offset
    far from 0 (centring cancels), a constant column, or duplicated rows."""
    n, dim = draw(st.sampled_from(shapes))
    X = draw(hnp.arrays(dtype, (n, dim), elements=_elements(dtype, edges_only)))
    kind = draw(st.sampled_from(["plain", "plain", "correlated", "offset", "constant", "repeat"]))
    x = X.astype(np.float64)
    if kind == "correlated" and dim > 1:
        x[:, 1:] = x[:, :1] * draw(st.sampled_from([0.5, -2.0, 1.0])) + x[:, 1:] / 8
    elif kind == "offset":
        x = x / 16 + draw(st.sampled_from([100.0, -1000.0, 3.0]))
    elif kind == "constant":
        x[:, draw(st.integers(0, dim - 1))] = draw(st.sampled_from([0.0, 1.5]))
    elif kind == "repeat":
        x[-1] = x[0]
    with np.errstate(over="ignore"):
        X = x.astype(dtype)
    assume(np.isfinite(X).all() and np.abs(X.astype(np.float64)).max(initial=0) <= bound(dtype))
    return X


def _has_variance(X) -> bool:
    """The total variance T = tr C is a normal number of X's dtype, with room for the n + 1
    roundings of its sums: below that it underflows, and the ratios λ/T are 0/0."""
    if not np.any(X != X[:1]):
        return False
    s = spectrum(X)
    return bool(s.trace > s.budget * smallest_normal(X.dtype))


@st.composite
def fit_inputs(draw, dtype, edges_only=False):
    X = draw(data(dtype, edges_only))
    return {"X": X, "k": draw(st.integers(1, X.shape[1]))}


@st.composite
def ratio_inputs(draw, dtype, edges_only=False):
    """Data with some variance (T > 0: the ratios are 0/0 otherwise)."""
    X = draw(data(dtype, edges_only))
    assume(_has_variance(X))
    return {"X": X}


_H8 = np.array([[1 if bin(i & j).count("1") % 2 == 0 else -1 for j in range(8)] for i in range(8)])
TIE_WITNESS = np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0], [0.0, -1.0]])  # t = 0.5: k = 1


@st.composite
def tied(draw, dtype):
    """(X, t) with a cumulative ratio exactly t: X = 1·offset + the 8 rows of a Hadamard
    matrix's zero-mean columns, column j the sum of m_j of them times c_j, and a zero row
    (n = 9, so C = X_cᵀX_c/8 is diag(m_j c_j²) exactly, every float step exact); t one of its
    dyadic cumulative ratios Σ_{i≤k} w_i/Σw, w = m c² descending. Or the issue's witness
    (also where no cumulative ratio is dyadic)."""
    if draw(st.integers(0, 3)) == 0:
        return TIE_WITNESS.astype(dtype), 0.5
    dim = draw(st.integers(2, 4))
    m = draw(st.lists(st.integers(1, 3), min_size=dim, max_size=dim).filter(lambda v: sum(v) <= 7))
    c = draw(st.lists(st.sampled_from([1.0, 2.0, 0.5]), min_size=dim, max_size=dim))
    cols, start = [], 1
    for mj, cj in zip(m, c):
        cols.append(cj * _H8[:, start:start + mj].sum(axis=1))
        start += mj
    X = np.vstack([np.stack(cols, axis=1), np.zeros((1, dim))])
    X = X[draw(st.permutations(range(9)))] + draw(st.sampled_from([0.0, 3.0, -1.5]))
    w = sorted((Fraction(mj) * Fraction(cj) ** 2 for mj, cj in zip(m, c)), reverse=True)
    cum = [sum(w[:k]) / sum(w) for k in range(1, dim)]
    dyadic = [r for r in cum if r.denominator & (r.denominator - 1) == 0]
    if not dyadic:  # no float threshold equals a cumulative ratio: the witness instead
        return TIE_WITNESS.astype(dtype), 0.5
    return X.astype(dtype), float(draw(st.sampled_from(dyadic)))


def _is_tie(r, t) -> bool:
    return abs(r - mpmath.mpf(t)) <= mpmath.mpf(10) ** (-(digits() - 10))


def exact_tie(X, threshold) -> bool:
    """Some exact cumulative ratio of X equals the threshold (where ``choose_k``'s ≥ decides)."""
    return any(_is_tie(r, threshold) for r in cumulative_ratios(spectrum(X)))


@st.composite
def choose_inputs(draw, dtype, edges_only=False):
    """A quarter of the draws exact ties (``tied``), judged by the rule (≥: a tie reaches
    the threshold); the rest data whose cumulative ratios all stay clear of the threshold by
    more than a computed ratio's error bound (``cumulative_margin``), or equal it exactly. A
    ratio within rounding of the threshold but not equal to it is left out: there a float
    implementation may go either way."""
    if not edges_only and draw(st.integers(0, 3)) == 0:
        X, t = draw(tied(dtype))
    else:
        X = draw(data(dtype, edges_only))
        assume(_has_variance(X))
        t = draw(st.sampled_from(THRESHOLDS))
    s = spectrum(X)
    u = unit_roundoff(dtype)
    for k, r in enumerate(cumulative_ratios(s), start=1):
        assume(_is_tie(r, t) or abs(r - mpmath.mpf(t)) > 2 * cumulative_margin(s, k, u))
    return {"X": X, "threshold": t}


def _transform_shapes():
    return st.sampled_from([(3, 2, 1), (4, 2, 2), (4, 3, 2), (2, 3, 1), (5, 3, 3)])


@st.composite
def transform_inputs(draw, dtype, edges_only=False):
    """X (n, d), components (k, d) (often orthonormal rows, as fit returns), mean (d,) (often
    X's own column mean, rounded to the dtype)."""
    n, dim, k = draw(_transform_shapes())
    el = _elements(dtype, edges_only)
    X = draw(hnp.arrays(dtype, (n, dim), elements=el))
    if draw(st.booleans()):
        q, _ = np.linalg.qr(np.asarray(draw(hnp.arrays(np.float64, (dim, dim),
                                                       elements=st.floats(-1, 1))), np.float64)
                            + np.eye(dim))
        comps = q.T[:k].astype(dtype)
    else:
        comps = draw(hnp.arrays(dtype, (k, dim), elements=_elements(dtype, edges_only)))
    mean = X.astype(np.float64).mean(axis=0).astype(dtype) if draw(st.booleans()) else \
        draw(hnp.arrays(dtype, (dim,), elements=el))
    assume(np.isfinite(comps).all())
    return {"X": X, "components": comps, "mean": mean}


def _is_wide(x) -> bool:
    n, dim = np.shape(x["X"])
    return n <= dim


_DATA_COVERAGE = d.Coverage(edges=lambda dt: {"X": _edges(dt)},
                            classes={TALL: lambda x: not _is_wide(x), WIDE: _is_wide})
COVERAGE = {  # what the domains above promise to draw (tests/test_coverage.py)
    "pca.fit": _DATA_COVERAGE, "pca.explained_variance_ratio": _DATA_COVERAGE,
    "pca.choose_k": d.Coverage(
        edges=lambda dt: {"X": _edges(dt), "threshold": list(THRESHOLDS)},
        classes={TALL: lambda x: not _is_wide(x), WIDE: _is_wide,
                 "an exact tie at the threshold": lambda x: exact_tie(x["X"], x["threshold"]),
                 "the issue's tie witness": lambda x: x["X"].shape == TIE_WITNESS.shape
                 and bool(np.array_equal(x["X"], TIE_WITNESS)) and x["threshold"] == 0.5}),
    "pca.transform": d.Coverage(edges=lambda dt: {"X": _edges(dt)},
                                classes={TALL: lambda x: not _is_wide(x), WIDE: _is_wide}),
}


def _probe_X(dtype):
    return np.array([[2.0, 0.0], [0.0, 1.0], [-2.0, 0.5], [0.0, -1.5]], dtype)


# --- the oracles -------------------------------------------------------------------------------

fit = Fit(
    id="pca.fit", signature="fit(X, k)", formula="top k eigenpairs of X_cᵀX_c/(n-1)", seed=SEED,
    arrays=("X", "k"), outputs=("components", "explained_variance"), domain=fit_inputs,
    edges=lambda dt: fit_inputs(dt, edges_only=True),
    probe=lambda dt: {"X": _probe_X(dt), "k": 1},
    note="components are compared up to sign; each component is judged to the accuracy its "
         "eigenvalue gap determines (Davis–Kahan), so at a tie only the laws judge it",
)

transform = Structured(
    id="pca.transform", signature="transform(X, components, mean)",
    formula="Z = (X - mean) V_kᵀ, components V_k (k, d)", seed=SEED,
    arrays=("X", "components", "mean"), build=lambda X, components, mean: (X - mean) @ components.T,
    domain=transform_inputs, edges=lambda dt: transform_inputs(dt, edges_only=True),
    probe=lambda dt: {"X": _probe_X(dt), "components": np.array([[1.0, 0.0]], dt),
                      "mean": np.array([0.0, 0.0], dt)},
    note="the seed's Z = X V_k with components stored as rows (k, d), as fit returns them",
)

explained_variance_ratio = Ratios(
    id="pca.explained_variance_ratio", signature="explained_variance_ratio(X)",
    formula="λ_k / Σ λ_i, all d, descending", seed=SEED, arrays=("X",), domain=ratio_inputs,
    edges=lambda dt: ratio_inputs(dt, edges_only=True), probe=lambda dt: {"X": _probe_X(dt)},
)

choose_k = ChooseK(
    id="pca.choose_k", signature="choose_k(X, threshold=0.95)",
    formula="smallest k with Σ_{i≤k} λ_i/Σλ ≥ threshold", seed=SEED, arrays=("X",),
    params=(Param("threshold", 0.95, numeric=False),), domain=choose_inputs,
    edges=lambda dt: choose_inputs(dt, edges_only=True), probe=lambda dt: {"X": _probe_X(dt)},
    propagates_nan=False, integer=True,
    note="a tie (cumulative ratio exactly at the threshold) reaches it (≥, the seed's rule), "
         "and the domain draws exact ties; otherwise it keeps every cumulative ratio clear of "
         "the threshold by more than its rounding error, where the answer is unique. An "
         "integer cannot be NaN: no nan check",
)

POSITION = 12  # the section's place in the catalogue (oracles.sections)
ORACLES = (fit, transform, explained_variance_ratio, choose_k)
