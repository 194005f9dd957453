"""Forward and backward propagation (batch first, W of shape (out, in)): buggy variants that
must be caught, correct ones written differently that must pass.

Signatures: ``linear(a_prev, W, b)``, ``dense_forward(a_prev, W, b, activation)`` → (z, a),
``output_delta(grad_a, z, activation)``, ``hidden_delta(W_next, delta_next, z, activation)``,
``layer_gradients(delta, a_prev)`` → (dW, db) summed over the batch, and
``mlp_gradients(x, y, weights, biases, activation, loss)`` → (dWs, dbs) of the mean loss.
"""
from __future__ import annotations

import numpy as np

from mathoracle.implementations.numpy_reference import network as R

from . import Variant, back, wide

_ERR = dict(all="ignore")


def _sigma(name):
    return R.ACTIVATIONS[name][0]


def _sigma_prime(name):
    return R.ACTIVATIONS[name][1]


def _nan_guarded(fn):
    """The same function with np.nan_to_num on its outputs, 'to keep training alive'."""
    def guarded(*args, **kwargs):
        out = fn(*args, **kwargs)
        if isinstance(out, tuple):
            return tuple([np.nan_to_num(o) for o in x] if isinstance(x, list) else np.nan_to_num(x)
                         for x in out)
        return np.nan_to_num(out)
    guarded.__name__ = f"{fn.__name__}_nan_guarded"
    return guarded


# --- linear, dense_forward -------------------------------------------------------------------

def linear_reshape_not_transpose(a_prev, W, b):
    z = W.astype(np.float64) @ a_prev.astype(np.float64).T + b[:, None]  # (out, batch)
    return back(z.reshape(a_prev.shape[0], W.shape[0]), a_prev)


def linear_einsum(a_prev, W, b):
    return back(np.einsum("bi,oi->bo", wide(a_prev).astype(np.float64), W.astype(np.float64))
                + b.astype(np.float64), a_prev)


def dense_forward_bias_after_activation(a_prev, W, b, activation="sigmoid"):
    z = a_prev.astype(np.float64) @ W.astype(np.float64).T
    return back(z + b, a_prev), back(_sigma(activation)(z) + b, a_prev)


def dense_forward_rowwise(a_prev, W, b, activation="sigmoid"):
    a, w, c = (x.astype(np.float64) for x in (a_prev, W, b))
    z = np.stack([w @ row + c for row in a])  # the seed's z = W a + b, one column at a time
    return back(z, a_prev), back(_sigma(activation)(z), a_prev)


# --- deltas ----------------------------------------------------------------------------------

def output_delta_missing_sigma_prime(grad_a, z, activation="sigmoid"):
    return grad_a.copy()


def output_delta_prime_of_z_not_sigma(grad_a, z, activation="sigmoid"):
    x = z.astype(np.float64)
    prime = x * (1 - x) if activation == "sigmoid" else _sigma_prime(activation)(x)
    return back(grad_a * prime, grad_a)  # σ(1-σ) with z where σ(z) belongs


def output_delta_clipped_gradient(grad_a, z, activation="sigmoid"):
    g = np.clip(grad_a.astype(np.float64), -1, 1)  # gradient clipping in the wrong place
    return back(g * _sigma_prime(activation)(z.astype(np.float64)), grad_a)


def output_delta_exp_form(grad_a, z, activation="sigmoid"):
    x = z.astype(np.float64)
    if activation == "sigmoid":
        with np.errstate(**_ERR):
            e = np.exp(-np.abs(x))
            prime = e / (1 + e) ** 2   # σ'(z) = e^-|z|/(1 + e^-|z|)², no cancellation
    else:
        prime = _sigma_prime(activation)(x)
    return back(grad_a.astype(np.float64) * prime, grad_a)


def hidden_delta_missing_sigma_prime(W_next, delta_next, z, activation="sigmoid"):
    return back(delta_next.astype(np.float64) @ W_next.astype(np.float64), z)


def hidden_delta_sigma_prime_of_activation(W_next, delta_next, z, activation="sigmoid"):
    x = z.astype(np.float64)
    s = _sigma(activation)(x)
    return back((delta_next.astype(np.float64) @ W_next.astype(np.float64))
                * _sigma_prime(activation)(s), z)  # σ'(a) instead of σ'(z)


def hidden_delta_einsum(W_next, delta_next, z, activation="sigmoid"):
    back_prop = np.einsum("bo,oh->bh", delta_next.astype(np.float64), W_next.astype(np.float64))
    return back(back_prop * _sigma_prime(activation)(z.astype(np.float64)), z)


