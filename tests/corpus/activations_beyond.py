"""The activations beyond the seed (GELU, its tanh approximation, SiLU, softplus, ELU,
log-softmax, logsumexp): buggy variants that must be caught, correct ones that must pass.
Collected by ``activations.py``, the section's module."""
from __future__ import annotations

import math

import numpy as np

from . import Variant, back, wide

_ERR = dict(all="ignore")
_erf = np.frompyfunc(math.erf, 1, 1)
_erfc = np.frompyfunc(math.erfc, 1, 1)
_C = math.sqrt(2 / math.pi)


def _f64(f, x):
    """A float64 ufunc from a math function, element by element."""
    return f(np.asarray(x, np.float64)).astype(np.float64)


def _sigmoid(x):
    with np.errstate(**_ERR):
        e = np.exp(-np.abs(x))
        return np.where(x >= 0, 1, e) / (1 + e)


# --- activation.gelu ---------------------------------------------------------------------

def gelu_one_plus_erf(z):
    x = np.asarray(z, np.float64)
    return back(x / 2 * (1 + _f64(_erf, x / math.sqrt(2))), z)


def gelu_missing_half(z):
    x = np.asarray(z, np.float64)
    return back(x * _f64(_erfc, -x / math.sqrt(2)), z)


def gelu_quick_sigmoid(z):
    x = wide(z)
    return back(x * _sigmoid(1.702 * x), z)


def gelu_erfc(z):
    x = np.asarray(z, np.float64)
    return back(x / 2 * _f64(_erfc, -x / math.sqrt(2)), z)


def gelu_piecewise_erf_erfc(z):
    x = np.asarray(z, np.float64)
    phi = np.where(x >= 0, (1 + _f64(_erf, x / math.sqrt(2))) / 2,
                   _f64(_erfc, -x / math.sqrt(2)) / 2)  # 1 + erf only where it is ≥ 1
    return back(x * phi, z)


def gelu_tail_cutoff_drops_nan(z):
    x = np.asarray(z, np.float64)
    return back(np.where(x > -10, x / 2 * _f64(_erfc, -x / math.sqrt(2)), 0.0), z)


# --- activation.gelu_tanh ----------------------------------------------------------------

def _gelu_tanh(z, c=_C, k=0.044715, half=0.5):
    x = wide(z)
    with np.errstate(**_ERR):
        return back(half * x * (1 + np.tanh(c * (x + k * x ** 3))), z)


def gelu_tanh_constant_0447(z):
    return _gelu_tanh(z, k=0.0447)


def gelu_tanh_sqrt_pi_over_2(z):
    return _gelu_tanh(z, c=math.sqrt(math.pi / 2))


def gelu_tanh_missing_half(z):
    return _gelu_tanh(z, half=1.0)


def gelu_tanh_saturation_drops_nan(z):
    x = wide(z)
    inside = np.abs(x) < 10  # NaN < 10 is False, and NaN > 0 too: a NaN input comes out 0
    with np.errstate(**_ERR):
        y = 0.5 * x * (1 + np.tanh(_C * (x + 0.044715 * x ** 3)))
    return back(np.where(inside, y, np.where(x > 0, x, 0.0)), z)


def gelu_tanh_textbook(z):
    return _gelu_tanh(z)


def gelu_tanh_sigmoid_form(z):
    x = wide(z)
    with np.errstate(**_ERR):
        w = _C * (x + 0.044715 * x ** 3)
    return back(x * _sigmoid(2 * w), z)  # ½(1 + tanh w) = σ(2w)


# --- activation.silu ---------------------------------------------------------------------

def silu_sigma_of_minus_z(z):
    x = wide(z)
    return back(x * _sigmoid(-x), z)


def silu_sigmoid_alone(z):
    return back(_sigmoid(wide(z)), z)


def silu_exp_ratio(z):
    with np.errstate(**_ERR):
        return z * np.exp(z) / (1 + np.exp(z))


def silu_masked_assignment(z):
    x = wide(z)
    out = np.zeros_like(x)
    pos, neg = x >= 0, x < 0
    with np.errstate(**_ERR):
        out[pos] = x[pos] / (1 + np.exp(-x[pos]))
        out[neg] = x[neg] * np.exp(x[neg]) / (1 + np.exp(x[neg]))
    return back(out, z)


def silu_quotient(z):
    x = wide(z)
    with np.errstate(**_ERR):
        return back(x / (1 + np.exp(-x)), z)


