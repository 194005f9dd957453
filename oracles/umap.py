"""UMAP (seed: "Dimensionality Reduction › UMAP", which names it without formulas): the
standard ones of McInnes, Healy & Melville (2018). ``distances`` are each point's distances
to its m nearest neighbours, the point itself excluded, shape (n, m), nearest first.

- ``smooth_knn(distances, k)`` → (ρ, σ): ρ_i the smallest positive distance; σ_i with
  Σ_j exp(-max(0, d_ij - ρ_i)/σ_i) = log₂ k (umap_fits.py). An implementation may stop its
  search at |Σ - log₂ k| ≤ tol (umap-learn's SMOOTH_K_TOLERANCE, 1e-5): the σ between the
  roots of Σ = log₂ k ± tol are allowed (``Exact.slack``), as t-SNE's perplexity tolerance.
- ``membership(distances, rho, sigma)``: exp(-max(0, d_ij - ρ_i)/σ_i).
- ``fuzzy_union(A)``: A + Aᵀ - A∘Aᵀ, the probabilistic t-conorm a + b - ab.
- ``low_dim_similarity(d, a, b)``: 1/(1 + a·d^{2b}).
- ``find_ab(spread, min_dist)`` → (a, b): the least-squares fit of 1/(1 + a x^{2b}) to 1 for
  x < min_dist and exp(-(x - min_dist)/spread) beyond, on umap-learn's grid of 300 points
  in [0, 3·spread] (umap_fits.py).
- ``cross_entropy(P, Q)``: Σ p log(p/q) + (1-p) log((1-p)/(1-q)) over every entry, 0·log 0 = 0.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import mpmath
import numpy as np
import sympy as sp
from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from mathoracle.core.model import ELEMENTARY_ROUNDINGS, Exact, Oracle, Param, Part, digits

from . import domains as d
from .losses import xlog1py, xlogy
from .shapes import Reduction
from .structured import Structured
from .umap_fits import bandwidth, curve

SEED = "Dimensionality Reduction › UMAP"
TOL = 1e-5  # umap-learn's SMOOTH_K_TOLERANCE on Σ_j exp(...) - log₂ k


# --- the formulas ----------------------------------------------------------------------------

def memberships(distances, rho, sigma):
    """exp(-max(0, d_ij - ρ_i)/σ_i) for every entry (1 at and below ρ_i)."""
    out = np.empty(distances.shape, dtype=object)
    for (i, j), dij in np.ndenumerate(distances):
        gap = dij - rho[i]
        out[i, j] = sp.Piecewise((1, gap <= 0), (sp.exp(-gap / sigma[i]), True))
    return out


def union(A):
    """A + Aᵀ - A∘Aᵀ."""
    return A + A.T - A * A.T


def similarity(d, a, b):
    """1/(1 + a·d^{2b}), and 1 at d = 0."""
    out = np.empty(d.shape, dtype=object)
    for idx, x in np.ndenumerate(d):
        out[idx] = sp.Piecewise((1, sp.Eq(x, 0)), (1 / (1 + a * x ** (2 * b)), True))
    return out


def cross_entropy_textbook(p, q):
    """p log(p/q) + (1-p) log((1-p)/(1-q)), with 0·log 0 = 0."""
    return xlogy(p, p / q) + xlogy(1 - p, (1 - p) / (1 - q))


def cross_entropy_term(p, q):
    """The same, its second log as log1p(-p) - log1p(-q): 1 - q is not rounded to 1 for a
    q below the working precision (q = 1e-300, p = 0: the term is q, not 0)."""
    return xlogy(p, p / q) + xlog1py(1 - p, -p) - xlog1py(1 - p, -q)


# --- the fitted quantities --------------------------------------------------------------------

def smallest_positive(row) -> float:
    pos = [v for v in row if v > 0]
    return min(pos) if pos else 0.0


@dataclass(eq=False)
class SmoothKNN(Oracle):
    """(ρ, σ) per row; σ's sensitivity Σ_j |∂σ/∂d_j|·d_j by the implicit function theorem, its
    evaluation error the rounding of the sum, (ELEMENTARY_ROUNDINGS + 2 + m)·Σ·∂σ/∂(log₂ k)."""

    def output_parts(self, inputs):
        n = np.shape(inputs["distances"])[0]
        return (Part("rho", (0,), (n,)), Part("sigma", (1,), (n,)))

    def output_shape(self, inputs):
        return (2 * np.shape(inputs["distances"])[0],)

    def exact(self, inputs):
        full = {**self.defaults(), **inputs}
        D = np.asarray(full["distances"], np.float64)
        n, m = D.shape
        k, tol = int(full["k"]), mpmath.mpf(float(full["tol"]))
        value, sens, slack, evaluation = (np.empty(2 * n, dtype=object) for _ in range(4))
        with mpmath.workdps(digits()):
            for i in range(n):
                row = [mpmath.mpf(v) for v in D[i]]
                rho = mpmath.mpf(smallest_positive(D[i]))
                fit = bandwidth(row, rho, k)
                value[i], sens[i], slack[i], evaluation[i] = rho, rho, 0, 0
                value[n + i] = fit.sigma
                sens[n + i] = mpmath.fsum(abs(g) * v for g, v in zip(fit.d_sigma, row))
                ends = [bandwidth(row, rho, k, off).sigma for off in (tol, -tol)]
                slack[n + i] = max(abs(e - fit.sigma) for e in ends)
                evaluation[n + i] = (ELEMENTARY_ROUNDINGS + 2 + m) * mpmath.fsum(fit.terms) * fit.d_target
        return Exact(value, sens, 3, slack, evaluation)

    def nan_reach(self, inputs, arg, index):
        """A NaN distance reaches its row's ρ and σ."""
        n = np.shape(inputs["distances"])[0]
        mask = np.zeros(2 * n, dtype=bool)
        mask[[index[0], n + index[0]]] = True
        return mask


