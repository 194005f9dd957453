"""SciPy's kernels: the RBF kernel from scipy.spatial.distance.cdist(metric="sqeuclidean")."""
import numpy as np
from scipy.spatial.distance import cdist


def rbf(X, Y, gamma):
    """exp(-γ·cdist(X, Y, "sqeuclidean")); cdist computes in float64, from the differences."""
    with np.errstate(over="ignore", under="ignore"):
        return np.exp(-gamma * cdist(X, Y, "sqeuclidean"))


FUNCTIONS = {"kernel.rbf": rbf}

NOT_APPLICABLE = {
    "kernel.linear": "SciPy has no linear kernel (cdist has no inner-product metric)",
    "kernel.polynomial": "SciPy has no polynomial kernel",
}
