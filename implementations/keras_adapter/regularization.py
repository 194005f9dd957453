"""keras.layers.BatchNormalization and LayerNormalization called with training=True, their
γ and β set to the catalogue's, in the input's dtype."""
import numpy as np

from ..base import KnownDeviation
from ..folding import flushed_norms, folded
from .numerics import float32_inside


def _norm(layer, x, gamma, beta, k):
    layer.build(np.shape(x))
    layer.gamma.assign(gamma)
    layer.beta.assign(beta)
    return k.ops.convert_to_numpy(layer(x, training=True))


def batch_norm(k, x, gamma, beta, eps=1e-5):
    """keras.layers.BatchNormalization(axis=-1, epsilon=eps)(x, training=True)."""
    layer = k.layers.BatchNormalization(axis=-1, epsilon=eps, dtype=np.asarray(x).dtype.name)
    return _norm(layer, x, gamma, beta, k)


def layer_norm(k, x, gamma, beta, eps=1e-5):
    """keras.layers.LayerNormalization(axis=-1, epsilon=eps)(x, training=True)."""
    layer = k.layers.LayerNormalization(axis=-1, epsilon=eps, dtype=np.asarray(x).dtype.name)
    return _norm(layer, x, gamma, beta, k)


FUNCTIONS = {"regularization.batch_norm": batch_norm, "regularization.layer_norm": layer_norm}

NOT_APPLICABLE = {
    "regularization.dropout": "keras.layers.Dropout draws its own mask and takes none",
    "regularization.dropout_sample": "keras.layers.Dropout draws from Keras's own seed generator, "
                                     "not from a seed the catalogue can give per call",
    "regularization.l2_penalty": "keras.regularizers.L2(l2) computes l2·Σ W², not (λ/2)·Σ W² "
                                 "(a different parameterisation, not a deviation)",
    "regularization.l2_penalty_grad": "Keras has no gradient function for its regularizers",
    "regularization.sgd_weight_decay_step": "keras.optimizers.SGD(weight_decay=λ) decays "
                                            "decoupled, W·(1 - lr·λ) before the step",
}


def _mean_exceeds_std(axis):
    """Some feature (batch norm: a column; layer norm: a row) whose |mean| exceeds its
    standard deviation: E[x²] - E[x]² cancels there (relative error ≈ u·μ²/σ²)."""
    def region(kw) -> bool:
        x = np.asarray(kw["x"], np.float64)
        with np.errstate(over="ignore", invalid="ignore"):
            mu = x.mean(axis=axis)
            return bool(np.any(~(np.abs(mu) <= x.std(axis=axis))))
    return region


_WIT = np.array([[999.3267211914062], [999.9764404296875]], np.float32)
_CANCEL = dict(
    summary="the variance is E[x²] - E[x]², which cancels where |mean| > std: ±102.7 instead of "
            "±0.99995 for the batch [999.32672, 999.97644] in float32",
    reason="Keras's torch backend computes ops.moments as mean(x²) - mean(x)² (faster, "
           "documented in its source as less numerically stable)",
    reference="https://github.com/keras-team/keras/blob/master/keras/src/backend/torch/nn.py "
              "(moments: 'Var = E[|x|^2] - |E[x]|^2, It is faster but less numerically stable')")

DEVIATIONS = (
    float32_inside("regularization.batch_norm", "float64 input is normalised in float32 "
                   "(x = [0, 1e39] overflows float32: NaN instead of ∓1)",
                   {"x": np.array([[0.0], [1e39]]), "gamma": np.ones(1), "beta": np.zeros(1)}),
    float32_inside("regularization.layer_norm", "float64 input is normalised in float32 "
                   "(x = [0, 1e39] overflows float32: NaN instead of ∓1)",
                   {"x": np.array([[0.0, 1e39]]), "gamma": np.ones(2), "beta": np.zeros(2)}),
)
DEVIATIONS_TORCH = (
    KnownDeviation(oracle="regularization.batch_norm", properties=("*",), **_CANCEL,
                   witness={"x": _WIT, "gamma": np.ones(1, np.float32),
                            "beta": np.zeros(1, np.float32)}, region=_mean_exceeds_std(0)),
)

_REF_JAX = ("https://github.com/keras-team/keras/blob/master/keras/src/backend/jax/nn.py "
            "(batch_normalization: inv = rsqrt(variance + epsilon)·scale, res = -mean·inv + offset, "
            "x·inv + res); keras/src/ops/nn.py (_layer_normalization, the same off the torch backend)")
_FOLD = ("Keras computes out = x·inv + (β - μ·inv), inv = γ/√(σ² + ε): two terms larger than the "
         "result where |μ| > σ, rounded apart")
DEVIATIONS_JAX = (
    KnownDeviation(
        oracle="regularization.batch_norm", properties=("agreement", "edges", "normalized_moments",
                                                        "shift_invariance", "scale_invariance",
                                                        "constant_row"),
        summary="the folded form x·s + (β - μ·s) cancels where a feature's |μ| exceeds its σ: β "
                "is lost (0 instead of 1 for one sample x = 16778, ε = 1e-6 in float32)",
        reason=_FOLD, reference=_REF_JAX,
        witness={"x": np.array([[16778.0]], np.float32), "gamma": np.ones(1, np.float32),
                 "beta": np.ones(1, np.float32), "eps": 1e-06},
        region=folded(0)),
    KnownDeviation(
        oracle="regularization.layer_norm", properties=("agreement", "edges", "normalized_moments",
                                                        "constant_row", "shift_invariance",
                                                        "scale_invariance"),
        summary="the folded form x·s + (β - μ·s) cancels where a row's |μ| exceeds its σ (1 "
                "instead of β = 1.125 for the row x = [10000] in float32)",
        reason=_FOLD, reference=_REF_JAX,
        witness={"x": np.array([[10000.0]], np.float32), "gamma": np.ones(1, np.float32),
                 "beta": np.array([1.125], np.float32), "eps": 1e-05},
        region=folded(-1)),
    *flushed_norms(),
)