@dataclass(eq=False)
class FindAB(Oracle):
    """(a, b) by least squares; the sensitivity carries spread, min_dist and the rounding of
    every grid point x_i and target y_i. No float input: judged at the dtype returned."""

    def output_parts(self, inputs):
        return (Part("a", (0,), ()), Part("b", (1,), ()))

    def output_shape(self, inputs):
        return (2,)

    def exact(self, inputs):
        full = {**self.defaults(), **inputs}
        spread, min_dist = float(full["spread"]), float(full["min_dist"])
        with mpmath.workdps(digits()):
            fit = curve(spread, min_dist)
            value = np.array([fit.a, fit.b], dtype=object)
            sens = np.array(list(fit.sensitivity), dtype=object)
        # Roundings: each of 299 residuals (a power, a product, a sum, a division), summed
        # into the normal equations; carried by S through every x_i and y_i.
        return Exact(value, sens, 8)

    def nan_reach(self, inputs, arg, index):  # pragma: no cover - no float input
        return np.ones(2, dtype=bool)


# --- domains ------------------------------------------------------------------------------------

BOUND = 8.0  # distances in [0, 8]


def distance_edges(dtype) -> list:
    return d.representable(dtype, [0.0, 1.0, 0.5, 2.0, 3.0, BOUND, 1e-3, 0.1])


def sigma_edges(dtype) -> list:
    return d.representable(dtype, [1.0, 0.5, 2.0, 0.1, 10.0, 2.0 ** -4])


@st.composite
def neighbour_distances(draw, dtype, edges_only=False, rows=(1, 4), cols=(1, 5)):
    """(n, m) distances, each row sorted ascending, ties and zeros (duplicates) among them."""
    n, m = draw(st.integers(*rows)), draw(st.integers(*cols))
    edges = distance_edges(dtype)
    elems = st.sampled_from(edges) if edges_only else d.elements(dtype, lo=0.0, hi=BOUND, edges=edges)
    return np.sort(draw(hnp.arrays(dtype, (n, m), elements=elems)), axis=1)


@st.composite
def membership_inputs(draw, dtype, edges_only=False):
    D = draw(neighbour_distances(dtype, edges_only))
    n = D.shape[0]
    rho = np.array([smallest_positive(r) for r in D.astype(np.float64)], dtype)
    if draw(st.booleans()):  # any ρ, not only the row's nearest positive distance
        edges = distance_edges(dtype)
        rho = draw(hnp.arrays(dtype, (n,), elements=st.sampled_from(edges) if edges_only else
                              d.elements(dtype, lo=0.0, hi=BOUND, edges=edges)))
    s_edges = sigma_edges(dtype)
    sig = st.sampled_from(s_edges) if edges_only else d.elements(dtype, lo=2.0 ** -4, hi=16.0,
                                                                  edges=s_edges)
    return {"distances": D, "rho": rho, "sigma": draw(hnp.arrays(dtype, (n,), elements=sig))}


def reachable(distances, k, margin=0.05) -> bool:
    """Every row's Σ_j exp(-max(0, d_ij - ρ_i)/σ) can reach log₂ k: it rises with σ from the
    count of d_ij ≤ ρ_i (σ → 0) to m (σ → ∞)."""
    t = math.log2(k)
    for row in np.asarray(distances, np.float64):
        rho = smallest_positive(row)
        if rho == 0 or not np.sum(row <= rho) + margin < t < len(row) - margin:
            return False
    return True


