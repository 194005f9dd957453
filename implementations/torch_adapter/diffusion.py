"""Diffusion: F.mse_loss for the noise-prediction loss; the schedule and the forward jump
from Hugging Face diffusers' DDPMScheduler, when it is installed (the ``diffusers`` extra).

DDPMScheduler keeps its schedule in float32 (``trained_betas`` become a float32 tensor), so
``alpha_bar`` is checked at float16 and float32 only. ``marginal`` is ``add_noise`` at
timestep 0 of a scheduler whose ``alphas_cumprod`` holds ᾱ_t (add_noise reads nothing else).
"""
from importlib.util import find_spec

import numpy as np
import torch
import torch.nn.functional as F

from .tensors import numpy_functions, tensor, to_numpy


def loss(noise, noise_pred):
    """F.mse_loss(ε_θ, ε)."""
    return F.mse_loss(noise_pred, noise)


FUNCTIONS = numpy_functions("diffusion", loss)
_NO_STEP = ("diffusers has no single forward step q(x_t | x_{t-1}) (add_noise jumps from x_0 by "
            "ᾱ_t; a one-step schedule would store 1 - β_t and lose a small β_t)")
_NO_REVERSE = ("DDPMScheduler.step takes ᾱ_{t-1} from its stored schedule and adds noise; it has "
               "no function of (x_t, ε_θ, β_t, ᾱ_t) alone")
NOT_APPLICABLE = {
    "diffusion.forward_step": f"torch has no diffusion step; {_NO_STEP}",
    "diffusion.reverse_mean": f"torch has no DDPM reverse mean; {_NO_REVERSE}",
}


def _scheduler(**kwargs):
    from diffusers import DDPMScheduler
    return DDPMScheduler(**kwargs)


def alpha_bar(betas):
    """DDPMScheduler(trained_betas=β).alphas_cumprod (float32; float64 input is refused)."""
    if np.asarray(betas).dtype == np.float64:
        raise TypeError("diffusers' DDPMScheduler keeps its schedule in float32")
    s = _scheduler(num_train_timesteps=len(betas), trained_betas=np.asarray(betas, np.float64).tolist())
    return to_numpy(s.alphas_cumprod)


def marginal(x0, alpha_bar_t, noise):
    """DDPMScheduler.add_noise(x_0, ε, t=0) with alphas_cumprod = [ᾱ_t]."""
    s = _scheduler(num_train_timesteps=1, trained_betas=[0.5])
    x, e = tensor(x0), tensor(noise)
    s.alphas_cumprod = torch.tensor([alpha_bar_t], dtype=x.dtype)
    return to_numpy(s.add_noise(x, e, torch.tensor([0])))


if find_spec("diffusers") is not None:
    FUNCTIONS.update({"diffusion.alpha_bar": alpha_bar, "diffusion.marginal": marginal})
else:
    _NEEDS = "needs diffusers (pip install 'mathoracle[diffusers]'), which is not installed"
    NOT_APPLICABLE.update({"diffusion.alpha_bar": f"torch has no noise schedule; {_NEEDS}",
                           "diffusion.marginal": f"torch has no forward jump q(x_t | x_0); {_NEEDS}"})
