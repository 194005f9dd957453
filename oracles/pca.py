"""PCA (seed: "Dimensionality Reduction › PCA"): centre, C = X_cᵀX_c/(n-1), C = VΛVᵀ, keep
the top k eigenvectors, Z = X_c V_k; the explained variance ratio λ_k/Σλ_i, and the smallest k
whose cumulative ratio reaches a threshold.

Exact answers: the covariance is computed exactly in rationals (``sympy.Rational`` of every
float input), its eigenpairs with ``mpmath.eigsy`` at ``digits()`` digits.

Sensitivity (derived, per unit roundoff u). A computed covariance is C + ΔC with
|ΔC_ij| ≤ (n+1)·u·M_ij, M_ij = Σ_k (a_ki|c_kj| + |c_ki|a_kj + |c_ki c_kj| + (n+1)·u·a_ki a_kj)/(n-1),
where c = X_c and a_ki = |x_ki| + mean_l|x_li| (the input's own relative perturbation and the
rounded mean's error reach the centred value: |δ_ki| ≤ (n+1)·u·a_ki; the last term is δ_ki·δ_kj,
the whole error where the exact centred data is 0, a constant column far from 0); a backward-stable eigensolver adds ‖E‖₂ ≤ d²·u·‖C‖₂ ≤ d²·u·‖M‖_F
(Demmel, Applied Numerical Linear Algebra, §5.5, with d² for its p(d)); an underflowing product
adds the dtype's smallest normal λ per term. So ‖ΔC‖₂ ≤ budget·u·W with budget = n + 1 + d² and
W = ‖M‖_F + d·λ/u. Then
- an eigenvalue moves by at most ‖ΔC‖₂ (Weyl): its sensitivity is W;
- a unit eigenvector by at most ‖ΔC‖₂/gap_j (Davis–Kahan sin θ, first order), gap_j the
  distance from λ_j to every other eigenvalue, plus the solver's own u-level orthogonality
  error: sensitivity W/gap_j + 1 for each entry. A component of a (near-)repeated eigenvalue
  is not unique: its allowance grows as the gap closes and is unbounded at a tie, so the
  agreement check judges each component individually, only as far as its gap determines it
  (ties are judged by the laws: orthonormality, ordering and reconstruction error);
- a ratio λ_j/T (T = tr C) by ‖ΔC‖₂(1 + d·λ_j/T)/T, since |ΔT| ≤ d‖ΔC‖₂.

Components are defined up to sign: ``align`` flips each returned component to the sign of the
exact one (positive dot product) before judging.
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from fractions import Fraction

import mpmath
import numpy as np
import sympy as sp
from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from mathoracle.core.formats import finfo
from mathoracle.core.model import Exact, Oracle, Param, Part, digits

from . import domains as d
from .structured import Structured

SEED = "Dimensionality Reduction › PCA"
# (n, d): few and small (n ≤ 6, d ≤ 4: ``bound``); tall (n > d) and wide (n ≤ d: the centred
# data have rank ≤ n - 1 < d, and the trailing eigenvalues and ratios are exactly 0).
SHAPES = [(2, 1), (3, 2), (4, 2), (5, 2), (4, 3), (6, 3), (5, 4), (2, 3), (3, 4), (2, 4), (3, 3)]
TALL, WIDE = "tall (n > d)", "wide (n ≤ d)"
THRESHOLDS = (0.95, 0.9, 0.8, 0.5, 0.99)


# --- the exact eigenproblem ----------------------------------------------------------

def rational_matrix(X) -> sp.Matrix:
    """A float array as a SymPy matrix of exact Rationals."""
    X = np.atleast_2d(np.asarray(X, dtype=np.float64))
    return sp.Matrix(X.shape[0], X.shape[1], lambda i, j: sp.Rational(Fraction(float(X[i, j]))))


def covariance(X) -> sp.Matrix:
    """C = X_cᵀX_c/(n-1), X_c = X - mean(X), exactly."""
    A = rational_matrix(X)
    n = A.shape[0]
    mean = sp.ones(1, n) * A / n
    Xc = A - sp.ones(n, 1) * mean
    return Xc.T * Xc / (n - 1)


def unit_roundoff(dtype) -> mpmath.mpf:
    """u = 2^-p of a float dtype."""
    return mpmath.mpf(float(finfo(dtype).eps)) / 2


def smallest_normal(dtype) -> mpmath.mpf:
    return mpmath.mpf(float(finfo(dtype).tiny))


def _mpf(q) -> mpmath.mpf:
    return mpmath.mpf(q.p) / q.q


@dataclass
class Spectrum:
    """The exact eigendecomposition of X's covariance, and its perturbation bounds."""

    values: list          # eigenvalues, descending (mpf)
    vectors: list         # unit eigenvectors as lists, in the same order (the components)
    gaps: list            # distance from each eigenvalue to the nearest other (inf for d = 1)
    trace: object         # T = tr C = Σλ (mpf, exact rational converted)
    W: object             # ‖ΔC‖₂ ≤ budget·u·W (see the module docstring)
    budget: int           # n + 1 + d²


