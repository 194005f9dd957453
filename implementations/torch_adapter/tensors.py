"""NumPy in, NumPy out: torch functions on tensors under the catalogue's conventions.

Each section module writes its functions on tensors (``F.mse_loss(y_pred, y_true)``);
``numpy_functions`` wraps them for the catalogue's NumPy signatures, ``derivatives`` turns
elementwise ones into the ``*_grad`` ids, and ``gradients`` into vector-Jacobian products
by torch's autograd, which the ``gradient`` property checks against ``sympy.diff``.
"""
from __future__ import annotations

import functools
import inspect

import numpy as np
import torch


def tensor(a) -> torch.Tensor:
    """A CPU tensor sharing (a contiguous copy of) the array's data and dtype."""
    return torch.from_numpy(np.ascontiguousarray(a))


def _on_numpy(tfn):
    @functools.wraps(tfn)
    def fn(*arrays, **params):
        return tfn(*(tensor(a) for a in arrays), **params).detach().numpy()
    return fn


def numpy_functions(section: str, *tfns) -> dict:
    """{"section.name": NumPy-facing function} for tensor functions named after their oracle."""
    return {f"{section}.{f.__name__}": _on_numpy(f) for f in tfns}


def derivative(tfn):
    """The elementwise derivative of tfn(z, **params) by autograd: backward of ones, which is
    what torch's backward computes for that function."""
    @functools.wraps(tfn)
    def fn(z, **params):
        x = tensor(z).clone().requires_grad_(True)
        y = tfn(x, **params)
        y.backward(torch.ones_like(y))
        return x.grad.numpy()
    fn.__doc__ = f"autograd of {tfn.__doc__ or tfn.__name__}"
    return fn


def _vjp(tfn, wrt: tuple[str, ...]):
    names = list(inspect.signature(tfn).parameters)

    def grad(cotangent, *arrays, **params):
        ts = [tensor(a).clone().requires_grad_(n in wrt) for n, a in zip(names, arrays)]
        out = tfn(*ts, **params)
        chosen = [t for n, t in zip(names, ts) if n in wrt]
        gs = torch.autograd.grad(out, chosen, tensor(cotangent).reshape(out.shape))
        return {n: g.numpy() for n, g in zip([n for n in names if n in wrt], gs)}
    grad.__doc__ = f"vector-Jacobian product of {tfn.__name__} by {', '.join(wrt)} (autograd)"
    return grad


def gradients(section: str, *tfns) -> dict:
    """{"section.name": vjp} by the arguments the oracle differentiates (its ``wrt``)."""
    from mathoracle.registry import oracles
    return {f"{section}.{f.__name__}": _vjp(f, oracles()[f"{section}.{f.__name__}"].wrt)
            for f in tfns}
