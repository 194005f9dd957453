"""The properties every oracle has: agreement with the oracle, edge values, NaN.

- ``agreement``: over the oracle's whole domain, every output element is within the
  error the oracle's error model allows (see mathoracle/core/accuracy.py).
- ``edges``: the same verdict on inputs made only of edge values (logits at ±1e4,
  subnormals, probabilities at 1e-300 and 1 - 2^-p): no inf or NaN where the
  mathematics is finite, no underflow to 0 where the value is representable.
- ``nan``: a NaN in any input element makes every output that depends on it NaN.
- ``inputs_unchanged``: the caller's arrays hold what they held after the call.
- ``fresh_output``: a result is the caller's to write into; the next call is not changed by it.
- ``gradient`` (implementations that differentiate, such as torch's autograd): the
  gradient of Σ w·f by each argument of the oracle's ``wrt``, for a drawn cotangent w,
  agrees with ``sympy.diff`` of the oracle under the same error model (its sensitivity
  taken from the second derivatives).
"""
from __future__ import annotations

import mpmath
import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from mathoracle.core.accuracy import compared, judge
from mathoracle.core.buffers import copied, writable_arrays
from mathoracle.core.laws import CallText, Case, Falsified, Property, Refused, float_leaves, signature_call
from mathoracle.core.model import ErrorModel, Exact


def _examples(strategy_of):
    def draw(oracle, dtype):
        return strategy_of(oracle)(dtype).map(lambda inputs: {"inputs": inputs})
    return draw


def _judged(case: Case, got, exact, model, what: str, call: str, inputs) -> None:
    """Raise Falsified unless every element of ``got`` is within its allowed error."""
    verdict = judge(got, exact, model, case.dtype)
    case.ulps_seen.append(verdict.max_ulps)
    if verdict.passed:
        return
    level = verdict.level
    idx = verdict.worst
    g = np.asarray(got, dtype=np.float64).reshape(exact.value.shape)[idx]
    expected = float(exact.value[idx])
    where = f" at index {idx}" if exact.value.ndim and not case.oracle.outputs else ""
    label = case.oracle.locate(inputs, idx) if what == "out" else f"{what}{list(idx) if idx else ''}"
    absolute = abs(float(g) - expected) if np.isfinite(g) else float("nan")
    raise Falsified(
        f"{label}={float(g)!r}, but should be {expected!r}{where}: "
        f"{compared(float(verdict.errors[idx]), float(verdict.allowed[idx]), absolute)} [{call}]",
        call=call, inputs=inputs, expected=expected, got=float(g),
        ulps=float(verdict.errors[idx]), allowed=float(verdict.allowed[idx]), index=idx, level=level)


def check_agreement(case: Case, example: dict) -> None:
    oracle, inputs = case.oracle, example["inputs"]
    got = case.call(oracle.id, inputs)
    exact = case.exact(oracle.id, inputs)
    _judged(case, oracle.align(inputs, got, exact), exact, oracle.error, "out",
            signature_call(oracle, inputs), inputs)


# Cotangents are exact in every dtype, of both signs and of several binades.
COTANGENTS = (1.0, -1.0, 0.5, 2.0, -0.25, 3.0, -1.5)


@st.composite
def _with_cotangent(draw, oracle, dtype):
    inputs = draw(oracle.domain(dtype))
    shape = oracle.output_shape({**oracle.defaults(), **inputs})
    w = draw(hnp.arrays(dtype, shape, elements=st.sampled_from(COTANGENTS)))
    return {"inputs": inputs, "cotangent": w}


def check_gradient(case: Case, example: dict) -> None:
    oracle, inputs = case.oracle, example["inputs"]
    full = {**oracle.defaults(), **inputs}
    w = example.get("cotangent")
    if w is None:  # a deviation's witness: the gradient of the plain sum
        w = np.ones(oracle.output_shape(full), dtype=case.dtype)
    grads = case.gradient(oracle.id, inputs, w)
    exact = oracle.vjp(full, w)
    for arg in oracle.wrt:
        got, ex = _where_defined(grads[arg], exact[arg])
        call = CallText(lambda arg=arg: f"∂/∂{arg} of Σ w·{signature_call(oracle, inputs)}, w={w.tolist()!r}")
        _judged(case, got, ex, ErrorModel(), f"grad[{arg}]", call, {**inputs, "cotangent": w})


