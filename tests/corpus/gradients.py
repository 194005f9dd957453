"""Gradient functions ``grad(cotangent, *arrays, **params) -> {argument: ∂(Σ w·f)/∂argument}``:
buggy backward passes that the ``gradient`` property must catch, and correct ones written
differently from the NumPy reference's that must pass.

Each variant is checked inside the NumPy reference (its forward functions), with only its
own gradient replaced.
"""
from __future__ import annotations

import math

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


# --- activations beyond the seed ----------------------------------------------------------

def gelu_missing_density_term(w, z):
    x = np.asarray(z, np.float64)
    phi = np.frompyfunc(math.erfc, 1, 1)(-x / math.sqrt(2)).astype(np.float64) / 2
    return {"z": back(np.asarray(w, np.float64) * phi, z)}  # Φ(z) alone, without z·φ(z)


def silu_sigma_product(w, z):
    x = wide(z)
    s, t = _sigmoid(x), _sigmoid(-x)
    return {"z": back(wide(w) * (s + x * s * t), z)}  # σ + zσ(1 - σ), with 1 - σ as σ(-z)


def softplus_ignores_beta(w, z, beta=1.0):
    return {"z": back(wide(w) * _sigmoid(wide(z)), z)}


def softplus_sigma_of_beta_z(w, z, beta=1.0):
    return {"z": back(wide(w) * _sigmoid(beta * wide(z)), z)}


def elu_exp_branch(w, z, alpha=1.0):
    x = wide(z)
    with np.errstate(**_ERR):
        return {"z": back(wide(w) * np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0))), z)}


def gelu_tanh_missing_cubic_term(w, z):
    x = wide(z)
    with np.errstate(**_ERR):
        t = np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3))
        g = 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * math.sqrt(2 / math.pi)  # w' without 3κz²
    return {"z": back(wide(w) * g, z)}


def silu_treats_z_as_constant(w, z):
    return {"z": back(wide(w) * _sigmoid(wide(z)), z)}


def elu_out_plus_alpha(w, z, alpha=1.0):
    x = wide(z)
    out = np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))
    return {"z": back(wide(w) * np.where(x > 0, 1.0, out + alpha), z)}  # α e^z = elu + α cancels


def log_softmax_identity_backward(w, z, axis=-1):
    return {"z": back(wide(w), z)}  # the diagonal δ_ij only, without -s_j Σw


def log_softmax_jacobian_matrix(w, z, axis=-1):
    x = np.moveaxis(wide(z), axis, -1)
    v = np.moveaxis(wide(w), axis, -1)
    s = _softmax(x, -1)
    jac = np.eye(s.shape[-1]) - s[..., None, :]  # J_ij = δ_ij - s_j
    g = np.einsum("...i,...ij->...j", v, jac)
    return {"z": back(np.moveaxis(g, -1, axis), z)}


def logsumexp_ignores_cotangent(w, z, axis=-1):
    return {"z": back(_softmax(wide(z), axis), z)}


def logsumexp_exp_of_difference(w, z, axis=-1):
    x = wide(z)
    with np.errstate(**_ERR):
        m = x.max(axis=axis, keepdims=True)
        lse = m + np.log(np.exp(x - m).sum(axis=axis, keepdims=True))
        return {"z": back(np.expand_dims(wide(w), axis) * np.exp(x - lse), z)}


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
    Variant("activation.gelu", "backward_missing_density_term", gelu_missing_density_term,
            "Φ(z) alone: the product rule's z·φ(z) forgotten", kind="gradient"),
    Variant("activation.gelu_tanh", "backward_missing_cubic_term", gelu_tanh_missing_cubic_term,
            "w' = √(2/π) without its 3·0.044715z² term", kind="gradient"),
    Variant("activation.silu", "backward_z_as_constant", silu_treats_z_as_constant,
            "σ(z): the product rule applied as if z were a constant", kind="gradient"),
    Variant("activation.elu", "backward_output_plus_alpha", elu_out_plus_alpha,
            "elu(z) + α for α·e^z below 0: it cancels, 0 for z ≲ -37 where the derivative is "
            "α·4e-17", kind="gradient"),
    Variant("activation.softplus", "backward_ignores_beta", softplus_ignores_beta,
            "σ(z) for σ(βz)", kind="gradient"),
    Variant("activation.log_softmax", "backward_identity", log_softmax_identity_backward,
            "w itself: the diagonal of the Jacobian, without -s_j Σ_i w_i", kind="gradient"),
    Variant("activation.logsumexp", "backward_ignores_cotangent", logsumexp_ignores_cotangent,
            "softmax(z), not multiplied by the incoming gradient", kind="gradient"),
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
    Variant("activation.silu", "backward_sigma_product", silu_sigma_product,
            "w·(σ(z) + z·σ(z)σ(-z)): 1 - σ(z) as σ(-z), which keeps the tail", kind="gradient"),
    Variant("activation.softplus", "backward_sigma_of_beta_z", softplus_sigma_of_beta_z,
            "w·σ(βz) with the stable σ", kind="gradient"),
    Variant("activation.elu", "backward_exp_branch", elu_exp_branch,
            "w·α·e^z below 0 (α at 0), w above", kind="gradient"),
    Variant("activation.log_softmax", "backward_jacobian_matrix", log_softmax_jacobian_matrix,
            "wᵀJ with J = I - 1 sᵀ formed explicitly", kind="gradient"),
    Variant("activation.logsumexp", "backward_exp_of_difference", logsumexp_exp_of_difference,
            "w·e^{z - logsumexp(z)}, the softmax from the forward's value", kind="gradient"),
]
