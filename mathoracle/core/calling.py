"""Calling a target: binding the canonical arguments, and vetting what comes back.

Whatever a target does (raises, returns a list, a tensor, the wrong shape or dtype, a
narrower float) becomes a ``Falsified`` with that reason, never a crash of the tool;
except a refusal (``refused``), which becomes ``Refused``:

- any exception on an input holding NaN or ±inf (a float array, an array in a list
  argument, a float parameter, the cotangent): raising there is a loud, valid answer;
- on finite input, a deliberate validation error: ValueError (numpy's LinAlgError is one),
  TypeError, NotImplementedError, LookupError (KeyError: an option value it does not know).
  IndexError, although a LookupError, is a failure: it is an out-of-range access, not a
  validation. So are ZeroDivisionError, AttributeError, RuntimeError and the others.

A hang or a crash is always a failure.
"""
from __future__ import annotations

import inspect
import warnings
from typing import Any, Callable, Mapping

import numpy as np

from mathoracle.core import guard
from mathoracle.core.buffers import copied, to_numpy
from mathoracle.core.formats import is_float
from mathoracle.core.laws import CallText, Falsified, Refused, signature_call
from mathoracle.core.model import Oracle


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


# Exceptions that are a validation error on finite input (see the module docstring).
REFUSALS = (ValueError, TypeError, NotImplementedError, LookupError)


def non_finite(v: Any) -> bool:
    """Whether a value (array, list of arrays, float) holds NaN or ±inf."""
    if isinstance(v, np.ndarray):
        return (v.dtype.kind == "c" or is_float(v.dtype)) and not bool(np.isfinite(v).all())
    if isinstance(v, (list, tuple)):
        return any(non_finite(x) for x in v)
    if isinstance(v, (float, np.floating)):
        return not np.isfinite(v)
    return False


def refused(exc: BaseException, inputs: Mapping[str, Any]) -> bool:
    """Whether ``exc`` raised on ``inputs`` is a refusal rather than a wrong answer."""
    if isinstance(exc, guard.TargetCrashed):
        return False
    if any(non_finite(v) for v in inputs.values()):
        return True
    return isinstance(exc, REFUSALS) and not isinstance(exc, IndexError)


def _invoke(fn: Callable, args, kwargs, call: str, inputs: Mapping[str, Any]):
    """Call the target under the per-call limits of ``mathoracle.core.guard`` (timeout,
    isolation); a hang or a crash is a finding like an exception, a refusal is Refused."""
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")  # a target's warnings are its own business
            return guard.run(fn, args, kwargs, call)
    except guard.TargetTimeout as exc:
        raise Falsified(f"hung: {exc} [{call}]", call=call, inputs=inputs) from None
    except guard.TargetCrashed as exc:
        raise Falsified(f"{exc} [{call}]", call=call, inputs=inputs) from None
    except Exception as exc:  # the target's failure is a finding, not a crash
        said = f"raised {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc).strip() else ''}"
        if refused(exc, inputs):
            raise Refused(said, call=call, inputs=inputs, exception=type(exc).__name__) from None
        raise Falsified(f"{said} [{call}]", call=call, inputs=inputs) from None


def vet(out: Any, dtype, shape: tuple, what: str, call: str, inputs: Mapping[str, Any],
        notes: set[str]) -> np.ndarray:
    """``out`` as an array of the wanted dtype and shape, or Falsified saying what is wrong."""
    try:
        got = to_numpy(out)
    except Exception as exc:
        raise Falsified(f"returned {type(out).__name__}, which is not an array "
                        f"({type(exc).__name__}) [{call}]", call=call, inputs=inputs) from None
    if not is_float(got.dtype):  # bfloat16, float8: numpy kind "V"
        should = np.dtype(dtype) if dtype is not None else "a float dtype"
        raise Falsified(f"{what}.dtype={got.dtype}, but should be {should} [{call}]", call=call,
                        inputs=inputs)
    want = np.dtype(dtype) if dtype is not None else got.dtype  # None: any float dtype
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


