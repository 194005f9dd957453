"""Regularization, written to be copied: inverted dropout, batch and layer norm, weight decay.

Computed in float64 and rounded once to the input dtype. The normalizations take the
two-pass variance (mean first, then the mean of squared deviations), which keeps its
accuracy when the data sit far from 0 (E[x²] - μ² cancels there).
"""
import numpy as np

from ..base import provides


def _f64(*arrays):
    return [np.asarray(a, dtype=np.float64) for a in arrays]


def _like(x, ref):
    with np.errstate(over="ignore", under="ignore"):
        return np.asarray(x).astype(np.asarray(ref).dtype)


def dropout(a, p, mask):
    """a ⊙ mask / (1 - p)."""
    x, m = _f64(a, mask)
    return _like(x * m / (1 - p), a)


def dropout_sample(a, p, seed, training=True):
    """Inverted dropout with a mask drawn from numpy.random.default_rng(seed): each element
    kept with probability 1 - p and scaled by 1/(1 - p). p = 1 gives a·0 (zeros, never the
    0/0 of mask/(1 - p)); training=False (eval mode) is the identity."""
    a = np.asarray(a)
    if not training or p == 0:
        return a.copy()
    if p == 1:
        return a * np.zeros((), a.dtype)
    keep = np.random.default_rng(seed).random(a.shape) >= p
    return _like(np.where(keep, np.asarray(a, np.float64) / (1 - p), 0.0 * a), a)


def _normalize(x, gamma, beta, eps, axis):
    v, g, b = _f64(x, gamma, beta)
    mu = v.mean(axis=axis, keepdims=True)
    centred = v - mu
    var = np.mean(centred * centred, axis=axis, keepdims=True)  # biased, two-pass
    return _like(g * (centred / np.sqrt(var + eps)) + b, x)


def batch_norm(x, gamma, beta, eps=1e-5):
    """γ (x - μ)/√(σ² + ε) + β per feature, μ and the biased σ² over the batch (training mode)."""
    return _normalize(x, gamma, beta, eps, axis=0)


def layer_norm(x, gamma, beta, eps=1e-5):
    """γ (x - μ)/√(σ² + ε) + β per sample, over the last axis (Ba et al., 2016)."""
    return _normalize(x, gamma, beta, eps, axis=-1)


def l2_penalty(weights, lam):
    """(λ/2) Σ ‖W‖², the squares summed in float64."""
    total = sum(float(np.sum(np.square(w))) for w in _f64(*weights))
    return _like(lam / 2 * total, weights[0])


def l2_penalty_grad(W, lam):
    """λW."""
    return _like(lam * np.asarray(W, np.float64), W)


def sgd_weight_decay_step(W, grad, lr, lam):
    """W - lr (∇L + λW): plain SGD on the L2-penalised loss."""
    w, g = _f64(W, grad)
    return _like(w - lr * (g + lam * w), W)


FUNCTIONS = provides(
    "regularization", dropout, dropout_sample, batch_norm, layer_norm, l2_penalty, l2_penalty_grad,
    sgd_weight_decay_step,
)