@st.composite
def smooth_knn_inputs(draw, dtype, edges_only=False):
    D = draw(neighbour_distances(dtype, edges_only, cols=(3, 6)))
    m = D.shape[1]
    k = m if edges_only else draw(st.integers(3, m))
    assume(reachable(D, k))
    return {"distances": D, "k": k}


@st.composite
def union_inputs(draw, dtype, edges_only=False):
    n = draw(st.integers(1, 5))
    edges = d.prob_edges(dtype)
    elems = st.sampled_from(edges) if edges_only else d.elements(dtype, lo=0.0, hi=1.0, edges=edges)
    return {"A": draw(hnp.arrays(dtype, (n, n), elements=elems))}


A_EDGES = (1.0, 1.5769434602697652, 1.8956058664239412, 0.5830300205513042)  # umap's (1, 0.1), (1, 0.001), (1, 0.5)
B_EDGES = (1.0, 0.8950608781227859, 0.8006378441176886, 0.7564707694035999, 0.5)


@st.composite
def similarity_inputs(draw, dtype, edges_only=False):
    edges = distance_edges(dtype) + d.representable(dtype, [float(d.finfo(dtype).tiny)])
    elems = st.sampled_from(edges) if edges_only else d.elements(dtype, lo=0.0, hi=BOUND, edges=edges)
    dist = draw(d.arrays(dtype, elems, max_side=5))
    a = draw(st.sampled_from(A_EDGES) if edges_only else st.one_of(st.sampled_from(A_EDGES),
                                                                   st.floats(2.0 ** -4, 8.0)))
    b = draw(st.sampled_from(B_EDGES) if edges_only else st.one_of(st.sampled_from(B_EDGES),
                                                                   st.floats(0.25, 1.5)))
    return {"d": dist, "a": a, "b": b}


@st.composite
def cross_entropy_inputs(draw, dtype, edges_only=False):
    """P anywhere in [0, 1]; Q strictly inside (0, 1), where every term is finite."""
    fi = d.finfo(dtype)
    p_edges = d.prob_edges(dtype)
    q_lo, q_hi = float(fi.tiny), 1.0 - 2.0 ** -(fi.nmant + 1)
    q_edges = [v for v in p_edges if q_lo <= v <= q_hi]
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=5))
    pe = st.sampled_from(p_edges) if edges_only else d.elements(dtype, lo=0.0, hi=1.0, edges=p_edges)
    qe = st.sampled_from(q_edges) if edges_only else d.elements(dtype, lo=q_lo, hi=q_hi, edges=q_edges)
    P = draw(hnp.arrays(dtype, shape, elements=pe))
    Q = P.copy() if not edges_only and draw(st.integers(0, 4)) == 0 else draw(
        hnp.arrays(dtype, shape, elements=qe))
    Q = np.where((Q > 0) & (Q < 1), Q, np.asarray(0.5, dtype))  # P = Q copies 0 and 1: move them
    return {"P": P, "Q": Q.astype(dtype)}


AB_EDGES = ((1.0, 0.1), (1.0, 0.001), (1.0, 0.5), (2.0, 0.1), (0.5, 0.25), (1.0, 0.0), (1.5, 1.0))


@st.composite
def find_ab_inputs(draw, dtype=None, edges_only=False):
    if edges_only or draw(st.integers(0, 2)) == 0:
        spread, min_dist = draw(st.sampled_from(AB_EDGES))
    else:
        spread = draw(st.floats(0.5, 3.0))
        min_dist = draw(st.floats(0.0, 0.99 * spread))
    return {"spread": spread, "min_dist": min_dist}


COVERAGE = {  # what the domains above promise to draw (tests/test_coverage.py)
    "umap.membership": d.Coverage(
        edges=lambda dt: {"distances": distance_edges(dt), "sigma": sigma_edges(dt)},
        classes={"d ≤ ρ": lambda x: bool((x["distances"] <= x["rho"][:, None]).any()),
                 "d > ρ": lambda x: bool((x["distances"] > x["rho"][:, None]).any())}),
    "umap.smooth_knn": d.Coverage(
        classes={"k < m": lambda x: x["k"] < x["distances"].shape[1],
                 "a duplicate point (d = 0)": lambda x: bool((x["distances"] == 0).any())}),
    "umap.fuzzy_union": d.Coverage(edges=lambda dt: {"A": [0.0, 1.0, 0.5]}),
    "umap.low_dim_similarity": d.Coverage(
        edges=lambda dt: {"d": [0.0, 1.0], "a": [1.0], "b": [1.0]}),
    "umap.cross_entropy": d.Coverage(
        classes={"P = Q": lambda x: bool(np.array_equal(x["P"], x["Q"])),
                 "p = 0 or p = 1": lambda x: bool(((x["P"] == 0) | (x["P"] == 1)).any())}),
    "umap.find_ab": d.Coverage(edges=lambda dt: {"spread": [1.0], "min_dist": [0.1, 0.0]}),
}


