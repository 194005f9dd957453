"""Diffusion (DDPM) pieces as outsiders write them: math.sqrt, loops, itertools, torch wrappers."""
from __future__ import annotations

import itertools
import operator

import numpy as np
import sklearn.metrics
import torch
import torch.nn.functional as F

from . import Outsider


def forward_step_plain(x_prev, beta_t, noise):
    """np.sqrt(1 - β) * x + np.sqrt(β) * ε in the input dtype."""
    beta_t = np.asarray(beta_t)
    return np.sqrt(1 - beta_t) * x_prev + np.sqrt(beta_t) * noise


def alpha_bar_python_loop(betas):
    """A running product in a Python loop, collected into a list."""
    betas = np.asarray(betas)
    out, running = [], 1.0
    for b in betas.tolist():
        running *= 1.0 - b
        out.append(running)
    return np.array(out, dtype=betas.dtype)


def alpha_bar_itertools(betas):
    """itertools.accumulate(1 - betas, operator.mul)."""
    betas = np.asarray(betas)
    return np.array(list(itertools.accumulate(1 - betas, operator.mul)), dtype=betas.dtype)


def alpha_bar_torch_cumprod(betas):
    """Thin torch wrapper: torch.cumprod(1 - betas, dim=0)."""
    return torch.cumprod(1 - torch.as_tensor(betas), dim=0).numpy()


def marginal_plain(x0, alpha_bar_t, noise):
    """√ᾱ x0 + √(1-ᾱ) ε as written."""
    ab = np.asarray(alpha_bar_t)
    return np.sqrt(ab) * x0 + np.sqrt(1 - ab) * noise


def marginal_torch(x0, alpha_bar_t, noise):
    """The torch training-loop line: a.sqrt() * x0 + (1 - a).sqrt() * noise."""
    a = torch.as_tensor(np.asarray(alpha_bar_t))
    return (a.sqrt() * torch.as_tensor(x0) + (1 - a).sqrt() * torch.as_tensor(noise)).numpy()


def reverse_mean_plain(x_t, eps_pred, beta_t, alpha_bar_t):
    """(x_t - β/√(1-ᾱ) ε) / √(1-β), DDPM eq. 11 as printed."""
    beta_t, ab = np.asarray(beta_t), np.asarray(alpha_bar_t)
    return (x_t - beta_t / np.sqrt(1 - ab) * eps_pred) / np.sqrt(1 - beta_t)


def diffusion_loss_torch_mse(noise, noise_pred):
    """Thin torch wrapper: F.mse_loss(noise_pred, noise)."""
    return F.mse_loss(torch.as_tensor(noise_pred), torch.as_tensor(noise)).numpy()


def diffusion_loss_sklearn(noise, noise_pred):
    """scikit-learn's mean_squared_error on the flattened arrays (refuses NaN)."""
    return sklearn.metrics.mean_squared_error(np.ravel(noise), np.ravel(noise_pred))


VARIANTS = [
    Outsider("diffusion.forward_step", forward_step_plain),
    Outsider("diffusion.alpha_bar", alpha_bar_python_loop),
    Outsider("diffusion.alpha_bar", alpha_bar_itertools),
    Outsider("diffusion.alpha_bar", alpha_bar_torch_cumprod),
    Outsider("diffusion.marginal", marginal_plain),
    Outsider("diffusion.marginal", marginal_torch),
    Outsider("diffusion.reverse_mean", reverse_mean_plain),
    Outsider("diffusion.loss", diffusion_loss_torch_mse),
    Outsider("diffusion.loss", diffusion_loss_sklearn, "refusal"),
]
