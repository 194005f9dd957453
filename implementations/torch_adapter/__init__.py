"""Adapter: torch's own functions under the catalogue's signatures (CPU)."""
from ..base import collect

IMPLEMENTATION = collect('torch', 'torch.nn.functional and autograd, on the CPU', __name__)
