"""scikit-learn's standardisation as batch and layer normalization: preprocessing.StandardScaler.

StandardScaler.fit computes each column's mean_ and biased variance var_ (ddof = 0), the
batch-norm statistics of training mode. It has no ε (a zero-variance column gets scale 1)
and no γ, β: the adapter takes the fitted mean_ and var_ and applies the catalogue's
γ (x - mean_)/√(var_ + ε) + β. Layer normalization is the same scaler fitted on xᵀ
(the samples' own statistics across their features).
"""
import numpy as np
from sklearn.preprocessing import StandardScaler

from ..base import KnownDeviation, any_nan


def _standardized(x, gamma, beta, eps):
    x = np.asarray(x)
    scaler = StandardScaler().fit(x)
    mean, var = scaler.mean_, scaler.var_
    return (gamma * ((x - mean) / np.sqrt(var + eps)) + beta).astype(x.dtype)


def batch_norm(x, gamma, beta, eps=1e-5):
    """γ (x - mean_)/√(var_ + ε) + β with StandardScaler().fit(x)'s mean_ and var_."""
    return _standardized(x, gamma, beta, eps)


def layer_norm(x, gamma, beta, eps=1e-5):
    """The same with StandardScaler().fit(xᵀ): per-sample statistics."""
    x = np.asarray(x)
    scaler = StandardScaler().fit(x.T)
    mean, var = scaler.mean_[:, None], scaler.var_[:, None]
    return (gamma * ((x - mean) / np.sqrt(var + eps)) + beta).astype(x.dtype)


FUNCTIONS = {"regularization.batch_norm": batch_norm, "regularization.layer_norm": layer_norm}

NOT_APPLICABLE = {
    "regularization.dropout": "scikit-learn has no dropout (its MLPs regularise with alpha·L2 only)",
    "regularization.dropout_sample": "scikit-learn has no dropout (its MLPs regularise with alpha·L2 only)",
    "regularization.l2_penalty": "scikit-learn has no penalty function: alpha·‖W‖²/2 is computed "
                                 "inside each estimator's loss",
    "regularization.l2_penalty_grad": "scikit-learn has no penalty gradient function (MLP's "
                                      "_compute_loss_grad adds alpha·W inline)",
    "regularization.sgd_weight_decay_step": "scikit-learn has no optimizer step on a given "
                                            "gradient (its SGD solvers are internal to estimators)",
}


_NAN = dict(
    properties=("nan",),
    summary="a NaN in x is a missing value: it is left out of the statistics, so it does not "
            "make the other outputs of its column (batch) or row (layer) NaN",
    reason="StandardScaler treats NaN as missing: disregarded in fit, kept in transform",
    reference="https://scikit-learn.org/stable/modules/generated/sklearn.preprocessing."
              "StandardScaler.html (NaNs are treated as missing values)",
    region=any_nan,
)

DEVIATIONS = (
    KnownDeviation(oracle="regularization.batch_norm", **_NAN,
                   witness={"x": np.array([[np.nan], [1.0]]), "gamma": np.array([1.0]),
                            "beta": np.array([0.0]), "eps": 1e-5}),
    KnownDeviation(oracle="regularization.layer_norm", **_NAN,
                   witness={"x": np.array([[np.nan, 1.0]]), "gamma": np.array([1.0, 1.0]),
                            "beta": np.array([0.0, 0.0]), "eps": 1e-5}),
)
