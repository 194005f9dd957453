"""torch has no SVM: its objectives would be the adapter's own arithmetic on tensors."""

FUNCTIONS: dict = {}

NOT_APPLICABLE = {
    "svm.primal_objective": "torch has no SVM primal objective (F.hinge_embedding_loss is a "
                            "different loss: max(0, margin - x) for y = -1)",
    "svm.dual_objective": "torch has no SVM dual objective",
    "svm.fit_dual": "torch has no SVM solver",
}
