"""scikit-learn's SVM: svm.SVC (LIBSVM) for the dual, metrics.hinge_loss for the primal.

``fit_dual`` fits SVC(kernel, C, tol=1e-12) and reads α off the fitted model: α_i =
|dual_coef_| at the indices ``support_`` (dual_coef_ holds y_i α_i), 0 elsewhere. LIBSVM
stops when the maximal KKT violation is below ``tol`` (Fan, Chen & Lin 2005); 1e-12 is as
tight as it converges reliably (at 1e-15 it cycles on some inputs until max_iter). ``primal_objective`` is ½‖w‖² + C·n·hinge_loss(y,
Xw + b): the decision values are the adapter's, the hinge is scikit-learn's.
"""
import numpy as np
from sklearn.metrics import hinge_loss
from sklearn.svm import SVC

from ..base import KnownDeviation, any_nan


def primal_objective(w, b, X, y, C):
    """½‖w‖² + C·n·metrics.hinge_loss(y, Xw + b, labels=[-1, 1])."""
    w_, X_ = np.asarray(w, np.float64), np.asarray(X, np.float64)
    n = len(y)
    return 0.5 * (w_ @ w_) + C * n * hinge_loss(y, X_ @ w_ + b, labels=[-1, 1])


def fit_dual(X, y, C, kernel="linear"):
    """α from SVC(kernel=kernel, C=C, tol=1e-12).fit(X, y): |dual_coef_| at support_."""
    model = SVC(kernel=kernel, C=C, tol=1e-12, max_iter=1_000_000).fit(X, y)
    alpha = np.zeros(len(y))
    alpha[model.support_] = np.abs(model.dual_coef_[0])
    return alpha


FUNCTIONS = {"svm.primal_objective": primal_objective, "svm.fit_dual": fit_dual}

NOT_APPLICABLE = {
    "svm.dual_objective": "scikit-learn does not expose the SVM dual objective",
}


_VALIDATION = "https://scikit-learn.org/stable/modules/generated/sklearn.utils.check_array.html"

DEVIATIONS = (
    KnownDeviation(
        oracle="svm.fit_dual", properties=("agreement", "edges", "kkt", "duality_gap"),
        summary="α is accurate to single precision only: LIBSVM stores Q_ij = y_i y_j K_ij in "
                "float (Qfloat), so in float64 yᵀα, the dual value and the KKT margins are off "
                "by ~1e-8 relatively (yᵀα = -4.8e-14 at the witness, 9 ulp-sized roundings allow "
                "5.4e-15)",
        reason="LIBSVM's kernel cache holds single-precision columns to fit twice as many",
        reference="https://github.com/cjlin1/libsvm/pull/229 (Qfloat is float; "
                  "https://github.com/cjlin1/libsvm/issues/225)",
        witness={"X": np.array([[-8.466796875], [0.0], [0.0], [0.0], [1.0]]),
                 "y": np.array([1.0, -1.0, -1.0, 1.0, 1.0]), "C": 1.0},
        region=lambda kw: np.asarray(kw["X"]).dtype == np.float64,
    ),
    KnownDeviation(
        oracle="svm.primal_objective", properties=("*",),
        summary="hinge_loss reads y as all negative when every label is +1: the hinge of a "
                "single positive class is max(0, 1 + f) instead of max(0, 1 - f)",
        reason="hinge_loss binarizes y_true with LabelBinarizer, which maps a lone class to the "
               "negative label, even with labels=[-1, 1]",
        reference="https://github.com/scikit-learn/scikit-learn/issues/13674 (label_binarize "
                  "with a single class returns neg_label; see PR #34198)",
        witness={"w": np.array([1.0]), "b": 0.0, "X": np.array([[0.5], [2.0]]),
                 "y": np.array([1.0, 1.0]), "C": 1.0},
        region=lambda kw: bool(np.all(np.asarray(kw["y"]) == 1)),
    ),
    KnownDeviation(
        oracle="svm.primal_objective", properties=("nan",),
        summary="raises ValueError('Input contains NaN') instead of returning NaN",
        reason="hinge_loss validates its inputs with check_array, which rejects NaN",
        reference=_VALIDATION,
        witness={"w": np.array([np.nan]), "b": 0.0, "X": np.array([[1.0], [2.0]]),
                 "y": np.array([1.0, -1.0]), "C": 1.0},
        region=any_nan,
    ),
    KnownDeviation(
        oracle="svm.fit_dual", properties=("nan",),
        summary="raises ValueError('Input contains NaN') instead of returning NaN",
        reason="SVC.fit validates X and y with check_X_y, which rejects NaN",
        reference=_VALIDATION,
        witness={"X": np.array([[np.nan], [1.0]]), "y": np.array([1.0, -1.0]), "C": 1.0},
        region=any_nan,
    ),
)