def _where_defined(got: np.ndarray, exact: Exact):
    """Only the elements where the derivative is a finite number are judged: at a boundary
    point (∂/∂p of p·log p at p = 0 is -∞) any answer is a convention. The others are set
    to agree (0 and 0), so that indices in a message stay the arguments' own."""
    defined = np.vectorize(mpmath.isfinite, otypes=[bool])(exact.value)
    if defined.all():
        return got, exact
    got = np.where(defined, np.asarray(got).reshape(defined.shape), 0)
    zero = mpmath.mpf(0)
    value = np.where(defined, exact.value, zero)
    sens = np.where(defined, exact.sensitivity, zero)
    return got, Exact(value, sens, exact.budget)


@st.composite
def _with_nan(draw, oracle, dtype):
    """A domain example with one element of one floating-point argument (an array, or an
    array in a list argument) set to NaN."""
    inputs = dict(draw(oracle.domain(dtype)))
    leaves = [leaf for leaf in float_leaves(inputs, oracle.arrays)
              if leaf[2].size and leaf[0] not in oracle.selectors]
    arg, prefix, arr = draw(st.sampled_from(leaves))
    arr = np.array(arr, copy=True)
    arr[np.unravel_index(draw(st.integers(0, arr.size - 1)), arr.shape)] = np.nan
    if prefix:
        inputs[arg] = [arr if i == prefix[0] else a for i, a in enumerate(inputs[arg])]
    else:
        inputs[arg] = arr
    return {"inputs": inputs}


def check_nan(case: Case, example: dict) -> None:
    """Raising on the NaN input (a refusal, loud) satisfies the contract too."""
    oracle, inputs = case.oracle, example["inputs"]
    try:
        got = np.asarray(case.call(oracle.id, inputs), dtype=np.float64)
    except Refused:
        return
    must = np.zeros(oracle.output_shape({**oracle.defaults(), **inputs}), dtype=bool)
    cause = {}
    for arg, prefix, arr in float_leaves(inputs, oracle.arrays):
        for index in np.argwhere(np.isnan(arr.astype(np.float64))):
            at = prefix + tuple(int(i) for i in index)
            mask = oracle.nan_mask({**oracle.defaults(), **inputs}, arg, at)
            cause.update({tuple(int(i) for i in m): f"{arg}{list(at)}" for m in np.argwhere(mask & ~must)})
            must |= mask
    missing = must & ~np.isnan(got.reshape(must.shape))
    if missing.any():
        idx = tuple(int(i) for i in np.argwhere(missing)[0]) if missing.ndim else ()
        call = signature_call(oracle, inputs)
        raise Falsified(
            f"{oracle.locate(inputs, idx)}={float(got.reshape(must.shape)[idx])!r}, but should be nan: "
            f"{cause.get(idx, 'an input')} is nan [{call}]",
            call=call, inputs=inputs, expected=float("nan"), got=float(got.reshape(must.shape)[idx]),
            index=idx)


def _array_leaves(inputs) -> list[tuple[str, np.ndarray]]:
    """Every array among the inputs, floats or not, as ("name" or "name[i]", array)."""
    out = []
    for name, v in inputs.items():
        if isinstance(v, np.ndarray):
            out.append((name, v))
        elif isinstance(v, (list, tuple)):
            out.extend((f"{name}[{i}]", a) for i, a in enumerate(v) if isinstance(a, np.ndarray))
    return out


def _first_change(was: np.ndarray, now: np.ndarray) -> tuple | None:
    """The first index where ``now`` differs from ``was`` bit for bit (None: unchanged)."""
    if now.shape != was.shape or now.dtype != was.dtype:
        return ()
    a, b = was.reshape(-1).view(np.uint8), now.reshape(-1).view(np.uint8)
    bad = np.flatnonzero((a != b).reshape(was.size, -1).any(axis=1)) if was.size else []
    return tuple(int(i) for i in np.unravel_index(bad[0], was.shape)) if len(bad) else None


