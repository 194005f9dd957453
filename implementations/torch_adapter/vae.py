"""torch.distributions for the VAE: the KL of two Normals, and the reparameterization map.

``Normal(μ, σ).rsample()`` draws its own ε and returns loc + ε·scale; the catalogue passes ε
in, so ``reparameterize`` applies the same map, ``AffineTransform(loc=μ, scale=σ)``, to the
given ε (tests/test_vae.py checks that it equals rsample under the same generator state).
"""
import numpy as np
import torch
from torch.distributions import Normal, kl_divergence
from torch.distributions.transforms import AffineTransform

from mathoracle.core.formats import finfo, is_float

from ..base import KnownDeviation
from .tensors import gradients, numpy_functions


def kl_standard_normal(mu, sigma):
    """kl_divergence(Normal(μ, σ), Normal(0, 1)), summed over the last (latent) axis."""
    prior = Normal(torch.zeros_like(mu), torch.ones_like(sigma))
    return kl_divergence(Normal(mu, sigma), prior).sum(-1)


def reparameterize(mu, sigma, eps):
    """AffineTransform(loc=μ, scale=σ)(ε) = μ + σε, the map of Normal.rsample."""
    return AffineTransform(loc=mu, scale=sigma)(eps)


def loss(log_px_given_z, mu, sigma):
    """kl_divergence(Normal(μ, σ), Normal(0, 1)).sum(-1) - log p(x|z): the negative ELBO."""
    return kl_standard_normal(mu, sigma) - log_px_given_z


FUNCTIONS = numpy_functions("vae", kl_standard_normal, reparameterize, loss)
GRADIENTS = gradients("vae", reparameterize)


def _sigma_squared_underflows(kw):
    s = np.asarray(kw.get("sigma", 1.0))
    return bool(np.any(s.astype(np.float64) ** 2 < finfo(s.dtype).tiny)) if is_float(s.dtype) else False


_KL_SOURCE = ("https://github.com/pytorch/pytorch/blob/main/torch/distributions/kl.py "
              "(_kl_normal_normal: 0.5·(var_ratio + t1 - 1 - var_ratio.log()))")


def _deviation(oracle_id, witness_extra):
    return KnownDeviation(
        oracle=oracle_id, properties=("agreement", "edges", "nonnegative",
                                      "negative_elbo", "likelihood_sign"),
        summary="log σ² is taken of the rounded σ²: infinite where σ² underflows (σ < 2^-75 "
                "in float32), inaccurate where it is subnormal",
        reason="_kl_normal_normal squares the scale ratio first (var_ratio) and takes "
               "var_ratio.log(), not 2·log σ",
        reference=_KL_SOURCE,
        witness={**witness_extra, "mu": np.array([[0.0]], np.float32),
                 "sigma": np.array([[1e-30]], np.float32)},
        region=_sigma_squared_underflows,
    )


DEVIATIONS = (_deviation("vae.kl_standard_normal", {}),
              _deviation("vae.loss", {"log_px_given_z": np.array([-1.0])}))
