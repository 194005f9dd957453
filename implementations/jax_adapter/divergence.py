"""optax.kl_divergence(log_predictions, targets): Σ targets·(log targets - log_predictions)
over the last axis; the catalogue's kl(p, q) is kl_divergence(log q, p)."""
import jax.numpy as jnp
import numpy as np
import optax

from ..base import KnownDeviation

from .arrays import FTZ_REFERENCE, flushed, gradients, numpy_functions


def kl(p, q):
    """optax.kl_divergence(log q, p)."""
    return optax.kl_divergence(jnp.log(q), p)


FUNCTIONS = numpy_functions("divergence", kl)
GRADIENTS = gradients("divergence", kl)


def _both_zero(kw) -> bool:
    p, q = np.asarray(kw["p"], np.float64), np.asarray(kw["q"], np.float64)
    return bool(np.any((p == 0) & (q == 0)))


def _logs_cancel(kw) -> bool:
    """Some component with p > 0 where |log p| + |log q| exceeds 16: the gradient's two
    logarithms (and the product rule's w·p/p) cost more than its allowed error there."""
    p, q = np.asarray(kw["p"], np.float64), np.asarray(kw["q"], np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        size = np.abs(np.log(p)) + np.abs(np.log(q))
    return bool(np.any((p > 0) & ~(size <= 16)))


DEVIATIONS = (
    KnownDeviation(
        oracle="divergence.kl", properties=("gradient",),
        summary="the gradient by p is log p - log q + 1 from two logarithms, which cancel where "
                "p and q are small (21.5 ulp at p = [1, 1e-300], q = [1, 1e-292]); and the "
                "product rule's w·p/p loses its 1 where w·p is subnormal (flushed to 0)",
        reason="optax.kl_divergence computes targets·(log targets - log q) and JAX "
               "differentiates it term by term; XLA's CPU flushes subnormal intermediates",
        reference="https://optax.readthedocs.io/en/latest/api/losses.html"
                  "#optax.losses.kl_divergence; " + FTZ_REFERENCE,
        witness={"p": np.array([1.0, 1e-300]), "q": np.array([1.0, 1e-292]),
                 "cotangent": np.array(1.0)},
        region=_logs_cancel),
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
