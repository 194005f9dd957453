"""Adapter: torch's own functions under the catalogue's signatures (CPU)."""
from ..base import collect
from . import activations, divergence, losses

IMPLEMENTATION = collect("torch", "torch.nn.functional and autograd, on the CPU", activations, losses,
                         divergence)