_SPECTRA: "OrderedDict[tuple, dict]" = OrderedDict()  # X -> {"C": cov, digits: Spectrum}


def _signed(v: list) -> list:
    """±v with its first largest component (to 1e-10) positive: the same sign at every precision."""
    top = max(abs(c) for c in v)
    lead = next(c for c in v if abs(c) >= top * (1 - mpmath.mpf(10) ** -10))
    return [-c for c in v] if lead < 0 else v


def spectrum(X) -> Spectrum:
    """The exact spectrum of cov(X) at the working precision (cached on X's bytes: a check
    asks several times; the rational covariance once for every precision)."""
    X = np.asarray(X)
    key = (X.dtype.str, X.shape, X.tobytes())
    if key not in _SPECTRA:
        _SPECTRA[key] = {"C": covariance(X)}
        if len(_SPECTRA) > 256:
            _SPECTRA.popitem(last=False)
    _SPECTRA.move_to_end(key)
    known = _SPECTRA[key]
    if digits() in known:
        return known[digits()]
    n, dim = X.shape
    C = known["C"]
    with mpmath.workdps(digits() + 20):
        Cm = mpmath.matrix([[_mpf(C[i, j]) for j in range(dim)] for i in range(dim)])
        E, Q = mpmath.eigsy(Cm)
        order = sorted(range(dim), key=lambda i: -E[i])
        values = [E[i] for i in order]
        vectors = [_signed([Q[r, i] for r in range(dim)]) for i in order]
        gaps = [min((abs(v - w) for m, w in enumerate(values) if m != j), default=mpmath.inf)
                for j, v in enumerate(values)]
        x = [[mpmath.mpf(float(v)) for v in row] for row in np.asarray(X, dtype=np.float64)]
        means = [mpmath.fsum(x[k][i] for k in range(n)) / n for i in range(dim)]
        absmeans = [mpmath.fsum(abs(x[k][i]) for k in range(n)) / n for i in range(dim)]
        c = [[x[k][i] - means[i] for i in range(dim)] for k in range(n)]
        a = [[abs(x[k][i]) + absmeans[i] for i in range(dim)] for k in range(n)]
        u, lam = unit_roundoff(X.dtype), smallest_normal(X.dtype)
        g = (n + 1) * u  # the second-order term δ_ki·δ_kj, |δ| ≤ (n+1)·u·a, per (n+1)·u
        M2 = mpmath.fsum(
            (mpmath.fsum(a[k][i] * abs(c[k][j]) + abs(c[k][i]) * a[k][j] + abs(c[k][i] * c[k][j])
                         + g * a[k][i] * a[k][j] for k in range(n)) / (n - 1)) ** 2
            for i in range(dim) for j in range(dim))
        W = mpmath.sqrt(M2) + dim * lam / u
        out = Spectrum(values, vectors, gaps, _mpf(C.trace()), W, n + 1 + dim * dim)
    known[digits()] = out
    return out


def _eigenvector_sensitivity(s: Spectrum, j: int):
    """Davis–Kahan: W/gap_j, plus 1 for the solver's orthogonality error (unbounded at a tie)."""
    tiny = mpmath.mpf(10) ** (-(digits() - 10)) * max(abs(s.values[0]), 1)
    return mpmath.inf if s.gaps[j] <= tiny else s.W / s.gaps[j] + 1


def cumulative_ratios(s: Spectrum) -> list:
    """Σ_{i≤k} λ_i / T for k = 1..d."""
    with mpmath.workdps(digits() + 20):
        return [mpmath.fsum(s.values[:k]) / s.trace for k in range(1, len(s.values) + 1)]


def chosen_k(s: Spectrum, threshold: float) -> int:
    """The smallest k whose cumulative ratio is ≥ threshold (a tie counts as reaching it)."""
    t = mpmath.mpf(threshold)
    for k, r in enumerate(cumulative_ratios(s), start=1):
        if r >= t - mpmath.mpf(10) ** (-(digits() - 10)):
            return k
    return len(s.values)


def cumulative_margin(s: Spectrum, k: int, u) -> object:
    """Bound on the error of a computed cumulative ratio r_k = A/T: |Δr_k| ≤ ‖ΔC‖₂(k + d·r_k)/T."""
    r = cumulative_ratios(s)[k - 1]
    return s.budget * u * s.W * (k + len(s.values) * r) / s.trace


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
            sens = [_eigenvector_sensitivity(s, j) for j in range(k) for _ in s.vectors[j]]
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
