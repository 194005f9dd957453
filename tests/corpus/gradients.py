"""Gradient functions ``grad(cotangent, *arrays, **params) -> {argument: ∂(Σ w·f)/∂argument}``:
buggy backward passes that the ``gradient`` property must catch, and correct ones written
differently from the NumPy reference's that must pass.

Each variant is checked inside the NumPy reference (its forward functions), with only its
own gradient replaced.
"""
from __future__ import annotations

import numpy as np

from . import Variant, back, wide

_ERR = dict(all="ignore")


def _sigmoid(x):
    with np.errstate(**_ERR):
        e = np.exp(-np.abs(x))
        return np.where(x >= 0, 1, e) / (1 + e)


def _softmax(x, axis):
    with np.errstate(**_ERR):
        e = np.exp(x - x.max(axis=axis, keepdims=True))
        return e / e.sum(axis=axis, keepdims=True)


def _mean_weight(w, like, n=None):
    return float(np.asarray(w)) / (np.size(like) if n is None else n)


# --- activations --------------------------------------------------------------------------

def sigmoid_ignores_cotangent(w, z):
    s = _sigmoid(wide(z))
    return {"z": back(s * (1 - s), z)}


def sigmoid_exp_ratio_squared(w, z):
    x = wide(z)
    with np.errstate(**_ERR):
        e = np.exp(-np.abs(x))  # σ'(z) = e^-|z| / (1 + e^-|z|)², no cancellation
        return {"z": back(wide(w) * e / np.square(1 + e), z)}


def tanh_missing_square(w, z):
    return {"z": back(wide(w) * (1 - np.tanh(wide(z))), z)}


def tanh_via_sigmoid_derivative(w, z):
    x = wide(z)
    s = _sigmoid(2 * x)  # tanh'(z) = 4σ(2z)σ(-2z)
    return {"z": back(wide(w) * 4 * s * _sigmoid(-2 * x), z)}


def relu_one_at_zero(w, z):
    return {"z": np.asarray(w) * (np.asarray(z) >= 0).astype(np.asarray(z).dtype)}


def relu_heaviside(w, z):
    return {"z": np.asarray(w) * np.heaviside(z, 0).astype(np.asarray(z).dtype)}


def leaky_relu_ignores_alpha(w, z, alpha=0.01):
    return {"z": np.asarray(w) * (np.asarray(z) > 0).astype(np.asarray(z).dtype)}


def leaky_relu_where(w, z, alpha=0.01):
    x = wide(z)
    return {"z": back(wide(w) * np.where(x > 0, 1.0, np.where(np.isnan(x), x, alpha)), z)}


def softmax_missing_dot_term(w, z, axis=-1):
    s = _softmax(wide(z), axis)
    return {"z": back(s * wide(w), z)}


def softmax_jacobian_matrix(w, z, axis=-1):
    x = np.moveaxis(wide(z), axis, -1)
    v = np.moveaxis(wide(w), axis, -1)
    s = _softmax(x, -1)
    jac = s[..., :, None] * (np.eye(s.shape[-1]) - s[..., None, :])  # J_ij = s_i(δ_ij - s_j)
    g = np.einsum("...i,...ij->...j", v, jac)
    return {"z": back(np.moveaxis(g, -1, axis), z)}


# --- losses -------------------------------------------------------------------------------

def mse_missing_factor_two(w, y_true, y_pred):
    y, p = wide(y_true), wide(y_pred)
    return {"y_pred": back(_mean_weight(w, y) * (p - y), y_pred)}


def mse_sum_not_mean(w, y_true, y_pred):
    y, p = wide(y_true), wide(y_pred)
    return {"y_pred": back(2 * float(w) * (p - y), y_pred)}


def mse_residual_form(w, y_true, y_pred):
    r = wide(y_true) - wide(y_pred)
    return {"y_pred": back(-(2 * float(w) / r.size) * r, y_pred)}


def mae_sign_flipped(w, y_true, y_pred):
    y, p = wide(y_true), wide(y_pred)
    return {"y_pred": back(_mean_weight(w, y) * np.sign(y - p), y_pred)}


def huber_unclipped(w, y_true, y_pred, delta=1.0):
    y, p = wide(y_true), wide(y_pred)
    return {"y_pred": back(_mean_weight(w, y) * (p - y), y_pred)}


def huber_piecewise(w, y_true, y_pred, delta=1.0):
    r = np.asarray(y_pred, np.float64) - np.asarray(y_true, np.float64)
    g = np.where(np.abs(r) <= delta, r, delta * np.sign(r))
    return {"y_pred": back(_mean_weight(w, r) * g, y_pred)}


def bce_keras_clipped(w, y_true, p):
    y, q = wide(y_true), np.clip(wide(p), 1e-7, 1 - 1e-7)
    return {"p": back(_mean_weight(w, y) * (-y / q + (1 - y) / (1 - q)), p)}


