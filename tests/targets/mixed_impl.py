"""A whole implementation in a file: sigmoid hangs, tanh crashes the process, relu is right.

A report over it (with --isolate and a short --timeout) must record the first two as
failures and still hold relu's pass."""
import numpy as np

from tests.targets import broken

FUNCTIONS = {
    "activation.sigmoid": broken.hangs,
    "activation.tanh": broken.segfaults,
    "activation.relu": lambda z: np.maximum(z, np.zeros_like(z)) if not np.isnan(z).any() else np.where(np.isnan(z), z, np.maximum(z, 0)),
}
