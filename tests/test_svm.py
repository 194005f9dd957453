"""SVM: the exact dual optimum, and the findings about scikit-learn shown directly."""
from fractions import Fraction

import numpy as np
import pytest

from mathoracle.oracles.svm_solver import optimum


def test_two_points_have_the_textbook_solution():
    """Two points of opposite labels: α = 2/‖x₊ - x₋‖² (below C), b from the midpoint."""
    X, y = np.array([[3.0, 0.0], [0.0, 1.0]]), np.array([1.0, -1.0])
    opt = optimum(X, y, 1.0)
    assert opt.alpha == (Fraction(1, 5), Fraction(1, 5))
    assert opt.value == Fraction(1, 5)  # Σα - ½‖w‖², w = (x₊ - x₋)/5
    assert optimum(X, y, 0.125).alpha == (Fraction(1, 8), Fraction(1, 8))  # capped at C


def test_duplicate_points_with_opposite_labels():
    """The same x labelled +1 and -1 cannot be separated: both α sit at C when C is small."""
    X, y = np.array([[1.0], [1.0]]), np.array([1.0, -1.0])
    assert optimum(X, y, 0.5).alpha == (Fraction(1, 2), Fraction(1, 2))


def test_optimum_satisfies_kkt_exactly():
    rng = np.random.default_rng(1)
    for _ in range(10):
        n = int(rng.integers(2, 5))
        X = rng.integers(-3, 4, size=(n, 2)).astype(float)
        y = np.where(rng.random(n) < 0.5, -1.0, 1.0)
        y[0], y[1] = 1.0, -1.0
        opt = optimum(X, y, 2.0)
        assert sum(a * Fraction(float(t)) for a, t in zip(opt.alpha, y)) == 0
        assert all(0 <= a <= 2 for a in opt.alpha)


def test_sklearn_hinge_loss_reads_a_lone_positive_class_as_negative():
    metrics = pytest.importorskip("sklearn.metrics")
    y, f = np.array([1.0, 1.0]), np.array([0.5, 2.0])
    right = np.mean(np.maximum(0, 1 - y * f))                    # 0.25
    assert metrics.hinge_loss(y, f, labels=[-1, 1]) == pytest.approx(np.mean(1 + f))  # 2.25
    assert right == 0.25


def test_sklearn_rbf_kernel_cancels_for_nearby_points():
    """‖x - y‖² = 1 for x = 1e8, y = 1e8 + 1, but ‖x‖² + ‖y‖² - 2xy rounds to 0 or 2, so K is
    1 or e^-2 where it is e^-1. One feature: every product is a single correctly rounded
    multiplication, the same whichever BLAS kernel runs (OPENBLAS_CORETYPE)."""
    pairwise = pytest.importorskip("sklearn.metrics.pairwise")
    k = pairwise.rbf_kernel(np.array([[1e8]]), np.array([[1e8 + 1]]), gamma=1.0)[0, 0]
    assert abs(k - np.exp(-1.0)) > 0.2