# --- layer_gradients -------------------------------------------------------------------------

def layer_gradients_transposed_dW(delta, a_prev):
    d, a = delta.astype(np.float64), a_prev.astype(np.float64)
    return back(a.T @ d, delta), back(d.sum(axis=0), delta)


def layer_gradients_bias_not_summed(delta, a_prev):
    d, a = delta.astype(np.float64), a_prev.astype(np.float64)
    return back(d.T @ a, delta), delta.copy()


def layer_gradients_batch_mean(delta, a_prev):
    d, a = delta.astype(np.float64), a_prev.astype(np.float64)
    n = d.shape[0]
    return back(d.T @ a / n, delta), back(d.sum(axis=0) / n, delta)


def layer_gradients_outer_products(delta, a_prev):
    d, a = delta.astype(np.float64), a_prev.astype(np.float64)
    dW = sum(np.outer(d[i], a[i]) for i in range(d.shape[0]))  # the seed's δ aᵀ per sample
    return back(dW, delta), back(np.add.reduce(d, axis=0), delta)


# --- mlp_gradients ---------------------------------------------------------------------------

def _mean_loss(loss, y, a):
    """The catalogue losses of (y, a), for the finite-difference variants."""
    if loss == "mse":
        return np.mean((y - a) ** 2)
    if loss == "binary_cross_entropy":
        return -np.mean(y * np.log(a) + (1 - y) * np.log(1 - a))
    raise NotImplementedError(loss)


def _forward(x, weights, biases, activation):
    a = x
    for W, b in zip(weights, biases):
        z = a @ W.T + b
        a = 1 / (1 + np.exp(-z)) if activation == "sigmoid" else (
            np.tanh(z) if activation == "tanh" else z if activation == "identity" else
            np.maximum(z, 0) if activation == "relu" else np.where(z > 0, z, 0.01 * z))
    return a


def mlp_gradients_complex_step(x, y, weights, biases, activation="sigmoid", loss="mse"):
    """Each weight by its own complex-step derivative f(θ + ih)/h: accurate to rounding,
    but one forward pass per weight, so O(n²) in the number of weights."""
    if activation not in ("sigmoid", "tanh", "identity") or loss not in ("mse", "binary_cross_entropy"):
        return R.mlp_gradients(x, y, weights, biases, activation, loss)
    h = 1e-30
    params = [np.asanyarray(p).astype(np.complex128) for p in (*weights, *biases)]
    X, Y = np.asanyarray(x).astype(np.complex128), np.asanyarray(y).astype(np.complex128)
    L = len(weights)
    grads = []
    for p in params:
        g = np.zeros(p.shape)
        for idx in np.ndindex(p.shape):
            p[idx] += 1j * h
            g[idx] = (_mean_loss(loss, Y, _forward(X, params[:L], params[L:], activation)) / h).imag
            p[idx] -= 1j * h
        grads.append(back(g, x))
    return grads[:L], grads[L:]


def mlp_gradients_sum_not_mean(x, y, weights, biases, activation="sigmoid", loss="mse"):
    dWs, dbs = R.mlp_gradients(x.astype(np.float64), y.astype(np.float64),
                               [w.astype(np.float64) for w in weights],
                               [b.astype(np.float64) for b in biases], activation, loss)
    n = y.size
    return [back(g * n, x) for g in dWs], [back(g * n, x) for g in dbs]


def mlp_gradients_batch_mean(x, y, weights, biases, activation="sigmoid", loss="mse"):
    """Every loss divided by the batch size (a mean over samples of per-sample sums over the
    outputs, Keras's and scikit-learn's habit), where the catalogue's mean divides by all
    batch·units elements: right with one output unit, k times too large with k."""
    dWs, dbs = R.mlp_gradients(x.astype(np.float64), y.astype(np.float64),
                               [w.astype(np.float64) for w in weights],
                               [b.astype(np.float64) for b in biases], activation, loss)
    k = 1 if loss == "categorical_cross_entropy" else y.shape[-1]
    return [back(g * k, x) for g in dWs], [back(g * k, x) for g in dbs]


