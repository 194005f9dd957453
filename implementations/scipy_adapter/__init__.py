"""Adapter: scipy.special's functions under the catalogue's signatures."""
from ..base import collect
from . import activations, divergence, losses

IMPLEMENTATION = collect("scipy", "scipy.special (expit, softmax, huber, xlogy, rel_entr)", activations,
                         losses, divergence)
