"""Keras has no SVM objective or solver."""
_WHY = ('Keras has no SVM objective or solver (keras.losses.hinge is per example, without the ½‖w‖² term)')
FUNCTIONS: dict = {}
NOT_APPLICABLE = {"svm.primal_objective": _WHY, "svm.dual_objective": _WHY, "svm.fit_dual": _WHY}
