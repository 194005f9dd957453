"""Adapter: scikit-learn's MLP activations and sklearn.metrics under the catalogue's signatures."""
from ..base import collect
from . import activations, divergence, losses

IMPLEMENTATION = collect("sklearn", "sklearn.neural_network._base activations and sklearn.metrics",
                         activations, losses, divergence)
