"""SciPy has no neural-network layers or backpropagation."""
_NONE = "SciPy has no neural-network {} (scipy.special's expit is checked under activation.sigmoid)"

FUNCTIONS = {}
NOT_APPLICABLE = {
    "network.linear": _NONE.format("layer"),
    "network.dense_forward": _NONE.format("layer"),
    "network.output_delta": _NONE.format("backpropagation"),
    "network.hidden_delta": _NONE.format("backpropagation"),
    "network.layer_gradients": _NONE.format("backpropagation"),
    "network.mlp_gradients": _NONE.format("backpropagation"),
}
