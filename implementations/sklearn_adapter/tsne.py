"""scikit-learn's t-SNE internals, through a PRIVATE API (sklearn.manifold._t_sne).

    Checked with scikit-learn 1.9.1 (``CHECKED_WITH``). Private functions may change without
    notice: ``PRIVATE_API_VERSION_OK`` says whether the installed version is that one.

- joint_probabilities: ``_joint_probabilities(distances, perplexity, verbose=0)`` on the squared
  distances ``pairwise_distances(X, squared=True)``, as ``TSNE._fit`` computes them for the
  exact method; it returns the condensed P, expanded here with ``squareform``. Its binary search
  (``_utils._binary_search_perplexity``) stops at |H - log perplexity| ≤ 1e-5 nats or after 100
  steps: the oracle's ``tol`` allowance, not a deviation.
- kl_divergence: not applicable: ``_kl_divergence(params, P, ...)`` takes the embedding Y and
  builds Q itself (tests/test_tsne.py checks its value and gradient against SymPy).
"""
import numpy as np
import sklearn
from scipy.spatial.distance import squareform
from sklearn.manifold._t_sne import MACHINE_EPSILON, _joint_probabilities
from sklearn.metrics import pairwise_distances

from ..base import KnownDeviation
from ..numpy_reference.tsne import _calibrate
from ..numpy_reference.tsne import joint_probabilities as reference
from ..numpy_reference.tsne import squared_distances

CHECKED_WITH = "1.9.1"
PRIVATE_API_VERSION_OK = sklearn.__version__ == CHECKED_WITH


def joint_probabilities(X, perplexity):
    """squareform(_joint_probabilities(pairwise_distances(X, squared=True), perplexity, 0))."""
    D = pairwise_distances(X, squared=True)
    return squareform(_joint_probabilities(D, perplexity, 0))


FUNCTIONS = {"tsne.joint_probabilities": joint_probabilities}

NOT_APPLICABLE = {
    "tsne.conditional_probabilities": "scikit-learn computes p_{j|i} only inside its perplexity "
                                      "search (no function takes σ_i)",
    "tsne.low_dim_affinities": "scikit-learn's Student-t Q is internal to _kl_divergence "
                               "(not returned)",
    "tsne.kl_divergence": "scikit-learn's _kl_divergence takes the embedding Y, not Q "
                          "(tests/test_tsne.py checks it against SymPy)",
}


def _unshifted_underflow(kw):
    """Some row's exp(-β_i D_ik), β_i calibrated (as the reference does), is below e^-700, where
    double precision exp loses digits and then flushes to 0."""
    x = np.asarray(kw["X"], np.float64)
    if not np.isfinite(x).all():
        return False
    D = squared_distances(x)
    target = np.log(kw["perplexity"])
    for i in range(x.shape[0]):
        row = np.delete(D[i], i)
        if _calibrate(row, target) * row.max() > 700:
            return True
    return False


def _clamped(kw):
    """Some exact p_ij (the reference's, within a factor 4) lies below MACHINE_EPSILON, where
    scikit-learn raises it to 2.2e-16."""
    x = np.asarray(kw["X"], np.float64)
    if not np.isfinite(x).all():
        return False
    P = reference(x, kw["perplexity"])
    return bool(np.any(P[~np.eye(P.shape[0], dtype=bool)] < 4 * MACHINE_EPSILON))


_SOURCE = ("https://github.com/scikit-learn/scikit-learn/blob/1.9.1/sklearn/manifold/_t_sne.py "
           "(_joint_probabilities)")

DEVIATIONS = (
    KnownDeviation(
        oracle="tsne.joint_probabilities", properties=("agreement", "edges", "symmetric", "sums_to_one"),
        summary="exp(-β_i D_ij) is not shifted by the row's nearest distance: where β_i·D_ij "
                "exceeds ~700 the terms lose digits and underflow, a row sum of 0 becomes 1e-8, "
                "and the search settles on a wrong σ_i (p_ij 0.19 instead of 1/6 for "
                "X = [0.001, 0, 1], perplexity 1.5)",
        reason="_binary_search_perplexity evaluates math.exp(-sqdistances[i, j] * beta) directly "
               "and replaces a zero sum by EPSILON_DBL = 1e-8",
        reference="https://github.com/scikit-learn/scikit-learn/blob/1.9.1/sklearn/manifold/"
                  "_utils.pyx (_binary_search_perplexity)",
        witness={"X": np.array([[0.001], [0.0], [1.0]], dtype=np.float32), "perplexity": 1.5},
        region=_unshifted_underflow,
    ),
    KnownDeviation(
        oracle="tsne.joint_probabilities", properties=("agreement", "edges"),
        summary="the squared distances are rounded to float32 before the perplexity search: "
                "float64 input gets float32 distances (mostly inside the 1e-5 entropy allowance; "
                "1.05 times over it for this witness)",
        reason="_joint_probabilities casts distances to float32: the Cython search takes float32 "
               "distances (a TODO there asks for float32 and float64 support)",
        reference=_SOURCE,
        witness={"X": np.array([[0.001, 0.001], [0.1, 8.0], [-3.0, -8.0], [0.001, -8.0], [8.0, 0.5]]),
                 "perplexity": 2.5},
        region=lambda kw: np.asarray(kw["X"]).dtype == np.float64,
    ),
    KnownDeviation(
        oracle="tsne.joint_probabilities", properties=("agreement", "edges", "sums_to_one"),
        summary="p_ij below MACHINE_EPSILON (2.2e-16) is raised to it (1e-27 becomes 2.2e-16)",
        reason="_joint_probabilities returns np.maximum(P, MACHINE_EPSILON), which keeps log P "
               "finite in the KL objective",
        reference=_SOURCE,
        witness={"X": np.array([[0.0, 0.0], [0.0, -8.0], [2.0, 2.0], [1.0, 0.0]]), "perplexity": 1.5},
        region=_clamped,
    ),
)
