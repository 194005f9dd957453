"""KL divergence along the last axis, written to be copied."""
import numpy as np

from ..base import backward_passes
from .losses import scaled_ratio


def kl(p, q):
    """Σ p·log(p/q) over the last axis; 0·log(0/q) = 0.

    log(p/q) is taken of the ratio where it is a normal number (accurate when p ≈ q, one
    rounding), and as log p - log q where the ratio would overflow or underflow.
    """
    a, b = np.asarray(p, np.float64), np.asarray(q, np.float64)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        ratio = a / b
        normal = np.isfinite(ratio) & (ratio >= np.finfo(np.float64).tiny)
        log_ratio = np.where(normal, np.log(np.where(normal, ratio, 1.0)), np.log(a) - np.log(b))
        terms = np.where(a == 0, np.where(np.isnan(b), b, 0.0), a * log_ratio)
        out = np.sum(terms, axis=-1)
    return out.astype(np.asarray(p).dtype)


FUNCTIONS = {"divergence.kl": kl}


def kl_backward(w, p, q):
    """∂/∂p = w·(log(p/q) + 1), ∂/∂q = -w·p/q (0 where p = 0), w per row."""
    a, b = np.asarray(p, np.float64), np.asarray(q, np.float64)
    v = np.asarray(w, np.float64)[..., None]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        ratio = a / b
        normal = np.isfinite(ratio) & (ratio >= np.finfo(np.float64).tiny)
        log_ratio = np.where(normal, np.log(np.where(normal, ratio, 1.0)), np.log(a) - np.log(b))
        by_p = v * (log_ratio + 1)
        by_q = np.where(a == 0, np.where(np.isnan(b), b, 0.0), -scaled_ratio(v, a, b))
    dtype = np.asarray(p).dtype
    return {"p": by_p.astype(dtype), "q": by_q.astype(dtype)}


GRADIENTS = backward_passes("divergence", kl_backward)
