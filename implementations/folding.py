"""Where a normalisation folded into out = x·s + (β - μ·s), s = γ/√(σ² + ε), loses accuracy:
the two terms exceed the normalised value (|μ| > √(σ² + ε)) and are rounded apart, or s is
below the smallest normal. torch's CPU kernels and Keras's layer normalisation (and its batch
normalisation on the jax backend) fold this way; their adapters share the region."""
import numpy as np

from mathoracle.core.formats import finfo


def folded(axis: int):
    """Region over (x, gamma, eps): some feature (axis 0, batch norm) or row (axis -1, layer
    norm) where the folded form loses accuracy, or that holds a single value."""
    def region(kw) -> bool:
        x = np.asarray(kw["x"], np.float64)
        gamma = np.abs(np.asarray(kw["gamma"], np.float64))
        with np.errstate(over="ignore", invalid="ignore"):
            mu = x.mean(axis=axis, keepdims=True)
            std = np.sqrt(((x - mu) ** 2).mean(axis=axis, keepdims=True) + kw.get("eps", 1e-5))
        tiny = float(finfo(np.asarray(kw["x"]).dtype).tiny)
        gam = gamma if axis == 0 else gamma.max(initial=0.0)
        return bool(np.any(np.abs(mu) > std) or np.any((gam != 0) & (gam < tiny * std))
                    or np.shape(x)[axis] == 1)
    return region
