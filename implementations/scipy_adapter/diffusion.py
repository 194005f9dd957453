"""SciPy has none of the diffusion formulas."""
NOT_APPLICABLE = {
    "diffusion.forward_step": "SciPy has no diffusion process",
    "diffusion.alpha_bar": "SciPy has no noise schedule",
    "diffusion.marginal": "SciPy has no diffusion process",
    "diffusion.reverse_mean": "SciPy has no diffusion process",
    "diffusion.loss": "SciPy has no mean squared error (scikit-learn and torch do)",
}
