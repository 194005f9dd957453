"""Attention: buggy variants that must be caught, correct ones that must pass.

Canonical signatures: ``scaled_dot_product(Q, K, V, mask=None)`` (mask bool (n_q, n_k), True =
may attend; a query with no key gets zeros), ``multi_head(Q, K, V, W_q, W_k, W_v, W_o,
num_heads)`` (projections act as X @ W, head i the i-th block of columns) and
``positional_encoding(num_positions, d_model)`` (PE[pos, 2i] = sin, PE[pos, 2i+1] = cos of
pos/10000^(2i/d)).
"""
from __future__ import annotations

import math

import numpy as np

from . import Variant, back, wide

_ERR = dict(all="ignore")


def _allowed(scores, mask):
    return np.ones(scores.shape, bool) if mask is None else np.broadcast_to(mask, scores.shape)


def _softmax(s, mask, axis=-1):
    """Max-shifted softmax over the keys mask allows, zeros for a row without one."""
    ok = _allowed(s, mask)
    with np.errstate(**_ERR):
        top = np.max(np.where(ok, s, -np.inf), axis=axis, keepdims=True)
        e = np.where(ok, np.exp(s - np.where(np.isfinite(top), top, 0)), 0)
        total = e.sum(axis=axis, keepdims=True)
        return np.where(total > 0, e / np.where(total > 0, total, 1), 0 * total)


def _scores(Q, K, scale):
    return (Q @ np.swapaxes(K, -1, -2)) * scale


def _sdp(Q, K, V, mask=None, *, scale=None, axis=-1):
    q, k, v = wide(Q), wide(K), wide(V)
    s = _scores(q, k, 1 / math.sqrt(q.shape[-1]) if scale is None else scale(q.shape[-1]))
    return back(_softmax(s, mask, axis) @ v, Q)


# --- attention.scaled_dot_product: buggy -------------------------------------------------

def sdp_buffer_sized_by_keys(Q, K, V, mask=None):
    """The output buffer allocated (..., n_q, n_k) and filled column by column up to d_v: the
    columns past d_v stay 0, those past n_k are cut. Right whenever d_v = n_k."""
    full = _sdp(Q, K, V, mask)
    out = np.zeros(full.shape[:-1] + (K.shape[-2],), full.dtype)
    m = min(out.shape[-1], full.shape[-1])
    out[..., :m] = full[..., :m]
    return out


def sdp_scaled_by_d_k(Q, K, V, mask=None):
    return _sdp(Q, K, V, mask, scale=lambda d: 1 / d)


def sdp_softmax_over_queries(Q, K, V, mask=None):
    return _sdp(Q, K, V, mask, axis=-2)


def sdp_no_max_shift(Q, K, V, mask=None):
    s = _scores(Q, K, 1 / math.sqrt(Q.shape[-1]))
    with np.errstate(**_ERR):
        e = np.where(_allowed(s, mask), np.exp(s), 0)
        return (e / e.sum(-1, keepdims=True)) @ V


def sdp_additive_mask_minus_1e9(Q, K, V, mask=None):
    """The Annotated Transformer's scores.masked_fill(mask == 0, -1e9)."""
    q, k, v = wide(Q), wide(K), wide(V)
    s = _scores(q, k, 1 / math.sqrt(q.shape[-1]))
    s = np.where(_allowed(s, mask), s, -1e9)
    return back(_softmax(s, None) @ v, Q)


def sdp_masked_rows_nan(Q, K, V, mask=None):
    """masked_fill(-inf) and a plain softmax: 0/0 = NaN in a fully masked row (torch < 2.5)."""
    q, k, v = wide(Q), wide(K), wide(V)
    s = _scores(q, k, 1 / math.sqrt(q.shape[-1]))
    s = np.where(_allowed(s, mask), s, -np.inf)
    with np.errstate(**_ERR):
        e = np.exp(s - s.max(-1, keepdims=True))
        return back(e / e.sum(-1, keepdims=True) @ v, Q)


def sdp_mask_after_softmax(Q, K, V, mask=None):
    q, k, v = wide(Q), wide(K), wide(V)
    w = _softmax(_scores(q, k, 1 / math.sqrt(q.shape[-1])), None)
    return back(np.where(_allowed(w, mask), w, 0) @ v, Q)


def sdp_mask_inverted(Q, K, V, mask=None):
    """nn.MultiheadAttention's boolean attn_mask reading: True = may NOT attend."""
    return _sdp(Q, K, V, None if mask is None else ~np.asarray(mask, bool))


