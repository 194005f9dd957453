"""scikit-learn: the noise-prediction loss is sklearn.metrics.mean_squared_error."""
import numpy as np
from sklearn.metrics import mean_squared_error


def loss(noise, noise_pred):
    """mean_squared_error(ε, ε_θ) of the flattened arrays (it takes at most two dimensions)."""
    return mean_squared_error(np.ravel(noise), np.ravel(noise_pred))


FUNCTIONS = {"diffusion.loss": loss}
NOT_APPLICABLE = {
    "diffusion.forward_step": "scikit-learn has no diffusion process",
    "diffusion.alpha_bar": "scikit-learn has no noise schedule",
    "diffusion.marginal": "scikit-learn has no diffusion process",
    "diffusion.reverse_mean": "scikit-learn has no diffusion process",
}
