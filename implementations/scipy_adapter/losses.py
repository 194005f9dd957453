"""SciPy's losses: scipy.special.huber, and cross-entropies built on xlogy / xlog1py."""
import numpy as np
import scipy.special

from ..base import provides


def huber(y_true, y_pred, delta=1.0):
    """mean of scipy.special.huber(delta, y - ŷ)."""
    return np.mean(scipy.special.huber(delta, np.subtract(y_true, y_pred)))


def binary_cross_entropy(y_true, p):
    """-mean(xlogy(y, p) + xlog1py(1 - y, -p))."""
    return -np.mean(scipy.special.xlogy(y_true, p) + scipy.special.xlog1py(1 - y_true, -p))


def categorical_cross_entropy(y_onehot, p):
    """-mean over samples of Σ xlogy(y, p) over classes."""
    return -np.mean(np.sum(scipy.special.xlogy(y_onehot, p), axis=-1))


FUNCTIONS = provides("loss", huber, binary_cross_entropy, categorical_cross_entropy)

NOT_APPLICABLE = {
    "loss.mse": "SciPy has no mean squared error (scikit-learn and torch do)",
    "loss.mae": "SciPy has no mean absolute error (scikit-learn and torch do)",
    "loss.focal": "SciPy has no focal loss",
}
