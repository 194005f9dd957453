"""SciPy has none of the VAE formulas."""
NOT_APPLICABLE = {
    "vae.kl_standard_normal": "SciPy has no KL divergence of normal distributions (scipy.stats "
                              "gives one distribution's entropy; rel_entr is for discrete ones)",
    "vae.reparameterize": "SciPy has no reparameterization (scipy.stats.norm.rvs draws its own "
                          "noise and is not differentiable)",
    "vae.loss": "SciPy has no VAE loss",
}
