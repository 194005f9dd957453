"""scikit-learn's PCA: sklearn.decomposition.PCA with svd_solver="full" (LAPACK's SVD of the
centred data).

- fit: ``PCA(n_components=k).fit(X)`` → (components_, explained_variance_). scikit-learn
  gives at most min(n, d) components; for wide data (n ≤ d) and k > n the adapter adds the
  missing ones: eigenvalue exactly 0 (the centred data have rank ≤ n - 1), components an
  orthonormal basis of the complement of those returned (``scipy.linalg.null_space``), any
  of which is right (a tie at 0: judged by the laws).
- explained_variance_ratio: ``PCA().fit(X).explained_variance_ratio_``: min(n, d) ratios,
  padded with the exact zeros of the d - n eigenvalues it leaves out when n < d.
- choose_k: ``PCA(n_components=threshold).fit(X).n_components_``. scikit-learn keeps the
  smallest k whose cumulative ratio is strictly greater than the threshold
  (``searchsorted(..., side="right") + 1``, issue #15669); the catalogue's rule is ≥. They
  differ at an exact tie, which the domain draws: a known deviation (``DEVIATIONS``).
- transform: ``PCA.transform`` of a PCA whose ``components_`` and ``mean_`` are set. It
  projects first and centres after (X Vᵀ - mean Vᵀ), which loses accuracy for data far from
  its mean, but no more than rounding X itself costs (the allowance counts |x|·|v|).
"""
import numpy as np
from scipy.linalg import null_space
from sklearn.decomposition import PCA

from mathoracle.oracles.pca import exact_tie

from ..base import KnownDeviation


def _padded(values, size):
    """values followed by exact zeros up to ``size`` (the eigenvalues scikit-learn leaves out)."""
    return np.concatenate([values, np.zeros(size - len(values), values.dtype)])


def fit(X, k):
    """PCA(n_components=min(k, n, d), svd_solver="full").fit(X): (components_,
    explained_variance_), completed to k for wide data (see the module docstring)."""
    pca = PCA(n_components=min(k, *np.shape(X)), svd_solver="full").fit(X)
    comps, values = pca.components_, pca.explained_variance_
    if len(values) < k:
        rest = null_space(np.asarray(comps, np.float64)).T[:k - len(values)]
        comps = np.concatenate([comps, rest.astype(comps.dtype)])
        values = _padded(values, k)
    return comps, values


def explained_variance_ratio(X):
    """PCA(svd_solver="full").fit(X).explained_variance_ratio_, zero-padded to d ratios."""
    ratios = PCA(svd_solver="full").fit(X).explained_variance_ratio_
    return _padded(ratios, np.shape(X)[1])


def choose_k(X, threshold=0.95):
    """PCA(n_components=threshold, svd_solver="full").fit(X).n_components_."""
    return PCA(n_components=threshold, svd_solver="full").fit(X).n_components_


def transform(X, components, mean):
    """PCA.transform(X) with components_ and mean_ set (no whitening)."""
    pca = PCA(n_components=components.shape[0])
    pca.components_, pca.mean_ = components, mean
    pca.n_features_in_ = components.shape[1]
    return pca.transform(X)


FUNCTIONS = {"pca.fit": fit, "pca.transform": transform,
             "pca.explained_variance_ratio": explained_variance_ratio, "pca.choose_k": choose_k}


def _exact_tie(kw) -> bool:
    """Some exact cumulative ratio equals the threshold (the oracle's own tie test)."""
    X = np.asarray(kw["X"])
    if X.ndim != 2 or X.shape[0] < 2 or not np.isfinite(X).all() or not np.any(X != X[:1]):
        return False
    return exact_tie(X, float(kw.get("threshold", 0.95)))


DEVIATIONS = (
    KnownDeviation(
        oracle="pca.choose_k", properties=("agreement",),
        summary="at an exact tie (a cumulative ratio equal to the threshold) one component more "
                "than the smallest k whose ratio reaches it (2 for 1 at "
                "X = [[1, 0], [-1, 0], [0, 1], [0, -1]], threshold 0.5)",
        reason="scikit-learn keeps the smallest k whose cumulative ratio is strictly greater "
               "than n_components (searchsorted(..., side='right') + 1)",
        reference="https://github.com/scikit-learn/scikit-learn/issues/15669; "
                  "sklearn/decomposition/_pca.py (_fit_full)",
        witness={"X": np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0], [0.0, -1.0]]), "threshold": 0.5},
        region=_exact_tie),
)
