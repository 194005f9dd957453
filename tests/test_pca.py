"""PCA's oracle: the exact covariance, the eigenpairs, and the conventions it states."""
import mpmath
import numpy as np
import pytest
import sympy as sp

import mathoracle
from mathoracle.implementations.sklearn_adapter import pca as skl
from mathoracle.oracles import pca as O
from mathoracle.oracles import pca_exact as E

X_DYADIC = np.array([[1.5, -2.0, 0.25], [0.0, 1.0, 4.0], [-3.0, 0.5, 1.0], [2.0, 2.0, -0.5]])


def test_covariance_is_exact_in_rationals():
    C = E.covariance(X_DYADIC)
    assert all(isinstance(c, sp.Rational) for c in C)
    # the textbook sum Σ_k (x_k - mean)(x_k - mean)ᵀ/(n-1), in Fractions
    n = X_DYADIC.shape[0]
    rows = [[sp.Rational(v) for v in r] for r in X_DYADIC.tolist()]
    mean = [sum(r[i] for r in rows) / n for i in range(3)]
    textbook = sp.Matrix(3, 3, lambda i, j: sum((r[i] - mean[i]) * (r[j] - mean[j]) for r in rows) / (n - 1))
    assert C == textbook
    assert np.allclose(np.array(C, dtype=float), np.cov(X_DYADIC, rowvar=False), rtol=1e-15)


def test_spectrum_solves_the_eigenproblem_to_working_precision():
    s = E.spectrum(X_DYADIC)
    C = E.covariance(X_DYADIC)
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


def _case(oracle, fn, dtype=np.float64):
    from mathoracle.core.laws import Case
    return Case(oracle, np.dtype(dtype), lambda oid, inputs: fn(**inputs), {oracle.id: oracle})


def _eigh_cov(X, k):
    """np.linalg.eigh(np.cov(X)), the top k eigenpairs, flattened as fit's outputs."""
    w, V = np.linalg.eigh(np.atleast_2d(np.cov(X, rowvar=False)))
    order = np.argsort(w)[::-1][:k]
    return np.concatenate([V[:, order].T.reshape(-1), w[order]])


def test_constant_data_far_from_zero_allows_the_rounded_means_square():
    """Centred data exactly 0 (C = 0): the computed mean's error δ ≈ n·u·|x| leaves δ²·n/(n-1)
    in the variance, second order in u and the whole error. It is allowed; a first-order
    size error at this scale, u·|x|, is not."""
    from mathoracle.core.laws import Falsified
    from mathoracle.properties.contracts import check_agreement
    X = np.full((6, 2), 209715.2)
    assert 0 < _eigh_cov(X, 1)[-1] < 1e-19  # numpy: 1.0e-21 where the exact variance is 0
    check_agreement(_case(O.fit, _eigh_cov), {"inputs": {"X": X, "k": 1}})
    off = lambda X, k: _eigh_cov(X, k) + np.array([0.0, 0.0, 209715.2 * 2.0 ** -53])
    with pytest.raises(Falsified, match="explained_variance"):
        check_agreement(_case(O.fit, off), {"inputs": {"X": X, "k": 1}})


def test_one_feature_component_does_not_depend_on_X():
    """d = 1: the component is ±1 whatever X is, so a NaN in X need not reach it; the
    variance depends on X and must be NaN. With d = 2 the components depend on X."""
    from mathoracle.core.laws import Falsified
    from mathoracle.properties.contracts import check_nan
    one = {"X": np.array([[np.nan], [0.0], [2.0]]), "k": 1}
    assert O.fit.nan_mask(one, "X", (0, 0)).tolist() == [False, True]
    assert not O.explained_variance_ratio.nan_mask({"X": one["X"]}, "X", (0, 0)).any()  # λ/λ = 1
    unit = lambda X, k: np.array([1.0, np.nan])
    check_nan(_case(O.fit, unit), {"inputs": one})
    with pytest.raises(Falsified, match="explained_variance"):
        check_nan(_case(O.fit, lambda X, k: np.array([1.0, 0.0])), {"inputs": one})
    two = {"X": np.array([[np.nan, 1.0], [0.0, 2.0], [2.0, -1.0]]), "k": 1}
    assert O.fit.nan_mask(two, "X", (0, 0)).all()
    with pytest.raises(Falsified, match="components"):
        check_nan(_case(O.fit, lambda X, k: np.array([1.0, 0.0, np.nan])), {"inputs": two})
