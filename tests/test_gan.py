"""GAN: D* maximises V pointwise (SymPy's derivative), V(D*, G) = -log 4 + 2·JSD (SymPy, and
SciPy's jensenshannon, which returns √JSD), the non-saturating loss's larger gradient."""
import mpmath
import numpy as np
import pytest
import sympy as sp

from mathoracle.oracles import gan as G
from mathoracle.properties import gan as P

p, q, D = sp.symbols("p q D", positive=True)


def is_zero(expr) -> bool:
    return sp.simplify(expr) == 0


def test_the_optimal_discriminator_is_the_stationary_point_and_a_maximum():
    f = G.pointwise_value(D, p, q)
    star = G.discriminator_optimum(p, q)
    assert sp.solve(sp.diff(f, D), D) == [star]
    assert is_zero(sp.diff(f, D).subs(D, star))
    assert is_zero(sp.diff(f, D, 2) + p / D ** 2 + q / (1 - D) ** 2)  # f'' < 0: concave


def test_value_at_the_optimum_is_minus_log_four_plus_twice_the_jsd():
    """Over three points: Σ p log D* + q log(1-D*) - 2·JSD(p ‖ q) = -(Σp + Σq)·log 2, which
    is -log 4 for distributions (Σp = Σq = 1); JSD = 0 when q = p."""
    ps, qs = sp.symbols("p1:4", positive=True), sp.symbols("q1:4", positive=True)
    v = sum(G.pointwise_value(G.discriminator_optimum(x, y), x, y) for x, y in zip(ps, qs))
    ms = [(x + y) / 2 for x, y in zip(ps, qs)]
    jsd = (sum(x * sp.log(x / m) for x, m in zip(ps, ms)) + sum(y * sp.log(y / m) for y, m in zip(qs, ms))) / 2
    assert is_zero(sp.expand_log(v - 2 * jsd + (sum(ps) + sum(qs)) * sp.log(2), force=True))
    assert is_zero(sp.expand_log(jsd.subs(dict(zip(qs, ps))), force=True))


def test_scipy_jensenshannon_is_the_square_root_of_the_jsd_in_nats():
    scipy = pytest.importorskip("scipy.spatial.distance")
    rng = np.random.default_rng(3)
    for _ in range(20):
        a, b = rng.integers(0, 5, 4), rng.integers(0, 5, 4)
        a[0] += 1
        b[1] += 1
        ours = float(P._jsd(a.tolist(), b.tolist()))
        assert scipy.jensenshannon(a / a.sum(), b / b.sum()) ** 2 == pytest.approx(ours, rel=1e-12, abs=1e-15)


def test_the_non_saturating_gradient_is_larger_exactly_where_d_is_below_a_half():
    ns, sat = -sp.log(D), sp.log(1 - D)
    gap = sp.Abs(sp.diff(ns, D)) - sp.Abs(sp.diff(sat, D))  # 1/D - 1/(1-D)
    assert sp.solve(sp.simplify(gap), D) == [sp.Rational(1, 2)]
    assert gap.subs(D, sp.Rational(1, 10)) > 0 and gap.subs(D, sp.Rational(9, 10)) < 0
    # and it grows without bound as the discriminator wins: the saturating one stays at 1
    assert sp.limit(sp.diff(ns, D), D, 0, "+") == -sp.oo and sp.limit(sp.diff(sat, D), D, 0, "+") == -1


def test_both_generator_losses_are_minimised_at_the_data_distribution():
    """With D* plugged in, L_sat(q) = Σ q log(q/(p+q)) and L_ns(q) = Σ q log((p+q)/p), over
    two-point q = (b, 1-b) for p = (a, 1-a): stationary at b = a, convex."""
    a, b = sp.Rational(3, 10), sp.Symbol("b", positive=True)
    ps, qs = (a, 1 - a), (b, 1 - b)
    sat = sum(y * sp.log(y / (x + y)) for x, y in zip(ps, qs))
    ns = sum(y * sp.log((x + y) / x) for x, y in zip(ps, qs))
    for loss in (sat, ns):
        assert is_zero(sp.diff(loss, b).subs(b, a))
        assert sp.diff(loss, b, 2).subs(b, a) > 0
    with mpmath.workdps(30):
        f = sp.lambdify(b, ns, "mpmath")
        assert all(f(mpmath.mpf(k) / 20) >= f(mpmath.mpf(a)) for k in range(1, 20))
