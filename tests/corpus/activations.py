"""Activation functions: buggy variants that must be caught, correct ones that must pass.

Each function has the canonical signature of its oracle (``sigmoid(z)``,
``leaky_relu(z, alpha=0.01)``, ``softmax(z, axis=-1)``, ...).
"""
from __future__ import annotations

import numpy as np

from . import Variant, back, wide

_ERR = dict(all="ignore")  # the correct variants keep their (harmless) overflows to themselves


def _stable_sigmoid(x):
    """σ(x) without overflow, in x's dtype (a helper of the buggy variants)."""
    with np.errstate(**_ERR):
        e = np.exp(-np.abs(x))
        return np.where(x >= 0, 1, e) / (1 + e)


# --- activation.sigmoid ----------------------------------------------------------------

def sigmoid_exp_ratio(z):
    return np.exp(z) / (1 + np.exp(z))


def sigmoid_clip_logits_at_30(z):
    z = np.clip(z, -30, 30)
    return 1 / (1 + np.exp(-z))


def sigmoid_float32_internal(z):
    s = 1 / (1 + np.exp(-np.asarray(z, dtype=np.float32)))
    return s.astype(np.asarray(z).dtype)


def sigmoid_tanh_half_angle(z):
    return 0.5 * (1 + np.tanh(0.5 * z))


def sigmoid_masked_assignment(z):
    out = np.zeros_like(z)
    pos, neg = z >= 0, z < 0
    out[pos] = 1 / (1 + np.exp(-z[pos]))
    e = np.exp(z[neg])
    out[neg] = e / (1 + e)
    return out


def sigmoid_returns_float32(z):
    return _stable_sigmoid(z).astype(np.float32)


def sigmoid_exp_of_minus_abs(z):
    x = wide(z)
    with np.errstate(**_ERR):
        e = np.exp(-np.abs(x))  # never overflows; e/(1+e) for z < 0 keeps the tail relative
        s = np.where(x >= 0, 1, e) / (1 + e)
    return back(s, z)


def sigmoid_logaddexp(z):
    x = wide(z)
    with np.errstate(**_ERR):
        s = np.exp(-np.logaddexp(0, -x))  # σ(z) = exp(-softplus(-z))
    return back(s, z)


# --- activation.sigmoid_grad -----------------------------------------------------------

def sigmoid_grad_one_plus_sigma(z):
    s = _stable_sigmoid(z)
    return s * (1 + s)


def sigmoid_grad_missing_factor(z):
    return _stable_sigmoid(z)


def sigmoid_grad_of_activation(z):
    return z * (1 - z)


def sigmoid_grad_saturation_cutoff(z):
    s = _stable_sigmoid(z)
    return np.where(np.abs(z) < 40, s * (1 - s), 0)


def sigmoid_grad_exp_ratio(z):
    x = wide(z)
    with np.errstate(**_ERR):
        e = np.exp(-np.abs(x))  # σ'(z) = e^-|z| / (1 + e^-|z|)², even, no cancellation
        g = e / np.square(1 + e)
    return back(g, z)


def sigmoid_grad_half_sech_squared(z):
    x = wide(z)
    with np.errstate(**_ERR):
        g = np.square(0.5 / np.cosh(0.5 * x))  # σ'(z) = ¼ sech²(z/2)
    return back(g, z)


# --- activation.tanh -------------------------------------------------------------------

def tanh_via_sigmoid(z):
    return 2 * _stable_sigmoid(2 * z) - 1


def tanh_seed_quotient(z):
    return (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z))


def tanh_masked_saturation(z):
    out = np.ones_like(z)
    out[z < 0] = -1
    small = np.abs(z) < 20
    out[small] = np.tanh(z[small])
    return out


def tanh_pade_fast(z):
    x = np.clip(z, -3, 3)
    return x * (27 + x * x) / (27 + 9 * x * x)


