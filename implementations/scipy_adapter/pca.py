"""SciPy's symmetric eigensolver for PCA: scipy.linalg.eigh / eigvalsh of the covariance.

SciPy has no PCA as such; its ``eigh`` is the library's part (with ``subset_by_index`` for
the top k). The adapter forms the centred covariance (X - mean)ᵀ(X - mean)/(n-1) in float64.
"""
import numpy as np
from scipy.linalg import eigh, eigvalsh


def _covariance(X):
    x = np.asarray(X, dtype=np.float64)
    xc = x - x.mean(axis=0)
    return xc.T @ xc / (x.shape[0] - 1)


def fit(X, k):
    """scipy.linalg.eigh(C, subset_by_index=[d-k, d-1]), largest first."""
    C = _covariance(X)
    dim = C.shape[0]
    values, vectors = eigh(C, subset_by_index=[dim - k, dim - 1])
    return vectors[:, ::-1].T, values[::-1]


def explained_variance_ratio(X):
    """scipy.linalg.eigvalsh(C), descending, clipped at 0, over their sum."""
    values = np.maximum(eigvalsh(_covariance(X))[::-1], 0.0)
    return values / values.sum()


FUNCTIONS = {"pca.fit": fit, "pca.explained_variance_ratio": explained_variance_ratio}

NOT_APPLICABLE = {
    "pca.transform": "SciPy has no PCA projection ((X - mean) Vᵀ would be the adapter's own formula)",
    "pca.choose_k": "SciPy has no rule for choosing the number of components",
}
