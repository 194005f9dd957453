"""GAN formulas, written to be copied: means of logs in float64, log(1 - D) as log1p(-D)."""
import numpy as np

from ..base import provides


def _f64(*arrays):
    return [np.asarray(a, dtype=np.float64) for a in arrays]


def _out(value, like):
    with np.errstate(over="ignore", under="ignore"):
        return np.asarray(value, dtype=np.float64).astype(np.asarray(like).dtype)


def value(d_real, d_fake):
    """V(D, G) = mean log D(x) + mean log(1 - D(G(z))), each mean over its own batch."""
    r, f = _f64(d_real, d_fake)
    with np.errstate(divide="ignore"):
        return _out(np.mean(np.log(r)) + np.mean(np.log1p(-f)), d_real)


def generator_loss(d_fake, non_saturating=True):
    """-mean log D(G(z)) (non-saturating), or mean log(1 - D(G(z))) (the minimax term)."""
    (f,) = _f64(d_fake)
    with np.errstate(divide="ignore"):
        out = -np.mean(np.log(f)) if non_saturating else np.mean(np.log1p(-f))
    return _out(out, d_fake)


def optimal_discriminator(p_data, p_g):
    """D* = p_data / (p_data + p_g), pointwise (float64: the sum of values ≤ max/2 of a
    narrower dtype never overflows)."""
    p, q = _f64(p_data, p_g)
    return _out(p / (p + q), p_data)


FUNCTIONS = provides("gan", value, generator_loss, optimal_discriminator)