_EXTENDED = np.longdouble if np.finfo(np.longdouble).nmant > np.finfo(np.float64).nmant else np.float64


def tanh_expm1_extended(z):
    z = np.asarray(z)
    x = z.astype(_EXTENDED) if z.dtype == np.float64 else wide(z).astype(np.float64)
    with np.errstate(**_ERR):
        t = np.expm1(-2 * np.abs(x))  # tanh|z| = -expm1(-2|z|) / (2 + expm1(-2|z|))
        r = np.copysign(-t / (2 + t), x)
    return back(r, z)


# --- activation.tanh_grad --------------------------------------------------------------

def tanh_grad_missing_square(z):
    return 1 - np.tanh(z)


def tanh_grad_of_activation(z):
    return 1 - z * z


def tanh_grad_masked_saturation(z):
    out = np.zeros_like(z)
    m = np.abs(z) < 20
    out[m] = 1 - np.tanh(z[m]) ** 2
    return out


def tanh_grad_seed_quotient(z):
    t = (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z))
    return 1 - t * t


def tanh_grad_sech_squared(z):
    x = wide(z)
    with np.errstate(**_ERR):
        g = np.square(1 / np.cosh(x))
    return back(g, z)


def tanh_grad_factored(z):
    t = np.tanh(wide(z))
    return back((1 - t) * (1 + t), z)  # 1 - t² factored: no cancellation near |t| = 1


# --- activation.relu -------------------------------------------------------------------

def relu_half_sum_with_abs(z):
    return (z + np.abs(z)) / 2


def relu_leaky_copy_paste(z):
    return np.maximum(0.01 * z, z)


def relu_where_zero(z):
    return np.where(z > 0, z, 0)


def relu_mask_multiply(z):
    return z * (z > 0)  # a NaN times False is still NaN


def relu_clip_below(z):
    return np.clip(z, 0, None)


# --- activation.relu_grad --------------------------------------------------------------

def relu_grad_one_at_zero(z):
    return np.heaviside(z, 1)


def relu_grad_sign(z):
    return np.sign(z)


def relu_grad_relu6(z):
    return ((z > 0) & (z < 6)).astype(z.dtype)


def relu_grad_bool_mask(z):
    return z > 0


def relu_grad_heaviside(z):
    return np.heaviside(z, 0)


def relu_grad_sign_of_relu(z):
    return np.sign(np.maximum(z, 0))


# --- activation.leaky_relu -------------------------------------------------------------

def leaky_relu_alpha_on_positive(z, alpha=0.01):
    return np.where(z > 0, alpha * z, z)


def leaky_relu_ignores_alpha(z, alpha=0.01):
    return np.where(z > 0, z, 0.01 * z)


def leaky_relu_from_where_relus(z, alpha=0.01):
    def relu(x):
        return np.where(x > 0, x, 0)
    return relu(z) - alpha * relu(-z)


def leaky_relu_positive_and_negative_parts(z, alpha=0.01):
    return np.maximum(z, 0) + alpha * np.minimum(z, 0)


def leaky_relu_seed_max(z, alpha=0.01):
    return np.maximum(alpha * z, z)  # the seed's max(αz, z), right for 0 ≤ α ≤ 1


# --- activation.leaky_relu_grad --------------------------------------------------------

def leaky_relu_grad_zero_for_negatives(z, alpha=0.01):
    return np.heaviside(z, 0)


def leaky_relu_grad_swapped(z, alpha=0.01):
    return np.where(z > 0, alpha, 1).astype(z.dtype)


def leaky_relu_grad_one_at_zero(z, alpha=0.01):
    return np.where(z >= 0, 1, alpha).astype(z.dtype)


def leaky_relu_grad_masked_fill(z, alpha=0.01):
    g = np.full_like(z, alpha)
    g[z > 0] = 1
    return g


# --- activation.softmax ----------------------------------------------------------------

def softmax_no_max_shift(z, axis=-1):
    e = np.exp(z)
    return e / e.sum(axis=axis, keepdims=True)


