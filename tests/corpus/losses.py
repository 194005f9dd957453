"""Loss functions: buggy variants that must be caught, correct ones that must pass.

Canonical signatures: ``mse(y_true, y_pred)``, ``mae``, ``huber(y_true, y_pred, delta=1.0)``,
``binary_cross_entropy(y_true, p)``, ``categorical_cross_entropy(y_onehot, p)`` (the mean
over samples of the per-sample sum over classes) and ``focal(y_true, p, alpha=0.25,
gamma=2.0)`` (p_t = p if y = 1 else 1-p, α_t = α if y = 1 else 1-α). Every loss is a mean
over all elements unless it says otherwise.
"""
from __future__ import annotations

import numpy as np

from . import Variant, back, wide

_ERR = dict(all="ignore")


def _xlogy(x, y):
    """x·log(y), 0 where x = 0 (0·log 0 = 0), NaN if either is NaN."""
    with np.errstate(**_ERR):
        return np.where(x == 0, 0 * y, x * np.log(y))


def _xlog1py(x, y):
    """x·log(1 + y), 0 where x = 0, NaN if either is NaN."""
    with np.errstate(**_ERR):
        return np.where(x == 0, 0 * y, x * np.log1p(y))


# --- loss.mse --------------------------------------------------------------------------

def mse_sum(y_true, y_pred):
    return np.sum((y_true - y_pred) ** 2)


def mse_rmse(y_true, y_pred):
    return np.sqrt(np.mean((y_true - y_pred) ** 2))


def mse_rmse_with_eps(y_true, y_pred):
    return np.sqrt(np.mean((y_true - y_pred) ** 2) + 1e-8)


def mse_n_minus_1(y_true, y_pred):
    d = y_true - y_pred
    return np.sum(d ** 2) / (d.size - 1)


def mse_unsquared(y_true, y_pred):
    return np.mean(y_true - y_pred)


def mse_expanded_square(y_true, y_pred):
    return np.mean(y_true * y_true) - 2 * np.mean(y_true * y_pred) + np.mean(y_pred * y_pred)


def mse_float32_for_logging(y_true, y_pred):
    return np.float32(np.mean((y_true - y_pred) ** 2))


def mse_nanmean(y_true, y_pred):
    return np.nanmean((y_true - y_pred) ** 2)


def mse_float64_accumulation(y_true, y_pred):
    d = np.subtract(y_true, y_pred, dtype=np.float64)
    return back(np.mean(np.square(d)), y_true)


def mse_dot_product(y_true, y_pred):
    d = (wide(y_true) - wide(y_pred)).ravel()
    return back(d @ d / d.size, y_true)


# --- loss.mae --------------------------------------------------------------------------

def mae_missing_abs(y_true, y_pred):
    return np.mean(y_true - y_pred)


def mae_sum_of_row_means(y_true, y_pred):
    return np.sum(np.mean(np.abs(y_true - y_pred), axis=-1))


def mae_charbonnier(y_true, y_pred):
    return np.mean(np.sqrt((y_true - y_pred) ** 2 + 1e-12))


def mae_median(y_true, y_pred):
    return np.median(np.abs(y_true - y_pred))


def mae_nanmean(y_true, y_pred):
    return np.nanmean(np.abs(y_true - y_pred))


def mae_max_of_both_differences(y_true, y_pred):
    y, p = wide(y_true), wide(y_pred)
    return back(np.mean(np.maximum(y - p, p - y)), y_true)


def mae_l1_norm(y_true, y_pred):
    d = (wide(y_true) - wide(y_pred)).ravel()
    return back(np.linalg.norm(d, 1) / d.size, y_true)


# --- loss.huber ------------------------------------------------------------------------

def huber_smooth_l1(y_true, y_pred, delta=1.0):
    a = np.abs(y_true - y_pred)
    return np.mean(np.where(a < delta, 0.5 * a * a / delta, a - 0.5 * delta))


def huber_missing_half(y_true, y_pred, delta=1.0):
    a = np.abs(y_true - y_pred)
    return np.mean(np.where(a <= delta, a * a, delta * (a - 0.5 * delta)))


def huber_branches_swapped(y_true, y_pred, delta=1.0):
    a = np.abs(y_true - y_pred)
    return np.mean(np.where(a > delta, 0.5 * a * a, delta * (a - 0.5 * delta)))


