"""Keras has no kernel-matrix functions."""
_WHY = ('Keras has no kernel-matrix functions')
FUNCTIONS: dict = {}
NOT_APPLICABLE = {"kernel.linear": _WHY, "kernel.rbf": _WHY, "kernel.polynomial": _WHY}
