"""DDPM formulas, written to be copied: float64 inside, one rounding to the input's dtype.

Schedules are 1-based: alpha_bar(betas)[0] = ᾱ_1 = 1 - β_1.
"""
import numpy as np

from ..base import provides


def _f64(*arrays):
    return [np.asarray(a, dtype=np.float64) for a in arrays]


def _out(value, like):
    with np.errstate(over="ignore", under="ignore"):
        return np.asarray(value, dtype=np.float64).astype(np.asarray(like).dtype)


def forward_step(x_prev, beta_t, noise):
    """x_t = √(1-β_t) x_{t-1} + √β_t ε."""
    x, e = _f64(x_prev, noise)
    b = float(beta_t)
    return _out(np.sqrt(1 - b) * x + np.sqrt(b) * e, x_prev)


def alpha_bar(betas):
    """ᾱ_t = Π_{s≤t} (1 - β_s), inclusive of t."""
    (b,) = _f64(betas)
    return _out(np.cumprod(1 - b), betas)


def marginal(x0, alpha_bar_t, noise):
    """x_t = √ᾱ_t x_0 + √(1-ᾱ_t) ε: q(x_t | x_0) in one jump."""
    x, e = _f64(x0, noise)
    a = float(alpha_bar_t)
    return _out(np.sqrt(a) * x + np.sqrt(1 - a) * e, x0)


def reverse_mean(x_t, eps_pred, beta_t, alpha_bar_t):
    """μ_θ(x_t, t) = (x_t - β_t/√(1-ᾱ_t) ε_θ)/√(1-β_t) (DDPM, eq. 11)."""
    x, e = _f64(x_t, eps_pred)
    b, a = float(beta_t), float(alpha_bar_t)
    return _out((x - b / np.sqrt(1 - a) * e) / np.sqrt(1 - b), x_t)


def loss(noise, noise_pred):
    """mean((ε - ε_θ)²) over all elements."""
    e, p = _f64(noise, noise_pred)
    return _out(np.mean(np.square(e - p)), noise)


FUNCTIONS = provides("diffusion", forward_step, alpha_bar, marginal, reverse_mean, loss)
