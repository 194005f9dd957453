"""optax.kl_divergence(log_predictions, targets): Σ targets·(log targets - log_predictions)
over the last axis; the catalogue's kl(p, q) is kl_divergence(log q, p)."""
import jax.numpy as jnp
import optax

from .arrays import gradients, numpy_functions


def kl(p, q):
    """optax.kl_divergence(log q, p)."""
    return optax.kl_divergence(jnp.log(q), p)


FUNCTIONS = numpy_functions("divergence", kl)
GRADIENTS = gradients("divergence", kl)
