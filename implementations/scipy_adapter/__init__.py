"""Adapter: scipy.special's functions under the catalogue's signatures."""
from ..base import collect

IMPLEMENTATION = collect('scipy', 'scipy.special, scipy.stats and scipy.linalg', __name__)
