"""umap-learn's own pieces of the fuzzy graph (umap.umap_), checked with umap-learn 0.5.12.

umap-learn computes ρ, σ and the memberships in float32 whatever the input dtype (its numba
kernels allocate float32 results, and compute_membership_strengths is typed for float32
only): these two adapters take float32 input and refuse other dtypes with a TypeError
("not checked at float64"), rather than casting the input or the results.

- smooth_knn: ``smooth_knn_dist(distances_with_self, float(k))`` with local_connectivity=1,
  bandwidth=1, n_iter=64. It expects each point itself in column 0 (distance 0) and skips
  that column in its sums, so a zero column is prepended; it returns (sigmas, rhos),
  reordered here. ρ_i is the smallest positive entry (0 if none), as in the formula. σ_i
  differs from the root of Σ_j exp(-max(0, d_ij-ρ_i)/σ_i) = log2 k in these ways (all but
  the first are DEVIATIONS below, as is find_ab's):
    * the search is a float32 bisection from σ = 1, doubling while there is no upper bound,
      that stops as soon as |Σ - log2 k| < SMOOTH_K_TOLERANCE = 1e-5 (the sum accumulated
      in float32): the oracle's ``tol`` allowance, which the adapter does not take since
      umap-learn's is fixed at the canonical 1e-5;
    * it stops after n_iter = 64 steps, so σ stays within [2^-64, 2^64] = [5.4e-20, 1.8e19]:
      d = [[1e-30, 2e-30, 3e-30]], k = 3 gives σ = 5.421011e-20 (exact 1.1331928e-30);
    * σ_i is then raised to MIN_K_DIST_SCALE·mean = 1e-3 × the mean of the row including the
      prepended 0 (of the whole distance matrix where ρ_i = 0): d = [[1, 1.0001, 10]], k = 3
      gives σ = 0.00300002 (exact 0.00018653, where Σ is 1.967 instead of log2 3 = 1.585);
      d = [[1e25, 2e25, 3e25]], k = 3 gives 1.5e22 (exact 1.1331928e25, both effects);
      d = [[0.5, 1, 2, inf]], k = 3 gives inf (the mean is inf; exact 0.6748112);
    * a NaN distance is left out of ρ (d > 0 is false) and makes the sum NaN, which the
      bisection reads as "too small": d = [[nan, 1, 2, 3]], k = 4 gives ρ = 1, σ = 0.0625
      (the formula: NaN for both).
- membership: ``compute_membership_strengths(knn_indices, knn_dists, sigmas, rhos)`` with
  knn_indices = n + j (never the row's own index, which it would set to 0, and never -1,
  which it would skip); its COO values are reshaped to (n, m). It returns 1 where
  d_ij - ρ_i <= 0 or σ_i == 0 without reading σ_i further: d = [[0.1]], ρ = [0.1], σ = [nan]
  gives 1 (the formula exp(-0/NaN): NaN).
- find_ab: ``find_ab_params(spread, min_dist)``: scipy.optimize.curve_fit from a = b = 1
  with its default tolerances (ftol = xtol = 1.49e-8), so a and b are least-squares optimal
  to about 1e-7 relative, not to float64: (1, 0.1) gives a = 1.5769434602697652,
  b = 0.8950608778515733 (exact 1.5769436135066135, 0.8950607193577084); (1, 0.99) gives
  a = 0.11930529992407873 (exact 0.11930558722705603, 2.4e-6 relative).
"""
import warnings

import numpy as np

with warnings.catch_warnings():  # umap/__init__ warns that TensorFlow (ParametricUMAP) is absent
    warnings.simplefilter("ignore", ImportWarning)
    from umap.umap_ import (MIN_K_DIST_SCALE, compute_membership_strengths, find_ab_params,
                            smooth_knn_dist)

from ..base import KnownDeviation, any_nan
from ..numpy_reference.umap import smooth_knn as reference_smooth_knn


def _float32(*arrays, what):
    if any(np.asarray(a).dtype != np.float32 for a in arrays):
        raise TypeError(f"umap-learn computes {what} in float32 only")
    return [np.ascontiguousarray(a) for a in arrays]


def smooth_knn(distances, k):
    """smooth_knn_dist([0 | distances], k): (ρ, σ), its (sigmas, rhos) reordered."""
    d, = _float32(distances, what="rho and sigma")
    with_self = np.hstack([np.zeros((d.shape[0], 1), np.float32), d])
    sigmas, rhos = smooth_knn_dist(with_self, float(k))
    return rhos, sigmas


def membership(distances, rho, sigma):
    """compute_membership_strengths(n + j, distances, σ, ρ)'s values, as an (n, m) array."""
    d, r, s = _float32(distances, rho, sigma, what="membership strengths")
    n, m = d.shape
    neighbours = np.ascontiguousarray(np.broadcast_to(np.arange(n, n + m), (n, m)))
    _, _, vals, _ = compute_membership_strengths(neighbours, d, s, r)
    return vals.reshape(n, m)


