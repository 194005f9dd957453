"""Regularization: buggy variants that must be caught, correct ones that must pass.

Signatures: ``dropout(a, p, mask)`` (mask 0/1, 1 keeps), ``dropout_sample(a, p, seed,
training=True)``, ``batch_norm(x, gamma, beta, eps=1e-5)`` (training mode, biased variance
over the batch), ``layer_norm(x, gamma, beta, eps=1e-5)`` (over the last axis),
``l2_penalty(weights, lam)`` = (λ/2) Σ ‖W‖², ``l2_penalty_grad(W, lam)`` = λW and
``sgd_weight_decay_step(W, grad, lr, lam)`` = W - lr (∇L + λW).
"""
from __future__ import annotations

import numpy as np

from . import Variant, back

_ERR = dict(all="ignore")


def _f(x):
    return np.asarray(x, dtype=np.float64)


# --- dropout ---------------------------------------------------------------------------------

def dropout_scaled_by_one_over_p(a, p, mask):
    return back(_f(a) * mask / p if p else _f(a) * mask, a)


def dropout_where_mask(a, p, mask):
    return back(np.where(mask == 1, _f(a) / (1 - p), 0.0), a)  # a dropped NaN becomes 0


def dropout_nan_guarded(a, p, mask):
    return back(np.nan_to_num(_f(a) * mask / (1 - p)), a)  # a kept NaN becomes 0


def dropout_keep_scale_first(a, p, mask):
    return back(_f(a) * (_f(mask) * (1 / (1 - p))), a)


def _draw_keep(a, p, seed):
    return np.random.default_rng(seed).random(np.shape(a)) >= p


def dropout_sample_scaled_by_one_over_p(a, p, seed, training=True):
    if not training or p == 0:
        return a.copy()
    if p == 1:
        return a * 0
    return back(np.where(_draw_keep(a, p, seed), _f(a) / p, 0.0 * a), a)


def dropout_sample_keeps_with_probability_p(a, p, seed, training=True):
    if not training:
        return a.copy()
    keep = np.random.default_rng(seed).random(np.shape(a)) < p  # keeps p, drops 1 - p
    with np.errstate(**_ERR):
        return back(np.where(keep, _f(a) / (1 - p), 0.0 * a), a)


def dropout_sample_no_rescale(a, p, seed, training=True):
    if not training:
        return a.copy()
    return back(np.where(_draw_keep(a, p, seed), _f(a), 0.0 * a), a)


def dropout_sample_rescaled_by_kept_fraction(a, p, seed, training=True):
    if not training or p == 0:
        return a.copy()
    if p == 1:
        return a * 0
    keep = _draw_keep(a, p, seed)
    frac = max(keep.mean(), 1e-12)  # "exact" rescaling by the kept fraction actually drawn
    return back(np.where(keep, _f(a) / frac, 0.0 * a), a)


def dropout_sample_global_rng(a, p, seed, training=True):
    if not training or p == 0:
        return a.copy()
    if p == 1:
        return a * 0
    keep = np.random.random(np.shape(a)) >= p  # the seed argument ignored
    return back(np.where(keep, _f(a) / (1 - p), 0.0 * a), a)


def dropout_sample_always_training(a, p, seed, training=True):
    if p == 0:
        return a.copy()
    if p == 1:
        return a * 0
    return back(np.where(_draw_keep(a, p, seed), _f(a) / (1 - p), 0.0 * a), a)


def dropout_sample_mask_over_one_minus_p(a, p, seed, training=True):
    if not training:
        return a.copy()
    mask = _draw_keep(a, p, seed).astype(np.float64)
    with np.errstate(**_ERR):
        return back(_f(a) * mask / (1 - p), a)  # p = 1: 0/0 = NaN


def dropout_sample_zeros_like_at_one(a, p, seed, training=True):
    if not training or p == 0:
        return a.copy()
    if p == 1:
        return np.zeros_like(a)  # every unit dropped: the output does not depend on a, NaN or not
    return back(np.where(_draw_keep(a, p, seed), _f(a) / (1 - p), 0.0 * a), a)