def sdp_always_causal(Q, K, V, mask=None):
    causal = np.tril(np.ones((Q.shape[-2], K.shape[-2]), bool), k=K.shape[-2] - Q.shape[-2])
    return _sdp(Q, K, V, causal if mask is None else causal & mask)


def sdp_online_softmax_skips_nan(Q, K, V, mask=None):
    """A flash-style loop over keys that updates only where a score beats the running max: a
    NaN score never does, so a NaN query's row reads as fully masked (zeros)."""
    q, k, v = wide(Q), wide(K), wide(V)
    s = _scores(q, k, 1 / math.sqrt(q.shape[-1]))
    ok = _allowed(s, mask)
    top = np.full(s.shape[:-1], -np.inf)
    for j in range(s.shape[-1]):
        top = np.where(ok[..., j] & (s[..., j] > top), s[..., j], top)
    with np.errstate(**_ERR):
        e = np.where(ok & (s <= top[..., None]), np.exp(s - top[..., None]), 0)
        total = e.sum(-1, keepdims=True)
        w = np.where(total > 0, e / np.where(total > 0, total, 1), 0)
    return back(w @ v, Q)


def sdp_online_softmax(Q, K, V, mask=None):
    """FlashAttention's one pass over the keys: a running max, a running sum and a running
    output, each rescaled when the max grows; normalised once at the end."""
    q, k, v = wide(Q), wide(K), wide(V)
    s = _scores(q, k, 1 / math.sqrt(q.shape[-1]))
    ok = _allowed(s, mask)
    top = np.full(s.shape[:-1] + (1,), -np.inf)
    total = np.zeros(s.shape[:-1] + (1,))
    acc = np.zeros(s.shape[:-1] + v.shape[-1:])
    with np.errstate(**_ERR):
        for j in range(s.shape[-1]):
            sj = np.where(ok[..., j:j + 1], s[..., j:j + 1], -np.inf)
            new = np.maximum(top, sj)  # NaN propagates
            keep = np.where(np.isneginf(new), 0.0, np.exp(top - new))
            p = np.where(np.isneginf(sj), 0.0, np.exp(sj - new))
            total = total * keep + p
            acc = acc * keep + p * v[..., j:j + 1, :]
            top = new
        out = np.where(total > 0, acc / np.where(total > 0, total, 1), acc * 0)
    return back(out, Q)


