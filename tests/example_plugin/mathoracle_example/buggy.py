"""Realistic mistakes in softsign that mathoracle must catch."""
import numpy as np


def softsign_without_abs(z):
    """z / (1 + z): right for z ≥ 0 only (the odd law and agreement catch it)."""
    z = np.asarray(z)
    return z / (1 + z)


def softsign_in_float32(z):
    """Computed in float32 whatever the input: float64 loses 29 bits (agreement catches it)."""
    z32 = np.asarray(z, dtype=np.float32)
    return (z32 / (1 + np.abs(z32))).astype(np.asarray(z).dtype)
