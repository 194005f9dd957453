"""Attention as outsiders write it: −inf additive masks, large-negative masks, einsum, torch's
fused attention, per-head loops, and the PyTorch-tutorial positional encoding."""
from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F
from torch.nn.attention import SDPBackend, sdpa_kernel

from . import Outsider


def _softmax_last(s):
    with np.errstate(invalid="ignore", over="ignore"):
        e = np.exp(s - s.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)


def sdp_additive_neg_inf_mask(Q, K, V, mask=None):
    """scores + where(mask, 0, -inf), then softmax: a row with no key is 0/0 = NaN."""
    scores = Q @ np.swapaxes(K, -1, -2) / math.sqrt(Q.shape[-1])
    if mask is not None:
        scores = scores + np.where(mask, 0.0, -np.inf).astype(scores.dtype)
    return _softmax_last(scores) @ V


def sdp_einsum_finfo_min_mask(Q, K, V, mask=None):
    """einsum, masked by the dtype's most negative finite value (JAX style: no key gives mean V)."""
    scores = np.einsum("...qd,...kd->...qk", Q, K) / np.sqrt(np.asarray(Q.shape[-1], Q.dtype))
    if mask is not None:
        scores = np.where(mask, scores, np.finfo(scores.dtype).min)
    return np.einsum("...qk,...kd->...qd", _softmax_last(scores), V)


def sdp_torch_math_backend(Q, K, V, mask=None):
    """F.scaled_dot_product_attention on torch's math backend (sdpa_kernel), boolean attn_mask."""
    m = None if mask is None else torch.as_tensor(np.asarray(mask, bool))
    with sdpa_kernel(SDPBackend.MATH):
        return F.scaled_dot_product_attention(torch.as_tensor(Q), torch.as_tensor(K),
                                              torch.as_tensor(V), attn_mask=m).numpy()


def multi_head_einsum(Q, K, V, W_q, W_k, W_v, W_o, num_heads):
    """Project, reshape to (…, heads, n, d_head) and attend with einsum; concat; W_o."""
    h = int(num_heads)

    def split(x):
        x = x.reshape(x.shape[:-1] + (h, x.shape[-1] // h))
        return np.swapaxes(x, -2, -3)

    q, k, v = split(Q @ W_q), split(K @ W_k), split(V @ W_v)
    scores = np.einsum("...hqd,...hkd->...hqk", q, k) / math.sqrt(q.shape[-1])
    heads = np.einsum("...hqk,...hkd->...hqd", _softmax_last(scores), v)
    merged = np.swapaxes(heads, -2, -3)
    return merged.reshape(merged.shape[:-2] + (-1,)) @ W_o


def multi_head_loop_over_heads(Q, K, V, W_q, W_k, W_v, W_o, num_heads):
    """A Python loop over heads slicing the projection columns, then np.concatenate."""
    h = int(num_heads)
    d = W_q.shape[-1] // h
    heads = []
    for i in range(h):
        cols = slice(i * d, (i + 1) * d)
        q, k, v = Q @ W_q[:, cols], K @ W_k[:, cols], V @ W_v[:, cols]
        heads.append(sdp_additive_neg_inf_mask(q, k, v))
    return np.concatenate(heads, axis=-1) @ W_o


def positional_encoding_math_loops(num_positions, d_model):
    """Two loops with math.sin/math.cos, as in the paper's formula."""
    pe = np.zeros((num_positions, d_model))
    for pos in range(num_positions):
        for i in range(0, d_model, 2):
            angle = pos / 10000 ** (i / d_model)
            pe[pos, i] = math.sin(angle)
            if i + 1 < d_model:
                pe[pos, i + 1] = math.cos(angle)
    return pe


def positional_encoding_torch_tutorial(num_positions, d_model):
    """The PyTorch tutorial: div_term = exp(arange(0, d, 2) * (-log(10000)/d)), in float64."""
    position = torch.arange(num_positions, dtype=torch.float64).unsqueeze(1)
    div_term = torch.exp(torch.arange(0, d_model, 2, dtype=torch.float64)
                         * (-math.log(10000.0) / d_model))
    pe = torch.zeros(num_positions, d_model, dtype=torch.float64)
    pe[:, 0::2] = torch.sin(position * div_term)
    pe[:, 1::2] = torch.cos(position * div_term)[:, : d_model // 2]
    return pe.numpy()


VARIANTS = [
    Outsider("attention.scaled_dot_product", sdp_additive_neg_inf_mask, "convention"),
    Outsider("attention.scaled_dot_product", sdp_einsum_finfo_min_mask, "convention"),
    Outsider("attention.scaled_dot_product", sdp_torch_math_backend, "convention"),
    Outsider("attention.multi_head", multi_head_einsum),
    Outsider("attention.multi_head", multi_head_loop_over_heads),
    Outsider("attention.positional_encoding", positional_encoding_math_loops),
    Outsider("attention.positional_encoding", positional_encoding_torch_tutorial, "inaccurate"),
]