def huber_linear_branch_without_abs(y_true, y_pred, delta=1.0):
    r = y_true - y_pred
    return np.mean(np.where(np.abs(r) <= delta, 0.5 * r * r, delta * r - 0.5 * delta ** 2))


def huber_linear_branch_missing_offset(y_true, y_pred, delta=1.0):
    a = np.abs(y_true - y_pred)
    return np.mean(np.where(a <= delta, 0.5 * a * a, delta * a))


def huber_sum(y_true, y_pred, delta=1.0):
    a = np.abs(y_true - y_pred)
    return np.sum(np.where(a <= delta, 0.5 * a * a, delta * (a - 0.5 * delta)))


def huber_where_parts(y_true, y_pred, delta=1.0):
    a = np.abs(y_true - y_pred)
    quadratic = np.where(a <= delta, 0.5 * a * a, 0)
    linear = np.where(a > delta, delta * (a - 0.5 * delta), 0)
    return np.mean(quadratic + linear)


def huber_clipped_residual(y_true, y_pred, delta=1.0):
    a = np.abs(wide(y_true) - wide(y_pred))
    q = np.minimum(a, delta)  # ½q² + δ(|r| - q): q = |r| inside δ, q = δ outside
    return back(np.mean(0.5 * q * q + delta * (a - q)), y_true)


def huber_smooth_l1_times_delta(y_true, y_pred, delta=1.0):
    a = np.abs(wide(y_true) - wide(y_pred))
    with np.errstate(**_ERR):  # ½a²/δ may overflow on the branch that is not taken
        smooth_l1 = np.where(a < delta, 0.5 * a * a / delta, a - 0.5 * delta)  # torch, beta=δ
    return back(np.mean(delta * smooth_l1), y_true)


# --- loss.binary_cross_entropy ---------------------------------------------------------

def bce_keras_clip(y_true, p):
    p = np.clip(p, 1e-7, 1 - 1e-7)
    return -np.mean(y_true * np.log(p) + (1 - y_true) * np.log(1 - p))


def bce_swapped_arguments(y_true, p):
    y_true, p = p, y_true
    return -np.mean(y_true * np.log(p) + (1 - y_true) * np.log(1 - p))


def bce_naive(y_true, p):
    return -np.mean(y_true * np.log(p) + (1 - y_true) * np.log(1 - p))


def bce_log_one_minus_p(y_true, p):
    return -np.mean(_xlogy(y_true, p) + _xlogy(1 - y_true, 1 - p))


def bce_where_on_label(y_true, p):
    return np.mean(np.where(y_true == 1, -np.log(p), -np.log1p(-p)))


def bce_missing_minus(y_true, p):
    return np.mean(_xlogy(y_true, p) + _xlog1py(1 - y_true, -p))


def bce_sum(y_true, p):
    return -np.sum(_xlogy(y_true, p) + _xlog1py(1 - y_true, -p))


def bce_xlogy(y_true, p):
    y, q = wide(y_true), wide(p)
    return back(-np.mean(_xlogy(y, q) + _xlog1py(1 - y, -q)), y_true)


def bce_log_of_the_label_probability(y_true, p):
    y, q = wide(y_true), wide(p)
    with np.errstate(**_ERR):
        nll = np.where(y == 1, -np.log(q), -np.log1p(-q)) + 0 * y  # 0·y carries a NaN label
    return back(np.mean(nll), y_true)


# --- loss.categorical_cross_entropy ----------------------------------------------------

def cce_mean_over_elements(y_onehot, p):
    return -np.mean(_xlogy(y_onehot, p))


def cce_sum_over_samples(y_onehot, p):
    return -np.sum(_xlogy(y_onehot, p))


def cce_keras_clip(y_onehot, p):
    p = np.clip(p, 1e-7, 1 - 1e-7)
    return np.mean(-np.sum(y_onehot * np.log(p), axis=-1))


def cce_eps_inside_log(y_onehot, p):
    return np.mean(-np.sum(y_onehot * np.log(p + 1e-9), axis=-1))


def cce_naive(y_onehot, p):
    return np.mean(-np.sum(y_onehot * np.log(p), axis=-1))


def cce_argmax_gather(y_onehot, p):
    labels = np.argmax(y_onehot, axis=-1)
    return -np.mean(np.log(p[np.arange(len(labels)), labels]))


def cce_missing_minus(y_onehot, p):
    return np.mean(np.sum(_xlogy(y_onehot, p), axis=-1))


