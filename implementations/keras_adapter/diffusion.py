"""Keras 3 has no diffusion schedule or loss."""
_WHY = ('Keras 3 has no diffusion schedule or loss (keras_hub is a separate library)')
FUNCTIONS: dict = {}
NOT_APPLICABLE = {"diffusion.forward_step": _WHY, "diffusion.alpha_bar": _WHY, "diffusion.marginal": _WHY, "diffusion.reverse_mean": _WHY, "diffusion.loss": _WHY}
