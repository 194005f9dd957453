"""VAE pieces as outsiders write them: log-variance KL, torch.distributions, addcmul, loops."""
from __future__ import annotations

import math

import numpy as np
import torch

from . import Outsider


def kl_log_variance(mu, sigma):
    """The Kingma & Welling form through log σ²: -½ Σ (1 + log σ² - μ² - σ²)."""
    mu, sigma = np.asarray(mu), np.asarray(sigma)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        logvar = 2 * np.log(sigma)
        return -0.5 * np.sum(1 + logvar - mu ** 2 - np.exp(logvar), axis=-1)


def kl_textbook_sigma(mu, sigma):
    """½ Σ (μ² + σ² - 1 - 2 log σ) written plainly in the input dtype."""
    mu, sigma = np.asarray(mu), np.asarray(sigma)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        return 0.5 * np.sum(mu ** 2 + sigma ** 2 - 1 - 2 * np.log(sigma), axis=-1)


def reparameterize_torch_distributions(mu, sigma, eps):
    """torch.distributions.Normal(μ, σ) (which validates σ > 0), then loc + scale·ε."""
    q = torch.distributions.Normal(torch.as_tensor(mu), torch.as_tensor(sigma), validate_args=True)
    return (q.loc + q.scale * torch.as_tensor(eps)).numpy()


def reparameterize_torch_addcmul(mu, sigma, eps):
    """torch.addcmul(μ, σ, ε) = μ + σ·ε."""
    return torch.addcmul(torch.as_tensor(mu), torch.as_tensor(sigma), torch.as_tensor(eps)).numpy()


def reparameterize_validated(mu, sigma, eps):
    """Checks the shapes agree (ValueError otherwise), then μ + σ ε."""
    mu, sigma, eps = np.asarray(mu), np.asarray(sigma), np.asarray(eps)
    if not (mu.shape == sigma.shape == eps.shape):
        raise ValueError(f"mu {mu.shape}, sigma {sigma.shape}, eps {eps.shape} must match")
    return mu + sigma * eps


def vae_loss_log_variance(log_px_given_z, mu, sigma):
    """Negative ELBO per sample with the log-variance KL."""
    return kl_log_variance(mu, sigma) - np.asarray(log_px_given_z)


def vae_loss_math_loop(log_px_given_z, mu, sigma):
    """A loop over samples and latent dims with math.log: KL - log p(x|z)."""
    mu, sigma = np.asarray(mu), np.asarray(sigma)
    lp = np.asarray(log_px_given_z).reshape(-1).tolist()
    out = []
    for i, (m_row, s_row) in enumerate(zip(mu.reshape(-1, mu.shape[-1]).tolist(),
                                           sigma.reshape(-1, sigma.shape[-1]).tolist())):
        kl = 0.0
        for m, s in zip(m_row, s_row):
            kl += math.inf if s == 0 else 0.5 * (m * m + s * s - 1) - math.log(s)
        out.append(kl - lp[i])
    return np.array(out).reshape(mu.shape[:-1])


VARIANTS = [
    Outsider("vae.kl_standard_normal", kl_log_variance, "inaccurate"),
    Outsider("vae.kl_standard_normal", kl_textbook_sigma, "textbook-evaluation"),
    Outsider("vae.reparameterize", reparameterize_torch_addcmul),
    Outsider("vae.reparameterize", reparameterize_validated, "refusal"),
    Outsider("vae.reparameterize", reparameterize_torch_distributions, "refusal"),
    Outsider("vae.loss", vae_loss_log_variance, "inaccurate"),
    Outsider("vae.loss", vae_loss_math_loop),
]
