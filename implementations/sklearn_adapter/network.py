"""scikit-learn's backpropagation: BaseMultilayerPerceptron._backprop on a network with set weights.

scikit-learn stores a layer as ``coefs_[i]`` of shape (in, out) (z = a @ coef + intercept),
the transpose of the catalogue's W (out, in): the adapter passes Wᵀ in and returns the
gradients transposed back. Its network applies ``activation`` to the hidden layers and its
own output activation to the last one, and its ``_backprop`` differentiates its own loss:

- MLPRegressor: identity output, squared_error = ½·mean over samples of Σ over outputs
  (the gradient it returns is that of Σ_samples ½‖a - y‖² / n): the catalogue's mse, the
  mean over all n·k elements, is that times 2/k;
- MLPClassifier (binary or multilabel): logistic output, binary log loss summed over outputs
  and averaged over samples: the catalogue's mean bce is that times 1/k.

So the catalogue's network is scikit-learn's for (identity, mse) and (sigmoid,
binary_cross_entropy); alpha (its L2 term, added to every coefficient gradient) is set to 0.
"""
import numpy as np
from sklearn.neural_network import MLPClassifier, MLPRegressor

# (activation, loss) -> (estimator, its activation name, its output activation, its loss name,
#                        the factor from its gradient to the catalogue's, given k outputs)
SUPPORTED = {
    ("identity", "mse"): (MLPRegressor, "identity", "identity", "squared_error", lambda k: 2.0 / k),
    ("sigmoid", "binary_cross_entropy"): (MLPClassifier, "logistic", "logistic", "log_loss",
                                          lambda k: 1.0 / k),
}


def mlp_gradients(x, y, weights, biases, activation="sigmoid", loss="mse"):
    """(dWs, dbs) from sklearn's _backprop, translated: Wᵀ in, gradients transposed back and
    scaled from sklearn's loss to the catalogue's mean loss."""
    if (activation, loss) not in SUPPORTED:
        raise NotImplementedError(f"scikit-learn's MLP has no network with activation={activation!r} "
                                  f"on every layer and loss={loss!r}")
    estimator, act, out_act, sk_loss, factor = SUPPORTED[(activation, loss)]
    dtype = np.asarray(x).dtype
    mlp = estimator(activation=act, alpha=0.0)
    mlp.loss = sk_loss
    mlp.out_activation_ = out_act
    mlp.n_layers_ = len(weights) + 1
    mlp.coefs_ = [np.asanyarray(W).T.copy() for W in weights]  # (in, out); subclasses kept
    mlp.intercepts_ = [np.asanyarray(b).copy() for b in biases]
    layers = len(weights)
    X, Y = np.asanyarray(x), np.asanyarray(y)
    _, coef_grads, intercept_grads = mlp._backprop(
        X, Y, None, [X] + [None] * layers, [None] * layers, [None] * layers, [None] * layers)
    scale = factor(Y.shape[-1])
    return ([np.asarray(g.T * scale, dtype=dtype) for g in coef_grads],
            [np.asarray(g * scale, dtype=dtype) for g in intercept_grads])


FUNCTIONS = {"network.mlp_gradients": mlp_gradients}

_MLP = "scikit-learn's MLP has no {} of its own (its _backprop computes it inline)"
NOT_APPLICABLE = {
    "network.linear": _MLP.format("linear layer function"),
    "network.dense_forward": _MLP.format("dense layer function (_forward_pass works on a whole "
                                         "fitted network)"),
    "network.output_delta": _MLP.format("output-delta function: deltas[last] = a - y is the "
                                        "canonical-link shortcut"),
    "network.hidden_delta": _MLP.format("hidden-delta function"),
    "network.layer_gradients": _MLP.format("layer-gradient function (_compute_loss_grad divides "
                                           "by n_samples and adds alpha·W)"),
}
