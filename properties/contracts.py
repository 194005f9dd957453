"""The properties every oracle has: agreement with the oracle, edge values, NaN.

- ``agreement``: over the oracle's whole domain, every output element is within the
  error the oracle's error model allows (see mathoracle/accuracy.py).
- ``edges``: the same verdict on inputs made only of edge values (logits at ±1e4,
  subnormals, probabilities at 1e-300 and 1 - 2^-p): no inf or NaN where the
  mathematics is finite, no underflow to 0 where the value is representable.
- ``nan``: a NaN in any input element makes every output that depends on it NaN.
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from mathoracle.accuracy import judge

from .base import Case, Falsified, Property, signature_call


def _examples(strategy_of):
    def draw(oracle, dtype):
        return strategy_of(oracle)(dtype).map(lambda inputs: {"inputs": inputs})
    return draw


def check_agreement(case: Case, example: dict) -> None:
    oracle, inputs = case.oracle, example["inputs"]
    got = case.call(oracle.id, inputs)
    exact = case.exact(oracle.id, inputs)
    verdict = judge(got, exact, oracle.error, case.dtype)
    case.ulps_seen.append(verdict.max_ulps)
    if verdict.passed:
        return
    idx = verdict.worst
    g = np.asarray(got, dtype=np.float64).reshape(exact.value.shape)[idx]
    e = exact.value[idx]
    expected = float(e)
    where = f" at index {idx}" if exact.value.ndim else ""
    raise Falsified(
        f"out{list(idx) if idx else ''}={float(g)!r}, but should be {expected!r}{where}: "
        f"{verdict.errors[idx]:.4g} ulp, allowed {verdict.allowed[idx]:.3g} "
        f"[{signature_call(oracle, inputs)}]",
        call=signature_call(oracle, inputs), inputs=inputs, expected=expected, got=float(g),
        ulps=float(verdict.errors[idx]), allowed=float(verdict.allowed[idx]), index=idx)


@st.composite
def _with_nan(draw, oracle, dtype):
    inputs = dict(draw(oracle.domain(dtype)))
    arg = draw(st.sampled_from(oracle.arrays))
    arr = np.array(inputs[arg], copy=True)
    flat = draw(st.integers(0, arr.size - 1))
    index = np.unravel_index(flat, arr.shape)
    arr[index] = np.nan
    inputs[arg] = arr
    return {"inputs": inputs}


def check_nan(case: Case, example: dict) -> None:
    oracle, inputs = case.oracle, example["inputs"]
    got = np.asarray(case.call(oracle.id, inputs), dtype=np.float64)
    must = np.zeros(oracle.output_shape(inputs), dtype=bool)
    cause = {}
    for arg in oracle.arrays:
        for index in np.argwhere(np.isnan(np.asarray(inputs[arg], dtype=np.float64))):
            mask = oracle.nan_mask(inputs, arg, tuple(int(i) for i in index))
            cause.update({tuple(int(i) for i in m): f"{arg}{index.tolist()}" for m in np.argwhere(mask & ~must)})
            must |= mask
    missing = must & ~np.isnan(got.reshape(must.shape))
    if missing.any():
        idx = tuple(int(i) for i in np.argwhere(missing)[0]) if missing.ndim else ()
        call = signature_call(oracle, inputs)
        raise Falsified(
            f"out{list(idx) if idx else ''}={float(got.reshape(must.shape)[idx])!r}, but should be nan: "
            f"{cause.get(idx, 'an input')} is nan [{call}]",
            call=call, inputs=inputs, expected=float("nan"), got=float(got.reshape(must.shape)[idx]),
            index=idx)


def generic_properties(oracle) -> tuple[Property, ...]:
    props = [
        Property(oracle.id, "agreement", "agrees with the oracle over the whole domain",
                 check_agreement, _examples(lambda o: o.domain)),
        Property(oracle.id, "edges", "agrees with the oracle on edge values only",
                 check_agreement, _examples(lambda o: o.edges)),
    ]
    if oracle.propagates_nan:
        props.append(Property(oracle.id, "nan", "a NaN input makes its outputs NaN",
                              check_nan, _with_nan))
    return tuple(props)
