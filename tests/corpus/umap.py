"""UMAP: buggy variants that must be caught, correct ones that must pass.

Canonical signatures (McInnes, Healy & Melville 2018): ``smooth_knn(distances, k, tol=1e-5)``
→ (ρ, σ), ``membership(distances, rho, sigma)``, ``fuzzy_union(A)``,
and, in umap_embedding.py, ``low_dim_similarity``, ``find_ab`` and ``cross_entropy``.
``distances`` (n, m): each point's m nearest, itself
excluded, rows ascending (a 0 is a duplicate point).

Many of the mistakes are umap-learn's own code carried over where this convention differs:
its ``smooth_knn_dist`` skips column 0 (the point itself, absent here) and returns (σ, ρ) in
float32; its ``fuzzy_simplicial_set`` writes ``result * transpose``, a matrix product for a
sparse matrix; parametric UMAP clips q and drops the entropy of P.
"""
from __future__ import annotations

import math

import numpy as np

from . import Variant, back, wide

_ERR = dict(all="ignore")


def _f64(a):
    return np.asarray(a, dtype=np.float64)


def _col(v):
    """A per-row vector (n,) as a column (n, 1), in the dtype computed in."""
    return np.asarray(v)[:, None]


# --- smooth_knn ---------------------------------------------------------------------------------

def _rho(D):
    """The smallest strictly positive entry of each row (0 where there is none)."""
    pos = np.where(D > 0, D, np.inf)
    r = pos.min(axis=1)
    return np.where(np.isinf(r), 0.0, r)


def _psum(gaps, sigma):
    """Σ_j exp(-max(0, g_j)/σ) for one row of gaps d_j - ρ."""
    with np.errstate(**_ERR):
        return np.exp(-np.maximum(gaps, 0.0) / sigma).sum()


def _bisect(gaps, target, tol=None, iterations=4000, stop_on_interval=None):
    """umap-learn's search for σ: lo = 0, hi = ∞, mid = 1, doubling until Σ > target, then
    halving. Stops at |Σ - target| < tol (tol given), or when hi - lo < stop_on_interval, or
    when the interval is exhausted (mid is lo or hi)."""
    lo, hi, mid = 0.0, np.inf, 1.0
    for _ in range(iterations):
        s = _psum(gaps, mid)
        if tol is not None and abs(s - target) < tol:
            break
        if s > target:
            hi = mid
        else:
            lo = mid
        if stop_on_interval is not None and hi - lo < stop_on_interval:
            break
        new = mid * 2 if np.isinf(hi) else 0.5 * (lo + hi)
        if new == lo or new == hi or not np.isfinite(new):
            break
        mid = new
    return mid


def _smooth_knn(distances, k, *, rho=_rho, target=None, solve=None, dtype=None):
    """The shared skeleton: ρ per row, σ per row by ``solve(gaps, target)``, NaN rows NaN, each
    result rounded once to ``dtype`` (the input's by default)."""
    D = _f64(distances)
    n = D.shape[0]
    t = math.log2(k) if target is None else target(k)
    r = rho(D)
    sig = np.empty(n)
    for i in range(n):
        if np.isnan(D[i]).any():
            r[i] = sig[i] = np.nan
            continue
        sig[i] = solve(D[i] - r[i], t)
    like = distances if dtype is None else np.zeros(0, dtype)
    return back(r, like), back(sig, like)


def _brent_newton(gaps, target):
    """σ by Brent's method on log σ, bracketed from the row's smallest and largest positive
    gaps (σ may be subnormal when they are), then Newton's method on σ itself: the derivative
    Σ e_j·g_j/σ² is explicit, so a few steps reach float64 precision where brentq's rtol
    (≥ 4ε, on log σ) does not."""
    from scipy.optimize import brentq

    def h(t):
        return _psum(gaps, math.exp(t)) - target

    pos = gaps[gaps > 0]
    lo, hi = math.log(pos.min()) - 1.0, math.log(pos.max()) + 1.0
    while h(lo) > 0 and lo > -740:
        lo = max(lo - 4.0, -744.0)
    while h(hi) < 0 and hi < 705:
        hi += 4.0
    sigma = math.exp(brentq(h, lo, hi, xtol=1e-300, rtol=8.9e-16, maxiter=500))
    g = np.maximum(gaps, 0.0)
    with np.errstate(**_ERR):
        for _ in range(3):
            e = np.exp(-g / sigma)
            slope = (e * g).sum() / sigma ** 2
            if not slope > 0:
                break
            step = (e.sum() - target) / slope
            if not abs(step) < sigma:
                break
            sigma -= step
    return sigma


def smooth_knn_brent(distances, k, tol=1e-5):
    return _smooth_knn(distances, k, solve=_brent_newton)


def smooth_knn_bisection_exhausted(distances, k, tol=1e-5):
    return _smooth_knn(distances, k, solve=_bisect)


def smooth_knn_first_column(distances, k, tol=1e-5):
    return _smooth_knn(distances, k, rho=lambda D: D[:, 0].copy(), solve=_bisect)


