"""Calling a target: binding the canonical arguments, and vetting what comes back.

Whatever a target does (raises, returns a list, a tensor, the wrong shape or dtype, a
narrower float) becomes a ``Falsified`` with that reason, never a crash of the tool.
"""
from __future__ import annotations

import inspect
import warnings
from typing import Any, Callable, Mapping

import numpy as np

from mathoracle.oracles.base import Oracle
from mathoracle.properties.base import Falsified, signature_call


def accepted_params(fn: Callable, oracle: Oracle) -> set[str]:
    """The oracle's keyword parameters the target can take by name.

    A target whose signature cannot be read (a ufunc, a C builtin) is called with
    none of them; its parameters stay at the canonical defaults."""
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return set()
    params = sig.parameters.values()
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params):
        return {p.name for p in oracle.params}
    names = {p.name for p in params if p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                                   inspect.Parameter.KEYWORD_ONLY)}
    return {p.name for p in oracle.params if p.name in names}


def to_numpy(out: Any) -> np.ndarray:
    """A target's return value as a NumPy array (tensors and Python floats included)."""
    if hasattr(out, "detach") and hasattr(out, "numpy"):  # a torch tensor
        out = out.detach().cpu().numpy()
    if isinstance(out, float):
        return np.asarray(out, dtype=np.float64)
    return np.asarray(out)


def _invoke(fn: Callable, args, kwargs, call: str, inputs: Mapping[str, Any]):
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")  # a target's warnings are its own business
            return fn(*args, **kwargs)
    except Exception as exc:  # the target's failure is a finding, not a crash
        raise Falsified(f"raised {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
                        f" [{call}]", call=call, inputs=inputs) from None


def vet(out: Any, dtype, shape: tuple, what: str, call: str, inputs: Mapping[str, Any],
        notes: set[str]) -> np.ndarray:
    """``out`` as an array of the wanted dtype and shape, or Falsified saying what is wrong."""
    try:
        got = to_numpy(out)
    except Exception as exc:
        raise Falsified(f"returned {type(out).__name__}, which is not an array "
                        f"({type(exc).__name__}) [{call}]", call=call, inputs=inputs) from None
    want = np.dtype(dtype)
    if got.dtype.kind != "f":
        raise Falsified(f"{what}.dtype={got.dtype}, but should be {want} [{call}]", call=call,
                        inputs=inputs)
    if got.dtype.itemsize < want.itemsize:
        raise Falsified(f"{what}.dtype={got.dtype}, but should be {want} (narrower: precision "
                        f"lost) [{call}]", call=call, inputs=inputs)
    if got.dtype != want:
        notes.add(f"returns {got.dtype} for {want} input (judged at {want} precision)")
        with np.errstate(over="ignore", under="ignore"):
            got = got.astype(want)
    if got.shape != tuple(shape):
        raise Falsified(f"{what}.shape={got.shape}, but should be {tuple(shape)} [{call}]",
                        call=call, inputs=inputs)
    return got


def call_target(fn: Callable, oracle: Oracle, inputs: Mapping[str, Any], dtype, accepted: set[str],
                notes: set[str]) -> np.ndarray:
    """Call fn the canonical way and vet dtype and shape. ``notes`` collects benign remarks."""
    args = [np.array(inputs[a], copy=True) for a in oracle.arrays]
    kwargs = {p.name: inputs[p.name] for p in oracle.params if p.name in accepted}
    call = signature_call(oracle, inputs)
    out = _invoke(fn, args, kwargs, call, inputs)
    return vet(out, dtype, oracle.output_shape(inputs), "out", call, inputs, notes)


def call_gradient(grad: Callable, oracle: Oracle, inputs: Mapping[str, Any], cotangent: np.ndarray,
                  dtype, accepted: set[str], notes: set[str]) -> dict[str, np.ndarray]:
    """Call a gradient function ``grad(cotangent, *arrays, **params)``; vet each gradient of
    ``oracle.wrt`` (same dtype and shape as its argument)."""
    args = [np.array(inputs[a], copy=True) for a in oracle.arrays]
    kwargs = {p.name: inputs[p.name] for p in oracle.params if p.name in accepted}
    call = f"grad of {signature_call(oracle, inputs)} with cotangent {cotangent.tolist()!r}"
    inputs = {**inputs, "cotangent": cotangent}  # what a reproduction needs
    out = _invoke(grad, [np.array(cotangent, copy=True), *args], kwargs, call, inputs)
    if not isinstance(out, Mapping):
        raise Falsified(f"returned {type(out).__name__}, but should be a mapping of argument "
                        f"name to gradient [{call}]", call=call, inputs=inputs)
    grads = {}
    for arg in oracle.wrt:
        if arg not in out or out[arg] is None:
            raise Falsified(f"no gradient for {arg!r} (got {sorted(out)}) [{call}]", call=call,
                            inputs=inputs)
        grads[arg] = vet(out[arg], dtype, np.shape(inputs[arg]), f"grad[{arg}]", call, inputs, notes)
    return grads
