"""Not wrapped."""
_WHY = ("not wrapped: keras.layers.Dense would give linear and dense_forward; the deltas and gradients are its backend's autodiff, which the torch and jax implementations check")
FUNCTIONS: dict = {}
NOT_APPLICABLE = {"network.linear": _WHY, "network.dense_forward": _WHY, "network.output_delta": _WHY, "network.hidden_delta": _WHY, "network.layer_gradients": _WHY, "network.mlp_gradients": _WHY}
