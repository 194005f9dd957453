"""Where a normalisation folded into out = x·s + (β - μ·s), s = γ/√(σ² + ε), loses accuracy:
the two terms exceed the normalised value (|μ| > √(σ² + ε)) and are rounded apart, or s is
below the smallest normal. torch's CPU kernels and Keras's layer normalisation (and its batch
normalisation on the jax backend) fold this way; their adapters share the region. XLA's
flush of subnormal intermediates (JAX, Keras on JAX) is shared the same way."""
import numpy as np

from mathoracle.core.formats import finfo

from .base import KnownDeviation


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


def _near_subnormal(axis: int):
    """Region over x: a nonzero |x| below 2n smallest normals of its dtype (n values along
    ``axis``), where the mean, the centred values or their squares may be subnormal. XLA's
    CPU backend reads a subnormal as 0 (flush-to-zero), so those intermediates vanish."""
    def region(kw) -> bool:
        x = np.asarray(kw["x"])
        if x.dtype not in (np.float32, np.float64) or x.size == 0:
            return False
        limit = 2 * np.shape(x)[axis] * float(finfo(x.dtype).tiny)
        a = np.abs(x.astype(np.float64))
        return bool(np.any((a != 0) & (a < limit)))
    return region


_TINY_ROWS = {"x": np.array([[1.1754943508222875e-38, 0.0], [0.0, 0.0]], np.float32),
              "gamma": np.ones(2, np.float32), "beta": np.zeros(2, np.float32)}


def flushed_norms() -> tuple[KnownDeviation, ...]:
    """Batch and layer norm on XLA's CPU backend, where nearly-subnormal data is normalised."""
    return tuple(KnownDeviation(
        oracle=f"regularization.{name}", properties=("*",),
        summary="a mean or centred values below the smallest normal are flushed to 0: the "
                "normalised values of x = [[1.2e-38, 0], [0, 0]] (float32) do not sum to 0",
        reason="XLA's CPU backend runs with flush-to-zero and denormals-are-zero: the subnormal "
               "mean and centred values of nearly-subnormal data are read as 0",
        reference="https://docs.jax.dev/en/latest/notebooks/Common_Gotchas_in_JAX.html "
                  "(subnormal flush-to-zero); https://github.com/jax-ml/jax/issues/16200",
        witness=_TINY_ROWS, region=_near_subnormal(axis))
        for name, axis in (("batch_norm", 0), ("layer_norm", -1)))