def dropout_sample_nan_guarded(a, p, seed, training=True):
    return np.nan_to_num(dropout_sample_zeros_like_at_one(a, p, seed, training))


def dropout_sample_binomial(a, p, seed, training=True):
    if not training or p == 0:
        return a.copy()
    if p == 1:
        return a * 0
    mask = np.random.default_rng(seed).binomial(1, 1 - p, np.shape(a)).astype(np.float64)
    return back(_f(a) * mask / (1 - p), a)


# --- batch and layer norm ----------------------------------------------------------------------

def _norm(axis, variance, denominator=None, eps_scale=None):
    def fn(x, gamma, beta, eps=1e-5):
        v = _f(x)
        mu = v.mean(axis=axis, keepdims=True)
        var = variance(v, mu, axis)
        with np.errstate(**_ERR):
            den = np.sqrt(var + eps) if denominator is None else denominator(var, eps)
            return back(_f(gamma) * (v - mu) / den + _f(beta), x)
    return fn


def _biased(v, mu, axis):
    return np.mean((v - mu) ** 2, axis=axis, keepdims=True)


def _unbiased(v, mu, axis):
    n = v.shape[axis]
    with np.errstate(**_ERR):
        return np.sum((v - mu) ** 2, axis=axis, keepdims=True) / (n - 1)


def _one_pass(v, mu, axis):
    x32 = v.astype(np.float32)  # accumulated in float32, as a fused one-pass kernel might
    return (np.mean(x32 * x32, axis=axis, keepdims=True) - np.float32(mu) ** 2).astype(np.float64)


def _one_pass_wide(v, mu, axis):
    """E[x²] - μ² in float64: cancels when |μ| ≫ σ ([[1e8, 1e8 + 1]] normalises to ±158)."""
    return np.mean(v * v, axis=axis, keepdims=True) - mu ** 2


def _eps_outside(var, eps):
    return np.sqrt(var) + eps


def _no_eps(var, eps):
    return np.sqrt(var)


def _nan_ignoring(axis):
    def fn(x, gamma, beta, eps=1e-5):
        v = _f(x)
        mu = np.nanmean(v, axis=axis, keepdims=True)
        var = np.nanmean((v - mu) ** 2, axis=axis, keepdims=True)
        return back(_f(gamma) * (v - mu) / np.sqrt(var + eps) + _f(beta), x)
    return fn


def _numpy_var(axis):
    def fn(x, gamma, beta, eps=1e-5):
        v = _f(x)
        scale = _f(gamma) / np.sqrt(np.var(v, axis=axis, keepdims=True) + eps)
        return back((v - v.mean(axis=axis, keepdims=True)) * scale + _f(beta), x)
    return fn


def batch_norm_std_plus_eps(x, gamma, beta, eps=1e-5):
    v = _f(x)
    with np.errstate(**_ERR):
        return back(_f(gamma) * (v - v.mean(0)) / (np.std(v, axis=0) + eps) + _f(beta), x)


def layer_norm_std_plus_eps(x, gamma, beta, eps=1e-5):
    v = _f(x)  # The Annotated Transformer's LayerNorm: unbiased std, ε added to it
    with np.errstate(**_ERR):
        return back(_f(gamma) * (v - v.mean(-1, keepdims=True)) / (v.std(-1, ddof=1, keepdims=True)
                                                                  + eps) + _f(beta), x)


# --- weight decay ------------------------------------------------------------------------------

def l2_penalty_without_half(weights, lam):
    return back(lam * sum(np.sum(_f(w) ** 2) for w in weights), weights[0])


def l2_penalty_norm_not_squared(weights, lam):
    return back(lam / 2 * sum(np.linalg.norm(_f(w)) for w in weights), weights[0])


