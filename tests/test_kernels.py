"""Kernels: the kernel trick proved in SymPy, and scikit-learn's default γ shown to deviate."""
import numpy as np
import pytest
import sympy as sp

import mathoracle
from mathoracle.oracles import kernels as K
from mathoracle.results import FAIL, PASS


@pytest.mark.parametrize("dim,degree", [(1, 3), (2, 2), (2, 3), (3, 2)])
def test_polynomial_kernel_is_the_inner_product_of_its_feature_map(dim, degree):
    """(xᵀy + c)^d = φ(x)·φ(y), symbolically, with φ read off SymPy's expansion."""
    xs, ys = sp.symbols(f"x0:{dim}", real=True), sp.symbols(f"y0:{dim}", real=True)
    c = sp.Symbol("c", nonnegative=True)
    phi_x = K.polynomial_features(list(xs), degree, c)
    phi_y = K.polynomial_features(list(ys), degree, c)
    lhs = K.polynomial_kernel(list(xs), list(ys), degree, c)
    assert sp.expand(lhs - sum(a * b for a, b in zip(phi_x, phi_y))) == 0
    assert len(phi_x) == sp.binomial(dim + degree, degree)


def test_feature_map_reproduces_the_kernel_at_random_points():
    rng = np.random.default_rng(0)
    for _ in range(20):
        dim, degree, c = int(rng.integers(1, 4)), int(rng.integers(0, 5)), float(rng.uniform(0, 2))
        x, y = rng.normal(size=dim), rng.normal(size=dim)
        fx = [complex(v).real for v in sp.lambdify([], K.polynomial_features(list(x), degree, c))()]
        fy = [complex(v).real for v in sp.lambdify([], K.polynomial_features(list(y), degree, c))()]
        assert np.isclose(np.dot(fx, fy), (x @ y + c) ** degree, rtol=1e-12, atol=0)


def test_exact_sums_keep_a_tiny_coef0_beside_cancelling_products():
    """0.5 - 0.5 + 3e-75: at 60 digits alone the c would vanish (and (·)⁴ be 0, not 9e-299)."""
    X, Y = np.array([[-0.5, 0.5]]), np.array([[-1.0, -1.0]])
    e = K.polynomial.exact({"X": X, "Y": Y, "degree": 4, "coef0": 3e-75})
    assert float(e.value[0, 0]) == pytest.approx(3e-75 ** 4, rel=1e-12)


def test_sklearn_default_gamma_deviates_from_the_seed():
    """polynomial_kernel's default γ = 1/n_features is not the seed's (xᵀy + c)^d: fails,
    while the bundled adapter (γ = 1 passed explicitly) passes."""
    pairwise = pytest.importorskip("sklearn.metrics.pairwise")

    def default_gamma(X, Y, degree, coef0):
        return pairwise.polynomial_kernel(X, Y, degree=degree, coef0=coef0)

    kw = dict(seed=3, max_examples=20, dtypes=["float64"], properties=["agreement"])
    assert mathoracle.check("kernel.polynomial", default_gamma, **kw).status == FAIL
    assert mathoracle.check("kernel.polynomial", "sklearn", **kw).status == PASS
