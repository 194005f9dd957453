"""keras.losses functions: each reduces over the last axis (a mean; a sum for the categorical
cross-entropy); the adapter takes the mean of the rest in NumPy, rounded once to the result's dtype (as
the loss classes' default "sum_over_batch_size" does, without adding Keras's own rounding).
Keras takes (y_true, y_pred), as the catalogue."""
import numpy as np

from ..base import KnownDeviation
from .numerics import CLIP_REFERENCE, clipped, float32_inside


def _mean(k, per_sample):
    per_sample = k.ops.convert_to_numpy(per_sample)
    return np.mean(per_sample, dtype=np.float64).astype(per_sample.dtype)


def mse(k, y_true, y_pred):
    """mean(keras.losses.mean_squared_error(y_true, y_pred))."""
    return _mean(k, k.losses.mean_squared_error(y_true, y_pred))


def mae(k, y_true, y_pred):
    """mean(keras.losses.mean_absolute_error(y_true, y_pred))."""
    return _mean(k, k.losses.mean_absolute_error(y_true, y_pred))


def huber(k, y_true, y_pred, delta=1.0):
    """mean(keras.losses.huber(y_true, y_pred, delta=delta))."""
    return _mean(k, k.losses.huber(y_true, y_pred, delta=delta))


def binary_cross_entropy(k, y_true, p):
    """mean(keras.losses.binary_crossentropy(y_true, p))."""
    return _mean(k, k.losses.binary_crossentropy(y_true, p))


def categorical_cross_entropy(k, y_onehot, p):
    """mean(keras.losses.categorical_crossentropy(y_onehot, p))."""
    return _mean(k, k.losses.categorical_crossentropy(y_onehot, p))


def focal(k, y_true, p, alpha=0.25, gamma=2.0):
    """mean(keras.losses.binary_focal_crossentropy(y_true, p, apply_class_balancing=True,
    alpha=alpha, gamma=gamma)) (α for class 1, 1 - α for class 0)."""
    return _mean(k, k.losses.binary_focal_crossentropy(
        y_true, p, apply_class_balancing=True, alpha=alpha, gamma=gamma))


FUNCTIONS = {f"loss.{f.__name__}": f for f in (mse, mae, huber, binary_cross_entropy,
                                              categorical_cross_entropy, focal)}


_CLIP = "p is clipped to [ε, 1 - ε], ε = keras.config.epsilon() = 1e-7"
_TINY = np.array([1.401298464324817e-45], np.float32)


DEVIATIONS = (
    KnownDeviation(
        oracle="loss.focal", properties=("*",),
        summary=_CLIP + " (through binary_crossentropy): 4.03 where the exact value is 25.8 at "
                "y = 1, p = 1.4e-45, α = 0.25, γ = 2",
        reason="binary_focal_crossentropy computes binary_crossentropy on the clipped p",
        reference=CLIP_REFERENCE, witness={"y_true": np.array([1.0], np.float32), "p": _TINY},
        region=clipped("p")),
    KnownDeviation(
        oracle="loss.binary_cross_entropy", properties=("*",),
        summary=_CLIP + ": a term never exceeds -log ε = 16.1 (16.1 where the exact value is "
                "103.3 at y = 1, p = 1.4e-45) and a perfect prediction costs 1e-7",
        reason="the clip keeps log p and log(1 - p) finite", reference=CLIP_REFERENCE,
        witness={"y_true": np.array([1.0], np.float32), "p": _TINY}, region=clipped("p")),
    KnownDeviation(
        oracle="loss.categorical_cross_entropy", properties=("*",),
        summary="p is divided by its row sum, then " + _CLIP + ": -log p never exceeds 16.1 "
                "(16.1 where the exact value is 103.3 at p = 1.4e-45)",
        reason="the clip keeps log p finite", reference=CLIP_REFERENCE,
        witness={"y_onehot": np.array([[1.0, 0.0]], np.float32),
                 "p": np.array([[1.401298464324817e-45, 1.0]], np.float32)},
        region=clipped("p")),
    KnownDeviation(
        oracle="divergence.kl", properties=("*",),
        summary="p and q are clipped to [ε, 1], ε = 1e-7: a zero of p contributes ε·log(ε/q) "
                "(0.6931456 instead of log 2 = 0.6931472 at p = [0, 1], q = [0.5, 0.5])",
        reason="kl_divergence clips both arguments so that log(p/q) stays finite",
        reference="https://keras.io/api/losses/probabilistic_losses/#kldivergence-function "
                  "(y_true and y_pred are clipped to the [0, 1] range, with epsilon)",
        witness={"p": np.array([0.0, 1.0], np.float32), "q": np.array([0.5, 0.5], np.float32)},
        region=clipped("p", "q", upper=False)),
    float32_inside("loss.mse", "float64 input is averaged in float32 (mean of [0, 1, 1] is "
                   "0.6666666865 instead of 2/3)",
                   {"y_true": np.zeros(3), "y_pred": np.array([0.0, 1.0, 1.0])}),
    float32_inside("loss.mae", "float64 input is averaged in float32 (mean of [0, 1, 1] is "
                   "0.6666666865 instead of 2/3; overflow to inf past 3.4e38)",
                   {"y_true": np.zeros(3), "y_pred": np.array([0.0, 1.0, 1.0])}),
    float32_inside("loss.huber", "float64 input is averaged in float32 (1/3 comes out as "
                   "0.3333333433)", {"y_true": np.zeros(3), "y_pred": np.array([0.0, 1.0, 1.0])}),
    float32_inside("loss.binary_cross_entropy", "float64 input is averaged in float32 (-log 0.5 "
                   "comes out as 0.6931471825)", {"y_true": np.array([1.0]), "p": np.array([0.5])}),
    float32_inside("loss.categorical_cross_entropy", "float64 input is computed in float32 "
                   "(-log 0.5 comes out as 0.6931471825)",
                   {"y_onehot": np.array([[1.0, 0.0]]), "p": np.array([[0.5, 0.5]])}),
    float32_inside("loss.focal", "float64 input is averaged in float32",
                   {"y_true": np.array([1.0]), "p": np.array([0.5])}),
)
