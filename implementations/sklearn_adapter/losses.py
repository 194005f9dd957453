"""scikit-learn's losses: sklearn.metrics (they return Python floats)."""
import numpy as np
from sklearn.metrics import log_loss, mean_absolute_error, mean_squared_error

from ..base import KnownDeviation, any_nan, provides


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
    eps = np.finfo(p.dtype).eps
    p = p.astype(np.float64)
    return bool(np.any((p < eps) | (1 - p < eps)))


_LOG_LOSS = "https://scikit-learn.org/stable/modules/generated/sklearn.metrics.log_loss.html"
_VALIDATION = "https://scikit-learn.org/stable/modules/generated/sklearn.utils.check_array.html"

DEVIATIONS = (
    KnownDeviation(
        oracle="loss.binary_cross_entropy", properties=("agreement", "edges", "two_class_cce"),
        summary="log(1 - p) is the log of the rounded 1 - p: a term with y = 0 and small p is "
                "accurate to u absolutely, not relatively (log_loss(0, 1e-10) is off by 8e-8)",
        reason="log_loss expands a binary p into the columns [1 - p, p] and takes their log, "
               "instead of log1p(-p); 1 - p is exact only for p ≥ ½ (Sterbenz)",
        reference="https://github.com/scikit-learn/scikit-learn/pull/24365 (the column "
                  "expansion); the log_loss page documents the [1 - p, p] reading of binary p",
        witness={"y_true": np.array([0.0]), "p": np.array([1e-10])},
        region=lambda kw: bool(np.any((np.asarray(kw["y_true"]) == 0)
                                      & (np.asarray(kw["p"], np.float64) < 0.5))),
    ),
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
    *(KnownDeviation(
        oracle=oid, properties=("nan",),
        summary="raises ValueError('Input contains NaN') instead of returning NaN",
        reason="sklearn.metrics validates its inputs with check_array, which rejects NaN",
        reference=_VALIDATION, witness=witness, region=any_nan,
    ) for oid, witness in (
        ("loss.mse", {"y_true": np.array([np.nan]), "y_pred": np.array([1.0])}),
        ("loss.mae", {"y_true": np.array([np.nan]), "y_pred": np.array([1.0])}),
        ("loss.binary_cross_entropy", {"y_true": np.array([1.0]), "p": np.array([np.nan])}),
        ("loss.categorical_cross_entropy", {"y_onehot": np.array([[1.0, 0.0]]), "p": np.array([[np.nan, 0.5]])}),
    )),
)
