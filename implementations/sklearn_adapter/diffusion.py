"""scikit-learn: the noise-prediction loss is sklearn.metrics.mean_squared_error."""
import numpy as np
from sklearn.metrics import mean_squared_error

from ..base import KnownDeviation


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
DEVIATIONS = (
    KnownDeviation(
        oracle="diffusion.loss", properties=("nan",),
        summary="raises ValueError('Input contains NaN') instead of returning NaN",
        reason="sklearn.metrics validate their inputs with check_array(force_all_finite=True)",
        reference="https://scikit-learn.org/stable/modules/generated/sklearn.utils.check_array.html",
        witness={"noise": np.array([np.nan, 1.0]), "noise_pred": np.array([0.0, 1.0])},
        region=lambda kw: bool(np.isnan(np.asarray(kw["noise"], np.float64)).any()
                               or np.isnan(np.asarray(kw["noise_pred"], np.float64)).any()),
    ),
)
