"""JAX has no dense layer or backpropagation routine in jax.nn."""
_WHY = ('JAX has no dense layer or backpropagation routine in jax.nn (layers live in flax/haiku; jax.grad of our own formula would test mathoracle)')
FUNCTIONS: dict = {}
NOT_APPLICABLE = {"network.linear": _WHY, "network.dense_forward": _WHY, "network.output_delta": _WHY, "network.hidden_delta": _WHY, "network.layer_gradients": _WHY, "network.mlp_gradients": _WHY}
