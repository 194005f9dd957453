"""keras.ops.dot_product_attention ((batch, length, heads, head size) arrays, boolean mask
broadcast to (batch, heads, queries, keys), True = takes part) and
keras.layers.MultiHeadAttention with its kernels set from the catalogue's matrices:
query/key/value kernels (E, h, E/h) = W.reshape, output kernel (h, E/h, E) = W_o.reshape."""
import numpy as np


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
