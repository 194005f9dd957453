"""SciPy's pieces of t-SNE: scipy.special.softmax of -cdist(X, X, "sqeuclidean")/2σ² for the
Gaussian conditionals (diagonal at -inf), and scipy.special.rel_entr summed for KL(P‖Q)."""
import numpy as np
from scipy.spatial.distance import cdist
from scipy.special import rel_entr, softmax


def conditional_probabilities(X, sigmas):
    """softmax(-cdist(X, X, "sqeuclidean") / 2σ_i², axis=1), the diagonal at -inf."""
    s = np.asarray(sigmas, np.float64)
    logits = -cdist(X, X, "sqeuclidean") / (2 * s[:, None] ** 2)
    np.fill_diagonal(logits, -np.inf)
    return softmax(logits, axis=1)


def kl_divergence(P, Q):
    """rel_entr(p, q) = p log(p/q) (0 at p = 0), summed over the off-diagonal entries."""
    off = ~np.eye(np.shape(P)[0], dtype=bool)
    return rel_entr(P[off], Q[off]).sum()


FUNCTIONS = {"tsne.conditional_probabilities": conditional_probabilities,
             "tsne.kl_divergence": kl_divergence}

NOT_APPLICABLE = {
    "tsne.joint_probabilities": "SciPy has no perplexity calibration (binary search for σ_i)",
    "tsne.low_dim_affinities": "SciPy has no Student-t affinities",
}
