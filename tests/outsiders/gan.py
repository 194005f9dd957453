"""GAN objectives as outsiders write them: textbook logs, log1p, options refused, validation."""
from __future__ import annotations

import numpy as np
import torch

from . import Outsider


def gan_value_textbook(d_real, d_fake):
    """mean(log D(x)) + mean(log(1 - D(G(z)))) in the input dtype."""
    with np.errstate(divide="ignore"):
        return np.mean(np.log(d_real)) + np.mean(np.log(1 - np.asarray(d_fake)))


def gan_value_torch_log1p(d_real, d_fake):
    """torch: log(D(x)).mean() + log1p(-D(G(z))).mean()."""
    r, f = torch.as_tensor(d_real), torch.as_tensor(d_fake)
    return (torch.log(r).mean() + torch.log1p(-f).mean()).numpy()


def generator_loss_both_forms(d_fake, non_saturating=True):
    """-mean(log D) or mean(log(1 - D)), chosen by the flag."""
    d = np.asarray(d_fake)
    with np.errstate(divide="ignore"):
        return -np.mean(np.log(d)) if non_saturating else np.mean(np.log1p(-d))


def generator_loss_non_saturating_only(d_fake, non_saturating=True):
    """Only the non-saturating loss (what everyone trains with); NotImplementedError otherwise."""
    if not non_saturating:
        raise NotImplementedError("only the non-saturating generator loss is implemented")
    with np.errstate(divide="ignore"):
        return -np.log(np.asarray(d_fake)).mean()


def optimal_discriminator_plain(p_data, p_g):
    """p_data / (p_data + p_g) as written."""
    with np.errstate(invalid="ignore", over="ignore"):
        return p_data / (p_data + p_g)


def optimal_discriminator_validated(p_data, p_g):
    """Refuses densities that are negative, NaN or both zero (D* undefined), then the ratio."""
    p_data, p_g = np.asarray(p_data), np.asarray(p_g)
    if np.isnan(p_data).any() or np.isnan(p_g).any():
        raise ValueError("densities contain NaN")
    if (p_data < 0).any() or (p_g < 0).any():
        raise ValueError("densities must be non-negative")
    if ((p_data + p_g) == 0).any():
        raise ValueError("p_data + p_g is 0: D* is undefined there")
    return p_data / (p_data + p_g)


VARIANTS = [
    Outsider("gan.value", gan_value_textbook, "textbook-evaluation"),
    Outsider("gan.value", gan_value_torch_log1p),
    Outsider("gan.generator_loss", generator_loss_both_forms),
    Outsider("gan.generator_loss", generator_loss_non_saturating_only, "options"),
    Outsider("gan.optimal_discriminator", optimal_discriminator_plain),
    Outsider("gan.optimal_discriminator", optimal_discriminator_validated, "refusal"),
]
