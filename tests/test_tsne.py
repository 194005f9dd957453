"""t-SNE's oracles: the seed's q_ij typo, the perplexity calibration, and the KL gradient."""
import mpmath
import numpy as np
import sympy as sp

from mathoracle.oracles import tsne as O
from mathoracle.oracles import tsne_calibration as calibration


def _points(name, n, dim):
    return np.array([[sp.Symbol(f"{name}{i}_{c}", real=True) for c in range(dim)] for i in range(n)],
                    dtype=object)


def _seed_typo_q(Y):
    """The seed's q_ij = (1+‖y_i-y_j‖²)⁻¹ / Σ_k (1+‖y_k-y_l‖²)⁻¹, l = j: over k alone."""
    n = Y.shape[0]
    D = O.squared_distances(Y)
    return np.array([[0 if i == j else (1 / (1 + D[i, j])) / sum(1 / (1 + D[k, j]) for k in range(n) if k != j)
                      for j in range(n)] for i in range(n)], dtype=object)


def _q(Y):
    return O.student_t(O.squared_distances(Y))


def test_q_sums_to_one_over_all_pairs_and_the_seed_typo_sums_to_n():
    Y = _points("y", 3, 1)
    assert sp.simplify(_q(Y).sum() - 1) == 0
    assert sp.simplify(_seed_typo_q(Y).sum() - 3) == 0


def test_the_seed_typo_is_caught_by_sums_to_one():
    import mathoracle
    from tests.corpus.tsne import low_dim_seed_typo
    result = mathoracle.check("tsne.low_dim_affinities", low_dim_seed_typo, dtypes="float64",
                              seed=0, max_examples=20, properties=["sums_to_one"])
    assert result.status == "fail"


def test_calibration_reaches_the_target_entropy():
    ds = [mpmath.mpf(v) for v in (0.5, 1.0, 4.0, 9.0)]
    with mpmath.workdps(80):
        beta = calibration.calibrate(ds, 2.5)
        assert abs(calibration._entropy(ds, beta) - mpmath.log(2.5)) < mpmath.mpf(10) ** -60


def _kl_of_embedding(n, dim):
    """KL(P‖Q(Y)) with P a symmetric matrix of symbols, and its gradient by sympy.diff."""
    Y = _points("y", n, dim)
    P = np.full((n, n), sp.Integer(0), dtype=object)
    for i in range(n):
        for j in range(i + 1, n):
            P[i, j] = P[j, i] = sp.Symbol(f"p{i}{j}", positive=True)
    kl = O.kl(P, _q(Y))[()]
    return Y, P, kl


def test_tsne_gradient_formula_equals_sympy_diff():
    """∂KL/∂y_i = 4 Σ_j (p_ij - q_ij)(y_i - y_j)(1+‖y_i-y_j‖²)⁻¹ when Σ p_ij = 1 (van der Maaten
    & Hinton, 2008): checked at random rational points to 50 digits."""
    n, dim = 3, 2
    Y, P, kl = _kl_of_embedding(n, dim)
    Q = _q(Y)
    D = O.squared_distances(Y)
    rng = np.random.default_rng(0)
    for _ in range(3):
        w = rng.random(n * (n - 1) // 2) + 0.1
        w = w / (2 * w.sum())
        subs = {s: sp.Rational(int(v * 10 ** 6), 10 ** 6) for s, v in zip(
            [P[i, j] for i in range(n) for j in range(i + 1, n)], w)}
        subs[P[0, 1]] += sp.Rational(1, 2) - sum(subs.values())  # Σ_{i≠j} p_ij = 1 exactly
        subs.update({s: sp.Rational(int(v), 1000) for s, v in zip(Y.reshape(-1), rng.integers(-2000, 2000, n * dim))})
        for i in range(n):
            for c in range(dim):
                by_sympy = sp.diff(kl, Y[i, c]).subs(subs).evalf(50)
                formula = (4 * sum((P[i, j] - Q[i, j]) * (Y[i, c] - Y[j, c]) / (1 + D[i, j])
                                   for j in range(n) if j != i)).subs(subs).evalf(50)
                assert abs(by_sympy - formula) < 1e-40


def test_scikit_learn_kl_divergence_and_gradient_agree_with_sympy():
    """sklearn.manifold._t_sne._kl_divergence (private API, checked with 1.9.1): its value and
    its gradient by Y against SymPy's, to within float64 rounding of the n² terms (each at most
    n²·u relative to the sum of the terms' magnitudes)."""
    from scipy.spatial.distance import squareform
    from sklearn.manifold._t_sne import _kl_divergence

    n, dim = 3, 2
    Ysym, P, kl = _kl_of_embedding(n, dim)
    rng = np.random.default_rng(1)
    Y = rng.normal(size=(n, dim))
    Pv = rng.random((n, n)) + 0.1
    Pv = (Pv + Pv.T)
    np.fill_diagonal(Pv, 0)
    Pv /= Pv.sum()
    value, grad = _kl_divergence(Y.ravel(), squareform(Pv), 1, n, dim)
    subs = {**{s: sp.Float(v, 30) for s, v in zip(Ysym.reshape(-1), Y.reshape(-1))},
            **{P[i, j]: sp.Float(Pv[i, j], 30) for i in range(n) for j in range(i + 1, n)}}
    u = np.finfo(np.float64).eps / 2
    exact = kl.subs(subs).evalf(30)
    assert abs(value - float(exact)) <= n * n * 8 * u * float(sum(abs(Pv[i, j] * np.log(Pv[i, j]))
                                                                 for i in range(n) for j in range(n) if i != j) + 1)
    for k, (s, g) in enumerate(zip(Ysym.reshape(-1), grad)):
        exact_g = float(sp.diff(kl, s).subs(subs).evalf(30))
        assert abs(g - exact_g) <= n * n * 16 * u * (abs(exact_g) + 4 * np.abs(Y).max() + 1)