# --- activation.softplus -----------------------------------------------------------------

def softplus_log_one_plus_exp(z, beta=1.0):
    with np.errstate(**_ERR):
        return (np.log(1 + np.exp(beta * z)) / beta).astype(np.asarray(z).dtype)


def softplus_ignores_beta(z, beta=1.0):
    x = wide(z)
    with np.errstate(**_ERR):
        return back(np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x))), z)


def softplus_missing_relu_part(z, beta=1.0):
    x = wide(z)
    with np.errstate(**_ERR):
        return back(np.log1p(np.exp(-beta * np.abs(x))) / beta, z)


def softplus_masked_assignment(z, beta=1.0):
    x = wide(z)
    out = np.zeros_like(x)
    pos, rest = x > 0, x <= 0  # a NaN is in neither
    with np.errstate(**_ERR):
        out[pos] = x[pos] + np.log1p(np.exp(-beta * x[pos])) / beta
        out[rest] = np.log1p(np.exp(beta * x[rest])) / beta
    return back(out, z)


def softplus_logaddexp(z, beta=1.0):
    x = wide(z)
    with np.errstate(**_ERR):  # log(1 + e^{βz})/β = z + log(1 + e^{-βz})/β: exp of βz ≤ 0 only
        out = np.where(x > 0, x + np.logaddexp(0, -beta * x) / beta, np.logaddexp(0, beta * x) / beta)
    return back(out, z)


# --- activation.elu ----------------------------------------------------------------------

def elu_exp_minus_one(z, alpha=1.0):
    with np.errstate(**_ERR):
        return np.where(z > 0, z, alpha * (np.exp(z) - 1)).astype(np.asarray(z).dtype)


def elu_alpha_on_positive(z, alpha=1.0):
    x = wide(z)
    return back(np.where(x > 0, alpha * x, alpha * np.expm1(np.minimum(x, 0))), z)


def elu_selu_scale_left_in(z, alpha=1.0):
    x = wide(z)
    return back(1.0507009873554805 * np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0))), z)


def elu_ignores_alpha(z, alpha=1.0):
    x = wide(z)
    return back(np.where(x > 0, x, np.expm1(np.minimum(x, 0))), z)


def elu_masked_assignment(z, alpha=1.0):
    x = wide(z)
    out = np.zeros_like(x)
    out[x > 0] = x[x > 0]
    out[x <= 0] = alpha * np.expm1(x[x <= 0])
    return back(out, z)


def elu_half_angle(z, alpha=1.0):
    x = wide(z)
    with np.errstate(**_ERR):
        n = np.minimum(x, 0)
        em1 = np.tanh(n / 2) * (np.exp(n) + 1)  # e^z - 1 = tanh(z/2)(e^z + 1): no cancellation
    return back(np.where(x > 0, x, alpha * em1), z)


# --- activation.log_softmax --------------------------------------------------------------

def _shifted(x, axis):
    with np.errstate(**_ERR):
        d = x - x.max(axis=axis, keepdims=True)
        return d, np.log(np.exp(d).sum(axis=axis, keepdims=True))


def log_softmax_log_of_softmax(z, axis=-1):
    with np.errstate(**_ERR):
        e = np.exp(z - z.max(axis=axis, keepdims=True))
        return np.log(e / e.sum(axis=axis, keepdims=True))


def log_softmax_no_max_shift(z, axis=-1):
    with np.errstate(**_ERR):
        return z - np.log(np.exp(z).sum(axis=axis, keepdims=True))


def log_softmax_axis_zero(z, axis=-1):
    d, lse = _shifted(wide(z), 0)
    return back(d - lse, z)


def log_softmax_unshifted_z(z, axis=-1):
    x = wide(z)
    _, lse = _shifted(x, axis)
    return back(x - lse, z)  # z - log Σ e^{z - m}: the max left out of z's side


def log_softmax_z_minus_logaddexp(z, axis=-1):
    x = wide(z)
    with np.errstate(**_ERR):
        lse = np.logaddexp.reduce(x, axis=axis, keepdims=True)
        return back(x - lse, z)


# --- activation.logsumexp ----------------------------------------------------------------

def logsumexp_no_max_shift(z, axis=-1):
    with np.errstate(**_ERR):
        return np.log(np.exp(z).sum(axis=axis))


