"""DDPM formulas: buggy variants that must be caught, correct ones that must pass.

Canonical signatures: ``forward_step(x_prev, beta_t, noise)``, ``alpha_bar(betas)``
(inclusive: out[0] = 1 - β_1), ``marginal(x0, alpha_bar_t, noise)``,
``reverse_mean(x_t, eps_pred, beta_t, alpha_bar_t)`` and ``loss(noise, noise_pred)`` (the
mean over all elements). β_t and ᾱ_t are Python floats.
"""
from __future__ import annotations

import numpy as np

from . import Variant, back, wide

_ERR = dict(all="ignore")
_F, _A, _M = "diffusion.forward_step", "diffusion.alpha_bar", "diffusion.marginal"
_R, _L = "diffusion.reverse_mean", "diffusion.loss"


# --- diffusion.forward_step -----------------------------------------------------------

def step_beta_not_sqrt(x_prev, beta_t, noise):
    """√(1-β) x + β ε: the variance β², not β."""
    return back(np.sqrt(1 - beta_t) * wide(x_prev) + beta_t * wide(noise), x_prev)


def step_keep_not_sqrt(x_prev, beta_t, noise):
    """(1-β) x + √β ε: the mean scaled by 1 - β, so the variance does not stay 1."""
    return back((1 - beta_t) * wide(x_prev) + np.sqrt(beta_t) * wide(noise), x_prev)


def step_variance_exploding(x_prev, beta_t, noise):
    """x + √β ε: noise added without shrinking the signal."""
    return back(wide(x_prev) + np.sqrt(beta_t) * wide(noise), x_prev)


def step_nan_to_num(x_prev, beta_t, noise):
    return back(np.sqrt(1 - beta_t) * np.nan_to_num(wide(x_prev)) + np.sqrt(beta_t) * wide(noise), x_prev)


def step_through_log1p(x_prev, beta_t, noise):
    """√(1-β) as exp(½ log1p(-β)): the same number, accurate for tiny β."""
    keep = np.exp(0.5 * np.log1p(-beta_t))
    return back(keep * np.asarray(x_prev, np.float64) + np.sqrt(beta_t) * np.asarray(noise, np.float64), x_prev)


# --- diffusion.alpha_bar --------------------------------------------------------------

def abar_exclusive(betas):
    """ᾱ off by one: Π_{s<t}, starting from ᾱ_1 = 1."""
    b = wide(betas)
    return back(np.concatenate([[1.0], np.cumprod(1 - b)[:-1]]), betas)


def abar_half_precision(betas):
    """The schedule computed in float16 (mixed-precision training): 1 - 1e-4 rounds to 1."""
    b = np.asarray(betas).astype(np.float16)
    return back(np.cumprod((1 - b).astype(np.float16), dtype=np.float16), betas)


def abar_first_order(betas):
    """1 - Σβ: the product expanded to first order."""
    return back(1 - np.cumsum(wide(betas)), betas)


def abar_alphas_only(betas):
    """α_t = 1 - β_t, not cumulated."""
    return back(1 - wide(betas), betas)


def abar_nan_to_num(betas):
    return back(np.cumprod(1 - np.nan_to_num(wide(betas))), betas)


def abar_log_space(betas):
    """exp(Σ log1p(-β)) in float64: a sum of logarithms instead of a product."""
    with np.errstate(**_ERR):
        return back(np.exp(np.cumsum(np.log1p(-np.asarray(betas, np.float64)))), betas)


def abar_loop(betas):
    out, running = [], 1.0
    for b in np.asarray(betas, np.float64):
        running *= 1 - b
        out.append(running)
    return back(np.array(out), betas)


# --- diffusion.marginal ---------------------------------------------------------------

def marginal_sqrt_dropped(x0, alpha_bar_t, noise):
    """√ᾱ x_0 + (1-ᾱ) ε: √(1-ᾱ) replaced by 1-ᾱ."""
    return back(np.sqrt(alpha_bar_t) * wide(x0) + (1 - alpha_bar_t) * wide(noise), x0)


