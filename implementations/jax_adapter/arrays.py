"""NumPy in, NumPy out: JAX functions on arrays under the catalogue's conventions.

Importing this module turns on ``jax_enable_x64``, so that float64 input stays float64
(JAX's default computes it in float32). Each section module writes its functions on
``jax.Array``; ``numpy_functions`` wraps them for the NumPy signatures, ``derivative`` gives
the ``*_grad`` ids as the vector-Jacobian product of ones, and ``gradients`` the
vector-Jacobian products (``jax.vjp``) that the ``gradient`` property checks.
"""
from __future__ import annotations

import functools
import inspect
from typing import Callable

import jax
import numpy as np

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_platforms", "cpu")

import jax.numpy as jnp  # noqa: E402  (after the configuration)

from mathoracle.core.formats import finfo  # noqa: E402
from mathoracle.oracles import oracle_by_id

from ..base import KnownDeviation


def as_jax(a):
    """Arrays (and lists of arrays) as jax arrays of the same dtype; Python scalars, ints and
    strings as they are (a Python float is weakly typed: it keeps the array's dtype)."""
    if isinstance(a, np.ndarray):
        return jnp.asarray(a)
    if isinstance(a, (list, tuple)):
        return [as_jax(x) for x in a]
    return a


def to_numpy(out):
    """A jax result (or a tuple/list of them) as NumPy."""
    if isinstance(out, (list, tuple)):
        return type(out)(to_numpy(o) for o in out)
    return np.asarray(out)


def on_numpy(fn):
    @functools.wraps(fn)
    def wrapped(*arrays, **params):
        return to_numpy(fn(*(as_jax(a) for a in arrays), **params))
    return wrapped


def numpy_functions(section: str, *fns) -> dict:
    """{"section.name": NumPy-facing function} for jax functions named after their oracle."""
    return {f"{section}.{f.__name__}": on_numpy(f) for f in fns}


def _vjp(fn, wrt: Callable[[], tuple[str, ...]]):
    """grad(cotangent, *arrays, **params) -> {name: ∂(Σ cotangent·fn)/∂name for name in wrt()}."""
    names = list(inspect.signature(fn).parameters)

    def grad(cotangent, *arrays, **params):
        by = wrt()
        args = [as_jax(a) for a in arrays]
        chosen = [i for i, n in enumerate(names[:len(args)]) if n in by]

        def f(*xs):
            full = list(args)
            for i, x in zip(chosen, xs):
                full[i] = x
            return fn(*full, **params)
        out, pullback = jax.vjp(f, *(args[i] for i in chosen))
        ct = jnp.asarray(np.asarray(cotangent)).astype(out.dtype).reshape(out.shape)
        return {names[i]: np.asarray(g) for i, g in zip(chosen, pullback(ct))}
    return grad


def derivative(fn):
    """The elementwise derivative of fn(z, **params): jax.vjp of fn with a cotangent of ones."""
    vjp = _vjp(fn, lambda: ("z",))

    @functools.wraps(fn)
    def wrapped(z, **params):
        return vjp(np.ones_like(z), z, **params)["z"]
    wrapped.__doc__ = f"jax.vjp of {fn.__doc__ or fn.__name__}"
    return wrapped


def gradients(section: str, *fns) -> dict:
    """{"section.name": vjp} by the arguments the oracle differentiates (its ``wrt``, read on
    the first call)."""
    def wrt_of(oracle_id):
        @functools.cache
        def wrt():
            return oracle_by_id(oracle_id).wrt
        return wrt
    return {f"{section}.{f.__name__}": _vjp(f, wrt_of(f"{section}.{f.__name__}")) for f in fns}


# --- XLA's CPU flush of subnormals, shared by the section modules' deviations ------------

FTZ_REFERENCE = ("https://docs.jax.dev/en/latest/notebooks/Common_Gotchas_in_JAX.html "
                 "(subnormal flush-to-zero); https://github.com/jax-ml/jax/issues/16200 "
                 "(working as intended: JAX sets the CPU's denormals-are-zero mode)")
FTZ_REASON = ("XLA's CPU backend runs with flush-to-zero and denormals-are-zero: a subnormal "
              "float32/float64 input is read as 0 (float16 takes another path)")


def any_subnormal_input(kw) -> bool:
    """True when a float32 or float64 array argument (or an array in a list argument) holds a
    subnormal number: the region of XLA's denormals-are-zero mode."""
    leaves = [v for v in kw.values() if isinstance(v, np.ndarray)]
    leaves += [a for v in kw.values() if isinstance(v, (list, tuple)) for a in v
               if isinstance(a, np.ndarray)]
    return any(a.dtype in (np.float32, np.float64)
               and bool(np.any((a != 0) & (np.abs(a) < finfo(a.dtype).tiny))) for a in leaves)


def flushed(oracle: str, properties: tuple[str, ...], summary: str, witness: dict):
    """The KnownDeviation of ``oracle`` that XLA's subnormal flush causes."""
    return KnownDeviation(oracle=oracle, properties=properties, summary=summary,
                          reason=FTZ_REASON, reference=FTZ_REFERENCE, witness=witness,
                          region=any_subnormal_input)
