"""torch attention: F.scaled_dot_product_attention, and nn.MultiheadAttention with the weight
layout translated.

torch's boolean ``attn_mask`` of SDPA has the catalogue's meaning (True = takes part in
attention). nn.MultiheadAttention stores its projections for ``x @ W.T`` and stacks them:
``in_proj_weight = [W_q.T; W_k.T; W_v.T]`` (3E, E), ``out_proj.weight = W_o.T``; heads are
blocks of E/h columns of the projection, as in the catalogue. Biases are off.
"""
import numpy as np
import torch
import torch.nn.functional as F

from ..base import KnownDeviation
from .tensors import tensor, to_numpy


def scaled_dot_product(Q, K, V, mask=None):
    """F.scaled_dot_product_attention(Q, K, V, attn_mask=mask) (scale 1/√d_k by default)."""
    m = None if mask is None else tensor(np.asarray(mask, bool))
    with torch.no_grad():
        return to_numpy(F.scaled_dot_product_attention(tensor(Q), tensor(K), tensor(V), attn_mask=m))


def _batched(x):
    """(..., n, E) as (B, n, E), and how to restore the leading dimensions."""
    x = np.asarray(x)
    lead = x.shape[:-2]
    return tensor(x.reshape((-1,) + x.shape[-2:])), lead


def multi_head(Q, K, V, W_q, W_k, W_v, W_o, num_heads):
    """nn.MultiheadAttention(E, num_heads, bias=False, batch_first=True) with
    in_proj_weight = [W_q.T; W_k.T; W_v.T] and out_proj.weight = W_o.T."""
    e = np.shape(W_q)[1]
    mha = torch.nn.MultiheadAttention(e, int(num_heads), bias=False, batch_first=True,
                                      dtype=tensor(Q).dtype)
    mha.eval()
    with torch.no_grad():
        mha.in_proj_weight.copy_(tensor(np.concatenate([W_q.T, W_k.T, W_v.T])))
        mha.out_proj.weight.copy_(tensor(np.ascontiguousarray(W_o.T)))
        (q, lead), (k, _), (v, _) = _batched(Q), _batched(K), _batched(V)
        out, _ = mha(q, k, v, need_weights=False)
    return to_numpy(out).reshape(lead + out.shape[-2:])


def multi_head_functional(Q, K, V, W_q, W_k, W_v, W_o, num_heads):
    """F.multi_head_attention_forward on (n, B, E) inputs, the same weight translation."""
    e = np.shape(W_q)[1]
    with torch.no_grad():
        (q, lead), (k, _), (v, _) = _batched(Q), _batched(K), _batched(V)
        out, _ = F.multi_head_attention_forward(
            q.transpose(0, 1), k.transpose(0, 1), v.transpose(0, 1), e, int(num_heads),
            in_proj_weight=tensor(np.concatenate([W_q.T, W_k.T, W_v.T])), in_proj_bias=None,
            bias_k=None, bias_v=None, add_zero_attn=False, dropout_p=0.0,
            out_proj_weight=tensor(np.ascontiguousarray(W_o.T)), out_proj_bias=None,
            training=False, need_weights=False)
    out = out.transpose(0, 1)
    return to_numpy(out).reshape(lead + out.shape[-2:])


FUNCTIONS = {"attention.scaled_dot_product": scaled_dot_product, "attention.multi_head": multi_head}

NOT_APPLICABLE = {
    "attention.positional_encoding": "torch has no sinusoidal positional encoding (nn.Transformer "
                                     "leaves positions to the caller)",
}


def _nan_in(kw, *names) -> bool:
    return any(bool(np.isnan(np.asarray(kw[n], np.float64)).any()) for n in names)


_FLASH_NAN = ("a query whose scores are all NaN (a NaN in the query, or in every key) gets "
              "zeros instead of NaN: the fused CPU kernel (4-D inputs, head size > 1) treats the "
              "row as fully masked")
_FLASH_WHY = ("the CPU flash-attention kernel's online softmax skips scores that do not exceed "
              "the running maximum, NaN included, then zeroes rows with no key (the fully "
              "masked convention); reported as a regression since 2.5")
_FLASH_REF = "https://github.com/pytorch/pytorch/issues/141128"

DEVIATIONS = (
    KnownDeviation(
        oracle="attention.scaled_dot_product", properties=("nan",), summary=_FLASH_NAN,
        reason=_FLASH_WHY, reference=_FLASH_REF,
        witness={"Q": np.array([[[[np.nan, 0.0]]]]), "K": np.eye(2).reshape(1, 1, 2, 2),
                 "V": np.eye(2).reshape(1, 1, 2, 2)},
        region=lambda kw: np.ndim(kw["Q"]) == 4 and _nan_in(kw, "Q", "K"),  # any head size
    ),
    KnownDeviation(
        oracle="attention.multi_head", properties=("nan",),
        summary=_FLASH_NAN + " (nn.MultiheadAttention calls it with (batch, heads, n, d))",
        reason=_FLASH_WHY, reference=_FLASH_REF,
        witness={"Q": np.array([[np.nan, 0.0]]), "K": np.eye(2), "V": np.eye(2),
                 "W_q": np.eye(2), "W_k": np.eye(2), "W_v": np.eye(2), "W_o": np.eye(2),
                 "num_heads": 2},
        region=lambda kw: _nan_in(kw, "Q", "K", "W_q", "W_k"),
    ),
)
