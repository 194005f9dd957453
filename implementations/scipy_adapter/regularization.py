"""SciPy has no neural-network regularization."""
FUNCTIONS = {}
NOT_APPLICABLE = {
    "regularization.dropout": "SciPy has no dropout",
    "regularization.dropout_sample": "SciPy has no dropout",
    "regularization.batch_norm": "SciPy has no batch normalization (scipy.stats.zscore has no ε, "
                                 "γ or β; scikit-learn's StandardScaler is checked instead)",
    "regularization.layer_norm": "SciPy has no layer normalization",
    "regularization.l2_penalty": "SciPy has no weight penalty",
    "regularization.l2_penalty_grad": "SciPy has no weight penalty",
    "regularization.sgd_weight_decay_step": "SciPy has no SGD step (scipy.optimize minimises "
                                            "whole problems)",
}
