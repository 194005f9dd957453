"""JAX has no PCA."""
_WHY = ('JAX has no PCA (jnp.linalg.svd is a building block, not the method)')
FUNCTIONS: dict = {}
NOT_APPLICABLE = {"pca.fit": _WHY, "pca.transform": _WHY, "pca.explained_variance_ratio": _WHY, "pca.choose_k": _WHY}
