"""scikit-learn's PCA: sklearn.decomposition.PCA with svd_solver="full" (LAPACK's SVD of the
centred data).

- fit: ``PCA(n_components=k).fit(X)`` → (components_, explained_variance_).
- explained_variance_ratio: ``PCA().fit(X).explained_variance_ratio_`` (all min(n, d) = d
  ratios: the domain has n > d).
- choose_k: ``PCA(n_components=threshold).fit(X).n_components_``. scikit-learn keeps the
  smallest k whose cumulative ratio is strictly greater than the threshold
  (``searchsorted(..., side="right") + 1``, issue #15669); the catalogue's rule is ≥. They
  differ only at an exact tie, which the domain excludes (no answer is unique there in
  floating point), so it is not a deviation; tests/test_pca.py shows the difference.
- transform: ``PCA.transform`` of a PCA whose ``components_`` and ``mean_`` are set. It
  projects first and centres after (X Vᵀ - mean Vᵀ), which loses accuracy for data far from
  its mean, but no more than rounding X itself costs (the allowance counts |x|·|v|).
"""
from sklearn.decomposition import PCA


def fit(X, k):
    """PCA(n_components=k, svd_solver="full").fit(X): (components_, explained_variance_)."""
    pca = PCA(n_components=k, svd_solver="full").fit(X)
    return pca.components_, pca.explained_variance_


def explained_variance_ratio(X):
    """PCA(svd_solver="full").fit(X).explained_variance_ratio_."""
    return PCA(svd_solver="full").fit(X).explained_variance_ratio_


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
