"""Support vector machines: the primal and dual objectives, and the dual's optimum.

Seed: "Kernel Methods › SVM Optimization". Labels y ∈ {-1, +1}.

- primal_objective(w, b, X, y, C) = ½‖w‖² + C Σ_i ξ_i with the slack at its smallest
  feasible value, the hinge ξ_i = max(0, 1 - y_i(wᵀx_i + b)) (the seed's constraint
  y_i(wᵀx_i + b) ≥ 1 - ξ_i, ξ_i ≥ 0; the seed leaves ξ ≥ 0 implicit).
- dual_objective(alpha, y, K) = Σ α_i - ½ Σ_ij α_i α_j y_i y_j K_ij.
- fit_dual(X, y, C, kernel="linear") = argmax of the dual s.t. 0 ≤ α ≤ C, Σ α_i y_i = 0
  (the seed writes the argmax without its constraints). α is unique only where the dual is
  strictly concave on the feasible set; its optimal *value* always is. The oracle
  (``DualOptimum``, in svm_solver.py) solves the QP exactly in rationals, and an
  implementation is judged by feasibility and the dual value it attains, not α elementwise.
"""
from __future__ import annotations

import numpy as np
import sympy as sp
from hypothesis import strategies as st

from mathoracle.core.formats import finfo
from mathoracle.core.model import Param

from . import domains as d
from .structured import Structured, elementwise
from .svm_solver import DualOptimum

SEED = "Kernel Methods › SVM Optimization"
MAX_SAMPLES = 4   # n ≤ 4: the exact QP enumerates 3^n active sets at worst
MAX_FEATURES = 3
# (n, d) of the primal's X: few shapes, for each costs one Structured compilation (~0.5 s)
PRIMAL_SHAPES = ((1, 1), (2, 2), (3, 1), (3, 2), (4, 3))


# --- formulas --------------------------------------------------------------------------

def hinge(margin):
    """max(0, 1 - m): the smallest slack ξ ≥ 0 with m ≥ 1 - ξ."""
    return sp.Piecewise((0, margin >= 1), (1 - margin, True))


def primal(w, b, X, y, C):
    """½‖w‖² + C Σ_i max(0, 1 - y_i(wᵀx_i + b))."""
    margins = y * (X @ w + b)
    return sp.Rational(1, 2) * (w @ w) + C * sum(elementwise(hinge)(margins))


def dual(alpha, y, K):
    """Σ α_i - ½ Σ_ij α_i α_j y_i y_j K_ij."""
    ay = alpha * y
    return sum(alpha) - sp.Rational(1, 2) * (ay @ K @ ay)


# --- domains ---------------------------------------------------------------------------

def bound(dtype) -> float:
    """Largest power of two B (≤ 2^20) with n·C·(d·B² + B + 1) and ½ d B² far below the
    dtype's max for C ≤ 16, n ≤ 5, d ≤ 3: no objective of entries in [-B, B] overflows."""
    top = float(finfo(dtype).max) / 64
    b = 2.0 ** 20
    while MAX_SAMPLES * 16 * (MAX_FEATURES * b * b + b + 1) >= top:
        b /= 2
    return b


def _edges(dtype, b):
    fi = finfo(dtype)
    vals = [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.0, b, -b, float(fi.smallest_subnormal), 1e-8]
    return [v for v in d.representable(dtype, vals) if abs(float(v)) <= b]


def _elements(dtype, edges_only):
    b = bound(dtype)
    edges = _edges(dtype, b)
    return st.sampled_from(edges) if edges_only else d.elements(dtype, lo=-b, hi=b, edges=edges)


COST_EDGES = (1.0, 0.5, 10.0, 1e-3, 16.0)
FIT_EDGES = (0.0, 1.0, -1.0, 0.5, 2.0, -2.0)


def costs(edges_only=False, positive=False):
    edges = list(COST_EDGES) + ([] if positive else [0.0])
    if edges_only:
        return st.sampled_from(edges)
    return st.one_of(st.sampled_from(edges), d.elements(np.float64, lo=2.0 ** -6, hi=16.0))


@st.composite
def labels(draw, dtype, n, both=False):
    """y ∈ {-1, +1}^n (with both classes when ``both``)."""
    y = np.array(draw(st.lists(st.sampled_from([-1.0, 1.0]), min_size=n, max_size=n)))
    if both and n >= 2 and abs(y.sum()) == n:
        y[draw(st.integers(0, n - 1))] *= -1
    return y.astype(dtype)


@st.composite
def primal_inputs(draw, dtype, edges_only=False):
    elems = _elements(dtype, edges_only)
    n, dim = draw(st.sampled_from(PRIMAL_SHAPES))
    X = draw(d.arrays(dtype, elems, shape=st.just((n, dim))))
    w = draw(d.arrays(dtype, elems, shape=st.just((dim,))))
    b = float(draw(elems))
    return {"w": w, "b": b, "X": X, "y": draw(labels(dtype, n)), "C": draw(costs(edges_only))}


@st.composite
def dual_inputs(draw, dtype, edges_only=False):
    """α ∈ [0, C]-like values, y, and K a Gram matrix of drawn rows (rounded to the dtype),
    or (now and then) any matrix: the dual objective is defined for every K."""
    elems = _elements(dtype, edges_only)
    n = draw(st.integers(1, MAX_SAMPLES))
    dim = draw(st.integers(1, 2))
    X = draw(d.arrays(dtype, elems, shape=st.just((n, dim)))).astype(np.float64)
    if draw(st.booleans()) or edges_only:
        with np.errstate(over="ignore"):
            K = (X @ X.T).astype(dtype)
        K = np.where(np.isfinite(K), K, 0).astype(dtype)
    else:
        K = draw(d.arrays(dtype, elems, shape=st.just((n, n))))
    alpha = np.abs(draw(d.arrays(dtype, elems, shape=st.just((n,)))))
    return {"alpha": alpha, "y": draw(labels(dtype, n)), "K": K}