def softmax_axis_zero(z, axis=-1):
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def softmax_global_max_shift(z, axis=-1):
    e = np.exp(z - z.max())
    return e / e.sum(axis=axis, keepdims=True)


def softmax_sum_without_keepdims(z, axis=-1):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis)


def softmax_squeezed(z, axis=-1):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return np.squeeze(e / e.sum(axis=axis, keepdims=True))


def softmax_nan_safe(z, axis=-1):
    e = np.exp(z - np.nanmax(z, axis=axis, keepdims=True))
    return e / np.nansum(e, axis=axis, keepdims=True)


def softmax_log_softmax_exp(z, axis=-1):
    x = wide(z)
    with np.errstate(**_ERR):
        d = x - x.max(axis=axis, keepdims=True)
        s = np.exp(d - np.log(np.exp(d).sum(axis=axis, keepdims=True)))
    return back(s, z)


def softmax_pairwise_differences(z, axis=-1):
    x = np.moveaxis(wide(z), axis, -1)
    with np.errstate(**_ERR):
        diff = x[..., None, :] - x[..., :, None]  # diff[..., i, j] = z_j - z_i
        s = 1 / np.exp(diff).sum(axis=-1)         # s_i = 1 / Σ_j e^(z_j - z_i)
    return back(np.moveaxis(s, -1, axis), z)


# --- the corpus ------------------------------------------------------------------------

_S, _SG, _T, _TG = "activation.sigmoid", "activation.sigmoid_grad", "activation.tanh", "activation.tanh_grad"
_R, _RG, _L, _LG = "activation.relu", "activation.relu_grad", "activation.leaky_relu", "activation.leaky_relu_grad"
_SM = "activation.softmax"

