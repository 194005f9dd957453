"""The implementation: softsign in NumPy, found through the entry point
``mathoracle.implementations`` (``mathoracle report --impl example``)."""
import numpy as np

from mathoracle.core.implementation import Implementation


def softsign(z):
    """z / (1 + |z|) in z's own dtype: two roundings, no overflow (|z| ≤ max, 1 + |z| rounds)."""
    z = np.asarray(z)
    return z / (1 + np.abs(z))


IMPLEMENTATION = Implementation("example", {"example.softsign": softsign},
                                description="the example plugin's NumPy softsign")