def logsumexp_keepdims(z, axis=-1):
    d, lse = _shifted(wide(z), axis)
    return back(wide(z).max(axis=axis, keepdims=True) + lse, z)


def logsumexp_forgets_the_max(z, axis=-1):
    _, lse = _shifted(wide(z), axis)
    return back(np.squeeze(lse, axis=axis), z)


def logsumexp_axis_zero(z, axis=-1):
    x = wide(z)
    _, lse = _shifted(x, 0)
    return back(np.squeeze(x.max(axis=0, keepdims=True) + lse, axis=0), z)


def logsumexp_logaddexp_reduce(z, axis=-1):
    with np.errstate(**_ERR):
        return back(np.logaddexp.reduce(wide(z), axis=axis), z)


def _online(x, axis):
    """One pass over each slice with a running max m and sum s (online softmax): s·e^{m - m'}
    + e^{z - m'}. While every logit seen is -inf, m = m' = -inf and e^{-inf - (-inf)} is NaN."""
    x = np.moveaxis(x, axis, -1)
    m = np.full(x.shape[:-1], -np.inf)
    s = np.zeros(x.shape[:-1])
    with np.errstate(**_ERR):
        for i in range(x.shape[-1]):
            m_new = np.maximum(m, x[..., i])
            s = s * np.exp(m - m_new) + np.exp(x[..., i] - m_new)
            m = m_new
    return m, s


def logsumexp_online(z, axis=-1):
    m, s = _online(np.asarray(z, np.float64), axis)
    with np.errstate(**_ERR):
        return back(m + np.log(s), z)


def log_softmax_online(z, axis=-1):
    x = np.asarray(z, np.float64)
    m, s = _online(x, axis)
    with np.errstate(**_ERR):
        return back(x - np.expand_dims(m + np.log(s), axis), z)


# --- the corpus ---------------------------------------------------------------------------

_G, _GT, _SI, _SP = "activation.gelu", "activation.gelu_tanh", "activation.silu", "activation.softplus"
_E, _LS, _LSE = "activation.elu", "activation.log_softmax", "activation.logsumexp"

