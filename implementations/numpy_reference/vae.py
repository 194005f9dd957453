"""VAE formulas, written to be copied. Computed in float64 and rounded once to the input's
dtype; σ is the standard deviation (an encoder that outputs log σ² converts first)."""
import numpy as np

from ..base import provides


def _f64(*arrays):
    return [np.asarray(a, dtype=np.float64) for a in arrays]


def _out(value, like):
    with np.errstate(over="ignore", under="ignore"):
        return np.asarray(value, dtype=np.float64).astype(np.asarray(like).dtype)


def kl_terms(mu, sigma):
    """KL(N(μ, σ²) ‖ N(0, 1)) per latent dimension: ½μ² + ½(σ - 1)(σ + 1) - log σ.

    (σ - 1)(σ + 1) is σ² - 1 without the rounding of σ² near σ = 1, where the KL is small,
    and log σ is log1p(σ - 1) there (σ - 1 is exact for σ in [½, 2])."""
    with np.errstate(divide="ignore", invalid="ignore"):
        near_one = (sigma >= 0.5) & (sigma <= 2.0)
        log_sigma = np.where(near_one, np.log1p(np.where(near_one, sigma - 1, 0.0)), np.log(sigma))
        return 0.5 * mu * mu + 0.5 * (sigma - 1) * (sigma + 1) - log_sigma


def kl_standard_normal(mu, sigma):
    """Σ over the last (latent) axis of KL(N(μ, σ²) ‖ N(0, 1)): one value per sample."""
    m, s = _f64(mu, sigma)
    return _out(np.sum(kl_terms(m, s), axis=-1), mu)


def reparameterize(mu, sigma, eps):
    """z = μ + σ ε (one rounding in float16/float32: the float64 product and sum are exact
    enough)."""
    m, s, e = _f64(mu, sigma, eps)
    return _out(m + s * e, mu)


def loss(log_px_given_z, mu, sigma):
    """The negative ELBO per sample: KL(q(z|x) ‖ N(0, I)) - log p(x|z). (The seed's
    E[log p(x|z)] - KL is the ELBO, which is maximised, not a loss.)"""
    lp, m, s = _f64(log_px_given_z, mu, sigma)
    return _out(np.sum(kl_terms(m, s), axis=-1) - lp, log_px_given_z)


FUNCTIONS = provides("vae", kl_standard_normal, reparameterize, loss)


def reparameterize_backward(w, mu, sigma, eps):
    """∂/∂μ = w, ∂/∂σ = w·ε: the noise is a constant, so the gradient flows to μ and σ."""
    g, e = _f64(w, eps)
    return {"mu": _out(np.broadcast_to(g, e.shape), mu), "sigma": _out(g * e, sigma)}


GRADIENTS = {"vae.reparameterize": reparameterize_backward}
