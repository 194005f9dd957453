"""optax losses (elementwise; the adapter takes the mean). optax takes (predictions, targets),
the catalogue (y_true, y_pred); its cross-entropies take logits, so probabilities go in
through their logit (jax.scipy.special.logit, log p for the softmax)."""
import jax.numpy as jnp
import numpy as np
import optax
from jax.scipy.special import logit

from ..base import KnownDeviation
from .arrays import flushed, gradients, numpy_functions


def mse(y_true, y_pred):
    """mean(optax.squared_error(y_pred, y_true))."""
    return jnp.mean(optax.squared_error(y_pred, y_true))


def huber(y_true, y_pred, delta=1.0):
    """mean(optax.huber_loss(y_pred, y_true, delta=delta))."""
    return jnp.mean(optax.huber_loss(y_pred, y_true, delta=delta))


def binary_cross_entropy(y_true, p):
    """mean(optax.sigmoid_binary_cross_entropy(logit(p), y_true))."""
    return jnp.mean(optax.sigmoid_binary_cross_entropy(logit(p), y_true))


def categorical_cross_entropy(y_onehot, p):
    """mean(optax.softmax_cross_entropy(log p, y_onehot)) (log_softmax of log p is log p when
    the row sums to 1)."""
    return jnp.mean(optax.softmax_cross_entropy(jnp.log(p), y_onehot))


def focal(y_true, p, alpha=0.25, gamma=2.0):
    """mean(optax.sigmoid_focal_loss(logit(p), y_true, alpha=alpha, gamma=gamma))."""
    return jnp.mean(optax.sigmoid_focal_loss(logit(p), y_true, alpha=alpha, gamma=gamma))


_LOSSES = (mse, huber, binary_cross_entropy, categorical_cross_entropy, focal)
FUNCTIONS = numpy_functions("loss", *_LOSSES)
# Not categorical_cross_entropy: through log p, optax's log_softmax renormalises p, so its
# partial derivatives off the simplex (1/Σp in every class) are not those of -Σ y log p.
GRADIENTS = gradients("loss", mse, huber, binary_cross_entropy, focal)
NOT_APPLICABLE = {
    "loss.mae": "optax has no mean-absolute-error loss (its losses are listed in optax.losses)",
}


def _certain(kw) -> bool:
    """Some p of exactly 0 or 1: its logit is ∓∞."""
    p = np.asarray(kw["p"], np.float64)
    return bool(np.any((p == 0) | (p == 1)))


_INF = dict(
    reason="optax's cross-entropies take logits; at p = 0 or 1 the logit is ∓∞ and optax forms "
           "labels·log σ(x) with 0·(-∞) = NaN instead of the limit 0",
    reference="https://optax.readthedocs.io/en/latest/api/losses.html"
              "#optax.losses.sigmoid_binary_cross_entropy (logits: real-valued)")

DEVIATIONS = (
    KnownDeviation(oracle="loss.binary_cross_entropy", properties=("*",),
                   summary="NaN at p = 0 with y = 0 (and p = 1 with y = 1): the logit is ∓∞ and "
                           "0·(-∞) is NaN, where the loss is 0", **_INF,
                   witness={"y_true": np.array([0.0]), "p": np.array([0.0])}, region=_certain),
    KnownDeviation(oracle="loss.focal", properties=("*",),
                   summary="NaN at p = 0 with y = 0 (and p = 1 with y = 1): the logit is ∓∞ and "
                           "0·(-∞) is NaN, where the loss is 0", **_INF,
                   witness={"y_true": np.array([0.0]), "p": np.array([0.0])}, region=_certain),
    KnownDeviation(oracle="loss.categorical_cross_entropy", properties=("*",),
                   summary="NaN where a class that is not the target has p = 0: its logit log p "
                           "is -∞ and optax forms 0·(-∞), where the term is 0",
                   reason="softmax_cross_entropy computes -Σ labels·log_softmax(logits) without "
                          "guarding -∞ logits (optax.safe_softmax_cross_entropy does)",
                   reference="https://optax.readthedocs.io/en/latest/api/losses.html"
                             "#optax.losses.safe_softmax_cross_entropy",
                   witness={"y_onehot": np.array([[1.0, 0.0]]), "p": np.array([[1.0, 0.0]])},
                   region=lambda kw: bool(np.any(np.asarray(kw["p"], np.float64) == 0))),
    KnownDeviation(oracle="loss.huber", properties=("gradient",),
                   summary="inside δ the gradient is computed as (q + δ) - δ: an absolute error "
                           "of u·δ (0 instead of 1e-8 at y_pred = 1e-8, δ = 1 in float32)",
                   reason="optax writes huber as ½q² + δ·(|e| - q), q = min(|e|, δ); the "
                          "backward of the linear term adds δ·sign(e) and subtracts it again",
                   reference="https://optax.readthedocs.io/en/latest/api/losses.html"
                             "#optax.losses.huber_loss; optax/losses/_regression.py "
                             "(linear = abs_errors - quadratic)",
                   witness={"y_true": np.array([0.0], np.float32),
                            "y_pred": np.array([1e-8], np.float32), "delta": 1.0},
                   region=lambda kw: bool(np.any(np.abs(np.asarray(kw["y_pred"], np.float64)
                                                        - np.asarray(kw["y_true"], np.float64))
                                                 < kw.get("delta", 1.0)))),
    *(flushed(oid, ("*",), "a subnormal p is read as 0: log p = -∞ and the loss is inf "
                           "(inf instead of 744.4 at y = 1, p = 5e-324)", witness)
      for oid, witness in (
          ("loss.binary_cross_entropy", {"y_true": np.array([1.0]), "p": np.array([5e-324])}),
          ("loss.categorical_cross_entropy", {"y_onehot": np.array([[1.0, 0.0]]),
                                              "p": np.array([[5e-324, 1.0]])}),
          ("loss.focal", {"y_true": np.array([1.0]), "p": np.array([5e-324])}))),
)
