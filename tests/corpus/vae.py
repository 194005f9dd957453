"""VAE formulas: buggy variants that must be caught, correct ones that must pass.

Canonical signatures: ``kl_standard_normal(mu, sigma)`` (per sample, summed over the last,
latent axis), ``reparameterize(mu, sigma, eps)`` (z = μ + σε, σ the standard deviation) and
``loss(log_px_given_z, mu, sigma)`` (the negative ELBO per sample: KL - log p(x|z)).
"""
from __future__ import annotations

import numpy as np

from . import Variant, back, wide

_ERR = dict(all="ignore")
_KL, _Z, _LOSS = "vae.kl_standard_normal", "vae.reparameterize", "vae.loss"


# --- vae.kl_standard_normal ------------------------------------------------------------

def kl_logvar_confusion(mu, sigma):
    """The encoder's log σ² read as σ: -½Σ(1 + σ - μ² - e^σ)."""
    with np.errstate(**_ERR):
        return -0.5 * np.sum(1 + sigma - mu ** 2 - np.exp(sigma), axis=-1)


def kl_sign_flipped(mu, sigma):
    m, s = wide(mu), wide(sigma)
    with np.errstate(**_ERR):
        return back(0.5 * np.sum(1 + 2 * np.log(s) - m ** 2 - s ** 2, axis=-1), mu)


def kl_sigma_as_variance(mu, sigma):
    m, s = wide(mu), wide(sigma)
    with np.errstate(**_ERR):
        return back(-0.5 * np.sum(1 + np.log(s) - m ** 2 - s, axis=-1), mu)


def kl_mean_over_latent(mu, sigma):
    m, s = wide(mu), wide(sigma)
    with np.errstate(**_ERR):
        return back(-0.5 * np.mean(1 + 2 * np.log(s) - m ** 2 - s ** 2, axis=-1), mu)


def kl_log_of_sigma_squared(mu, sigma):
    """log σ² of the rounded σ²: -inf where σ² underflows (σ < 2^-75 in float32)."""
    with np.errstate(**_ERR):
        var = sigma * sigma
        return 0.5 * np.sum(var + mu * mu - 1 - np.log(var), axis=-1)


def kl_nansum(mu, sigma):
    m, s = wide(mu), wide(sigma)
    with np.errstate(**_ERR):
        return back(np.nansum(0.5 * (m ** 2 + s ** 2 - 1) - np.log(s), axis=-1), mu)


def kl_textbook_with_two_log_sigma(mu, sigma):
    m, s = wide(mu), wide(sigma)
    with np.errstate(**_ERR):
        return back(-0.5 * np.sum(1 + 2 * np.log(s) - m ** 2 - s ** 2, axis=-1), mu)


def kl_through_expm1(mu, sigma):
    """½μ² + ½(σ² - 1) - log σ with σ² - 1 = expm1(2 log σ) where |log σ| < 1 (accurate near
    σ = 1; elsewhere exp would amplify the rounding of a large log σ)."""
    m, s = wide(mu), wide(sigma)
    with np.errstate(**_ERR):
        log_s = np.log(s)
        square_less_one = np.where(np.abs(log_s) < 1, np.expm1(2 * log_s), s * s - 1)
        return back(np.sum(0.5 * m * m + 0.5 * square_less_one - log_s, axis=-1), mu)


# --- vae.reparameterize ----------------------------------------------------------------

def z_logvar_confusion(mu, sigma, eps):
    """σ read as log σ²: μ + exp(σ/2)·ε."""
    with np.errstate(**_ERR):
        return mu + np.exp(sigma / 2) * eps


def z_sigma_as_variance(mu, sigma, eps):
    return mu + np.sqrt(sigma) * eps


def z_noise_dropped(mu, sigma, eps):
    """The posterior mean at training time: μ, without the noise."""
    return mu + 0 * sigma * eps


def z_nan_to_num(mu, sigma, eps):
    return np.nan_to_num(mu + sigma * eps)


def z_wide(mu, sigma, eps):
    return back(np.add(wide(mu), np.multiply(wide(sigma), wide(eps))), mu)


def z_scaled_noise_first(mu, sigma, eps):
    """(σ·ε) + μ in float64, then rounded: the same number, summed the other way round."""
    return back(np.asarray(sigma, np.float64) * eps + np.asarray(mu, np.float64), mu)


def z_backward_detached_sigma(w, mu, sigma, eps):
    """σ taken from a detached tensor: no gradient reaches the encoder's σ."""
    return {"mu": back(np.broadcast_to(w, np.shape(mu)), mu), "sigma": back(np.zeros(np.shape(sigma)), sigma)}


def z_backward_sigma_without_eps(w, mu, sigma, eps):
    """∂z/∂σ taken as 1, like ∂z/∂μ."""
    return {"mu": back(np.broadcast_to(w, np.shape(mu)), mu), "sigma": back(np.broadcast_to(w, np.shape(sigma)), sigma)}


def z_backward_in_dtype(w, mu, sigma, eps):
    return {"mu": back(np.broadcast_to(w, np.shape(mu)), mu), "sigma": back(w * eps, sigma)}


# --- vae.loss --------------------------------------------------------------------------

