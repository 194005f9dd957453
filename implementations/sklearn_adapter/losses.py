"""scikit-learn's losses: sklearn.metrics (they return Python floats)."""
import numpy as np
from sklearn.metrics import log_loss, mean_absolute_error, mean_squared_error

from mathoracle.core.formats import finfo

from ..base import KnownDeviation, provides


def mse(y_true, y_pred):
    """metrics.mean_squared_error on the flattened arrays."""
    return mean_squared_error(np.ravel(y_true), np.ravel(y_pred))


def mae(y_true, y_pred):
    """metrics.mean_absolute_error on the flattened arrays."""
    return mean_absolute_error(np.ravel(y_true), np.ravel(y_pred))


def binary_cross_entropy(y_true, p):
    """metrics.log_loss(y, p, labels=[0, 1]) on the flattened arrays."""
    return log_loss(np.ravel(y_true), np.ravel(p), labels=[0, 1])


def categorical_cross_entropy(y_onehot, p):
    """metrics.log_loss(class index, p, labels=range(C)): log_loss takes one-hot rows only
    without ``labels``, and then cannot know the classes absent from a small batch."""
    classes = np.shape(y_onehot)[-1]
    return log_loss(np.argmax(y_onehot, axis=-1), p, labels=list(range(classes)))


FUNCTIONS = provides("loss", mse, mae, binary_cross_entropy, categorical_cross_entropy)

NOT_APPLICABLE = {
    "loss.huber": "sklearn.metrics has no Huber loss (HuberRegressor's loss is internal)",
    "loss.focal": "scikit-learn has no focal loss",
}


def _clipped(kw):
    p = np.asarray(kw["p"])
    eps = finfo(p.dtype).eps
    p = p.astype(np.float64)
    return bool(np.any((p < eps) | (1 - p < eps)))


_LOG_LOSS = "https://scikit-learn.org/stable/modules/generated/sklearn.metrics.log_loss.html"

DEVIATIONS = (
    *(KnownDeviation(
        oracle=oid, properties=("agreement", "edges", "two_class_cce", "zero_at_perfect"),
        summary="p is clipped to [eps, 1 - eps], eps the dtype's machine epsilon",
        reason="log_loss keeps the loss finite for probabilities of exactly 0 or 1",
        reference=_LOG_LOSS, witness=witness, region=_clipped,
    ) for oid, witness in (
        ("loss.binary_cross_entropy", {"y_true": np.array([1.0, 0.0]), "p": np.array([1e-300, 0.5])}),
        ("loss.categorical_cross_entropy",
         {"y_onehot": np.array([[1.0, 0.0]]), "p": np.array([[1e-300, 1.0]])}),
    )),
    KnownDeviation(
        oracle="loss.categorical_cross_entropy", properties=("nan",),
        summary="a NaN in the one-hot row does not propagate: the class index is taken from it",
        reason="log_loss takes class labels (labels=range(C)); the adapter takes each row's label "
               "as its argmax, where a NaN label is lost",
        reference=_LOG_LOSS,
        witness={"y_onehot": np.array([[np.nan, 1.0]]), "p": np.array([[0.5, 0.5]])},
        region=lambda kw: bool(np.isnan(np.asarray(kw["y_onehot"], np.float64)).any()),
    ),
)
