"""Laws of UMAP (seed: "Dimensionality Reduction › UMAP"; McInnes, Healy & Melville 2018).

Each holds to within the allowances of the outputs it combines (summed exactly).
- smooth_knn: ``rho_is_nearest_positive`` (ρ_i is the row's smallest positive distance,
  exactly: it is selected, not computed) and ``reaches_log2_k`` (with the returned ρ and σ,
  Σ_j exp(-max(0, d_ij - ρ_i)/σ_i) = log₂ k within tol and the returned values' allowances).
- membership: ``range`` (in [0, 1]), ``one_at_rho`` (1 where d_ij ≤ ρ_i: the nearest
  neighbour is fully connected, the local-connectivity guarantee).
- fuzzy_union: ``symmetric`` and ``between_max_and_sum`` (max(a, b) ≤ a + b - ab ≤ min(1, a + b)).
- low_dim_similarity: ``range`` (in [0, 1]) and ``one_at_zero``.
- cross_entropy: ``nonnegative`` (each Bernoulli KL is ≥ 0) and ``zero_when_equal``.
"""
from __future__ import annotations

import mpmath
import numpy as np

from mathoracle.core.laws import (Falsified, Property, bounded, domain_examples, expect_equal,
                                  expect_within, expect_zero, signature_call)
from mathoracle.core.model import DIGITS, mpf_array
from mathoracle.oracles.umap import smallest_positive
from mathoracle.oracles.umap_fits import term


def _rho_is_nearest_positive(case, ex):
    x = ex["inputs"]
    rho = case.parts("umap.smooth_knn", x)["rho"]
    want = np.array([smallest_positive(r) for r in np.asarray(x["distances"], np.float64)])
    bad = np.flatnonzero(np.asarray(rho, np.float64) != want)
    if bad.size:
        i, call = int(bad[0]), signature_call(case.oracle, x)
        raise Falsified(f"rho[{i}]={float(rho[i])!r}, but should be {want[i]!r} (row {i}'s smallest "
                        f"positive distance) [{call}]", call=call, inputs=x, got=float(rho[i]),
                        expected=float(want[i]), index=(i,))


def _reaches_log2_k(case, ex):
    """Σ_j exp(-max(0, d_ij - ρ)/σ) at the returned ρ, σ, against log₂ k: within tol, plus
    what the allowances of ρ and σ move the sum by (first order: ∂Σ/∂σ·δσ + ∂Σ/∂ρ·δρ)."""
    x = ex["inputs"]
    oracle = case.oracles["umap.smooth_knn"]
    full = {**oracle.defaults(), **x}
    parts = case.parts("umap.smooth_knn", x)
    n = len(parts["rho"])
    allowed = case.allowed("umap.smooth_knn", x)
    D = np.asarray(x["distances"], np.float64)
    with mpmath.workdps(DIGITS):
        target = mpmath.log(int(full["k"]), 2)
        diff, bound = np.empty(n, dtype=object), np.empty(n, dtype=object)
        for i in range(n):
            rho, sigma = mpmath.mpf(float(parts["rho"][i])), mpmath.mpf(float(parts["sigma"][i]))
            if not (sigma > 0 and mpmath.isfinite(sigma) and mpmath.isfinite(rho)):
                diff[i], bound[i] = mpmath.nan, 0
                continue
            gaps = [mpmath.mpf(v) - rho for v in D[i]]
            terms = [term(g, sigma) for g in gaps]
            diff[i] = mpmath.fsum(terms) - target
            d_sigma = mpmath.fsum(t * g / sigma ** 2 for t, g in zip(terms, gaps) if g > 0)
            d_rho = mpmath.fsum(t / sigma for t, g in zip(terms, gaps) if g > 0)
            bound[i] = (mpmath.mpf(float(full["tol"])) + d_sigma * allowed[n + i]
                        + d_rho * allowed[i])
    expect_within(diff, bound, "Σ_j exp(-max(0, d_ij - ρ_i)/σ_i) should be log₂ k",
                  signature_call(case.oracle, x), x)


def _one_at_rho(case, ex):
    x = ex["inputs"]
    out = case.call("umap.membership", x)
    near = np.asarray(x["distances"], np.float64) <= np.asarray(x["rho"], np.float64)[:, None]
    expect_equal(case, "umap.membership", x, out, 1.0, "d_ij ≤ ρ_i: membership 1", mask=near)


