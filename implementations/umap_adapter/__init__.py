"""Adapter: umap-learn's fuzzy-graph functions (umap.umap_) under the catalogue's signatures."""
from ..base import collect

IMPLEMENTATION = collect('umap', 'umap-learn: smooth_knn_dist, compute_membership_strengths, '
                                 'find_ab_params', __name__)
