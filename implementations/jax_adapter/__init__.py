"""Adapter: JAX (jax.nn), optax and rlax under the catalogue's signatures (CPU, float64 on)."""
from ..base import collect

IMPLEMENTATION = collect("jax", "jax.nn, optax and rlax on the CPU (jax_enable_x64 on), "
                         "gradients by jax.vjp", __name__)
