"""JAX regularization: jax.nn.standardize for the normalisations, optax.l2_loss for the
penalty, optax.add_decayed_weights chained with optax.sgd for the weight-decay step."""
import jax
import jax.numpy as jnp
import optax

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
