"""jax.nn.dot_product_attention, which takes (batch, length, heads, head size) arrays and a
boolean mask broadcast to (batch, heads, queries, keys), True = takes part."""
import jax
import jax.numpy as jnp
import numpy as np

from .arrays import to_numpy


def scaled_dot_product(Q, K, V, mask=None):
    """jax.nn.dot_product_attention on (B, n, 1, d) views of (..., n, d) inputs (one head)."""
    Q, K, V = (np.asarray(a) for a in (Q, K, V))
    lead = np.broadcast_shapes(Q.shape[:-2], K.shape[:-2], V.shape[:-2])

    def four(a):
        a = np.broadcast_to(a, lead + a.shape[-2:])
        return jnp.asarray(a.reshape((-1,) + a.shape[-2:])[:, :, None, :])
    m = None
    if mask is not None:
        mk = np.broadcast_to(np.asarray(mask, bool), lead + (Q.shape[-2], K.shape[-2]))
        m = jnp.asarray(mk.reshape((-1, 1) + mk.shape[-2:]))
    out = jax.nn.dot_product_attention(four(Q), four(K), four(V), mask=m)
    return to_numpy(out[:, :, 0, :]).reshape(lead + (Q.shape[-2], V.shape[-1]))


FUNCTIONS = {"attention.scaled_dot_product": scaled_dot_product}

NOT_APPLICABLE = {
    "attention.multi_head": "JAX has no multi-head attention layer in jax.nn (flax's "
                            "MultiHeadDotProductAttention is a separate library)",
    "attention.positional_encoding": "JAX has no sinusoidal positional encoding",
}