def cce_xlogy_row_sums(y_onehot, p):
    y, q = wide(y_onehot), wide(p)
    return back(np.mean(-np.sum(_xlogy(y, q), axis=-1)), y_onehot)


def cce_log_of_true_class_probability(y_onehot, p):
    y, q = wide(y_onehot), wide(p)
    with np.errstate(**_ERR):
        nll = -np.log(np.sum(y * q, axis=-1))  # one-hot: Σ y·p is p of the true class, exactly
    return back(np.mean(nll), y_onehot)


# --- loss.focal ------------------------------------------------------------------------

def _focal_pt(y, p):
    return np.where(y == 1, p, 1 - p)


def focal_alpha_on_both_classes(y_true, p, alpha=0.25, gamma=2.0):
    pt = _focal_pt(y_true, p)
    return np.mean(-alpha * (1 - pt) ** gamma * np.log(pt))


def focal_alpha_t_swapped(y_true, p, alpha=0.25, gamma=2.0):
    pt = _focal_pt(y_true, p)
    at = np.where(y_true == 1, 1 - alpha, alpha)
    return np.mean(-at * (1 - pt) ** gamma * np.log(pt))


def focal_gamma_ignored(y_true, p, alpha=0.25, gamma=2.0):
    y, q = wide(y_true), wide(p)
    at = np.where(y == 1, alpha, 1 - alpha)
    nll = -(_xlogy(y, q) + _xlog1py(1 - y, -q))
    return back(np.mean(at * nll), y_true)


def focal_log_one_minus_p(y_true, p, alpha=0.25, gamma=2.0):
    pt = y_true * p + (1 - y_true) * (1 - p)
    at = y_true * alpha + (1 - y_true) * (1 - alpha)
    return np.mean(-at * (1 - pt) ** gamma * np.log(pt))


def focal_where_on_label(y_true, p, alpha=0.25, gamma=2.0):
    y, q = wide(y_true), wide(p)
    with np.errstate(**_ERR):
        pos = y == 1
        t = np.where(pos, alpha * (1 - q) ** gamma * -np.log(q),
                     (1 - alpha) * q ** gamma * -np.log1p(-q))
    return back(np.mean(t), y_true)


def focal_missing_minus(y_true, p, alpha=0.25, gamma=2.0):
    return -focal_log1p(y_true, p, alpha, gamma)


def focal_sum(y_true, p, alpha=0.25, gamma=2.0):
    return focal_log1p(y_true, p, alpha, gamma) * np.asarray(y_true.size, y_true.dtype)


def focal_keras_clip(y_true, p, alpha=0.25, gamma=2.0):
    pt = np.clip(_focal_pt(y_true, p), 1e-7, 1 - 1e-7)
    at = np.where(y_true == 1, alpha, 1 - alpha)
    return np.mean(-at * (1 - pt) ** gamma * np.log(pt))


def focal_normalised_by_positives(y_true, p, alpha=0.25, gamma=2.0):
    total = focal_log1p(y_true, p, alpha, gamma) * y_true.size
    return total / max(1.0, float(np.sum(y_true == 1)))


def focal_log1p(y_true, p, alpha=0.25, gamma=2.0):
    y, q = wide(y_true), wide(p)
    with np.errstate(**_ERR):
        pos = y == 1
        at = np.where(pos, alpha, 1.0 - alpha)
        modulating = np.where(pos, 1 - q, q) ** gamma   # (1 - p_t)^γ; 1 - p_t is p when y = 0
        nll = np.where(pos, -np.log(q), -np.log1p(-q))  # -log p_t, log1p(-p) when y = 0
        t = at * modulating * nll + 0 * y               # 0·y carries a NaN label through
    return back(np.mean(t), y_true)


# --- the corpus ------------------------------------------------------------------------

_MSE, _MAE, _HUB = "loss.mse", "loss.mae", "loss.huber"
_BCE, _CCE, _FOC = "loss.binary_cross_entropy", "loss.categorical_cross_entropy", "loss.focal"

