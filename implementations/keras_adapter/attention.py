"""keras.ops.dot_product_attention ((batch, length, heads, head size) arrays, boolean mask
broadcast to (batch, heads, queries, keys), True = takes part) and
keras.layers.MultiHeadAttention with its kernels set from the catalogue's matrices:
query/key/value kernels (E, h, E/h) = W.reshape, output kernel (h, E/h, E) = W_o.reshape."""
import numpy as np

from ..base import KnownDeviation
from .numerics import float32_inside


def scaled_dot_product(k, Q, K, V, mask=None):
    """keras.ops.dot_product_attention on (B, n, 1, d) views of (..., n, d) inputs (one head)."""
    Q, K, V = (np.asarray(a) for a in (Q, K, V))
    lead = np.broadcast_shapes(Q.shape[:-2], K.shape[:-2], V.shape[:-2])

    def four(a):
        a = np.broadcast_to(a, lead + a.shape[-2:])
        return np.ascontiguousarray(a.reshape((-1,) + a.shape[-2:])[:, :, None, :])
    m = None
    if mask is not None:
        mk = np.broadcast_to(np.asarray(mask, bool), lead + (Q.shape[-2], K.shape[-2]))
        m = np.ascontiguousarray(mk.reshape((-1, 1) + mk.shape[-2:]))
    out = k.ops.convert_to_numpy(k.ops.dot_product_attention(four(Q), four(K), four(V), mask=m))
    return out[:, :, 0, :].reshape(lead + (Q.shape[-2], V.shape[-1]))


def multi_head(k, Q, K, V, W_q, W_k, W_v, W_o, num_heads):
    """keras.layers.MultiHeadAttention(h, key_dim=E/h, use_bias=False) on (B, n, E) views."""
    h, e = int(num_heads), np.shape(W_q)[1]
    Q, K, V = (np.asarray(a) for a in (Q, K, V))
    lead = Q.shape[:-2]
    q, kk, v = (np.ascontiguousarray(a.reshape((-1,) + a.shape[-2:])) for a in (Q, K, V))
    dtype = np.result_type(Q, K, V, W_q).name
    layer = k.layers.MultiHeadAttention(h, key_dim=e // h, use_bias=False, dtype=dtype)
    layer.build(q.shape, v.shape, kk.shape)
    d = np.shape(W_q)[0]
    layer.query_dense.kernel.assign(np.reshape(W_q, (d, h, e // h)))
    layer.key_dense.kernel.assign(np.reshape(W_k, (np.shape(W_k)[0], h, e // h)))
    layer.value_dense.kernel.assign(np.reshape(W_v, (np.shape(W_v)[0], h, np.shape(W_v)[1] // h)))
    layer.output_dense.kernel.assign(np.reshape(W_o, (h, np.shape(W_o)[0] // h, np.shape(W_o)[1])))
    out = k.ops.convert_to_numpy(layer(q, v, key=kk, training=False))
    return out.reshape(lead + out.shape[-2:])


FUNCTIONS = {"attention.scaled_dot_product": scaled_dot_product, "attention.multi_head": multi_head}

NOT_APPLICABLE = {
    "attention.positional_encoding": "Keras 3 has no sinusoidal positional encoding in its core "
                                     "(keras_hub's SinePositionEncoding is a separate library)",
}


def _no_key(kw) -> bool:
    """Some query whose mask allows no key."""
    if kw.get("mask") is None:
        return False
    return bool(np.any(~np.any(np.asarray(kw["mask"], bool), axis=-1)))


def _nan_in(*names):
    return lambda kw: any(bool(np.isnan(np.asarray(kw[n], np.float64)).any()) for n in names)


_ONE = np.array([[1.0]])

DEVIATIONS = (
    float32_inside("attention.scaled_dot_product", "float64 input is computed and returned in "
                   "float32 (V = 0.1 comes back as 0.10000000149)",
                   {"Q": np.zeros((1, 1)), "K": np.zeros((1, 1)), "V": np.array([[0.1]])}),
    float32_inside("attention.multi_head", "float64 input is computed in float32 inside the "
                   "attention (V = 0.1 comes back as 0.10000000149)",
                   {"Q": np.zeros((1, 1)), "K": np.zeros((1, 1)), "V": np.array([[0.1]]),
                    "W_q": _ONE, "W_k": _ONE, "W_v": _ONE, "W_o": _ONE, "num_heads": 1}),
    KnownDeviation(
        oracle="attention.scaled_dot_product", properties=("*",),
        summary="a query whose mask allows no key gets the mean of V (1.0 for V = [[1]]) "
                "instead of zeros",
        reason="the boolean mask becomes an additive bias of -0.7·(largest float) (float16: "
               "-0.7·65500), so a fully masked row is a softmax of equal scores",
        reference="https://github.com/keras-team/keras/blob/master/keras/src/backend/torch/nn.py "
                  "(dot_product_attention, _get_large_negative)",
        witness={"Q": np.zeros((1, 1), np.float32), "K": np.zeros((1, 1), np.float32),
                 "V": np.ones((1, 1), np.float32), "mask": np.array([[False]])},
        region=_no_key),
)

_FLASH = "https://github.com/pytorch/pytorch/issues/141128"
DEVIATIONS_TORCH = (
    KnownDeviation(
        oracle="attention.scaled_dot_product", properties=("nan",),
        summary="a query whose scores are all NaN gets zeros instead of NaN (torch's fused CPU "
                "kernel, which Keras calls with 4-D inputs)",
        reason="torch's CPU flash-attention kernel skips NaN scores and zeroes rows with no key",
        reference=_FLASH,
        witness={"Q": np.array([[np.nan, 0.0]], np.float32), "K": np.eye(2, dtype=np.float32),
                 "V": np.eye(2, dtype=np.float32)},
        region=_nan_in("Q", "K")),
    KnownDeviation(
        oracle="attention.multi_head", properties=("nan",),
        summary="a query whose scores are all NaN gets zeros instead of NaN (torch's fused CPU "
                "kernel under MultiHeadAttention)",
        reason="torch's CPU flash-attention kernel skips NaN scores and zeroes rows with no key",
        reference=_FLASH,
        witness={"Q": np.array([[[np.nan]], [[0.0]]], np.float32),
                 "K": np.array([[[1.0], [0.0]]] * 2, np.float32),
                 "V": np.array([[[1.0], [0.0]]] * 2, np.float32),
                 "W_q": np.ones((1, 1), np.float32), "W_k": np.ones((1, 1), np.float32),
                 "W_v": np.ones((1, 1), np.float32), "W_o": np.ones((1, 1), np.float32),
                 "num_heads": 1},
        region=_nan_in("Q", "K", "W_q", "W_k")),
)