def l2_penalty_mean_of_squares(weights, lam):
    return back(lam / 2 * np.mean(np.concatenate([_f(w).ravel() ** 2 for w in weights])), weights[0])


def l2_penalty_nansum(weights, lam):
    return back(lam / 2 * sum(np.nansum(_f(w) ** 2) for w in weights), weights[0])


def l2_penalty_vdot(weights, lam):
    return back(lam / 2 * sum(np.vdot(_f(w), _f(w)) for w in weights), weights[0])


def l2_penalty_grad_without_half(W, lam):
    return back(2 * lam * _f(W), W)


def l2_penalty_grad_nan_guarded(W, lam):
    return np.nan_to_num(back(lam * _f(W), W))


def l2_penalty_grad_in_dtype(W, lam):
    return W * np.asarray(lam, W.dtype)


def sgd_decay_not_scaled_by_lr(W, grad, lr, lam):
    return back(_f(W) - lr * _f(grad) - lam * _f(W), W)


def sgd_decay_sign_flipped(W, grad, lr, lam):
    return back(_f(W) - lr * (_f(grad) - lam * _f(W)), W)


def sgd_nan_guarded(W, grad, lr, lam):
    return np.nan_to_num(back(_f(W) - lr * (_f(grad) + lam * _f(W)), W))


def sgd_shrink_then_step(W, grad, lr, lam):
    return back(_f(W) * (1 - lr * lam) - lr * _f(grad), W)  # the same rule, decoupled form


_DO, _DS, _BN, _LN = ("regularization." + n for n in ("dropout", "dropout_sample", "batch_norm", "layer_norm"))
_L2, _L2G, _SGD = ("regularization." + n for n in ("l2_penalty", "l2_penalty_grad", "sgd_weight_decay_step"))