def smooth_knn_natural_log(distances, k, tol=1e-5):
    return _smooth_knn(distances, k, target=math.log, solve=_bisect)


def smooth_knn_sigma_rho(distances, k, tol=1e-5):
    rho, sigma = smooth_knn_bisection_exhausted(distances, k)
    return sigma, rho


def smooth_knn_skips_first_column(distances, k, tol=1e-5):
    return _smooth_knn(distances, k, solve=lambda g, t: _bisect(g[1:], t))


def smooth_knn_self_term(distances, k, tol=1e-5):
    return _smooth_knn(distances, k, solve=lambda g, t: _bisect(np.concatenate([[0.0], g]), t))


def smooth_knn_loose_tolerance(distances, k, tol=1e-5):
    return _smooth_knn(distances, k, solve=lambda g, t: _bisect(g, t, tol=1e-2))


def smooth_knn_interval_tolerance(distances, k, tol=1e-5):
    return _smooth_knn(distances, k, solve=lambda g, t: _bisect(g, t, stop_on_interval=tol))


def smooth_knn_float32(distances, k, tol=1e-5):
    return _smooth_knn(distances, k, solve=lambda g, t: _bisect(g, t, tol=tol), dtype=np.float32)


def smooth_knn_drops_nan(distances, k, tol=1e-5):
    """umap-learn's loop: ρ from ``row[row > 0]``, and ``if d > 0: exp(-d/σ) else: 1``."""
    D = _f64(distances)
    t = math.log2(k)
    rho, sig = np.zeros(len(D)), np.zeros(len(D))
    for i, row in enumerate(D):
        pos = row[row > 0.0]
        rho[i] = pos[0] if pos.size else 0.0
        gaps = row - rho[i]
        gaps = np.where(gaps > 0, gaps, 0.0)  # NaN > 0 is False: a NaN distance counts as 1
        sig[i] = _bisect(gaps, t, tol=tol)
    return back(rho, distances), back(sig, distances)


# --- membership ---------------------------------------------------------------------------------

def membership_minimum(distances, rho, sigma):
    d, r, s = wide(distances), wide(rho), wide(sigma)
    with np.errstate(**_ERR):
        return back(np.exp(np.minimum(0, _col(r) - d) / _col(s)), distances)


def membership_branch(distances, rho, sigma):
    d, r, s = wide(distances), wide(rho), wide(sigma)
    gap = d - _col(r)
    with np.errstate(**_ERR):
        return back(np.where(gap <= 0, 1.0, np.exp(-gap / _col(s))), distances)


def membership_no_clamp(distances, rho, sigma):
    d, r, s = wide(distances), wide(rho), wide(sigma)
    with np.errstate(**_ERR):
        return back(np.exp(-(d - _col(r)) / _col(s)), distances)


def membership_not_shifted(distances, rho, sigma):
    d, s = wide(distances), wide(sigma)
    with np.errstate(**_ERR):
        return back(np.exp(-d / _col(s)), distances)


def membership_sigma_squared(distances, rho, sigma):
    d, r, s = wide(distances), wide(rho), wide(sigma)
    with np.errstate(**_ERR):
        return back(np.exp(-np.maximum(0, d - _col(r)) / _col(s) ** 2), distances)


def membership_fmax(distances, rho, sigma):
    d, r, s = wide(distances), wide(rho), wide(sigma)
    with np.errstate(**_ERR):
        return back(np.exp(-np.fmax(0, d - _col(r)) / _col(s)), distances)


def membership_in_place(distances, rho, sigma):
    distances -= rho[:, None]
    np.maximum(distances, 0, out=distances)
    distances /= -sigma[:, None]
    np.exp(distances, out=distances)
    return distances


# --- fuzzy_union --------------------------------------------------------------------------------

def union_a_plus_rest(A):
    x = wide(A)
    return back(x + x.T * (1 - x), A)


def union_sum_only(A):
    x = wide(A)
    return back(x + x.T, A)


def union_maximum(A):
    return np.maximum(A, A.T)


def union_not_transposed(A):
    x = wide(A)
    return back(x + x.T - x * x, A)


def union_matrix_product(A):
    x = wide(A)
    return back(x + x.T - x @ x.T, A)


def union_mix_ratio_half(A, set_op_mix_ratio=0.5):
    x = wide(A)
    prod = x * x.T
    return back(set_op_mix_ratio * (x + x.T - prod) + (1 - set_op_mix_ratio) * prod, A)


def union_complement(A):
    x = wide(A)
    return back(1 - (1 - x) * (1 - x.T), A)


def union_in_place(A):
    prod = A * A.T
    A += A.T
    A -= prod
    return A


def union_where_positive(A):
    x = wide(A)
    out = np.zeros_like(x)
    nz = (x > 0) | (x.T > 0)  # NaN > 0 is False: a NaN membership is never visited
    out[nz] = (x + x.T - x * x.T)[nz]
    return back(out, A)


