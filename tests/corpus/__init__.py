"""The corpus that proves the checks have teeth.

Plain NumPy functions in the catalogue's canonical signatures, one ``Variant`` each:

- ``BUGGY``: realistic mistakes (no max-shift in softmax, RMSE sold as MSE, Keras-style ε
  clipping, α on both classes in focal loss, 0·log 0 = NaN in KL, ...). Every one must be
  caught by ``mathoracle.check``.
- ``CORRECT``: right implementations written differently from the obvious form (a stable
  piecewise sigmoid, softmax through log-softmax, KL through log p - log q, ...). Every one
  must pass: accurate to a few ulps times the condition number in float16, float32 and
  float64, NaN in gives NaN out, and no RuntimeWarning escapes.

Inputs are NumPy arrays of float16/32/64; outputs keep the input dtype (a 0-d array for a
scalar), except in the variants whose bug is precisely the dtype or the shape. The correct
variants compute float16 and float32 in a wider dtype (``wide``) and round once at the end
(``back``): NumPy's float32 exp and log are off by up to ~2 ulp, which several one-rounding
budgets (tanh's is 1 ulp plus the condition term) do not leave room for.

``tests/test_teeth.py`` runs each variant inside the NumPy reference implementation and
requires every property of every oracle to be failed by at least one buggy variant.
"""
from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import Callable

import numpy as np


@dataclass(frozen=True)
class Variant:
    """One implementation of one oracle: ``why`` says in one line what is wrong with it (or,
    for a correct variant, why it is right although written differently)."""

    oracle_id: str
    name: str  # stable snake_case, unique within the oracle: part of the pytest id
    fn: Callable
    why: str
    kind: str = "function"  # or "gradient": fn(cotangent, *arrays, **params) -> {arg: grad};
    # or "contract": right numbers, checked on the calling contracts only
    # A bug that shows only as a refusal (an accidental ValueError the rules read as input
    # validation): caught under ``strict``, where a refused input fails the check.
    strict: bool = False
    # Conventions the variant is checked under ("attention_empty_row=zero"): for a bug that is
    # one reading of a point where the mathematics is undefined, wrong only once a user pins
    # another reading.
    conventions: tuple = ()


_WIDER = {np.dtype(np.float16): np.float32, np.dtype(np.float32): np.float64}


def wide(x) -> np.ndarray:
    """x in the dtype the correct variants compute in: float16 → float32, float32 → float64,
    float64 stays."""
    x = np.asarray(x)
    return x.astype(_WIDER.get(x.dtype, x.dtype))


def back(x, like) -> np.ndarray:
    """x rounded once to the dtype of ``like``, as an array (0-d for a scalar)."""
    dtype = np.asarray(like).dtype
    with np.errstate(over="ignore", under="ignore"):
        return np.asarray(x).astype(dtype)


from mathoracle.oracles import section_modules  # noqa: E402

# One module per seed section (as in oracles/), plus gradients.py for backward passes and
# contracts.py for the calling contracts.
_MODULES = [*section_modules(__name__), import_module(f"{__name__}.gradients"),
            import_module(f"{__name__}.contracts")]
BUGGY: list[Variant] = [v for m in _MODULES for v in getattr(m, "BUGGY", ())]
CORRECT: list[Variant] = [v for m in _MODULES for v in getattr(m, "CORRECT", ())]


def _check_names() -> None:
    seen = set()
    for v in (*BUGGY, *CORRECT):
        key = (v.oracle_id, v.name)
        if key in seen:
            raise ValueError(f"two corpus variants named {v.oracle_id}:{v.name}")
        seen.add(key)


_check_names()

__all__ = ["Variant", "BUGGY", "CORRECT", "wide", "back"]
