"""PCA's oracle: the exact covariance, the eigenpairs, and the conventions it states."""
import mpmath
import numpy as np
import sympy as sp

import mathoracle
from mathoracle.oracles import pca as O
from mathoracle.implementations.sklearn_adapter import pca as skl

X_DYADIC = np.array([[1.5, -2.0, 0.25], [0.0, 1.0, 4.0], [-3.0, 0.5, 1.0], [2.0, 2.0, -0.5]])


def test_covariance_is_exact_in_rationals():
    C = O.covariance(X_DYADIC)
    assert all(isinstance(c, sp.Rational) for c in C)
    # the textbook sum Σ_k (x_k - mean)(x_k - mean)ᵀ/(n-1), in Fractions
    n = X_DYADIC.shape[0]
    rows = [[sp.Rational(v) for v in r] for r in X_DYADIC.tolist()]
    mean = [sum(r[i] for r in rows) / n for i in range(3)]
    textbook = sp.Matrix(3, 3, lambda i, j: sum((r[i] - mean[i]) * (r[j] - mean[j]) for r in rows) / (n - 1))
    assert C == textbook
    assert np.allclose(np.array(C, dtype=float), np.cov(X_DYADIC, rowvar=False), rtol=1e-15)


def test_spectrum_solves_the_eigenproblem_to_working_precision():
    s = O.spectrum(X_DYADIC)
    C = O.covariance(X_DYADIC)
    with mpmath.workdps(60):
        Cm = mpmath.matrix([[mpmath.mpf(c.p) / c.q for c in C.row(i)] for i in range(3)])
        for lam, v in zip(s.values, s.vectors):
            residual = Cm * mpmath.matrix(v) - lam * mpmath.matrix(v)
            assert mpmath.mnorm(residual, 1) < mpmath.mpf(10) ** -50
        assert s.values == sorted(s.values, reverse=True)
        assert abs(mpmath.fsum(s.values) - s.trace) < mpmath.mpf(10) ** -50


def test_components_are_compared_up_to_sign():
    x = {"X": X_DYADIC, "k": 2}
    exact = O.fit.exact(x)
    got = np.array([float(v) for v in exact.value])
    flipped = got.copy()
    flipped[:3] *= -1
    assert np.array_equal(O.fit.align(x, flipped, exact), got)


def test_eigenvector_allowance_grows_as_the_gap_closes():
    """Davis–Kahan: the sensitivity of a component is W/gap + 1; a tie leaves it unjudged."""
    tie = np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0], [0.0, -1.0]])
    assert O.fit.exact({"X": tie, "k": 1}).sensitivity[0] == mpmath.inf
    near = tie.copy()
    near[0, 0] = 1.001
    far = tie.copy()
    far[0, 0] = 2.0
    s_near = O.fit.exact({"X": near, "k": 1}).sensitivity[0]
    s_far = O.fit.exact({"X": far, "k": 1}).sensitivity[0]
    assert mpmath.isfinite(s_near) and s_near > 100 * s_far


def test_choose_k_tie_convention_differs_from_scikit_learn():
    """At an exact tie the catalogue's rule (≥) reaches the threshold; scikit-learn's
    (searchsorted side='right', strictly greater) does not. The domain excludes ties."""
    tie = np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0], [0.0, -1.0]])
    assert int(O.choose_k.exact({"X": tie, "threshold": 0.5}).value) == 1
    assert skl.choose_k(tie, 0.5) == 2


def test_no_centering_is_caught_with_a_readable_message():
    def no_centre(X, k):
        values, vectors = np.linalg.eigh(X.T @ X / (len(X) - 1))
        return vectors[:, ::-1].T[:k].copy(), values[::-1][:k].copy()
    result = mathoracle.check("pca.fit", no_centre, dtypes="float64", seed=0, max_examples=30,
                              properties=["agreement"])
    assert result.status == "fail"
