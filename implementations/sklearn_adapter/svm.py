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

from ..base import KnownDeviation


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


DEVIATIONS = (
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
)