def check_inputs_unchanged(case: Case, example: dict) -> None:
    """The target is given the caller's own arrays; afterwards they hold what they held."""
    oracle, inputs = case.oracle, example["inputs"]
    own = {k: copied(v) for k, v in inputs.items()}
    case.returned(oracle.id, own, own=True)
    for (name, was), (_, now) in zip(_array_leaves(inputs), _array_leaves(own)):
        idx = _first_change(was, now)
        if idx is None:
            continue
        call = signature_call(oracle, inputs)
        if idx == ():
            raise Falsified(f"{name} became {now.dtype}{now.shape} after the call, but was "
                            f"{was.dtype}{was.shape}: the target changed its input [{call}]",
                            call=call, inputs=inputs)
        raise Falsified(f"{name}{list(idx)}={now[idx].item()!r} after the call, but was "
                        f"{was[idx].item()!r}: the target wrote into its input [{call}]",
                        call=call, inputs=inputs, expected=was[idx].item(), got=now[idx].item(),
                        index=idx)


def check_fresh_output(case: Case, example: dict) -> None:
    """The caller writes NaN into a result; the next call on the same input must not return
    that NaN (a result that is the target's cache), nor write into the first result (a
    buffer reused from call to call): a result may not share memory with the target."""
    oracle, inputs = case.oracle, example["inputs"]
    raw, first = case.returned(oracle.id, inputs)
    arrays = writable_arrays(raw)
    if not arrays:
        return
    for a in arrays:
        a[...] = np.nan
    _, second = case.returned(oracle.id, inputs)
    first = np.asarray(first, dtype=np.float64)
    stale = np.isnan(np.asarray(second, dtype=np.float64)) & ~np.isnan(first)
    if stale.any():
        shape = oracle.output_shape({**oracle.defaults(), **inputs})
        idx = tuple(int(i) for i in np.argwhere(stale.reshape(shape))[0]) if len(shape) else ()
        call = signature_call(oracle, inputs)
        was = float(first.reshape(shape)[idx])
        raise Falsified(f"{oracle.locate(inputs, idx)}=nan on the second call, but should be {was!r}: "
                        f"the caller wrote nan into the first call's result, and the target returned "
                        f"it again (its result shares memory with its own state) [{call}]",
                        call=call, inputs=inputs, expected=was, got=float("nan"), index=idx)
    for k, a in enumerate(arrays):
        kept = np.isnan(a.astype(np.float64))
        if not kept.all():
            idx = tuple(int(i) for i in np.argwhere(~kept)[0])
            call = signature_call(oracle, inputs)
            raise Falsified(f"the first call's result{f' {k}' if len(arrays) > 1 else ''} holds "
                            f"{a[idx].item()!r} at {list(idx)} after a second call, where the caller "
                            f"had written nan: the target reuses one buffer for its results [{call}]",
                            call=call, inputs=inputs, expected=float("nan"), got=float(a[idx]),
                            index=idx)


# The properties every oracle may have; the others are its laws.
GENERIC = ("agreement", "edges", "nan", "gradient", "inputs_unchanged", "fresh_output")
# The calling contracts hold or break on almost any input: a share of the example budget.
CONTRACT_SHARE = 0.25


def generic_properties(oracle) -> tuple[Property, ...]:
    props = [
        Property(oracle.id, "agreement", "agrees with the oracle over the whole domain",
                 check_agreement, _examples(lambda o: o.domain)),
        Property(oracle.id, "edges", "agrees with the oracle on edge values only",
                 check_agreement, _examples(lambda o: o.edges)),
    ]
    if oracle.propagates_nan and not oracle.float_free:
        props.append(Property(oracle.id, "nan", "a NaN input makes its outputs NaN",
                              check_nan, _with_nan))
    if oracle.wrt:
        props.append(Property(oracle.id, "gradient", f"autograd by {', '.join(oracle.wrt)} agrees "
                              "with sympy.diff of the oracle", check_gradient, _with_cotangent,
                              needs_gradient=True))
    return tuple(props)


def calling_contracts(oracle) -> tuple[Property, ...]:
    """The calling contracts, run after the laws: a target whose result aliases its state
    is broken by fresh_output's writes for the rest of the check."""
    props = []
    if _array_leaves(oracle.probe(None if oracle.float_free else np.dtype(np.float64))):
        props.append(Property(oracle.id, "inputs_unchanged", "leaves the caller's arrays as they "
                              "were", check_inputs_unchanged, _examples(lambda o: o.domain),
                              share=CONTRACT_SHARE))
    if not oracle.integer:  # a count is a number, not a buffer
        props.append(Property(oracle.id, "fresh_output", "returns arrays of its own, which the "
                              "caller may write into", check_fresh_output,
                              _examples(lambda o: o.domain), share=CONTRACT_SHARE))
    return tuple(props)