BUGGY = [
    Variant(_MSE, "sum_not_mean", mse_sum, "sums the squared errors instead of averaging them"),
    Variant(_MSE, "rmse_sold_as_mse", mse_rmse, "the square root of the MSE (RMSE)"),
    Variant(_MSE, "rmse_with_eps", mse_rmse_with_eps,
            "sqrt(mse + 1e-8), the 'safe' RMSE: not the MSE, and 1e-4 at a perfect prediction"),
    Variant(_MSE, "divides_by_n_minus_1", mse_n_minus_1,
            "divides the sum by n - 1 (the unbiased-variance habit): off by one, inf/NaN for one element"),
    Variant(_MSE, "forgot_the_square", mse_unsquared, "mean(y - ŷ): the mean error, signed"),
    Variant(_MSE, "expanded_square", mse_expanded_square,
            "mean(y²) - 2mean(yŷ) + mean(ŷ²): cancels catastrophically when ŷ ≈ y"),
    Variant(_MSE, "float32_for_logging", mse_float32_for_logging,
            "wraps the result in np.float32: a float64 input gets a narrower dtype back"),
    Variant(_MSE, "nanmean_drops_nan", mse_nanmean, "nanmean skips NaN errors instead of returning NaN"),
    Variant(_MAE, "forgot_the_abs", mae_missing_abs, "mean(y - ŷ): positive and negative errors cancel"),
    Variant(_MAE, "sum_of_row_means", mae_sum_of_row_means,
            "averages over the last axis and sums over the batch: grows with the batch size"),
    Variant(_MAE, "charbonnier_sold_as_mae", mae_charbonnier,
            "mean sqrt(r² + 1e-12), the smooth L1 of optical flow: 1e-6 at a perfect prediction"),
    Variant(_MAE, "median_absolute_error", mae_median, "the median of |y - ŷ| instead of its mean"),
    Variant(_MAE, "nanmean_drops_nan", mae_nanmean, "nanmean skips NaN errors instead of returning NaN"),
    Variant(_HUB, "smooth_l1_sold_as_huber", huber_smooth_l1,
            "torch's smooth_l1_loss(beta=δ), which is huber/δ: wrong for every δ ≠ 1"),
    Variant(_HUB, "missing_half", huber_missing_half,
            "r² instead of ½r² on the quadratic branch (and a jump at |r| = δ)"),
    Variant(_HUB, "branches_swapped", huber_branches_swapped,
            "the condition written |r| > δ for the quadratic branch: -½δ² at r = 0"),
    Variant(_HUB, "linear_branch_without_abs", huber_linear_branch_without_abs,
            "δr - ½δ² instead of δ|r| - ½δ²: negative, and asymmetric, for r < -δ"),
    Variant(_HUB, "linear_branch_missing_offset", huber_linear_branch_missing_offset,
            "δ|r| without the -½δ²: discontinuous at |r| = δ"),
    Variant(_HUB, "sum_not_mean", huber_sum, "sums the per-element losses instead of averaging them"),
    Variant(_HUB, "where_parts_drop_nan", huber_where_parts,
            "adds two where-masked parts: NaN fails both masks, so a NaN residual contributes 0"),
    Variant(_BCE, "keras_epsilon_clip", bce_keras_clip,
            "clips p to [1e-7, 1-1e-7] (Keras): -log p is capped at 16.1 (690.8 at p = 1e-300)"),
    Variant(_BCE, "swapped_arguments", bce_swapped_arguments,
            "called as bce(p, y): logs of the 0/1 labels, inf or NaN"),
    Variant(_BCE, "zero_log_zero_is_nan", bce_naive,
            "y·log p + (1-y)·log(1-p) as written: 0·log 0 = 0·(-inf) = NaN at p ∈ {0, 1}"),
    Variant(_BCE, "where_on_label_drops_nan", bce_where_on_label,
            "where(y == 1, -log p, -log1p(-p)): a NaN label takes the y = 0 branch and is lost"),
    Variant(_BCE, "missing_minus_sign", bce_missing_minus,
            "y log p + (1-y) log(1-p) without the leading minus: the negated loss"),
    Variant(_BCE, "sum_not_mean", bce_sum, "reduction='sum': grows with the batch size"),
    Variant(_CCE, "mean_over_all_elements", cce_mean_over_elements,
            "averages over samples and classes: the per-sample sum divided by the class count"),
    Variant(_CCE, "sum_over_samples", cce_sum_over_samples,
            "sums over the samples instead of averaging them"),
    Variant(_CCE, "keras_epsilon_clip", cce_keras_clip,
            "clips p to [1e-7, 1-1e-7] (Keras): -log p capped at 16.1, and -log(1-1e-7) > 0 at a perfect p"),
    Variant(_CCE, "eps_inside_log", cce_eps_inside_log,
            "-Σ y log(p + 1e-9): -log p capped at 20.7, and -log(1 + 1e-9) < 0 at a perfect p"),
    Variant(_CCE, "zero_log_zero_is_nan", cce_naive,
            "-Σ y·log p as written: a zero probability of another class gives 0·(-inf) = NaN"),
    Variant(_CCE, "argmax_gather_drops_nan", cce_argmax_gather,
            "gathers p at argmax(y): NaN elsewhere in y or p is never looked at"),
    Variant(_CCE, "missing_minus_sign", cce_missing_minus, "Σ y log p without the minus: the negated loss"),
    Variant(_FOC, "alpha_on_both_classes", focal_alpha_on_both_classes,
            "weights both classes by α instead of α_t (1 - α for y = 0)"),
    Variant(_FOC, "alpha_t_swapped", focal_alpha_t_swapped,
            "α_t = 1 - α for y = 1 and α for y = 0: the class weights the wrong way round"),
    Variant(_FOC, "gamma_ignored", focal_gamma_ignored,
            "drops the modulating factor (1 - p_t)^γ: α-balanced BCE, right only for γ = 0"),
    Variant(_FOC, "where_on_label_drops_nan", focal_where_on_label,
            "where(y == 1, ..., ...) on the label: a NaN label takes the y = 0 branch and is lost"),
    Variant(_FOC, "missing_minus_sign", focal_missing_minus,
            "α_t (1-p_t)^γ log p_t without the minus: the negated loss"),
    Variant(_FOC, "sum_not_mean", focal_sum,
            "reduction='sum' (torchvision's sigmoid_focal_loss offers it): grows with the batch size"),
    Variant(_FOC, "keras_epsilon_clip", focal_keras_clip,
            "clips p_t to [1e-7, 1-1e-7]: -log p_t capped at 16.1, and nonzero at a perfect p"),
    Variant(_FOC, "normalised_by_positives", focal_normalised_by_positives,
            "RetinaNet's normalisation: the sum divided by the number of positives, not the mean"),
]

