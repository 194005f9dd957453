"""The diffusion loss through optax.l2_loss (½(ε_θ - ε)², doubled); JAX has no noise
schedule or sampler."""
import jax.numpy as jnp
import optax

from .arrays import numpy_functions


def loss(noise, noise_pred):
    """mean(2·optax.l2_loss(ε_θ, ε))."""
    return jnp.mean(2 * optax.l2_loss(noise_pred, noise))


FUNCTIONS = numpy_functions("diffusion", loss)

_WHY = "JAX and optax have no diffusion noise schedule or sampler"
NOT_APPLICABLE = {f"diffusion.{i}": _WHY for i in (
    "forward_step", "alpha_bar", "marginal", "reverse_mean")}
