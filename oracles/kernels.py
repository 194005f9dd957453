"""Kernel functions: Gram matrices K_ij = k(x_i, y_j) of the rows of X (n, d) and Y (m, d).

Seed: "Kernel Methods › Kernel Trick" (K(x₁, x₂) = φ(x₁)ᵀφ(x₂); linear xᵀy, RBF
exp(-γ‖x-y‖²), polynomial (xᵀy + c)^d). Each entry is a function of two rows, so the oracle
is a ``Pairwise`` one: the kernel is written once in SymPy for rows of d symbols, compiled
(with its ``sympy.diff`` gradient) once per d, and evaluated per (i, j) pair. The explicit
feature map of the polynomial kernel (``polynomial_features``) is SymPy's expansion of
(xᵀy + c)^d; tests/test_kernels.py proves K = φ(x)·φ(y).

scikit-learn's ``polynomial_kernel`` is (γ xᵀy + c₀)^d with γ = 1/n_features by default
(CATALOGUE, "Where the seed is wrong or silent" 5): the oracle is the seed's (xᵀy + c)^d,
and the adapter passes γ = 1.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations_with_replacement
from typing import Callable

import mpmath
import numpy as np
import sympy as sp
from hypothesis import strategies as st

from mathoracle.core.formats import finfo
from mathoracle.core.compiled import lambdify
from mathoracle.core.model import Exact, Oracle, digits, rounding_budget

from . import domains as d
from .shapes import _sensitivity

SEED = "Kernel Methods › Kernel Trick"
MAX_ROWS = 3      # n, m ≤ 3
MAX_FEATURES = 3  # d ≤ 3
DEGREES = (0, 1, 2, 3, 4)


@dataclass(eq=False)
class Pairwise(Oracle):
    """K_ij = kernel(X[i], Y[j], *scalars) for X (n, d), Y (m, d), output (n, m).

    ``arrays`` is ("X", "Y", *scalars): Python floats (γ, c) are symbols and count in the
    sensitivity; Python ints (the degree) fix the structure. One compilation per (d, ints).
    """

    kernel: Callable[..., sp.Expr] | None = None  # (x symbols, y symbols, *scalars) -> expr
    _cache: dict = field(default_factory=dict, repr=False)

    def _scalars(self, inputs):
        return [inputs[a] for a in self.arrays[2:]]

    def compiled(self, inputs):
        dim = np.shape(inputs["X"])[-1]
        ints = tuple(v for v in self._scalars(inputs) if isinstance(v, (int, np.integer)))
        key = (dim, ints)
        if key not in self._cache:
            self._cache[key] = self._compile(dim, inputs)
        return self._cache[key]

    def _compile(self, dim, inputs):
        xs = sp.symbols(f"x0:{dim}", real=True)
        ys = sp.symbols(f"y0:{dim}", real=True)
        floats, args = [], []
        for name, v in zip(self.arrays[2:], self._scalars(inputs)):
            if isinstance(v, (int, np.integer)):
                args.append(int(v))
            else:
                s = sp.Symbol(name, real=True)
                floats.append(s)
                args.append(s)
        expr = self.kernel(list(xs), list(ys), *args)
        symbols = (*xs, *ys, *floats)
        fn = lambdify(symbols, lambda: [expr, *(sp.diff(expr, s) for s in symbols)], cse=True,
                       key=("gradient", expr))
        free = expr.free_symbols
        depends = ([s in free for s in xs], [s in free for s in ys])
        return fn, rounding_budget(expr), depends

    def exact(self, inputs):
        full = {**self.defaults(), **inputs}
        fn, budget, _ = self.compiled(full)
        X, Y = np.asarray(full["X"]), np.asarray(full["Y"])
        floats = [mpmath.mpf(float(v)) for v in self._scalars(full)
                  if not isinstance(v, (int, np.integer))]
        value = np.empty((X.shape[0], Y.shape[0]), dtype=object)
        sens = np.empty_like(value)
        with mpmath.workprec(exact_sum_bits(X, Y, floats)):
            rows_x = [[mpmath.mpf(float(v)) for v in r] for r in X]
            rows_y = [[mpmath.mpf(float(v)) for v in r] for r in Y]
            for i, x in enumerate(rows_x):
                for j, y in enumerate(rows_y):
                    vals = (*x, *y, *floats)
                    k, *g = fn(*vals)
                    value[i, j] = k
                    sens[i, j] = _sensitivity(g, vals)
        with mpmath.workdps(digits()):  # round to the working precision of every oracle
            value, sens = (np.vectorize(lambda v: +v, otypes=[object])(a) for a in (value, sens))
        return Exact(value, sens, budget)

    def output_shape(self, inputs):
        return (np.shape(inputs["X"])[0], np.shape(inputs["Y"])[0])

    def nan_reach(self, inputs, arg, index):
        """A NaN in X[i, k] makes row i NaN, in Y[j, k] column j (where k appears at all:
        (xᵀy + c)⁰ = 1 depends on nothing)."""
        _, _, (on_x, on_y) = self.compiled({**self.defaults(), **inputs})
        mask = np.zeros(self.output_shape(inputs), dtype=bool)
        row, k = index
        if arg == "X" and on_x[k]:
            mask[row, :] = True
        if arg == "Y" and on_y[k]:
            mask[:, row] = True
        return mask

    def pointwise(self, inputs, arg, index):
        """K(x_i, y_j) of each reached pair, the other coordinates and the scalars at their values
        (γ = 0 makes the RBF kernel 1 whatever x is)."""
        full = {**self.defaults(), **inputs}
        X, Y = np.asarray(full["X"]), np.asarray(full["Y"])
        xs = sp.symbols(f"x0:{X.shape[-1]}", real=True)
        ys = sp.symbols(f"y0:{X.shape[-1]}", real=True)
        args, values = [], {}
        for name, v in zip(self.arrays[2:], self._scalars(full)):
            if isinstance(v, (int, np.integer)):
                args.append(int(v))
            else:
                args.append(sp.Symbol(name, real=True))
                values[args[-1]] = v
        expr = self.kernel(list(xs), list(ys), *args)
        x = (xs if arg == "X" else ys)[index[1]]
        return [(int(i) * Y.shape[0] + int(j), expr, x,
                 {**values, **dict(zip(xs, X[i])), **dict(zip(ys, Y[j]))})
                for i, j in np.argwhere(self.nan_reach(full, arg, index))]


def exact_sum_bits(X, Y, floats) -> int:
    """Working precision (bits) at which xᵀy + c and ‖x - y‖² are exact: sums of products of
    floats spanning binades 2^lo .. 2^hi need 2(hi - lo) + 2·53 bits, plus guard bits. At
    digits() alone, (c + x₀y₀) + x₁y₁ would lose a c of 3e-75 beside x₀y₀ = 0.5 = -x₁y₁."""
    values = [abs(float(v)) for v in (*np.ravel(X), *np.ravel(Y), *floats)]
    exps = [np.frexp(v)[1] for v in values if v != 0 and np.isfinite(v)]
    span = (max(exps) - min(exps)) if exps else 0
    return max(int(digits() * 3.33) + 20, 2 * span + 2 * 53 + 64)


# --- formulas --------------------------------------------------------------------------

def dot(x, y):
    return sum(a * b for a, b in zip(x, y))


def linear_kernel(x, y):
    """xᵀy."""
    return dot(x, y)


def rbf_kernel(x, y, gamma):
    """exp(-γ‖x - y‖²)."""
    return sp.exp(-gamma * sum((a - b) ** 2 for a, b in zip(x, y)))


def polynomial_kernel(x, y, degree, coef0):
    """(xᵀy + c)^d."""
    return (dot(x, y) + coef0) ** degree


def polynomial_features(x, degree, coef0):
    """The explicit feature map φ with φ(x)·φ(y) = (xᵀy + c)^d (c ≥ 0): one feature per
    monomial of degree ≤ d in x, √(multinomial(d; α, d - |α|)·c^(d-|α|))·x^α, read off SymPy's
    expansion of (xᵀy + c)^d."""
    feats = []
    for k in range(degree + 1):
        for combo in combinations_with_replacement(range(len(x)), k):
            powers = [combo.count(i) for i in range(len(x))]
            coeff = sp.factorial(degree) / (sp.factorial(degree - k) * sp.prod(
                [sp.factorial(p) for p in powers]))
            feats.append(sp.sqrt(coeff * coef0 ** (degree - k)) * sp.prod(
                [xi ** p for xi, p in zip(x, powers)]))
    return feats


# --- domains ---------------------------------------------------------------------------

def bound(dtype, degree: int = 2, coef0: float = 2.0) -> float:
    """Largest power of two B such that (d·B² + |c|)^degree, with d = MAX_FEATURES, stays
    below a quarter of the dtype's max (with (2B)² for B², so that the RBF's ‖x - y‖² ≤ d·(2B)²
    is covered by degree 1, c = 0): no kernel of rows in [-B, B] overflows."""
    top = float(finfo(dtype).max) / 4
    b = 2.0 ** 60
    while b > 2.0 ** -4 and (MAX_FEATURES * 4 * b * b + abs(coef0)) ** max(degree, 1) >= top:
        b /= 2
    return b


def _edges(dtype, b):
    fi = finfo(dtype)
    vals = [0.0, -0.0, 1.0, -1.0, 0.5, -2.0, b, -b, b / 3, float(fi.smallest_subnormal),
            float(fi.tiny), -float(fi.tiny), 1e-8, 2.0 ** -12]
    return [v for v in d.representable(dtype, vals) if abs(float(v)) <= b]


@st.composite
def rows(draw, dtype, b, edges_only=False, gram=None):
    """X (n, d) and Y (m, d) with entries in [-B, B], edge values mixed in. Y is often X
    itself (a Gram matrix), shares rows with X (K(x, x) on the diagonal) or is X shifted."""
    edges = _edges(dtype, b)
    elems = st.sampled_from(edges) if edges_only else d.elements(dtype, lo=-b, hi=b, edges=edges)
    dim = draw(st.integers(1, MAX_FEATURES))
    n = draw(st.integers(1, MAX_ROWS))
    X = draw(d.arrays(dtype, elems, shape=st.just((n, dim))))
    how = "same" if gram else draw(st.sampled_from(["same", "shared", "shifted", "drawn", "drawn"]))
    if how == "same":
        Y = X.copy()
    elif how == "shifted":  # Y = X + s: distances of every size, K from 1 down to underflow
        s = draw(st.sampled_from([0.25, 1.0, 3.0]))
        with np.errstate(over="ignore"):
            Y = np.clip(X.astype(np.float64) + s, -b, b).astype(dtype)
    else:
        m = draw(st.integers(1, MAX_ROWS))
        Y = draw(d.arrays(dtype, elems, shape=st.just((m, dim))))
        if how == "shared":
            Y[: min(n, m)] = X[: min(n, m)]
    return X, Y


GAMMA_EDGES = (1.0, 0.5, 2.0, 0.1, 1 / 3, 0.0)  # γ = 0: K = 1 everywhere, not "the default"


def gammas(edges_only=False):
    """γ: an edge, or a draw from [2^-8, 16] (γ = 0 is an edge outside that range)."""
    edges = st.sampled_from(GAMMA_EDGES)
    return edges if edges_only else st.one_of(edges, d.elements(np.float64, lo=2.0 ** -8, hi=16.0))


def coef0s(nonnegative=False):
    """c in [-2, 2], or [0, 2] (a PSD polynomial kernel), its edges those of that range."""
    lo = 0.0 if nonnegative else -2.0
    edges = [0.0, 1.0, 0.5, 2.0] + ([] if nonnegative else [-1.0])
    return d.elements(np.float64, lo=lo, hi=2.0, edges=edges)


@st.composite
def linear_inputs(draw, dtype, edges_only=False, gram=False):
    X, Y = draw(rows(dtype, bound(dtype, 1, 0.0), edges_only, gram))
    return {"X": X, "Y": Y}


@st.composite
def rbf_inputs(draw, dtype, edges_only=False, gram=False):
    X, Y = draw(rows(dtype, bound(dtype, 1, 0.0), edges_only, gram))
    return {"X": X, "Y": Y, "gamma": draw(gammas(edges_only))}


@st.composite
def polynomial_inputs(draw, dtype, edges_only=False, gram=False, nonnegative=False):
    degree = draw(st.sampled_from(DEGREES))
    X, Y = draw(rows(dtype, bound(dtype, degree), edges_only, gram))
    return {"X": X, "Y": Y, "degree": degree, "coef0": draw(coef0s(nonnegative or gram))}


COVERAGE = {  # what the domains above promise to draw (tests/test_coverage.py)
    "kernel.linear": d.Coverage(edges=lambda dt: {"X": _edges(dt, bound(dt, 1, 0.0))}),
    "kernel.rbf": d.Coverage(edges=lambda dt: {"X": _edges(dt, bound(dt, 1, 0.0)),
                                               "gamma": list(GAMMA_EDGES)}),
    "kernel.polynomial": d.Coverage(edges=lambda dt: {"degree": list(DEGREES),
                                                      "coef0": [0.0, 1.0, 0.5, 2.0, -1.0]}),
}


def _probe(dtype):
    return {"X": np.array([[0.5, -1.0], [2.0, 0.25]], dtype),
            "Y": np.array([[1.0, 1.0], [0.5, -1.0], [0.0, 2.0]], dtype)}


# --- oracles ---------------------------------------------------------------------------

linear = Pairwise(
    id="kernel.linear", signature="linear(X, Y)", formula="x^T y", seed=SEED,
    arrays=("X", "Y"), kernel=linear_kernel, domain=linear_inputs,
    edges=lambda dt: linear_inputs(dt, edges_only=True), probe=_probe,
)

rbf = Pairwise(
    id="kernel.rbf", signature="rbf(X, Y, gamma)", formula="exp(-γ‖x-y‖²)", seed=SEED,
    arrays=("X", "Y", "gamma"), kernel=rbf_kernel, domain=rbf_inputs,
    edges=lambda dt: rbf_inputs(dt, edges_only=True),
    probe=lambda dt: {**_probe(dt), "gamma": 0.5},
    note="exp(-γ‖x-y‖²) underflows to 0 for far points: the value is then below what the dtype "
         "represents, and 0 is right there (the agreement allowance includes the smallest normal)",
)

polynomial = Pairwise(
    id="kernel.polynomial", signature="polynomial(X, Y, degree, coef0)", formula="(x^T y + c)^d",
    seed=SEED, arrays=("X", "Y", "degree", "coef0"), kernel=polynomial_kernel,
    domain=polynomial_inputs, edges=lambda dt: polynomial_inputs(dt, edges_only=True),
    probe=lambda dt: {**_probe(dt), "degree": 3, "coef0": 1.0},
    note="the seed's (xᵀy + c)^d; scikit-learn's polynomial_kernel is (γ xᵀy + c₀)^d with "
         "γ = 1/n_features by default (its adapter passes γ = 1)",
)

POSITION = 10  # the section's place in the catalogue (oracles.sections)
ORACLES = (linear, rbf, polynomial)