CORRECT = [
    Variant(_BCE, "log_of_one_minus_p", bce_log_one_minus_p,
            "log(1 - p) as the textbook writes it: for y = 0 and tiny p, 1 - p rounds to 1, an "
            "error within the textbook evaluation's own allowance (issue 10, class 5a)"),
    Variant(_FOC, "log_of_one_minus_p", focal_log_one_minus_p,
            "p_t = y·p + (1-y)(1-p) and log p_t, the paper's form: the rounding of 1 - p is within "
            "its own evaluation's allowance"),
    Variant(_MSE, "float64_accumulation", mse_float64_accumulation,
            "np.mean(np.square(y - ŷ)) with the difference and the mean in float64, rounded once"),
    Variant(_MSE, "dot_product", mse_dot_product, "d·d / n with d = y - ŷ flattened"),
    Variant(_MAE, "max_of_both_differences", mae_max_of_both_differences,
            "max(y - ŷ, ŷ - y) is |y - ŷ| exactly (rounding is symmetric)"),
    Variant(_MAE, "l1_norm_over_n", mae_l1_norm, "‖y - ŷ‖₁ / n"),
    Variant(_HUB, "clipped_residual", huber_clipped_residual,
            "q = min(|r|, δ); ½q² + δ(|r| - q): the same two branches without a where"),
    Variant(_HUB, "smooth_l1_times_delta", huber_smooth_l1_times_delta,
            "δ · smooth_l1(beta=δ): the correct translation of torch's smooth L1"),
    Variant(_BCE, "xlogy_xlog1py", bce_xlogy,
            "-(xlogy(y, p) + xlog1py(1-y, -p)): 0·log 0 = 0, log1p(-p) for log(1-p), NaN carried"),
    Variant(_BCE, "log_of_the_label_probability", bce_log_of_the_label_probability,
            "where(y == 1, -log p, -log1p(-p)) + 0·y: a where on the label that still carries NaN"),
    Variant(_CCE, "xlogy_row_sums", cce_xlogy_row_sums,
            "mean over samples of -Σ xlogy(y, p): 0·log 0 = 0, NaN carried"),
    Variant(_CCE, "log_of_true_class_probability", cce_log_of_true_class_probability,
            "-mean log Σ_c y_c p_c: for one-hot y the sum is the true class's p, exactly"),
    Variant(_FOC, "log1p_on_the_negatives", focal_log1p,
            "α_t (1-p_t)^γ (-log p_t) with 1 - p_t = p and log p_t = log1p(-p) for y = 0; 0·y carries NaN"),
]