BUGGY = [
    Variant(_S, "exp_ratio_overflows", sigmoid_exp_ratio,
            "e^z/(1+e^z): e^z overflows to inf for large z (z ≥ 710 in float64) and inf/inf is NaN"),
    Variant(_S, "clip_logits_at_30", sigmoid_clip_logits_at_30,
            "clips z to ±30 'for stability': σ(-40) comes out as σ(-30) = 9.4e-14 instead of 4.2e-18"),
    Variant(_S, "float32_internally", sigmoid_float32_internal,
            "computes in float32 and casts back: float64 results carry only float32 accuracy, and tails underflow early"),
    Variant(_S, "tanh_half_angle", sigmoid_tanh_half_angle,
            "½(1 + tanh(z/2)) cancels for z ≪ 0: returns 0 below z ≈ -38 where σ is ~1e-17"),
    Variant(_S, "masked_assignment_drops_nan", sigmoid_masked_assignment,
            "fills a zeros array through the masks z ≥ 0 and z < 0: a NaN matches neither and comes out 0"),
    Variant(_S, "returns_float32", sigmoid_returns_float32,
            "casts the result to float32: a float64 input gets a narrower dtype back"),
    Variant(_SG, "sigma_one_plus_sigma", sigmoid_grad_one_plus_sigma,
            "σ(1+σ) instead of σ(1-σ): a sign slip, 0.75 at z = 0"),
    Variant(_SG, "missing_one_minus_sigma", sigmoid_grad_missing_factor,
            "forgets the factor (1-σ) and returns σ itself"),
    Variant(_SG, "applied_to_preactivation", sigmoid_grad_of_activation,
            "z(1-z): the formula for an activation a = σ(z), applied to z itself"),
    Variant(_SG, "saturation_cutoff_drops_nan", sigmoid_grad_saturation_cutoff,
            "where(|z| < 40, σ(1-σ), 0): harmless cutoff, but NaN < 40 is False so a NaN input gives 0"),
    Variant(_T, "via_sigmoid_cancels", tanh_via_sigmoid,
            "2σ(2z) - 1 cancels near 0: tanh(1e-9) loses every digit (and is 0 for tiny z)"),
    Variant(_T, "seed_quotient_overflows", tanh_seed_quotient,
            "the seed's (e^z - e^-z)/(e^z + e^-z): inf/inf = NaN for |z| ≥ 710 and cancellation near 0"),
    Variant(_T, "masked_saturation_drops_nan", tanh_masked_saturation,
            "starts from ones, sets -1 where z < 0 and tanh where |z| < 20: a NaN input comes out 1"),
    Variant(_T, "pade_fast_tanh", tanh_pade_fast,
            "the 'fast tanh' rational approximation z(27+z²)/(27+9z²) on [-3, 3]: 2% off at z = 1"),
    Variant(_TG, "missing_square", tanh_grad_missing_square,
            "1 - tanh(z) instead of 1 - tanh²(z): not even, and 2 at z → -∞"),
    Variant(_TG, "applied_to_preactivation", tanh_grad_of_activation,
            "1 - z²: the formula for an activation a = tanh(z), applied to z itself"),
    Variant(_TG, "masked_saturation_drops_nan", tanh_grad_masked_saturation,
            "fills zeros and computes 1 - tanh² where |z| < 20: a NaN input comes out 0"),
    Variant(_TG, "seed_quotient_overflows", tanh_grad_seed_quotient,
            "1 - t² with the seed's quotient for t: NaN for |z| ≥ 710 (inf/inf)"),
    Variant(_R, "half_sum_with_abs_overflows", relu_half_sum_with_abs,
            "(z + |z|)/2: z + |z| overflows to inf at the dtype's max"),
    Variant(_R, "leaky_slope_copy_pasted", relu_leaky_copy_paste,
            "max(0.01z, z), copied from leaky ReLU: negative outputs for z < 0"),
    Variant(_R, "where_drops_nan", relu_where_zero,
            "where(z > 0, z, 0): NaN > 0 is False, so a NaN input comes out 0"),
    Variant(_RG, "one_at_zero", relu_grad_one_at_zero,
            "heaviside(z, 1): ReLU'(0) = 1, not the catalogue's convention 0"),
    Variant(_RG, "sign_of_z", relu_grad_sign,
            "sign(z), the derivative of |z|: -1 for z < 0"),
    Variant(_RG, "relu6_derivative", relu_grad_relu6,
            "ReLU6's derivative sold as ReLU's: 0 for z ≥ 6"),
    Variant(_RG, "returns_bool_mask", relu_grad_bool_mask,
            "returns the mask z > 0 itself: a bool array, not the input's float dtype"),
    Variant(_L, "alpha_on_positive_side", leaky_relu_alpha_on_positive,
            "where(z > 0, αz, z): the slope α on the wrong side"),
    Variant(_L, "ignores_alpha", leaky_relu_ignores_alpha,
            "accepts alpha but hard-codes the slope 0.01"),
    Variant(_L, "where_relus_drop_nan", leaky_relu_from_where_relus,
            "relu(z) - α·relu(-z) with a where-based relu: a NaN input comes out 0"),
    Variant(_LG, "zero_for_negatives", leaky_relu_grad_zero_for_negatives,
            "ReLU's derivative: 0 instead of α for z < 0"),
    Variant(_LG, "branches_swapped", leaky_relu_grad_swapped,
            "where(z > 0, α, 1): the two branches swapped"),
    Variant(_LG, "one_at_zero", leaky_relu_grad_one_at_zero,
            "where(z ≥ 0, 1, α): 1 at z = 0, where the convention is α"),
    Variant(_SM, "no_max_shift", softmax_no_max_shift,
            "e^z / Σe^z without subtracting the max: inf/inf = NaN for logits ≥ 710 (≥ 89 in float32)"),
    Variant(_SM, "normalises_axis_0", softmax_axis_zero,
            "ignores axis and normalises over axis 0"),
    Variant(_SM, "global_max_shift", softmax_global_max_shift,
            "subtracts the max of the whole array, not of each slice: a slice far below it underflows to 0/0"),
    Variant(_SM, "sum_without_keepdims", softmax_sum_without_keepdims,
            "divides by e.sum(axis) without keepdims: raises, or broadcasts against the wrong axis"),
    Variant(_SM, "squeezed_output", softmax_squeezed,
            "squeezes the result: length-1 axes disappear, the shape is wrong"),
    Variant(_SM, "nansum_drops_nan", softmax_nan_safe,
            "nanmax/nansum 'to be safe': a NaN logit no longer makes its slice NaN"),
    Variant(_SM, "pairwise_differences", softmax_pairwise_differences,
            "s_i = 1/Σ_j e^(z_j - z_i): right for finite logits, but two masked (-inf) logits "
            "give -inf - (-inf) = NaN where the probability is 0"),
]