def marginal_signal_not_sqrt(x0, alpha_bar_t, noise):
    return back(alpha_bar_t * wide(x0) + np.sqrt(1 - alpha_bar_t) * wide(noise), x0)


def marginal_swapped(x0, alpha_bar_t, noise):
    return back(np.sqrt(1 - alpha_bar_t) * wide(x0) + np.sqrt(alpha_bar_t) * wide(noise), x0)


def marginal_nan_to_num(x0, alpha_bar_t, noise):
    return back(np.sqrt(alpha_bar_t) * wide(x0) + np.sqrt(1 - alpha_bar_t) * np.nan_to_num(wide(noise)), x0)


def marginal_wide(x0, alpha_bar_t, noise):
    return back(np.sqrt(alpha_bar_t) * wide(x0) + np.sqrt(1 - alpha_bar_t) * wide(noise), x0)


# --- diffusion.reverse_mean -----------------------------------------------------------

def reverse_sqrt_dropped(x_t, eps_pred, beta_t, alpha_bar_t):
    """β/(1-ᾱ) ε instead of β/√(1-ᾱ) ε."""
    x, e = wide(x_t), wide(eps_pred)
    return back((x - beta_t / (1 - alpha_bar_t) * e) / np.sqrt(1 - beta_t), x_t)


def reverse_divides_by_sqrt_alpha_bar(x_t, eps_pred, beta_t, alpha_bar_t):
    """Divides by √ᾱ_t (the x_0 estimate's scale) instead of √α_t = √(1-β_t)."""
    x, e = wide(x_t), wide(eps_pred)
    return back((x - beta_t / np.sqrt(1 - alpha_bar_t) * e) / np.sqrt(alpha_bar_t), x_t)


def reverse_returns_x0_estimate(x_t, eps_pred, beta_t, alpha_bar_t):
    """x̂_0 = (x_t - √(1-ᾱ_t) ε)/√ᾱ_t: the predicted clean sample, not μ_θ."""
    x, e = wide(x_t), wide(eps_pred)
    return back((x - np.sqrt(1 - alpha_bar_t) * e) / np.sqrt(alpha_bar_t), x_t)


def reverse_nan_to_num(x_t, eps_pred, beta_t, alpha_bar_t):
    x, e = wide(x_t), np.nan_to_num(wide(eps_pred))
    return back((x - beta_t / np.sqrt(1 - alpha_bar_t) * e) / np.sqrt(1 - beta_t), x_t)


def reverse_two_coefficients(x_t, eps_pred, beta_t, alpha_bar_t):
    """x_t/√α_t - β_t/(√α_t √(1-ᾱ_t))·ε_θ: both coefficients formed first, in float64.

    (The posterior's own form, with x̂_0 and 1 - ᾱ_{t-1}, cancels when ᾱ_{t-1} = ᾱ_t/α_t is
    near 1 and has to be rounded: diffusers' step avoids it by storing ᾱ_{t-1}.)"""
    x, e = np.asarray(x_t, np.float64), np.asarray(eps_pred, np.float64)
    keep = 1 / np.sqrt(1 - beta_t)
    scale = beta_t / np.sqrt(1 - alpha_bar_t) * keep
    return back(keep * x - scale * e, x_t)


# --- diffusion.loss -------------------------------------------------------------------

def loss_sum(noise, noise_pred):
    return back(np.sum((wide(noise) - wide(noise_pred)) ** 2), noise)


def loss_per_sample_norm(noise, noise_pred):
    """E‖ε - ε_θ‖² read literally: the squared norm over the last axis, averaged over the rest."""
    return back(np.mean(np.sum((wide(noise) - wide(noise_pred)) ** 2, axis=-1)), noise)


def loss_signed(noise, noise_pred):
    return back(np.mean(wide(noise) - wide(noise_pred)), noise)


def loss_with_eps(noise, noise_pred):
    return back(np.mean((wide(noise) - wide(noise_pred)) ** 2) + 1e-12, noise)