BUGGY = [
    Variant(_G, "one_plus_erf_cancels", gelu_one_plus_erf,
            "z/2·(1 + erf(z/√2)) in float64: 1 + erf cancels for z ≲ -5 and is 0 below -8.3, "
            "where GELU is -7.6e-23 at z = -10"),
    Variant(_G, "missing_half", gelu_missing_half, "z·erfc(-z/√2): the ½ of Φ forgotten"),
    Variant(_G, "quick_gelu_sigmoid", gelu_quick_sigmoid,
            "z·σ(1.702z), CLIP's QuickGELU, sold as GELU: 0.02 off"),
    Variant(_G, "tail_cutoff_drops_nan", gelu_tail_cutoff_drops_nan,
            "where(z > -10, GELU, 0): NaN > -10 is False, so a NaN input comes out 0"),
    Variant(_GT, "saturation_drops_nan", gelu_tanh_saturation_drops_nan,
            "the formula where |z| < 10, else z or 0: a NaN input comes out 0"),
    Variant(_GT, "constant_0447", gelu_tanh_constant_0447, "0.0447 for 0.044715 in the cubic"),
    Variant(_GT, "sqrt_pi_over_2", gelu_tanh_sqrt_pi_over_2, "√(π/2) for √(2/π)"),
    Variant(_GT, "missing_half", gelu_tanh_missing_half, "z·(1 + tanh w): the ½ forgotten"),
    Variant(_SI, "sigma_of_minus_z", silu_sigma_of_minus_z, "z·σ(-z): the sign slipped"),
    Variant(_SI, "sigmoid_alone", silu_sigmoid_alone, "σ(z): the factor z forgotten"),
    Variant(_SI, "exp_ratio_overflows", silu_exp_ratio,
            "z·e^z/(1 + e^z): inf/inf = NaN for z ≥ 710 (≥ 89 in float32)"),
    Variant(_SI, "masked_assignment_drops_nan", silu_masked_assignment,
            "fills zeros through the masks z ≥ 0 and z < 0: a NaN matches neither and comes out 0"),
    Variant(_SP, "masked_assignment_drops_nan", softplus_masked_assignment,
            "fills zeros through the masks z > 0 and z ≤ 0: a NaN comes out 0"),
    Variant(_SP, "log_one_plus_exp", softplus_log_one_plus_exp,
            "log(1 + e^{βz})/β: e^{βz} overflows to inf (z ≥ 710 in float64), and 1 + e^{βz} "
            "rounds to 1 for βz ≲ -37, where softplus is e^{βz}/β"),
    Variant(_SP, "ignores_beta", softplus_ignores_beta, "accepts beta but computes β = 1"),
    Variant(_SP, "missing_relu_part", softplus_missing_relu_part,
            "log1p(e^{-β|z|})/β, the stable form without its max(z, 0)"),
    Variant(_E, "exp_minus_one_cancels", elu_exp_minus_one,
            "α(e^z - 1): cancels near 0 (0 for |z| < 1e-16, where ELU is αz)"),
    Variant(_E, "alpha_on_positive_side", elu_alpha_on_positive, "αz for z > 0 too"),
    Variant(_E, "selu_scale_left_in", elu_selu_scale_left_in,
            "SELU's λ = 1.0507 left in: λα below -α"),
    Variant(_E, "ignores_alpha", elu_ignores_alpha, "accepts alpha but computes α = 1"),
    Variant(_E, "masked_assignment_drops_nan", elu_masked_assignment,
            "fills zeros through the masks z > 0 and z ≤ 0: a NaN comes out 0"),
    Variant(_LS, "log_of_softmax", log_softmax_log_of_softmax,
            "log(softmax(z)): -inf where the softmax underflows and log-softmax is finite"),
    Variant(_LS, "no_max_shift", log_softmax_no_max_shift,
            "z - log Σ e^z: e^z overflows for logits ≥ 710 (≥ 89 in float32)"),
    Variant(_LS, "normalises_axis_0", log_softmax_axis_zero, "ignores axis and normalises over axis 0"),
    Variant(_LS, "max_left_out_of_z", log_softmax_unshifted_z,
            "z - log Σ e^{z - m}: the max subtracted inside the sum only (off by m)"),
    Variant(_LSE, "no_max_shift", logsumexp_no_max_shift,
            "log Σ e^z: inf for logits ≥ 710, -inf where every e^z underflows"),
    Variant(_LSE, "keepdims_shape", logsumexp_keepdims, "keeps the reduced axis (keepdims=True)"),
    Variant(_LSE, "forgets_the_max", logsumexp_forgets_the_max,
            "log Σ e^{z - m} without adding m back"),
    Variant(_LSE, "reduces_axis_0", logsumexp_axis_zero, "ignores axis and reduces axis 0"),
    Variant(_LSE, "online_masked_prefix", logsumexp_online,
            "online (running-max) logsumexp: NaN where a slice starts with masked (-inf) logits"),
    Variant(_LS, "online_masked_prefix", log_softmax_online,
            "online (running-max) log-softmax: NaN where a slice starts with masked (-inf) logits"),
]

CORRECT = [
    Variant(_G, "erfc_per_element", gelu_erfc, "z/2·erfc(-z/√2) with the C library's erfc, in float64"),
    Variant(_G, "piecewise_erf_erfc", gelu_piecewise_erf_erfc,
            "Φ as (1 + erf(z/√2))/2 for z ≥ 0, where nothing cancels, and erfc(-z/√2)/2 below"),
    Variant(_GT, "textbook_tanh_form", gelu_tanh_textbook,
            "½z(1 + tanh w) as published, in a wider dtype: its far tail's loss is the formula's own"),
    Variant(_GT, "sigmoid_form", gelu_tanh_sigmoid_form, "z·σ(2w), since ½(1 + tanh w) = σ(2w)"),
    Variant(_SI, "quotient_in_wider_dtype", silu_quotient,
            "z/(1 + e^-z) in a wider dtype: e^-z = inf only where silu rounds to -0"),
    Variant(_SP, "logaddexp", softplus_logaddexp,
            "np.logaddexp(0, βz)/β for z ≤ 0, z + np.logaddexp(0, -βz)/β above: βz never overflows"),
    Variant(_E, "half_angle_expm1", elu_half_angle,
            "e^z - 1 written as tanh(z/2)(e^z + 1), which does not cancel near 0"),
    Variant(_LS, "z_minus_logaddexp_reduce", log_softmax_z_minus_logaddexp,
            "z - logaddexp.reduce(z): no exp of a large logit anywhere"),
    Variant(_LSE, "logaddexp_reduce", logsumexp_logaddexp_reduce,
            "np.logaddexp.reduce along the axis: pairwise, each step stable"),
]