def find_ab(spread=1.0, min_dist=0.1):
    """find_ab_params(spread, min_dist), as float64 scalars."""
    a, b = find_ab_params(spread, min_dist)
    return np.float64(a), np.float64(b)


FUNCTIONS = {"umap.smooth_knn": smooth_knn, "umap.membership": membership,
             "umap.find_ab": find_ab}

NOT_APPLICABLE = {
    "umap.fuzzy_union": "umap-learn forms A + Aᵀ - A∘Aᵀ inline in fuzzy_simplicial_set with "
                        "scipy.sparse arithmetic, not in a function that takes A; its "
                        "general_simplicial_set_union(A, B) is another operation (an entry "
                        "stored in only one of A, B meets max(min(stored)/2, 1e-8), not 0: "
                        "A = [[0, 0.5], [0, 0]] gives 0.625 off the diagonal, not 0.5)",
    "umap.low_dim_similarity": "umap-learn evaluates 1/(1 + a·d^{2b}) only inside its numba "
                               "SGD loops (umap.layouts); ParametricUMAP's "
                               "convert_distance_to_log_probability gives -log1p(a·d^{2b}) "
                               "and needs TensorFlow",
    "umap.cross_entropy": "umap-learn never evaluates the fuzzy-set cross entropy: its SGD "
                          "samples the gradient, and ParametricUMAP's compute_cross_entropy "
                          "(TensorFlow) is the loss -p·log σ(L) - (1-p)·log(1-σ(L)) of "
                          "L = log q, without p's entropy terms",
}


_SOURCE = "https://github.com/lmcinnes/umap/blob/release-0.5.12/umap/umap_.py"


def _floor_or_out_of_reach(kw):
    """Some row's σ (the reference's) is within 1% of MIN_K_DIST_SCALE × the mean of [0, row],
    or below it, or outside [2^-40, 2^40], which 64 steps from σ = 1 may not reach."""
    d = np.asarray(kw["distances"], np.float64)
    if not np.isfinite(d).all() or d.size == 0:
        return False
    _, sigma = reference_smooth_knn(d, kw["k"])
    floor = MIN_K_DIST_SCALE * d.sum(axis=1) / (d.shape[1] + 1)
    return bool(np.any((sigma < 1.01 * floor) | (sigma < 2.0 ** -40) | (sigma > 2.0 ** 40)))


DEVIATIONS = (
    KnownDeviation(
        oracle="umap.smooth_knn", properties=("agreement", "edges", "reaches_log2_k"),
        summary="σ_i is raised to 1e-3 × the mean of the row with its own 0 (0.0020006 instead "
                "of 0.0017775 for d = [[0.001, 0.001953125, 5, 5]], k = 3), and the bisection "
                "from σ = 1 stops after 64 steps (5.421011e-20 instead of 1.1331928e-30 for "
                "d = [[1e-30, 2e-30, 3e-30]], k = 3)",
        reason="smooth_knn_dist bounds σ_i below by MIN_K_DIST_SCALE·mean(ith_distances) and "
               "runs n_iter = 64 bisection steps",
        reference=f"{_SOURCE}#L153-L254 (smooth_knn_dist)",
        witness={"distances": np.array([[0.001, 0.001953125, 5.0, 5.0]], np.float32), "k": 3},
        region=_floor_or_out_of_reach,
    ),
    KnownDeviation(
        oracle="umap.smooth_knn", properties=("nan",),
        summary="a NaN distance is left out of ρ_i and makes the bisection double σ: ρ and σ "
                "stay finite (ρ = 1, σ = 0.0625 for d = [[nan, 1, 2, 3]], k = 4)",
        reason="ρ_i is taken from ith_distances[ith_distances > 0.0], and a NaN sum compares "
               "as not above the target",
        reference=f"{_SOURCE}#L153-L254 (smooth_knn_dist)",
        witness={"distances": np.array([[np.nan, 1.0, 2.0, 3.0]], np.float32), "k": 4},
        region=any_nan,
    ),
    KnownDeviation(
        oracle="umap.find_ab", properties=("agreement", "edges"),
        summary="a and b are least-squares optimal to about 1e-7 relative, not to float64 "
                "(b = 0.8950608778515733 for spread 1, min_dist 0.1; exact 0.8950607193577084)",
        reason="find_ab_params stops scipy.optimize.curve_fit at its default tolerances "
               "(ftol = xtol = 1.49e-8)",
        reference=f"{_SOURCE}#L1393 (find_ab_params)",
        witness={"spread": 1.0, "min_dist": 0.1},
        region=lambda kw: True,
    ),
)