def mlp_gradients_per_sample(x, y, weights, biases, activation="sigmoid", loss="mse"):
    """Backpropagation one sample at a time, the per-sample gradients summed: the mean over
    the batch is the sum of the samples' contributions to it."""
    dWs = [np.zeros(w.shape) for w in weights]
    dbs = [np.zeros(b.shape) for b in biases]
    n = x.shape[0]
    w64 = [w.astype(np.float64) for w in weights]
    b64 = [b.astype(np.float64) for b in biases]
    for i in range(n):
        gw, gb = R.mlp_gradients(x[i:i + 1].astype(np.float64), y[i:i + 1].astype(np.float64),
                                 w64, b64, activation, loss)
        for k in range(len(weights)):
            dWs[k] += gw[k] / n
            dbs[k] += gb[k] / n
    return [back(g, x) for g in dWs], [back(g, x) for g in dbs]


_L, _D, _O, _H, _G, _M = (f"network.{n}" for n in (
    "linear", "dense_forward", "output_delta", "hidden_delta", "layer_gradients", "mlp_gradients"))

BUGGY = [
    Variant(_L, "reshape_not_transpose", linear_reshape_not_transpose,
            "computes the seed's W a + b on columns, then reshapes (out, batch) to (batch, out)"),
    Variant(_L, "nan_guarded", _nan_guarded(R.linear), "np.nan_to_num on the output hides a NaN input"),
    Variant(_D, "bias_after_activation", dense_forward_bias_after_activation,
            "a = σ(a_prev Wᵀ) + b: the bias added after the activation"),
    Variant(_D, "nan_guarded", _nan_guarded(R.dense_forward), "np.nan_to_num hides a NaN input"),
    Variant(_O, "missing_sigma_prime", output_delta_missing_sigma_prime,
            "δ^L = ∇_a L: the σ'(z^L) factor forgotten"),
    Variant(_O, "prime_of_z_not_sigma", output_delta_prime_of_z_not_sigma,
            "σ' as z(1 - z): the σ(1-σ) identity applied to z instead of σ(z)"),
    Variant(_O, "clipped_gradient", output_delta_clipped_gradient,
            "clips ∇_a L to [-1, 1] inside the layer (gradient clipping in the wrong place)"),
    Variant(_O, "nan_guarded", _nan_guarded(R.output_delta), "np.nan_to_num hides a NaN input"),
    Variant(_H, "missing_sigma_prime", hidden_delta_missing_sigma_prime,
            "δ^l = δ^{l+1} W^{l+1}: the σ'(z^l) factor forgotten"),
    Variant(_H, "sigma_prime_of_activation", hidden_delta_sigma_prime_of_activation,
            "σ'(a^l) = σ'(σ(z^l)): the derivative taken at the layer's output"),
    Variant(_H, "nan_guarded", _nan_guarded(R.hidden_delta), "np.nan_to_num hides a NaN input"),
    Variant(_G, "transposed_dW", layer_gradients_transposed_dW,
            "dW = a_prevᵀ δ, of shape (in, out): the transpose of W's layout"),
    Variant(_G, "bias_not_summed", layer_gradients_bias_not_summed,
            "db = δ, one row per sample: not summed over the batch"),
    Variant(_G, "batch_mean", layer_gradients_batch_mean,
            "divides by the batch size: the mean where the catalogue sums"),
    Variant(_G, "nan_guarded", _nan_guarded(R.layer_gradients), "np.nan_to_num hides a NaN input"),
    Variant(_M, "complex_step_per_weight", mlp_gradients_complex_step,
            "complex-step differentiation weight by weight: exact to rounding, but one forward "
            "pass per weight, O(n²)"),
    Variant(_M, "sum_not_mean", mlp_gradients_sum_not_mean,
            "the gradient of the summed loss, not of the mean (n times too large)"),
    Variant(_M, "nan_guarded", _nan_guarded(R.mlp_gradients), "np.nan_to_num hides a NaN input"),
    Variant(_M, "divides_by_batch_not_elements", mlp_gradients_batch_mean,
            "the mean loss divided by the batch size, not by batch·units: k times too large "
            "with k output units"),
]

CORRECT = [
    Variant(_L, "einsum", linear_einsum, "einsum('bi,oi->bo') in float64, rounded once"),
    Variant(_D, "rowwise", dense_forward_rowwise, "the seed's z = W a + b one sample at a time"),
    Variant(_O, "exp_form", output_delta_exp_form, "σ'(z) = e^-|z|/(1 + e^-|z|)², no cancellation"),
    Variant(_H, "einsum", hidden_delta_einsum, "einsum('bo,oh->bh') then ⊙ σ'(z)"),
    Variant(_G, "outer_products", layer_gradients_outer_products,
            "the seed's δ aᵀ per sample, summed"),
    Variant(_M, "per_sample", mlp_gradients_per_sample,
            "backpropagation one sample at a time, the contributions summed"),
]