def _heads(x, h):
    return np.moveaxis(x.reshape(x.shape[:-1] + (h, x.shape[-1] // h)), -2, -3)


def _merge(x):
    x = np.moveaxis(x, -3, -2)
    return x.reshape(x.shape[:-2] + (-1,))


def _attend(q, k, v, scale=None):
    s = (q @ np.swapaxes(k, -1, -2)) * (1 / math.sqrt(q.shape[-1]) if scale is None else scale)
    return _softmax(s, None) @ v


def _mha(Q, K, V, W_q, W_k, W_v, W_o, num_heads, *, query_weight=None, split=_heads,
         scale=None, transpose=False):
    q, k, v, wq, wk, wv, wo = map(wide, (Q, K, V, W_q, W_k, W_v, W_o))
    if transpose:
        wq, wk, wv, wo = wq.T, wk.T, wv.T, wo.T
    wq = wk if query_weight == "key" else wq
    sc = None if scale is None else scale(q.shape[-1], num_heads)
    h = num_heads
    heads = _attend(split(q @ wq, h), split(k @ wk, h), split(v @ wv, h), sc)
    return back(_merge(heads) @ wo, Q)


def mha_seed_typo_key_projection_for_queries(Q, K, V, W_q, W_k, W_v, W_o, num_heads):
    """The seed's head_i = Attention(Q W_i^K, K W_i^K, V W_i^V)."""
    return _mha(Q, K, V, W_q, W_k, W_v, W_o, num_heads, query_weight="key")


def mha_scaled_by_d_model(Q, K, V, W_q, W_k, W_v, W_o, num_heads):
    return _mha(Q, K, V, W_q, W_k, W_v, W_o, num_heads, scale=lambda e, h: 1 / math.sqrt(e))


def mha_heads_split_without_transpose(Q, K, V, W_q, W_k, W_v, W_o, num_heads):
    """x.reshape(h, n, d) straight from (n, h·d), skipping the (n, h, d) → (h, n, d) transpose."""
    def split(x, h):
        return x.reshape(x.shape[:-2] + (h, x.shape[-2], x.shape[-1] // h))
    return _mha(Q, K, V, W_q, W_k, W_v, W_o, num_heads, split=split)


def mha_torch_layout_weights(Q, K, V, W_q, W_k, W_v, W_o, num_heads):
    """x @ W.T, nn.Linear's layout, on weights given for x @ W."""
    return _mha(Q, K, V, W_q, W_k, W_v, W_o, num_heads, transpose=True)


def mha_unscaled(Q, K, V, W_q, W_k, W_v, W_o, num_heads):
    return _mha(Q, K, V, W_q, W_k, W_v, W_o, num_heads, scale=lambda e, h: 1.0)


def mha_interleaved_heads(Q, K, V, W_q, W_k, W_v, W_o, num_heads):
    """einops' '(d h)' split: head i takes columns i, i + h, ...; the merge interleaves back.
    The same as the block split when d_k = 1."""
    def split(x, h):
        return np.moveaxis(x.reshape(x.shape[:-1] + (x.shape[-1] // h, h)), -1, -3)

    q, k, v, wq, wk, wv, wo = map(wide, (Q, K, V, W_q, W_k, W_v, W_o))
    h = num_heads
    heads = _attend(split(q @ wq, h), split(k @ wk, h), split(v @ wv, h))  # (..., h, n, d)
    merged = np.moveaxis(heads, -3, -1)                                     # (..., n, d, h)
    return back(merged.reshape(merged.shape[:-2] + (-1,)) @ wo, Q)


def mha_per_head_loop(Q, K, V, W_q, W_k, W_v, W_o, num_heads):
    q, k, v, wq, wk, wv, wo = map(wide, (Q, K, V, W_q, W_k, W_v, W_o))
    d = wq.shape[1] // num_heads
    cols = [slice(i * d, (i + 1) * d) for i in range(num_heads)]
    heads = [_attend(q @ wq[:, c], k @ wk[:, c], v @ wv[:, c]) for c in cols]
    return back(np.concatenate(heads, axis=-1) @ wo, Q)


def _pe(num_positions, d_model, angle_of, layout="interleaved", first=0):
    pos = np.arange(first, first + int(num_positions), dtype=np.float64)[:, None]
    j = np.arange(int(d_model))
    if layout == "halves":  # sin of every frequency, then cos (tensor2tensor's timing signal)
        half = (int(d_model) + 1) // 2
        i = np.where(j < half, j, j - half)
        angle = angle_of(pos, i, d_model)
        return np.where(j < half, np.sin(angle), np.cos(angle))
    angle = angle_of(pos, j // 2, d_model)
    return np.where(j % 2 == 0, np.sin(angle), np.cos(angle))


def _textbook(pos, i, d):
    return pos / np.power(10000.0, 2 * i / d)


def pe_positive_exponent(num_positions, d_model):
    return _pe(num_positions, d_model, lambda p, i, d: p / np.power(10000.0, -2 * i / d))


def pe_exponent_from_column_index(num_positions, d_model):
    pos = np.arange(int(num_positions), dtype=np.float64)[:, None]
    j = np.arange(int(d_model))
    angle = pos / np.power(10000.0, j / d_model)
    return np.where(j % 2 == 0, np.sin(angle), np.cos(angle))


def pe_halves_not_interleaved(num_positions, d_model):
    return _pe(num_positions, d_model, _textbook, layout="halves")


def pe_positions_from_one(num_positions, d_model):
    return _pe(num_positions, d_model, _textbook, first=1)


def pe_sin_cos_swapped(num_positions, d_model):
    pos = np.arange(int(num_positions), dtype=np.float64)[:, None]
    j = np.arange(int(d_model))
    angle = _textbook(pos, j // 2, d_model)
    return np.where(j % 2 == 0, np.cos(angle), np.sin(angle))


def pe_tutorial_even_d_model_only(num_positions, d_model):
    """The PyTorch tutorial's pe[:, 0::2] = sin, pe[:, 1::2] = cos: fails for an odd d_model."""
    pe = np.zeros((num_positions, d_model))
    pos = np.arange(num_positions, dtype=np.float64)[:, None]
    div = np.exp(np.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
    pe[:, 0::2] = np.sin(pos * div)
    pe[:, 1::2] = np.cos(pos * div)
    return pe


def pe_tutorial_exp_log(num_positions, d_model):
    """exp(2i·(-ln 10000/d)) for the frequencies, odd d_model handled."""
    pe = np.zeros((num_positions, d_model))
    pos = np.arange(num_positions, dtype=np.float64)[:, None]
    div = np.exp(np.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
    pe[:, 0::2] = np.sin(pos * div)
    pe[:, 1::2] = np.cos(pos * div[: d_model // 2])
    return pe


def pe_float32_table(num_positions, d_model):
    """All in float32, returned as float32 (judged at float32)."""
    pos = np.arange(num_positions, dtype=np.float32)[:, None]
    j = np.arange(d_model)
    angle = pos * np.power(np.float32(10000), (-(2 * (j // 2)) / d_model).astype(np.float32))
    return np.where(j % 2 == 0, np.sin(angle), np.cos(angle)).astype(np.float32)


SDP = "attention.scaled_dot_product"
MHA = "attention.multi_head"
PE = "attention.positional_encoding"

BUGGY = [
    Variant(SDP, "scaled_by_d_k", sdp_scaled_by_d_k, "divides the scores by d_k, not √d_k"),
    Variant(SDP, "softmax_over_queries", sdp_softmax_over_queries,
            "normalises each key's column over the queries (axis -2)"),
    Variant(SDP, "no_max_shift", sdp_no_max_shift, "exp of raw scores overflows to inf/inf"),
    Variant(SDP, "additive_mask_minus_1e9", sdp_additive_mask_minus_1e9,
            "masks with -1e9: a fully masked row averages V instead of giving zeros"),
    Variant(SDP, "masked_rows_nan", sdp_masked_rows_nan,
            "-inf mask and a plain softmax: NaN in a fully masked row, where zeros are pinned",
            conventions=("attention_empty_row=zero",)),
    Variant(SDP, "mask_after_softmax", sdp_mask_after_softmax,
            "zeroes masked weights after the softmax without renormalising"),
    Variant(SDP, "mask_inverted", sdp_mask_inverted, "reads True as 'masked out'"),
    Variant(SDP, "always_causal", sdp_always_causal,
            "applies a causal mask on top of the given one"),
    Variant(SDP, "online_softmax_skips_nan", sdp_online_softmax_skips_nan,
            "a NaN score never beats the running max, so a NaN query gets zeros"),
    Variant(MHA, "seed_typo_key_projection_for_queries", mha_seed_typo_key_projection_for_queries,
            "the seed's head_i = Attention(QW_i^K, ...): queries projected by W_k"),
    Variant(MHA, "scaled_by_d_model", mha_scaled_by_d_model, "1/√d_model, not 1/√(d_model/h)"),
    Variant(MHA, "heads_split_without_transpose", mha_heads_split_without_transpose,
            "reshapes (n, h·d) to (h, n, d) directly, mixing positions into heads"),
    Variant(MHA, "torch_layout_weights", mha_torch_layout_weights,
            "x @ W.T (nn.Linear's layout) on weights given for x @ W"),
    Variant(MHA, "unscaled", mha_unscaled, "no 1/√d_k"),
    Variant(MHA, "interleaved_heads", mha_interleaved_heads,
            "heads split '(d h)' (column i to head i mod h), not '(h d)': differs once d_k ≥ 2"),
    Variant(SDP, "buffer_sized_by_keys", sdp_buffer_sized_by_keys,
            "output buffer (n_q, n_k) instead of (n_q, d_v): right only when d_v = n_k"),
    Variant(PE, "positive_exponent", pe_positive_exponent,
            "pos·10000^(2i/d): the exponent's sign lost"),
    Variant(PE, "exponent_from_column_index", pe_exponent_from_column_index,
            "10000^(j/d) with the column j, so sin and cos of a pair differ in frequency"),
    Variant(PE, "halves_not_interleaved", pe_halves_not_interleaved,
            "sines in the first half, cosines in the second (another layout)"),
    Variant(PE, "positions_from_one", pe_positions_from_one, "positions 1..n instead of 0..n-1"),
    Variant(PE, "sin_cos_swapped", pe_sin_cos_swapped, "cos in the even columns, sin in the odd"),
    Variant(PE, "tutorial_even_d_model_only", pe_tutorial_even_d_model_only,
            "pe[:, 1::2] = cos(pos·div) raises ValueError for an odd d_model: a refusal, "
            "caught under --strict", strict=True),
]

CORRECT = [
    Variant(SDP, "online_softmax", sdp_online_softmax,
            "FlashAttention's single pass with running max and rescaling, NaN kept"),
    Variant(MHA, "per_head_loop", mha_per_head_loop,
            "one attention per block of columns, concatenated"),
    Variant(PE, "tutorial_exp_log", pe_tutorial_exp_log, "frequencies by exp(-2i ln(10000)/d)"),
    Variant(PE, "float32_table", pe_float32_table, "computed and returned in float32"),
]
