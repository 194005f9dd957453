"""jax.nn.dot_product_attention, which takes (batch, length, heads, head size) arrays and a
boolean mask broadcast to (batch, heads, queries, keys), True = takes part."""
import jax
import jax.numpy as jnp
import numpy as np

from ..base import KnownDeviation
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


def _no_key(kw) -> bool:
    """Some query whose mask allows no key."""
    if kw.get("mask") is None:
        return False
    return bool(np.any(~np.any(np.asarray(kw["mask"], bool), axis=-1)))


_DOCS = "https://docs.jax.dev/en/latest/_autosummary/jax.nn.dot_product_attention.html"

def _float64(kw) -> bool:
    return any(np.asarray(kw[n]).dtype == np.float64 for n in ("Q", "K", "V"))


DEVIATIONS = (
    KnownDeviation(
        oracle="attention.scaled_dot_product", properties=("*",),
        summary="float64 input has its softmax computed in float32: 0.3302384615 instead of "
                "1/(1 + e^{1/√2}) = 0.3302384507 at Q = [[1, 0]], K = [[1, 0], [0, 0]], "
                "V = [[0, 0], [0, 1]]",
        reason="the XLA implementation casts the scores to float32 before the softmax and the "
               "probabilities back to the input's dtype",
        reference=_DOCS + "; jax/_src/nn/functions.py (_dot_product_attention_core: "
                  "logits.astype(jnp.float32))",
        witness={"Q": np.array([[1.0, 0.0]]), "K": np.array([[1.0, 0.0], [0.0, 0.0]]),
                 "V": np.array([[0.0, 0.0], [0.0, 1.0]])},
        region=_float64),
    KnownDeviation(
        oracle="attention.scaled_dot_product", properties=("*",),
        summary="a query whose mask allows no key gets the mean of V (1.0 for V = [[1]]) "
                "instead of zeros",
        reason="the mask replaces the scores of masked keys by a large negative number, so a "
               "fully masked row is a softmax of equal scores",
        reference=_DOCS + " (mask: False positions get a large negative logit; "
                  "jax/_src/nn/functions.py, _apply_masks)",
        witness={"Q": np.zeros((1, 1), np.float32), "K": np.zeros((1, 1), np.float32),
                 "V": np.ones((1, 1), np.float32), "mask": np.array([[False]])},
        region=_no_key),
)