BUGGY = [
    Variant(_DO, "scaled_by_one_over_p", dropout_scaled_by_one_over_p, "a·mask/p: the keep and drop rates swapped"),
    Variant(_DO, "nan_guarded", dropout_nan_guarded, "np.nan_to_num hides a NaN in a kept element"),
    Variant(_DS, "scaled_by_one_over_p", dropout_sample_scaled_by_one_over_p, "kept values a/p"),
    Variant(_DS, "keeps_with_probability_p", dropout_sample_keeps_with_probability_p,
            "mask = rand < p keeps p of the elements instead of 1 - p"),
    Variant(_DS, "no_rescale", dropout_sample_no_rescale, "kept values a: E[output] = (1-p)a"),
    Variant(_DS, "rescaled_by_kept_fraction", dropout_sample_rescaled_by_kept_fraction,
            "divides by the fraction actually kept: unbiased on average, but kept values are not a/(1-p)"),
    Variant(_DS, "global_rng", dropout_sample_global_rng, "ignores the seed (np.random's global state)"),
    Variant(_DS, "always_training", dropout_sample_always_training, "no eval mode: drops at inference too"),
    Variant(_DS, "mask_over_one_minus_p", dropout_sample_mask_over_one_minus_p,
            "a·mask/(1-p) at p = 1 is 0/0 = NaN"),
    Variant(_DS, "nan_guarded", dropout_sample_nan_guarded,
            "np.nan_to_num hides a NaN input, also at p = 0 (the identity)"),
    Variant(_BN, "unbiased_variance", _norm(0, _unbiased), "divides by n - 1 (np.var's ddof=1)"),
    Variant(_BN, "eps_outside_sqrt", _norm(0, _biased, _eps_outside), "(x - μ)/(√σ² + ε)"),
    Variant(_BN, "std_plus_eps", batch_norm_std_plus_eps, "(x - μ)/(np.std(x) + ε)"),
    Variant(_BN, "one_pass_variance", _norm(0, _one_pass), "σ² = E[x²] - μ² in float32: cancels when |μ| ≫ σ"),
    Variant(_BN, "one_pass_variance_float64", _norm(0, _one_pass_wide),
            "σ² = E[x²] - μ² in float64: cancels when |μ| ≫ σ"),
    Variant(_BN, "no_eps", _norm(0, _biased, _no_eps), "no ε: a constant feature gives 0/0 = NaN"),
    Variant(_BN, "nan_ignoring", _nan_ignoring(0), "nanmean statistics: a NaN does not reach the other samples"),
    Variant(_LN, "std_plus_eps", layer_norm_std_plus_eps,
            "(x - μ)/(std + ε) with the unbiased std (The Annotated Transformer)"),
    Variant(_LN, "eps_outside_sqrt", _norm(-1, _biased, _eps_outside), "(x - μ)/(√σ² + ε)"),
    Variant(_LN, "over_the_batch", _norm(0, _biased), "normalises over the batch axis: batch norm"),
    Variant(_LN, "one_pass_variance", _norm(-1, _one_pass), "σ² = E[x²] - μ² in float32"),
    Variant(_LN, "one_pass_variance_float64", _norm(-1, _one_pass_wide),
            "σ² = E[x²] - μ² in float64: ±158 for [[1e8, 1e8 + 1]] (exact ±0.99998)"),
    Variant(_LN, "no_eps", _norm(-1, _biased, _no_eps), "no ε: a constant row gives 0/0 = NaN"),
    Variant(_LN, "nan_ignoring", _nan_ignoring(-1), "nanmean statistics"),
    Variant(_L2, "without_half", l2_penalty_without_half, "λ Σ‖W‖²: the ½ forgotten"),
    Variant(_L2, "norm_not_squared", l2_penalty_norm_not_squared, "(λ/2) Σ ‖W‖: the norm, not its square"),
    Variant(_L2, "mean_of_squares", l2_penalty_mean_of_squares, "the mean of the squares, not their sum"),
    Variant(_L2, "nansum", l2_penalty_nansum, "np.nansum: a NaN weight is ignored"),
    Variant(_L2G, "without_half", l2_penalty_grad_without_half, "2λW: the derivative of λ‖W‖²"),
    Variant(_L2G, "nan_guarded", l2_penalty_grad_nan_guarded, "np.nan_to_num hides a NaN weight"),
    Variant(_SGD, "decay_not_scaled_by_lr", sgd_decay_not_scaled_by_lr,
            "W - lr·∇L - λW: the decay not multiplied by lr"),
    Variant(_SGD, "decay_sign_flipped", sgd_decay_sign_flipped, "W - lr(∇L - λW): weights grow"),
    Variant(_SGD, "nan_guarded", sgd_nan_guarded, "np.nan_to_num hides a NaN weight"),
]

CORRECT = [
    Variant(_DO, "keep_scale_first", dropout_keep_scale_first, "a·(mask·(1/(1-p))) in float64"),
    Variant(_DO, "where_mask", dropout_where_mask,
            "where(mask, a/(1-p), 0): a dropped element's output does not depend on it, so its NaN may vanish"),
    Variant(_DS, "binomial", dropout_sample_binomial, "a mask from rng.binomial(1, 1-p), a·mask/(1-p)"),
    Variant(_DS, "zeros_like_at_one", dropout_sample_zeros_like_at_one,
            "np.zeros_like(a) at p = 1: every unit dropped, so a NaN input may vanish"),
    Variant(_BN, "numpy_var", _numpy_var(0), "np.var (two-pass, biased) and a scale factor γ/√(σ²+ε)"),
    Variant(_LN, "numpy_var", _numpy_var(-1), "np.var over the last axis"),
    Variant(_L2, "vdot", l2_penalty_vdot, "np.vdot(W, W) per array"),
    Variant(_L2G, "in_dtype", l2_penalty_grad_in_dtype, "λ·W in the input dtype: one rounding"),
    Variant(_SGD, "shrink_then_step", sgd_shrink_then_step,
            "W(1 - lr λ) - lr ∇L: for SGD the decoupled form is the same rule"),
]
