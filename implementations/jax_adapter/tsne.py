"""JAX has no t-SNE."""
_WHY = ('JAX has no t-SNE')
FUNCTIONS: dict = {}
NOT_APPLICABLE = {"tsne.conditional_probabilities": _WHY, "tsne.joint_probabilities": _WHY, "tsne.low_dim_affinities": _WHY, "tsne.kl_divergence": _WHY}
