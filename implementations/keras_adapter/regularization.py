"""keras.layers.BatchNormalization and LayerNormalization called with training=True, their
γ and β set to the catalogue's, in the input's dtype."""
import numpy as np


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

_NONE = "Keras has {}"
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