def cce_ignores_labels(w, y_onehot, p):
    q = np.asarray(p, np.float64)
    with np.errstate(**_ERR):
        return {"p": back(-_mean_weight(w, q, q.size // q.shape[-1]) / q, p)}


def focal_alpha_on_both_classes(w, y_true, p, alpha=0.25, gamma=2.0):
    from mathoracle.implementations.numpy_reference.losses import focal_backward
    one = focal_backward(w, y_true, p, alpha, gamma)["p"].astype(np.float64)
    zero_weighted = focal_backward(w, y_true, p, 1 - alpha, gamma)["p"].astype(np.float64)
    return {"p": back(np.where(np.asarray(y_true) == 1, one, zero_weighted), p)}


# --- KL -----------------------------------------------------------------------------------

def kl_missing_plus_one(w, p, q):
    a, b = np.asarray(p, np.float64), np.asarray(q, np.float64)
    v = np.asarray(w, np.float64)[..., None]
    with np.errstate(**_ERR):
        return {"p": back(v * np.log(a / b), p), "q": back(np.where(a == 0, 0.0, -v * a / b), q)}


_S, _T, _R, _L, _SM = ("activation.sigmoid", "activation.tanh", "activation.relu",
                       "activation.leaky_relu", "activation.softmax")

BUGGY = [
    Variant(_S, "backward_ignores_cotangent", sigmoid_ignores_cotangent,
            "returns σ(1-σ) and forgets to multiply by the incoming gradient", kind="gradient"),
    Variant(_T, "backward_missing_square", tanh_missing_square,
            "1 - tanh(z) instead of 1 - tanh²(z)", kind="gradient"),
    Variant(_R, "backward_one_at_zero", relu_one_at_zero,
            "z ≥ 0 instead of z > 0: ReLU'(0) = 1 against the catalogue's stated 0", kind="gradient"),
    Variant(_L, "backward_ignores_alpha", leaky_relu_ignores_alpha,
            "the ReLU mask: 0 instead of α for z ≤ 0", kind="gradient"),
    Variant(_SM, "backward_missing_dot_term", softmax_missing_dot_term,
            "s ⊙ w: the diagonal of the Jacobian only, without -s ⟨s, w⟩", kind="gradient"),
    Variant("loss.mse", "backward_missing_factor_two", mse_missing_factor_two,
            "(ŷ - y)/n, the gradient of half the MSE", kind="gradient"),
    Variant("loss.mse", "backward_of_the_sum", mse_sum_not_mean,
            "2(ŷ - y) without 1/n: the gradient of the summed loss", kind="gradient"),
    Variant("loss.mae", "backward_sign_flipped", mae_sign_flipped,
            "sign(y - ŷ): the gradient by y_true, not by the prediction", kind="gradient"),
    Variant("loss.huber", "backward_unclipped", huber_unclipped,
            "(ŷ - y)/n everywhere: the quadratic branch's gradient beyond δ too", kind="gradient"),
    Variant("loss.binary_cross_entropy", "backward_keras_clipped", bce_keras_clipped,
            "clips p to [1e-7, 1 - 1e-7] before the gradient: -1e7 at p = 1e-30", kind="gradient"),
    Variant("loss.categorical_cross_entropy", "backward_ignores_labels", cce_ignores_labels,
            "-1/p in every class, as if each class were the target", kind="gradient"),
    Variant("loss.focal", "backward_alpha_on_both_classes", focal_alpha_on_both_classes,
            "weights the y = 0 terms by α instead of 1 - α", kind="gradient"),
    Variant("divergence.kl", "backward_missing_plus_one", kl_missing_plus_one,
            "log(p/q) without the + 1 that d(p log p)/dp brings", kind="gradient"),
]

CORRECT = [
    Variant(_S, "backward_exp_ratio_squared", sigmoid_exp_ratio_squared,
            "w·e^-|z|/(1 + e^-|z|)², even in z and free of cancellation", kind="gradient"),
    Variant(_T, "backward_via_sigmoid", tanh_via_sigmoid_derivative,
            "tanh'(z) = 4σ(2z)σ(-2z): products of values in (0, 1], no cancellation", kind="gradient"),
    Variant(_R, "backward_heaviside", relu_heaviside,
            "np.heaviside(z, 0): the step with the value 0 at z = 0, NaN kept", kind="gradient"),
    Variant(_L, "backward_where", leaky_relu_where, "np.where(z > 0, 1, α)·w", kind="gradient"),
    Variant(_SM, "backward_jacobian_matrix", softmax_jacobian_matrix,
            "wᵀJ with J = diag(s) - s sᵀ formed explicitly", kind="gradient"),
    Variant("loss.mse", "backward_residual_form", mse_residual_form,
            "-(2w/n)(y - ŷ)", kind="gradient"),
    Variant("loss.huber", "backward_piecewise", huber_piecewise,
            "r inside δ, δ·sign(r) outside, r = ŷ - y", kind="gradient"),
]
