"""Keras has no PCA."""
_WHY = ('Keras has no PCA')
FUNCTIONS: dict = {}
NOT_APPLICABLE = {"pca.fit": _WHY, "pca.transform": _WHY, "pca.explained_variance_ratio": _WHY, "pca.choose_k": _WHY}
