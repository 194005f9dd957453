"""Attention, written to be copied: a max-shifted, mask-aware softmax that never overflows and
gives a fully masked query zeros (no NaN), and a sinusoidal table accurate in float64.

float16 is computed in float32 and rounded once at the end.
"""
import math

import numpy as np

from ..base import provides


def _work(x):
    x = np.asarray(x)
    return x.astype(np.float32) if x.dtype == np.float16 else x


def _masked_softmax(scores, mask):
    """Softmax of each row over the keys its mask allows; 0 in a row with none (no 0/0)."""
    allowed = np.ones(scores.shape, bool) if mask is None else np.broadcast_to(
        np.asarray(mask, bool), scores.shape)
    any_key = allowed.any(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", over="ignore"):
        top = np.max(np.where(allowed, scores, -np.inf), axis=-1, keepdims=True)  # NaN stays NaN
        e = np.where(allowed, np.exp(scores - np.where(any_key, top, 0)), 0)
        total = np.sum(e, axis=-1, keepdims=True)
        return np.where(any_key, e / np.where(any_key, total, 1), 0)


def _attend(q, k, v, mask=None):
    scores = (q @ np.swapaxes(k, -1, -2)) / math.sqrt(q.shape[-1])  # a Python float: keeps dtype
    return _masked_softmax(scores, mask) @ v


def scaled_dot_product(Q, K, V, mask=None):
    """softmax(QKᵀ/√d_k) V over the keys mask allows (True = may attend); zeros for a query
    with no key."""
    dtype = np.result_type(Q, K, V)
    return _attend(_work(Q), _work(K), _work(V), mask).astype(dtype)


def _split(x, h):
    return np.moveaxis(x.reshape(x.shape[:-1] + (h, x.shape[-1] // h)), -2, -3)


def multi_head(Q, K, V, W_q, W_k, W_v, W_o, num_heads):
    """Concat(head_1..head_h) W_o with head_i = Attention(Q W_q,i, K W_k,i, V W_v,i), W_·,i the
    i-th block of d_model/h columns of W_· (projections act as X @ W)."""
    dtype = np.result_type(Q, K, V, W_q, W_k, W_v, W_o)
    q, k, v, wq, wk, wv, wo = map(_work, (Q, K, V, W_q, W_k, W_v, W_o))
    h = int(num_heads)
    heads = _attend(_split(q @ wq, h), _split(k @ wk, h), _split(v @ wv, h))
    merged = np.moveaxis(heads, -3, -2)
    merged = merged.reshape(merged.shape[:-2] + (-1,))
    return (merged @ wo).astype(dtype)


def positional_encoding(num_positions, d_model):
    """PE[pos, 2i] = sin(pos/10000^(2i/d)), PE[pos, 2i+1] = cos(pos/10000^(2i/d)), float64; the
    frequency 10000^(-2i/d) is one correctly rounded power, the angle one product."""
    pos = np.arange(int(num_positions), dtype=np.float64)[:, None]
    j = np.arange(int(d_model))
    angle = pos * np.power(10000.0, -(2 * (j // 2)) / int(d_model))
    return np.where(j % 2 == 0, np.sin(angle), np.cos(angle))


FUNCTIONS = provides("attention", scaled_dot_product, multi_head, positional_encoding)