def _pick(out: Any, path: tuple[int, ...], lengths: dict, names: str, call: str,
          inputs: Mapping[str, Any]) -> Any:
    """The item of a returned tuple (or list within it) at ``path``, or Falsified."""
    node = out
    for depth in range(len(path)):
        want = lengths[path[:depth]]
        if not isinstance(node, (tuple, list)) or len(node) != want:
            got = f"a {type(node).__name__} of length {len(node)}" if isinstance(
                node, (tuple, list)) else f"{type(node).__name__}"
            where = "" if depth == 0 else f" item {list(path[:depth])}"
            raise Falsified(f"returned{where} {got}, but should be a tuple/list of {want} "
                            f"({names}) [{call}]", call=call, inputs=inputs)
        node = node[path[depth]]
    return node


def vet_output(out: Any, oracle: Oracle, dtype, call: str, inputs: Mapping[str, Any],
               notes: set[str]) -> np.ndarray:
    """What a call returned, vetted against the oracle's output parts: one array of the
    output's shape, or (several outputs) every part vetted and concatenated flat."""
    parts = oracle.output_parts(inputs)
    if oracle.integer and isinstance(out, (int, np.integer, np.ndarray)) and not isinstance(out, bool) \
            and np.asarray(out).dtype.kind in "iu":  # a count: judged as a float of the dtype
        out = np.asarray(out).astype(dtype if dtype is not None else np.float64)
    if len(parts) == 1 and not parts[0].path:
        return vet(out, dtype, parts[0].shape, "out", call, inputs, notes)
    lengths: dict[tuple, int] = {}
    for part in parts:
        for depth in range(len(part.path)):
            prefix = part.path[:depth]
            lengths[prefix] = max(lengths.get(prefix, 0), part.path[depth] + 1)
    names = ", ".join(oracle.outputs)
    leaves = [vet(_pick(out, p.path, lengths, names, call, inputs), dtype, p.shape, p.label, call,
                  inputs, notes).reshape(-1) for p in parts]
    return np.concatenate(leaves) if leaves else np.zeros(0, dtype=dtype)


def invoke(fn: Callable, oracle: Oracle, inputs: Mapping[str, Any], accepted: set[str], *,
           own: bool = False) -> tuple[Any, str]:
    """Call fn the canonical way: what it returned, unvetted, and the call's text. With
    ``own`` the target gets the arrays of ``inputs`` themselves, as a caller's own, not
    copies (the calling contracts watch what it does to them)."""
    give = (lambda v: v) if own else copied
    args = [give(inputs[a]) for a in oracle.arrays]
    kwargs = {p.name: give(inputs[p.name]) for p in oracle.params if p.name in accepted}
    call = signature_call(oracle, inputs)
    if own:
        str(call)  # written now: the target may write into these very arrays
    return _invoke(fn, args, kwargs, call, inputs), call


def call_target(fn: Callable, oracle: Oracle, inputs: Mapping[str, Any], dtype, accepted: set[str],
                notes: set[str]) -> np.ndarray:
    """Call fn the canonical way and vet dtype and shape. ``notes`` collects benign remarks.
    ``dtype`` None (an oracle without float inputs) accepts any float dtype."""
    out, call = invoke(fn, oracle, inputs, accepted)
    return vet_output(out, oracle, dtype, call, inputs, notes)


def call_gradient(grad: Callable, oracle: Oracle, inputs: Mapping[str, Any], cotangent: np.ndarray,
                  dtype, accepted: set[str], notes: set[str]) -> dict[str, np.ndarray]:
    """Call a gradient function ``grad(cotangent, *arrays, **params)``; vet each gradient of
    ``oracle.wrt`` (same dtype and shape as its argument)."""
    args = [copied(inputs[a]) for a in oracle.arrays]
    kwargs = {p.name: copied(inputs[p.name]) for p in oracle.params if p.name in accepted}
    call = CallText(lambda: f"grad of {signature_call(oracle, inputs)} with cotangent {cotangent.tolist()!r}")
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
