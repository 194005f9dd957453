"""optax losses (elementwise; the adapter takes the mean). optax takes (predictions, targets),
the catalogue (y_true, y_pred); its cross-entropies take logits, so probabilities go in
through their logit (jax.scipy.special.logit, log p for the softmax)."""
import jax.numpy as jnp
import optax
from jax.scipy.special import logit

from .arrays import gradients, numpy_functions


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
GRADIENTS = gradients("loss", *_LOSSES)
NOT_APPLICABLE = {
    "loss.mae": "optax has no mean-absolute-error loss (its losses are listed in optax.losses)",
}