def _union_symmetric(case, ex):
    x = ex["inputs"]
    with mpmath.workdps(DIGITS):
        got = mpf_array(np.asarray(case.call("umap.fuzzy_union", x), np.float64))
        allowed = case.allowed("umap.fuzzy_union", x)
        expect_within(got - got.T, allowed + allowed.T, "the union should be symmetric",
                      signature_call(case.oracle, x), x)


def _between_max_and_sum(case, ex):
    x = ex["inputs"]
    A = np.asarray(x["A"], np.float64)
    with mpmath.workdps(DIGITS):
        got = mpf_array(np.asarray(case.call("umap.fuzzy_union", x), np.float64))
        allowed = case.allowed("umap.fuzzy_union", x)
        lo, hi = mpf_array(np.maximum(A, A.T)), mpf_array(A) + mpf_array(A.T)
        hi = np.where(hi > 1, mpmath.mpf(1), hi)
        below = np.where(got < lo, got - lo, 0)
        above = np.where(got > hi, got - hi, 0)
        expect_within(below + above, allowed, "max(a, b) ≤ a + b - ab ≤ min(1, a + b)",
                      signature_call(case.oracle, x), x)


def _one_at_zero(case, ex):
    d = ex["inputs"]["d"].copy()
    d.reshape(-1)[0] = 0  # at least one d = 0
    x = {**ex["inputs"], "d": d}
    out = case.call("umap.low_dim_similarity", x)
    expect_equal(case, "umap.low_dim_similarity", x, out, 1.0, "d = 0: similarity 1",
                 mask=np.asarray(x["d"]) == 0)


def _cross_entropy_nonnegative(case, ex):
    x = ex["inputs"]
    with mpmath.workdps(DIGITS):
        got = mpf_array(np.asarray(case.call("umap.cross_entropy", x), np.float64)).reshape(-1)[0]
        bound = case.allowed("umap.cross_entropy", x).reshape(-1)[0]
        if not got >= -bound:
            call = signature_call(case.oracle, x)
            raise Falsified(f"out={mpmath.nstr(got, 8)}, but should be ≥ 0 (a sum of Bernoulli KL "
                            f"divergences; allowed -{mpmath.nstr(bound, 3)}) [{call}]", call=call,
                            inputs=x, got=float(got), expected=0.0)


def _cross_entropy_zero_when_equal(case, ex):
    P = ex["inputs"]["P"]
    x = {"P": P, "Q": np.where((P > 0) & (P < 1), P, np.asarray(0.5, P.dtype)).astype(P.dtype)}
    x["P"] = x["Q"].copy()  # q strictly inside (0, 1), p = q
    expect_zero(case, "umap.cross_entropy", x, "P = Q: cross-entropy 0")


PROPERTIES = (
    Property("umap.smooth_knn", "rho_is_nearest_positive", "ρ_i is row i's smallest positive "
             "distance", _rho_is_nearest_positive, domain_examples),
    Property("umap.smooth_knn", "reaches_log2_k", "Σ_j exp(-max(0, d_ij - ρ_i)/σ_i) = log₂ k",
             _reaches_log2_k, domain_examples),
    bounded("umap.membership", 0.0, 1.0),
    Property("umap.membership", "one_at_rho", "membership 1 where d_ij ≤ ρ_i", _one_at_rho,
             domain_examples),
    Property("umap.fuzzy_union", "symmetric", "A + Aᵀ - A∘Aᵀ is symmetric", _union_symmetric,
             domain_examples),
    Property("umap.fuzzy_union", "between_max_and_sum", "max(a, b) ≤ a + b - ab ≤ min(1, a + b)",
             _between_max_and_sum, domain_examples),
    bounded("umap.low_dim_similarity", 0.0, 1.0),
    Property("umap.low_dim_similarity", "one_at_zero", "1/(1 + a·0^{2b}) = 1", _one_at_zero,
             domain_examples),
    Property("umap.cross_entropy", "nonnegative", "Σ of Bernoulli KL divergences ≥ 0",
             _cross_entropy_nonnegative, domain_examples),
    Property("umap.cross_entropy", "zero_when_equal", "cross_entropy(P, P) = 0",
             _cross_entropy_zero_when_equal, domain_examples),
)