CORRECT = [
    Variant(_S, "exp_of_minus_abs", sigmoid_exp_of_minus_abs,
            "e = e^-|z| never overflows; 1/(1+e) for z ≥ 0 and e/(1+e) for z < 0 keep the tails relative"),
    Variant(_S, "exp_of_minus_softplus", sigmoid_logaddexp,
            "σ(z) = exp(-logaddexp(0, -z)); the error grows like |z|·u, as the condition number allows"),
    Variant(_SG, "exp_ratio", sigmoid_grad_exp_ratio,
            "σ' = e^-|z|/(1+e^-|z|)²: even by construction and accurate in the tails"),
    Variant(_SG, "quarter_sech_squared", sigmoid_grad_half_sech_squared,
            "σ'(z) = (½ sech(z/2))²; cosh overflows only where σ' is below the smallest normal"),
    Variant(_T, "expm1_extended_precision", tanh_expm1_extended,
            "tanh|z| = -expm1(-2|z|)/(2+expm1(-2|z|)) with the sign restored, in extended precision, rounded once"),
    Variant(_TG, "sech_squared", tanh_grad_sech_squared,
            "(1/cosh z)², the oracle's own form; cosh overflows only where sech² underflows"),
    Variant(_TG, "factored_one_minus_t_squared", tanh_grad_factored,
            "(1-t)(1+t) instead of 1 - t²: the same number, with no cancellation as |t| → 1"),
    Variant(_R, "mask_multiply", relu_mask_multiply,
            "z·(z > 0): exact, and NaN·False is NaN"),
    Variant(_R, "clip_below_zero", relu_clip_below,
            "clip(z, 0, None) is max(0, z) and propagates NaN"),
    Variant(_RG, "heaviside_zero_at_zero", relu_grad_heaviside,
            "heaviside(z, 0): the step with the catalogue's value 0 at z = 0"),
    Variant(_RG, "sign_of_relu", relu_grad_sign_of_relu,
            "sign(max(z, 0)) is 1 for z > 0 and 0 otherwise"),
    Variant(_L, "positive_plus_alpha_negative_part", leaky_relu_positive_and_negative_parts,
            "max(z, 0) + α·min(z, 0): adds an exact 0 to one of the two parts"),
    Variant(_L, "seed_max_form", leaky_relu_seed_max,
            "the seed's max(αz, z), which is the leaky ReLU for 0 ≤ α ≤ 1"),
    Variant(_LG, "masked_fill", leaky_relu_grad_masked_fill,
            "fills α and sets 1 where z > 0: α at z = 0, as the convention says"),
    Variant(_SM, "log_softmax_exp", softmax_log_softmax_exp,
            "exp(z - m - log Σ e^(z-m)): log-softmax, exponentiated"),
]

# The activations beyond the seed (GELU, SiLU, softplus, ELU, log-softmax, logsumexp).
from .activations_beyond import BUGGY as _BEYOND_BUGGY, CORRECT as _BEYOND_CORRECT  # noqa: E402

BUGGY += _BEYOND_BUGGY
CORRECT += _BEYOND_CORRECT
