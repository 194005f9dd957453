"""JAX regularization: jax.nn.standardize for the normalisations, optax.l2_loss for the
penalty, optax.add_decayed_weights chained with optax.sgd for the weight-decay step."""
import jax
import jax.numpy as jnp
import numpy as np
import optax

from mathoracle.core.formats import finfo

from ..base import KnownDeviation
from ..folding import flushed_norms
from .arrays import as_jax, to_numpy


def batch_norm(x, gamma, beta, eps=1e-5):
    """γ·jax.nn.standardize(x, axis=0, epsilon=eps) + β (batch statistics)."""
    x, gamma, beta = as_jax(x), as_jax(gamma), as_jax(beta)
    return to_numpy(gamma * jax.nn.standardize(x, axis=0, epsilon=eps) + beta)


def layer_norm(x, gamma, beta, eps=1e-5):
    """γ·jax.nn.standardize(x, axis=-1, epsilon=eps) + β."""
    x, gamma, beta = as_jax(x), as_jax(gamma), as_jax(beta)
    return to_numpy(gamma * jax.nn.standardize(x, axis=-1, epsilon=eps) + beta)


def _penalty(weights, lam):
    return lam * sum(jnp.sum(optax.l2_loss(w)) for w in weights)


def l2_penalty(weights, lam):
    """λ·Σ optax.l2_loss(W) (optax.l2_loss is ½W²)."""
    return to_numpy(_penalty(as_jax(list(weights)), lam))


def l2_penalty_grad(W, lam):
    """jax.grad of λ·Σ optax.l2_loss(W)."""
    return to_numpy(jax.grad(lambda w: _penalty([w], lam))(as_jax(W)))


def sgd_weight_decay_step(W, grad, lr, lam):
    """W + updates of optax.chain(optax.add_decayed_weights(lam), optax.sgd(lr)) for grad."""
    w, g = as_jax(W), as_jax(grad)
    opt = optax.chain(optax.add_decayed_weights(lam), optax.sgd(lr))
    updates, _ = opt.update(g, opt.init(w), w)
    return to_numpy(optax.apply_updates(w, updates))


FUNCTIONS = {f"regularization.{f.__name__}": f for f in (
    batch_norm, layer_norm, l2_penalty, l2_penalty_grad, sgd_weight_decay_step)}

NOT_APPLICABLE = {
    "regularization.dropout": "JAX has no dropout function in jax.nn (flax and haiku have "
                              "layers; optax none)",
    "regularization.dropout_sample": "JAX has no dropout function in jax.nn (flax and haiku "
                                     "have layers; optax none)",
}


def _fast_variance(axis):
    """Where mean(x²) - mean(x)² fails: x² overflows the dtype, or |mean| > std (cancellation)."""
    def region(kw) -> bool:
        x = np.asarray(kw["x"])
        big = float(finfo(x.dtype).max)
        x = x.astype(np.float64)
        with np.errstate(over="ignore", invalid="ignore"):
            mu = x.mean(axis=axis)
            return bool(np.any(~(np.abs(mu) <= x.std(axis=axis))) or np.any(x * x > big))
    return region


_STANDARDIZE = dict(
    summary="the variance is mean(x²) - mean(x)², clipped at 0: NaN where x² overflows "
            "(x = [1000, 1001] in float16) and cancellation where |mean| > std",
    reason="jax.nn.standardize's default algorithm='fast' uses the one-pass formula "
           "('can suffer from catastrophic cancellation'); algorithm='stable' is two-pass",
    reference="https://docs.jax.dev/en/latest/_autosummary/jax.nn.standardize.html")

DEVIATIONS = (
    KnownDeviation(oracle="regularization.batch_norm", properties=("*",), **_STANDARDIZE,
                   witness={"x": np.array([[1000.0], [1001.0]], np.float16),
                            "gamma": np.ones(1, np.float16), "beta": np.zeros(1, np.float16)},
                   region=_fast_variance(0)),
    KnownDeviation(oracle="regularization.layer_norm", properties=("*",), **_STANDARDIZE,
                   witness={"x": np.array([[1000.0, 1001.0]], np.float16),
                            "gamma": np.ones(2, np.float16), "beta": np.zeros(2, np.float16)},
                   region=_fast_variance(-1)),
    *flushed_norms(),
)
