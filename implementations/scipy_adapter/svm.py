"""SciPy has no SVM (scipy.optimize could solve the QP, but that would be the adapter's
solver, not SciPy's SVM)."""

FUNCTIONS: dict = {}

NOT_APPLICABLE = {
    "svm.primal_objective": "SciPy has no SVM primal objective",
    "svm.dual_objective": "SciPy has no SVM dual objective",
    "svm.fit_dual": "SciPy has no SVM solver (a general QP through scipy.optimize would be "
                    "the adapter's own solver)",
}