def _kl_rows(m, s):
    with np.errstate(**_ERR):
        return np.sum(0.5 * (m * m + s * s - 1) - np.log(s), axis=-1)


def loss_seed_sign(log_px_given_z, mu, sigma):
    """The seed's L = E[log p(x|z)] - KL: the ELBO, which is maximised, not a loss."""
    lp, m, s = wide(log_px_given_z), wide(mu), wide(sigma)
    return back(lp - _kl_rows(m, s), log_px_given_z)


def loss_batch_mean(log_px_given_z, mu, sigma):
    lp, m, s = wide(log_px_given_z), wide(mu), wide(sigma)
    return back(np.mean(_kl_rows(m, s) - lp), log_px_given_z)


def loss_kl_mean_over_latent(log_px_given_z, mu, sigma):
    lp, m, s = wide(log_px_given_z), wide(mu), wide(sigma)
    with np.errstate(**_ERR):
        kl = np.mean(0.5 * (m * m + s * s - 1) - np.log(s), axis=-1)
    return back(kl - lp, log_px_given_z)


def loss_log_of_sigma_squared(log_px_given_z, mu, sigma):
    return kl_log_of_sigma_squared(mu, sigma) - log_px_given_z


def loss_nan_ignored(log_px_given_z, mu, sigma):
    lp, m, s = wide(log_px_given_z), wide(mu), wide(sigma)
    with np.errstate(**_ERR):
        kl = np.nansum(0.5 * (m * m + s * s - 1) - np.log(s), axis=-1)
    return back(kl - np.nan_to_num(lp), log_px_given_z)


def loss_negated_elbo(log_px_given_z, mu, sigma):
    lp, m, s = wide(log_px_given_z), wide(mu), wide(sigma)
    return back(-(lp - _kl_rows(m, s)), log_px_given_z)


BUGGY = [
    Variant(_KL, "logvar_read_as_sigma", kl_logvar_confusion,
            "the encoder's log σ² taken for σ: -½Σ(1 + σ - μ² - e^σ)"),
    Variant(_KL, "sign_flipped", kl_sign_flipped, "½Σ(1 + log σ² - μ² - σ²): the negated KL"),
    Variant(_KL, "sigma_read_as_variance", kl_sigma_as_variance,
            "σ taken for σ²: -½Σ(1 + log σ - μ² - σ)"),
    Variant(_KL, "mean_over_latent", kl_mean_over_latent, "averages over the latent dimensions"),
    Variant(_KL, "log_of_rounded_sigma_squared", kl_log_of_sigma_squared,
            "log σ² of the rounded σ²: infinite where σ² underflows"),
    Variant(_KL, "nansum", kl_nansum, "np.nansum: a NaN latent dimension is skipped"),
    Variant(_Z, "logvar_read_as_sigma", z_logvar_confusion, "μ + exp(σ/2)·ε: σ taken for log σ²"),
    Variant(_Z, "sigma_read_as_variance", z_sigma_as_variance, "μ + √σ·ε: σ taken for σ²"),
    Variant(_Z, "noise_dropped", z_noise_dropped, "returns μ: the sample has no spread"),
    Variant(_Z, "nan_to_num", z_nan_to_num, "np.nan_to_num on the sample: NaN becomes 0"),
    Variant(_Z, "backward_sigma_detached", z_backward_detached_sigma,
            "no gradient reaches σ (sampled outside the graph)", kind="gradient"),
    Variant(_Z, "backward_sigma_without_eps", z_backward_sigma_without_eps,
            "∂z/∂σ = 1 instead of ε", kind="gradient"),
    Variant(_LOSS, "seed_sign", loss_seed_sign,
            "the seed's L = E[log p(x|z)] - KL: the ELBO, to be maximised, not the loss"),
    Variant(_LOSS, "batch_mean", loss_batch_mean, "one number, the mean over the batch"),
    Variant(_LOSS, "kl_mean_over_latent", loss_kl_mean_over_latent,
            "the KL averaged over latent dimensions"),
    Variant(_LOSS, "log_of_rounded_sigma_squared", loss_log_of_sigma_squared,
            "log σ² of the rounded σ²: infinite where σ² underflows"),
    Variant(_LOSS, "nan_ignored", loss_nan_ignored, "NaNs skipped by nansum and nan_to_num"),
]

CORRECT = [
    Variant(_KL, "textbook_with_two_log_sigma", kl_textbook_with_two_log_sigma,
            "-½Σ(1 + 2 log σ - μ² - σ²) in a wider dtype: log σ² as 2 log σ, which never underflows"),
    Variant(_KL, "through_expm1", kl_through_expm1, "σ² - 1 as expm1(2 log σ) near σ = 1"),
    Variant(_Z, "wide", z_wide, "μ + σε in a wider dtype, rounded once"),
    Variant(_Z, "scaled_noise_first", z_scaled_noise_first, "σε + μ in float64, rounded once"),
    Variant(_Z, "backward_in_dtype", z_backward_in_dtype, "w and w·ε, in the input dtype",
            kind="gradient"),
    Variant(_LOSS, "negated_elbo", loss_negated_elbo, "-(log p - KL), the ELBO negated, in a wider dtype"),
]
