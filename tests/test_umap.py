"""UMAP's oracles against computations written here independently, in mpmath at 50 digits
(findroot, diff and the formulas as printed in McInnes et al. 2018), on fixed inputs."""
import mpmath
import numpy as np
import pytest

from mathoracle.oracles import umap as U

ROW = [0.5, 1.0, 2.0, 3.0]


def _sum(row, rho, sigma):
    return mpmath.fsum(mpmath.exp(-max(0, d - rho) / sigma) for d in row)


def test_sigma_solves_the_smooth_knn_equation_and_rho_is_the_nearest_positive_distance():
    x = {"distances": np.array([ROW]), "k": 4}
    e = U.smooth_knn.exact(x)
    with mpmath.workdps(50):
        row = [mpmath.mpf(v) for v in ROW]
        sigma = mpmath.findroot(lambda s: _sum(row, row[0], s) - 2, 1.0)
        assert e.value[0] == mpmath.mpf(0.5)
        assert abs(e.value[1] / sigma - 1) < mpmath.mpf(10) ** -40
        # the slack: σ anywhere between the roots of Σ = log₂ k ± tol
        ends = [mpmath.findroot(lambda s, t=t: _sum(row, row[0], s) - 2 - t, sigma) for t in (1e-5, -1e-5)]
        assert abs(e.slack[1] / max(abs(v - sigma) for v in ends) - 1) < mpmath.mpf(10) ** -6


def test_sigma_with_a_duplicate_point_and_k_below_m():
    row = [0.0, 0.25, 1.0, 4.0, 5.0]  # d = 0 counts 1 whatever σ; ρ = 0.25
    e = U.smooth_knn.exact({"distances": np.array([row]), "k": 5})
    with mpmath.workdps(50):
        r = [mpmath.mpf(v) for v in row]
        sigma = mpmath.findroot(lambda s: _sum(r, r[1], s) - mpmath.log(5, 2), 1.0)
        assert e.value[0] == mpmath.mpf(0.25)
        assert abs(e.value[1] / sigma - 1) < mpmath.mpf(10) ** -40


def test_sigma_sensitivity_is_the_implicit_derivative():
    """Σ_j |∂σ/∂d_j|·d_j against central differences of σ (ρ moves with d_0)."""
    e = U.smooth_knn.exact({"distances": np.array([ROW]), "k": 4})
    with mpmath.workdps(50):
        h = mpmath.mpf(10) ** -20

        def sigma(row):
            return mpmath.findroot(lambda s: _sum(row, min(row), s) - 2, 1.0)
        total = 0
        for j in range(4):
            up = [mpmath.mpf(v) + (h if i == j else 0) for i, v in enumerate(ROW)]
            down = [mpmath.mpf(v) - (h if i == j else 0) for i, v in enumerate(ROW)]
            total += abs((sigma(up) - sigma(down)) / (2 * h)) * ROW[j]
        assert abs(e.sensitivity[1] / total - 1) < mpmath.mpf(10) ** -10


def test_membership_fuzzy_union_similarity_and_cross_entropy_are_the_printed_formulas():
    D = np.array([[0.5, 1.0, 2.0]]); rho = np.array([0.5]); sigma = np.array([0.75])
    m = U.membership.exact({"distances": D, "rho": rho, "sigma": sigma}).value.reshape(-1)
    A = np.array([[0.0, 0.25], [0.5, 0.125]])
    un = U.fuzzy_union.exact({"A": A}).value
    s = U.low_dim_similarity.exact({"d": np.array([0.0, 1.5]), "a": 1.5, "b": 0.75}).value
    P, Q = np.array([0.0, 1.0, 0.25]), np.array([0.5, 0.125, 0.75])
    ce = U.cross_entropy.exact({"P": P, "Q": Q}).value
    with mpmath.workdps(50):
        assert [float(v) for v in m] == [1.0, float(mpmath.exp(-0.5 / 0.75)), float(mpmath.exp(-1.5 / 0.75))]
        assert float(un[0, 1]) == float(un[1, 0]) == 0.25 + 0.5 - 0.125
        assert float(un[1, 1]) == 0.125 + 0.125 - 0.125 ** 2
        assert float(s[0]) == 1.0 and float(s[1]) == float(1 / (1 + 1.5 * mpmath.mpf(1.5) ** 1.5))
        want = (mpmath.log(1 / mpmath.mpf(0.5)) + mpmath.log(1 / mpmath.mpf(0.125))
                + 0.25 * mpmath.log(0.25 / mpmath.mpf(0.75)) + 0.75 * mpmath.log(0.75 / mpmath.mpf(0.25)))
        assert abs(ce[()] - want) < mpmath.mpf(10) ** -40


def test_similarity_at_zero_distance_has_no_nan_in_its_sensitivity():
    e = U.low_dim_similarity.exact({"d": np.array([0.0, 0.0]), "a": 1.5, "b": 0.25})
    assert [float(v) for v in e.value] == [1.0, 1.0]
    assert all(mpmath.isfinite(v) for v in e.sensitivity)


@pytest.mark.parametrize("spread, min_dist", [(1.0, 0.1), (1.0, 0.0), (2.0, 1.5)])
def test_find_ab_is_a_stationary_point_of_the_least_squares_objective(spread, min_dist):
    """∂/∂a and ∂/∂b of Σ_i (1/(1 + a x_i^{2b}) - y_i)² vanish at the oracle's (a, b),
    the grid and targets written out again here."""
    e = U.find_ab.exact({"spread": spread, "min_dist": min_dist})
    with mpmath.workdps(50):
        xs = [3 * mpmath.mpf(spread) * i / 299 for i in range(300)]
        ys = [1 if x < min_dist else mpmath.exp(-(x - min_dist) / mpmath.mpf(spread)) for x in xs]

        def loss(a, b):
            return mpmath.fsum((1 / (1 + a * x ** (2 * b)) - y) ** 2 for x, y in zip(xs, ys) if x > 0)
        a, b = e.value
        ga, gb = mpmath.diff(lambda t: loss(t, b), a), mpmath.diff(lambda t: loss(a, t), b)
        assert abs(ga) < mpmath.mpf(10) ** -35 and abs(gb) < mpmath.mpf(10) ** -35
        assert loss(a, b) < loss(a * (1 + 1e-6), b) and loss(a, b) < loss(a, b * (1 - 1e-6))


def test_the_reduce_sum_of_a_reduction_is_the_sum_of_its_terms():
    P = np.array([[0.25, 0.5], [0.75, 1.0]])
    Q = np.array([[0.5, 0.5], [0.5, 0.5]])
    whole = U.cross_entropy.exact({"P": P, "Q": Q}).value[()]
    parts = [U.cross_entropy.exact({"P": P[i:i + 1], "Q": Q[i:i + 1]}).value[()] for i in range(2)]
    with mpmath.workdps(60):
        assert abs(whole - mpmath.fsum(parts)) < mpmath.mpf(10) ** -50
