"""Adapter: scikit-learn's MLP activations and sklearn.metrics under the catalogue's signatures."""
from ..base import collect

IMPLEMENTATION = collect('sklearn', 'scikit-learn: MLP internals, metrics, preprocessing, decomposition, svm, manifold', __name__)
