"""KL divergence ``kl(p, q)`` of discrete distributions along the last axis (output shape
``shape[:-1]``; 0·log(0/q) = 0): buggy variants that must be caught, correct ones that must
pass."""
from __future__ import annotations

import numpy as np

from . import Variant, back, wide

_ERR = dict(all="ignore")


def kl_reversed_arguments(p, q):
    return kl_log_difference(q, p)


def kl_zero_log_zero_nan(p, q):
    return np.sum(p * np.log(p / q), axis=-1)


def kl_sign_flipped(p, q):
    x, w = wide(p), wide(q)
    with np.errstate(**_ERR):
        t = np.where(x == 0, 0 * w, x * np.log(w / x))
    return back(np.sum(t, axis=-1), p)


def kl_keepdims(p, q):
    x, w = wide(p), wide(q)
    with np.errstate(**_ERR):
        t = np.where(x == 0, 0 * w, x * (np.log(x) - np.log(w)))
    return back(np.sum(t, axis=-1, keepdims=True), p)


def kl_where_positive(p, q):
    x, w = wide(p), wide(q)
    with np.errstate(**_ERR):
        t = np.where(x > 0, x * (np.log(x) - np.log(w)), 0)
    return back(np.sum(t, axis=-1), p)


def kl_smoothed_q(p, q, eps=1e-8):
    q = (q + eps) / (1 + eps * q.shape[-1])
    with np.errstate(**_ERR):
        t = np.where(p > 0, p * np.log(p / q), 0)
    return np.sum(t, axis=-1)


def kl_sums_over_axis_0(p, q):
    x, w = wide(p), wide(q)
    with np.errstate(**_ERR):
        t = np.where(x == 0, 0 * w, x * np.log(x / w))
    return back(np.sum(t, axis=0), p)


def kl_log_difference(p, q):
    x, w = wide(p), wide(q)
    with np.errstate(**_ERR):
        t = np.where(x == 0, 0 * w, x * (np.log(x) - np.log(w)))  # 0·q: a NaN q still shows
    return back(np.sum(t, axis=-1), p)


def kl_divide_where_positive(p, q):
    x, w = wide(p), wide(q)
    with np.errstate(**_ERR):
        ratio = np.divide(x, w, out=np.ones_like(x), where=x > 0)  # 1 (log 0) where p = 0
        t = x * np.log(ratio) + 0 * w                               # 0·q carries a NaN q
    return back(np.sum(t, axis=-1), p)


_KL = "divergence.kl"

BUGGY = [
    Variant(_KL, "reversed_arguments", kl_reversed_arguments,
            "computes KL(q‖p): not symmetric, and infinite where p = 0 < q"),
    Variant(_KL, "zero_log_zero_is_nan", kl_zero_log_zero_nan,
            "p·log(p/q) as written: 0·log(0/q) = 0·(-inf) = NaN (and 0/0 where both are 0)"),
    Variant(_KL, "sign_flipped", kl_sign_flipped, "Σ p log(q/p): the negated divergence"),
    Variant(_KL, "keepdims_shape", kl_keepdims,
            "sums with keepdims=True: shape[:-1] + (1,) instead of shape[:-1]"),
    Variant(_KL, "where_positive_drops_nan", kl_where_positive,
            "where(p > 0, p(log p - log q), 0): NaN > 0 is False, so a NaN p contributes 0"),
    Variant(_KL, "smoothed_q", kl_smoothed_q,
            "adds ε = 1e-8 to q and renormalises 'to avoid log 0': not the KL of q, nonzero for p = q"),
    Variant(_KL, "sums_over_axis_0", kl_sums_over_axis_0,
            "sums over axis 0 (scipy.stats.entropy's default axis), not the last axis"),
    Variant(_KL, "divide_where_positive", kl_divide_where_positive,
            "p·log(p/q) in float64: p/q overflows to inf for a subnormal q, where KL is finite"),
]

CORRECT = [
    Variant(_KL, "log_difference", kl_log_difference,
            "Σ p(log p - log q), 0 where p = 0: no ratio to over- or underflow, exactly 0 for p = q"),
]