@st.composite
def fit_inputs(draw, dtype, edges_only=False):
    """n ≥ 2 samples of both classes, entries in [-16, 16] (small grid values at the edges:
    duplicates, opposite labels on one point, collinear points), C in [2^-6, 16]."""
    b = min(bound(dtype), 16.0)
    if edges_only:
        elems = st.sampled_from(d.representable(dtype, FIT_EDGES))
    else:
        elems = d.elements(dtype, lo=-b, hi=b, edges=_edges(dtype, b))
    n = draw(st.integers(2, MAX_SAMPLES))
    dim = draw(st.integers(1, MAX_FEATURES))
    X = draw(d.arrays(dtype, elems, shape=st.just((n, dim))))
    return {"X": X, "y": draw(labels(dtype, n, both=True)),
            "C": draw(costs(edges_only, positive=True))}


def _one_sample(name):
    return lambda x: np.shape(x[name])[0] == 1


COVERAGE = {  # what the domains above promise to draw (tests/test_coverage.py)
    "svm.primal_objective": d.Coverage(
        edges=lambda dt: {"X": _edges(dt, bound(dt)), "w": _edges(dt, bound(dt)),
                          "b": _edges(dt, bound(dt)), "y": [-1.0, 1.0], "C": [*COST_EDGES, 0.0]},
        classes={"one sample": _one_sample("X"), "one class only": lambda x: abs(
            float(np.sum(x["y"]))) == len(x["y"]) and len(x["y"]) >= 2}),
    "svm.dual_objective": d.Coverage(
        edges=lambda dt: {"K": _edges(dt, bound(dt)), "y": [-1.0, 1.0]},
        classes={"one sample": _one_sample("K")}),
    "svm.fit_dual": d.Coverage(
        edges=lambda dt: {"X": d.representable(dt, FIT_EDGES), "y": [-1.0, 1.0],
                          "C": list(COST_EDGES)},
        classes={"two samples": lambda x: len(x["y"]) == 2,
                 "one feature": lambda x: x["X"].shape[1] == 1,
                 "a duplicated point": lambda x: len(np.unique(x["X"], axis=0)) < len(x["X"])}),
}


def _probe_primal(dtype):
    return {"w": np.array([0.5, -1.0], dtype), "b": 0.25,
            "X": np.array([[1.0, 2.0], [-1.0, 0.5], [2.0, -2.0]], dtype),
            "y": np.array([1.0, -1.0, 1.0], dtype), "C": 1.0}


def _probe_dual(dtype):
    return {"alpha": np.array([0.5, 0.25, 0.25], dtype), "y": np.array([1.0, -1.0, -1.0], dtype),
            "K": np.array([[2.0, 1.0, 0.0], [1.0, 2.0, 0.5], [0.0, 0.5, 1.0]], dtype)}


def _probe_fit(dtype):
    return {"X": np.array([[1.0, 2.0], [-1.0, 0.5], [2.0, -2.0], [0.0, 0.0]], dtype),
            "y": np.array([1.0, -1.0, 1.0, -1.0], dtype), "C": 1.0}


# --- oracles ---------------------------------------------------------------------------

primal_objective = Structured(
    id="svm.primal_objective", signature="primal_objective(w, b, X, y, C)",
    formula="½‖w‖² + C Σ max(0, 1 - y(wᵀx + b))", seed=SEED, arrays=("w", "b", "X", "y", "C"),
    build=primal, domain=primal_inputs, edges=lambda dt: primal_inputs(dt, edges_only=True),
    probe=_probe_primal,
    note="the slack is the hinge max(0, 1 - y(wᵀx + b)), the smallest ξ ≥ 0 the seed's "
         "constraint allows (the seed leaves ξ ≥ 0 implicit)",
)

dual_objective = Structured(
    id="svm.dual_objective", signature="dual_objective(alpha, y, K)",
    formula="Σα - ½ ΣΣ α_i α_j y_i y_j K_ij", seed=SEED, arrays=("alpha", "y", "K"),
    build=dual, domain=dual_inputs, edges=lambda dt: dual_inputs(dt, edges_only=True),
    probe=_probe_dual,
)

fit_dual = DualOptimum(
    id="svm.fit_dual", signature='fit_dual(X, y, C, kernel="linear")',
    formula="argmax Σα - ½ΣΣ α_i α_j y_i y_j K_ij s.t. 0 ≤ α ≤ C, Σ α y = 0", seed=SEED,
    arrays=("X", "y", "C"), params=(Param("kernel", "linear", numeric=False),),
    domain=fit_inputs, edges=lambda dt: fit_inputs(dt, edges_only=True), probe=_probe_fit,
    note="α is judged by feasibility and the dual value it attains (unique, unlike α), "
         "against the QP's optimum solved exactly in rationals; the seed's argmax omits the "
         "constraints 0 ≤ α ≤ C and Σ α y = 0",
)

POSITION = 11  # the section's place in the catalogue (oracles.sections)
ORACLES = (primal_objective, dual_objective, fit_dual)
