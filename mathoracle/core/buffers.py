"""The caller's memory: arguments as a target receives them, and the arrays it returns.

A leaf module (NumPy only), so that the calling layer and the calling contracts
(properties/contracts.py) share it without importing each other.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from mathoracle.core.formats import is_float


def copied(v: Any) -> Any:
    """An argument as the target receives it: arrays (and lists of arrays) copied, so a
    target that writes into its input cannot change what the oracle sees. An array subclass
    stays one (properties/backprop_cost.py counts operations through one)."""
    if isinstance(v, np.ndarray):
        return np.array(v, copy=True, subok=True)
    if isinstance(v, (list, tuple)):
        return [copied(x) for x in v]
    return v


def writable_arrays(out: Any) -> list[np.ndarray]:
    """The float arrays of a return value (tensors included, as views of their memory) that
    a caller could write into; read-only ones (JAX's) are not."""
    if isinstance(out, (tuple, list)):
        return [a for x in out for a in writable_arrays(x)]
    if hasattr(out, "detach") and hasattr(out, "numpy"):  # a torch tensor on the CPU
        try:
            out = out.detach().numpy()
        except Exception:  # on a device, or a conjugate/negative view: not the caller's memory
            return []
    if isinstance(out, np.ndarray) and out.flags.writeable and is_float(out.dtype) and out.size:
        return [out]
    return []


def to_numpy(out: Any) -> np.ndarray:
    """A target's return value as a NumPy array (tensors and Python floats included)."""
    if hasattr(out, "detach") and hasattr(out, "numpy"):  # a torch tensor
        out = out.detach().cpu().numpy()
    if isinstance(out, float):
        return np.asarray(out, dtype=np.float64)
    return np.asarray(out)
