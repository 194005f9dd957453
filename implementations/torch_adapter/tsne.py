"""torch's pieces of t-SNE: the Gaussian conditionals as torch.softmax of -torch.cdist²/2σ²
(the diagonal masked with -inf), and KL(P‖Q) as torch.nn.functional.kl_div(log Q, P,
reduction="sum"). torch has no perplexity calibration and no Student-t affinities.
"""
import torch
import torch.nn.functional as F

from .tensors import tensor, to_numpy


def conditional_probabilities(X, sigmas):
    """torch.softmax(-cdist(X, X)² / 2σ_i², dim=1), the diagonal at -inf (p_{i|i} = 0)."""
    x, s = tensor(X), tensor(sigmas)
    logits = -torch.cdist(x, x) ** 2 / (2 * s[:, None] ** 2)
    eye = torch.eye(x.shape[0], dtype=torch.bool)
    return to_numpy(torch.softmax(logits.masked_fill(eye, float("-inf")), dim=1))


def kl_divergence(P, Q):
    """F.kl_div(log Q, P, reduction="sum") over the off-diagonal entries."""
    p, q = tensor(P), tensor(Q)
    off = ~torch.eye(p.shape[0], dtype=torch.bool)
    return to_numpy(F.kl_div(torch.log(q[off]), p[off], reduction="sum"))


FUNCTIONS = {"tsne.conditional_probabilities": conditional_probabilities,
             "tsne.kl_divergence": kl_divergence}

NOT_APPLICABLE = {
    "tsne.joint_probabilities": "torch has no perplexity calibration (binary search for σ_i)",
    "tsne.low_dim_affinities": "torch has no Student-t affinities ((1 + cdist²)⁻¹ normalised "
                               "would be the adapter's own formula)",
}
