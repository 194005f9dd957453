"""optax.kl_divergence(log_predictions, targets): Σ targets·(log targets - log_predictions)
over the last axis; the catalogue's kl(p, q) is kl_divergence(log q, p)."""
import jax.numpy as jnp
import numpy as np
import optax

from ..base import KnownDeviation

from .arrays import flushed, gradients, numpy_functions


def kl(p, q):
    """optax.kl_divergence(log q, p)."""
    return optax.kl_divergence(jnp.log(q), p)


FUNCTIONS = numpy_functions("divergence", kl)
GRADIENTS = gradients("divergence", kl)


def _both_zero(kw) -> bool:
    p, q = np.asarray(kw["p"], np.float64), np.asarray(kw["q"], np.float64)
    return bool(np.any((p == 0) & (q == 0)))


DEVIATIONS = (
    KnownDeviation(
        oracle="divergence.kl", properties=("*",),
        summary="NaN where p = q = 0 in a component: the log-prediction is -∞ and optax forms "
                "0·(0 - (-∞))",
        reason="optax.kl_divergence takes log q and computes targets·(log targets - log q), "
               "guarding log 0 of the targets but not the product with an infinite log q",
        reference="https://optax.readthedocs.io/en/latest/api/losses.html"
                  "#optax.losses.kl_divergence (log_predictions: expected in log-space)",
        witness={"p": np.array([0.0, 1.0]), "q": np.array([0.0, 1.0])}, region=_both_zero),
    flushed("divergence.kl", ("*",), "a subnormal q is read as 0: log q = -∞ and KL is inf "
            "(inf instead of 371.5 at p = [0.5, 0.5], q = [5e-324, 1])",
            {"p": np.array([0.5, 0.5]), "q": np.array([5e-324, 1.0])}),
)
