"""scikit-learn has none of the VAE formulas."""
NOT_APPLICABLE = {
    "vae.kl_standard_normal": "scikit-learn has no KL divergence of normal distributions",
    "vae.reparameterize": "scikit-learn has no reparameterization (it has no autograd)",
    "vae.loss": "scikit-learn has no VAE loss",
}