def loss_nanmean(noise, noise_pred):
    return back(np.nanmean((wide(noise) - wide(noise_pred)) ** 2), noise)


def loss_dot(noise, noise_pred):
    d = (np.asarray(noise, np.float64) - np.asarray(noise_pred, np.float64)).ravel()
    return back(d @ d / d.size, noise)


BUGGY = [
    Variant(_F, "beta_not_sqrt", step_beta_not_sqrt, "√(1-β) x + β ε: noise of variance β²"),
    Variant(_F, "keep_not_sqrt", step_keep_not_sqrt, "(1-β) x + √β ε: the signal shrinks too fast"),
    Variant(_F, "variance_exploding", step_variance_exploding, "x + √β ε: the signal is not shrunk"),
    Variant(_F, "nan_to_num", step_nan_to_num, "np.nan_to_num on x: NaN becomes 0"),
    Variant(_A, "exclusive_off_by_one", abar_exclusive, "ᾱ off by one: Π over s < t, ᾱ_1 = 1"),
    Variant(_A, "half_precision", abar_half_precision,
            "the schedule in float16: 1 - β rounds to 1 for β below 2^-11 (DDPM's β_1 = 1e-4)"),
    Variant(_A, "first_order", abar_first_order, "1 - Σβ, the product to first order"),
    Variant(_A, "not_cumulative", abar_alphas_only, "1 - β_t, not the cumulative product"),
    Variant(_A, "nan_to_num", abar_nan_to_num, "np.nan_to_num on β: NaN becomes 0"),
    Variant(_M, "sqrt_dropped", marginal_sqrt_dropped, "√(1-ᾱ) replaced by (1-ᾱ)"),
    Variant(_M, "signal_not_sqrt", marginal_signal_not_sqrt, "ᾱ x_0 instead of √ᾱ x_0"),
    Variant(_M, "swapped", marginal_swapped, "√(1-ᾱ) x_0 + √ᾱ ε"),
    Variant(_M, "nan_to_num", marginal_nan_to_num, "np.nan_to_num on ε: NaN becomes 0"),
    Variant(_R, "sqrt_dropped", reverse_sqrt_dropped, "√(1-ᾱ) replaced by (1-ᾱ)"),
    Variant(_R, "divides_by_sqrt_alpha_bar", reverse_divides_by_sqrt_alpha_bar,
            "divides by √ᾱ_t instead of √(1-β_t)"),
    Variant(_R, "returns_x0_estimate", reverse_returns_x0_estimate, "returns x̂_0, not μ_θ"),
    Variant(_R, "nan_to_num", reverse_nan_to_num, "np.nan_to_num on ε_θ: NaN becomes 0"),
    Variant(_L, "sum_not_mean", loss_sum, "sums the squared errors"),
    Variant(_L, "per_sample_norm", loss_per_sample_norm,
            "the squared norm over the last axis, averaged over the rest"),
    Variant(_L, "signed", loss_signed, "mean(ε - ε_θ): forgot the square"),
    Variant(_L, "with_eps", loss_with_eps, "+1e-12 'for stability': not 0 at a perfect prediction"),
    Variant(_L, "nanmean", loss_nanmean, "np.nanmean: a NaN is skipped"),
]

CORRECT = [
    Variant(_F, "through_log1p", step_through_log1p, "√(1-β) as exp(½ log1p(-β)), in float64"),
    Variant(_A, "log_space", abar_log_space, "exp(cumsum(log1p(-β))) in float64"),
    Variant(_A, "loop", abar_loop, "a running product in float64"),
    Variant(_M, "wide", marginal_wide, "in a wider dtype, rounded once"),
    Variant(_R, "two_coefficients", reverse_two_coefficients,
            "x_t/√α_t - β_t/(√α_t √(1-ᾱ_t)) ε_θ, coefficients first"),
    Variant(_L, "dot_product", loss_dot, "d·d/n in float64"),
]