def _probe_distances(dtype):
    return np.array([[0.5, 1.0, 2.0, 3.0], [0.25, 0.75, 1.5, 2.5]], dtype)


# --- the oracles ----------------------------------------------------------------------------------

smooth_knn = SmoothKNN(
    id="umap.smooth_knn", signature="smooth_knn(distances, k, tol=1e-05) → (rho, sigma)",
    formula="ρ_i = min_{d_ij > 0} d_ij; σ_i with Σ_j exp(-max(0, d_ij - ρ_i)/σ_i) = log₂ k",
    seed=SEED, arrays=("distances", "k"), params=(Param("tol", TOL, numeric=False),),
    outputs=("rho", "sigma"), domain=smooth_knn_inputs,
    edges=lambda dt: smooth_knn_inputs(dt, edges_only=True),
    probe=lambda dt: {"distances": _probe_distances(dt), "k": 4},
    note="the point itself is not among the distances; an implementation may stop its search "
         "at |Σ - log₂ k| ≤ tol (umap-learn's 1e-5), allowed as slack",
)

membership = Structured(
    id="umap.membership", signature="membership(distances, rho, sigma)",
    formula="exp(-max(0, d_ij - ρ_i)/σ_i)", seed=SEED, arrays=("distances", "rho", "sigma"),
    build=memberships, domain=membership_inputs, edges=lambda dt: membership_inputs(dt, edges_only=True),
    probe=lambda dt: {"distances": _probe_distances(dt), "rho": np.array([0.5, 0.25], dt),
                      "sigma": np.array([1.0, 0.5], dt)},
)

fuzzy_union = Structured(
    id="umap.fuzzy_union", signature="fuzzy_union(A)", formula="A + Aᵀ - A∘Aᵀ", seed=SEED,
    arrays=("A",), build=union, domain=union_inputs, edges=lambda dt: union_inputs(dt, edges_only=True),
    probe=lambda dt: {"A": np.array([[0.0, 0.5], [0.25, 0.0]], dt)},
)

low_dim_similarity = Structured(
    id="umap.low_dim_similarity", signature="low_dim_similarity(d, a, b)",
    formula="1/(1 + a·d^{2b})", seed=SEED, arrays=("d", "a", "b"), build=similarity,
    domain=similarity_inputs, edges=lambda dt: similarity_inputs(dt, edges_only=True),
    probe=lambda dt: {"d": np.array([0.0, 0.5, 1.0, 2.0], dt), "a": 1.5769434602697652,
                      "b": 0.8950608781227859},
)

find_ab = FindAB(
    id="umap.find_ab", signature="find_ab(spread=1.0, min_dist=0.1) → (a, b)",
    formula="argmin Σ_i (1/(1 + a x_i^{2b}) - y_i)², x on linspace(0, 3·spread, 300)", seed=SEED,
    arrays=(), params=(Param("spread", 1.0), Param("min_dist", 0.1)), outputs=("a", "b"),
    domain=find_ab_inputs, edges=lambda dt: find_ab_inputs(dt, edges_only=True),
    probe=lambda dtype=None: {"spread": 1.0, "min_dist": 0.1}, float_free=True,
    note="y_i = 1 below min_dist, exp(-(x_i - min_dist)/spread) from it on: umap-learn's grid",
)

cross_entropy = Reduction(
    id="umap.cross_entropy", signature="cross_entropy(P, Q)",
    formula="Σ p log(p/q) + (1-p) log((1-p)/(1-q))", seed=SEED, arrays=("P", "Q"),
    term=cross_entropy_term, textbook=cross_entropy_textbook, reduce="sum", domain=cross_entropy_inputs,
    edges=lambda dt: cross_entropy_inputs(dt, edges_only=True),
    probe=lambda dt: {"P": np.array([[0.0, 0.5], [1.0, 0.25]], dt),
                      "Q": np.array([[0.5, 0.25], [0.75, 0.25]], dt)},
    note="0·log 0 = 0: p = 0 and p = 1 are in the domain, q strictly inside (0, 1)",
)

POSITION = 13.5  # the section's place in the catalogue (oracles.sections): after t-SNE
ORACLES = (smooth_knn, membership, fuzzy_union, low_dim_similarity, find_ab, cross_entropy)
