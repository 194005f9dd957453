"""scikit-learn has no public KL divergence of discrete distributions."""
NOT_APPLICABLE = {
    "divergence.kl": "scikit-learn has no public KL divergence (t-SNE's _kl_divergence is private "
                     "and takes embeddings; see the tsne.* oracles)",
}
