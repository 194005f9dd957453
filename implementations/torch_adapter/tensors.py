"""NumPy in, NumPy out: torch functions on tensors under the catalogue's conventions.

Each section module writes its functions on tensors (``F.mse_loss(y_pred, y_true)``);
``numpy_functions`` wraps them for the catalogue's NumPy signatures, ``derivatives`` turns
elementwise ones into the ``*_grad`` ids, and ``gradients`` into vector-Jacobian products
by torch's autograd, which the ``gradient`` property checks against ``sympy.diff``.
"""
from __future__ import annotations

import functools
import inspect
from typing import Callable

import numpy as np
import torch

from mathoracle.oracles import oracle_by_id

_ML = {"bfloat16": torch.bfloat16, "float8_e4m3fn": torch.float8_e4m3fn,
       "float8_e5m2": torch.float8_e5m2}


def tensor(a) -> torch.Tensor:
    """A CPU tensor sharing (a contiguous copy of) the array's data and dtype; an ml_dtypes
    array (bfloat16, float8) becomes the torch dtype of the same format, exactly, via float32."""
    a = np.asarray(a)
    if a.dtype.name in _ML:
        return torch.from_numpy(a.astype(np.float32)).to(_ML[a.dtype.name])
    return torch.from_numpy(np.ascontiguousarray(a))


def to_numpy(t: torch.Tensor) -> np.ndarray:
    """A tensor as an array; bfloat16 and float8 tensors as ml_dtypes arrays, exactly."""
    for name, dt in _ML.items():
        if t.dtype == dt:
            import ml_dtypes
            return t.detach().float().numpy().astype(getattr(ml_dtypes, name))
    return t.detach().numpy()


def as_torch(a):
    """A positional argument for a tensor function: arrays (and lists of arrays) as tensors;
    Python scalars, ints and strings as they are (a float made a tensor would be a float64
    tensor of shape (1,), which promotes a float32 result)."""
    if isinstance(a, np.ndarray):
        return tensor(a)
    if isinstance(a, (list, tuple)):
        return [as_torch(x) for x in a]
    return a


def _on_numpy(tfn):
    @functools.wraps(tfn)
    def fn(*arrays, **params):
        return to_numpy(tfn(*(as_torch(a) for a in arrays), **params))
    return fn


def numpy_functions(section: str, *tfns) -> dict:
    """{"section.name": NumPy-facing function} for tensor functions named after their oracle."""
    return {f"{section}.{f.__name__}": _on_numpy(f) for f in tfns}


def _vjp(tfn, wrt: Callable[[], tuple[str, ...]]):
    """grad(cotangent, *arrays, **params) -> {name: ∂(Σ cotangent·tfn)/∂name for name in wrt()}."""
    names = list(inspect.signature(tfn).parameters)

    def grad(cotangent, *arrays, **params):
        by = wrt()
        ts = [tensor(a).clone().requires_grad_(n in by) for n, a in zip(names, arrays)]
        out = tfn(*ts, **params)
        chosen = [(n, t) for n, t in zip(names, ts) if n in by]
        gs = torch.autograd.grad(out, [t for _, t in chosen], tensor(cotangent).reshape(out.shape))
        return {n: to_numpy(g) for (n, _), g in zip(chosen, gs)}
    return grad


def derivative(tfn):
    """The elementwise derivative of tfn(z, **params) by autograd: the backward of ones, which
    is what torch's backward computes for that function."""
    vjp = _vjp(tfn, lambda: ("z",))

    @functools.wraps(tfn)
    def fn(z, **params):
        return vjp(np.ones_like(z), z, **params)["z"]
    fn.__doc__ = f"autograd of {tfn.__doc__ or tfn.__name__}"
    return fn


def gradients(section: str, *tfns) -> dict:
    """{"section.name": vjp} by the arguments the oracle differentiates (its ``wrt``, read on
    the first call, so that importing the adapter builds no oracle)."""
    def wrt_of(oracle_id):
        @functools.cache
        def wrt():
            return oracle_by_id(oracle_id).wrt
        return wrt
    return {f"{section}.{f.__name__}": _vjp(f, wrt_of(f"{section}.{f.__name__}")) for f in tfns}
