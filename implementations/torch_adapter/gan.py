"""GAN losses through F.binary_cross_entropy, as GAN code writes them:
V = -(BCE(D(x), 1) + BCE(D(G(z)), 0)), the non-saturating loss BCE(D(G(z)), 1)."""
import numpy as np
import torch
import torch.nn.functional as F

from ..base import KnownDeviation
from .tensors import numpy_functions


def value(d_real, d_fake):
    """-(F.binary_cross_entropy(D(x), 1) + F.binary_cross_entropy(D(G(z)), 0))."""
    return -(F.binary_cross_entropy(d_real, torch.ones_like(d_real))
             + F.binary_cross_entropy(d_fake, torch.zeros_like(d_fake)))


def generator_loss(d_fake, non_saturating=True):
    """F.binary_cross_entropy(D(G(z)), 1) (non-saturating), or -F.binary_cross_entropy(D(G(z)), 0)."""
    if non_saturating:
        return F.binary_cross_entropy(d_fake, torch.ones_like(d_fake))
    return -F.binary_cross_entropy(d_fake, torch.zeros_like(d_fake))


FUNCTIONS = numpy_functions("gan", value, generator_loss)
NOT_APPLICABLE = {
    "gan.optimal_discriminator": "torch has no optimal discriminator; D* = p_data/(p_data + p_g) "
                                 "of two densities is plain arithmetic (the numpy reference)",
}

_BCE_DOC = "https://pytorch.org/docs/stable/generated/torch.nn.BCELoss.html"
_CLAMP = float(np.exp(-100))


def _clamped(kw):
    """Some log D(x) (or, non-saturating, log D(G(z))) below -100."""
    real = np.asarray(kw.get("d_real", 1.0), np.float64)
    fake = np.asarray(kw.get("d_fake", 1.0), np.float64) if kw.get("non_saturating", True) else 1.0
    return bool(np.any(real < _CLAMP) or np.any(np.asarray(fake) < _CLAMP))


def _deviation(oracle_id, laws, clamp_witness):
    return KnownDeviation(
        oracle=oracle_id, properties=("agreement", "edges", *laws),
        summary="log D is clamped at -100, so a term never exceeds 100 (|log D| is 744 at "
                "D = 5e-324)",
        reason="binary_cross_entropy clamps its log terms at -100 to keep the loss finite "
               "at D = 0",
        reference=_BCE_DOC, witness=clamp_witness, region=_clamped,
    )


DEVIATIONS = (
    _deviation("gan.value", (), {"d_real": np.array([1e-300]), "d_fake": np.array([0.5])}),
    _deviation("gan.generator_loss", (), {"d_fake": np.array([1e-300]), "non_saturating": True}),
)