def union_upper_triangle(A):
    x = wide(A)
    return back(np.triu(x + x.T - x * x.T), A)


_SK, _MB, _FU = "umap.smooth_knn", "umap.membership", "umap.fuzzy_union"

BUGGY = [
    Variant(_SK, "rho_first_column", smooth_knn_first_column,
            "ρ = distances[:, 0], the nearest distance: 0 for a duplicate point, not the nearest positive"),
    Variant(_SK, "natural_log_target", smooth_knn_natural_log, "calibrates Σ to ln k, not log₂ k"),
    Variant(_SK, "returns_sigma_rho", smooth_knn_sigma_rho,
            "returns (σ, ρ), umap-learn's smooth_knn_dist order, for (ρ, σ)"),
    Variant(_SK, "skips_first_column", smooth_knn_skips_first_column,
            "umap-learn's Σ over j ≥ 1 (column 0 is the point itself there): drops the nearest neighbour"),
    Variant(_SK, "counts_self", smooth_knn_self_term,
            "adds the point's own exp(0) = 1 to Σ, although the distances exclude it"),
    Variant(_SK, "loose_tolerance", smooth_knn_loose_tolerance,
            "stops its search at |Σ - log₂ k| < 1e-2, a thousand times SMOOTH_K_TOLERANCE"),
    Variant(_SK, "interval_tolerance", smooth_knn_interval_tolerance,
            "stops when hi - lo < tol: an absolute tolerance on σ, coarse when σ is small"),
    Variant(_SK, "float32_results", smooth_knn_float32,
            "umap-learn's float32 ρ and σ arrays, returned for float64 input"),
    Variant(_SK, "drops_nan", smooth_knn_drops_nan,
            "umap-learn's `if d > 0: exp(-d/σ) else 1`: a NaN distance counts as a neighbour within ρ"),
    Variant(_MB, "no_clamp", membership_no_clamp,
            "exp(-(d - ρ)/σ) without max(0, ·): above 1 for a neighbour nearer than ρ"),
    Variant(_MB, "not_shifted", membership_not_shifted, "exp(-d/σ): ρ never subtracted"),
    Variant(_MB, "sigma_squared", membership_sigma_squared, "divides by σ², a Gaussian's habit"),
    Variant(_MB, "fmax_drops_nan", membership_fmax,
            "np.fmax(0, d - ρ): fmax drops the NaN, so a NaN distance gets membership 1"),
    Variant(_MB, "writes_into_distances", membership_in_place,
            "shifts, clamps, scales and exponentiates the caller's distances in place, in their dtype"),
    Variant(_FU, "sum_only", union_sum_only, "A + Aᵀ without the product: memberships up to 2"),
    Variant(_FU, "maximum", union_maximum, "max(A, Aᵀ): the max t-conorm, not the probabilistic one"),
    Variant(_FU, "product_not_transposed", union_not_transposed,
            "A + Aᵀ - A∘A: the product of A with itself"),
    Variant(_FU, "matrix_product", union_matrix_product,
            "A + Aᵀ - A @ Aᵀ: umap-learn's `result * transpose` is a matrix product once dense"),
    Variant(_FU, "mix_ratio_half", union_mix_ratio_half,
            "set_op_mix_ratio = 0.5: halfway between union and intersection, (A + Aᵀ)/2"),
    Variant(_FU, "complement_of_product", union_complement,
            "1 - (1-A)(1-Aᵀ): 1 - a rounds a tiny membership away in float64"),
    Variant(_FU, "writes_into_A", union_in_place, "A += Aᵀ; A -= A∘Aᵀ on the caller's matrix"),
    Variant(_FU, "where_positive", union_where_positive,
            "computes only where A or Aᵀ is positive, as a sparse graph stores: a NaN becomes 0"),
    Variant(_FU, "upper_triangle", union_upper_triangle,
            "keeps only the upper triangle, as a symmetric matrix is stored, and returns it as the whole"),
]

CORRECT = [
    Variant(_SK, "brent_newton", smooth_knn_brent,
            "Brent's method on log σ, then Newton's steps on σ: converged to float64"),
    Variant(_SK, "bisection_exhausted", smooth_knn_bisection_exhausted,
            "umap-learn's doubling-then-halving search, run until the interval is exhausted"),
    Variant(_MB, "minimum", membership_minimum, "exp(min(0, ρ - d)/σ): the clamp on the other side"),
    Variant(_MB, "branch", membership_branch,
            "umap-learn's branch where(d - ρ ≤ 0, 1, exp(-(d - ρ)/σ)): NaN falls to the exp"),
    Variant(_FU, "a_plus_rest", union_a_plus_rest,
            "a + b(1 - a): two nonnegative terms, no cancellation; symmetric up to rounding"),
]

# The low-dimensional side (the curve, its fit, the objective).
from .umap_embedding import BUGGY as _EMBEDDING_BUGGY, CORRECT as _EMBEDDING_CORRECT  # noqa: E402

BUGGY += _EMBEDDING_BUGGY
CORRECT += _EMBEDDING_CORRECT
