"""What a property is, and what its check sees.

A property draws an example (Hypothesis), calls the implementation through a ``Case``,
and raises ``Falsified`` when the implementation breaks it. Every check has one shape:
draw, call (the call itself checks dtype and shape), compare, and fail with a message of
one form: ``out=0.0, but should be 4.2e-18 [sigmoid(z=...)]``.

Tolerances in laws are never constants: a law holds to within the error that the
agreement check allows each output it combines (``Case.allowed``), propagated exactly.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import mpmath
import numpy as np

from mathoracle.core.accuracy import allowed_abs, fmt
from mathoracle.core.formats import is_float, is_ml
from mathoracle.core.model import DIGITS, Exact, Oracle, mpf_array


class Falsified(AssertionError):
    """A property does not hold. Carries what the report prints."""

    def __init__(self, message: str, *, call: str = "", inputs: Mapping[str, Any] | None = None,
                 expected: Any = None, got: Any = None, ulps: float | None = None,
                 allowed: float | None = None, index: tuple | None = None, level: str = "fail"):
        super().__init__(message)
        # "fail", or "inaccurate": beyond the allowance, but with half the dtype's digits kept
        # (accuracy.voided); the runner searches on for a failure and reports it INACCURATE.
        self.level = level
        self.message = message
        self.call = str(call)
        self.inputs = dict(inputs or {})
        self.expected = expected
        self.got = got
        self.ulps = ulps
        self.allowed = allowed
        self.index = index


class Refused(Exception):
    """The target declined an input on purpose: a validation error (ValueError and its
    subclasses, TypeError, NotImplementedError, LookupError) on finite input, or any
    exception on an input holding NaN or inf. Not a wrong answer: the runner records it
    (message and smallest refused input) and searches on over the inputs the target takes."""

    def __init__(self, message: str, *, call: str = "", inputs: Mapping[str, Any] | None = None,
                 exception: str = ""):
        super().__init__(message)
        self.message = message
        self.call = str(call)
        self.inputs = dict(inputs or {})
        self.exception = exception  # the exception's type name


class CannotMeasure(BaseException):
    """A law cannot measure this target at all (an operation count the target's arrays do
    not carry): the property is not applicable to it, with this reason. A BaseException, so
    that the search stops at once instead of shrinking it."""


@dataclass(frozen=True)
class Property:
    """One checkable statement about one oracle's implementations.

    oracle:   the oracle id it belongs to.
    name:     stable within the oracle (test ids and skip lists key on ``oracle::name``).
    doc:      one line: what holds.
    check:    ``check(case, example)`` raises Falsified; ``example`` is what ``draw`` made.
    draw:     ``draw(oracle, dtype)`` -> strategy of examples; an example is a dict with
              the call's keyword inputs under "inputs" (and anything else the check needs).
    needs:    other oracle ids the implementation must provide too (else not applicable).
    """

    oracle: str
    name: str
    doc: str
    check: Callable[["Case", dict], None]
    draw: Callable[[Oracle, Any], Any]
    needs: tuple[str, ...] = ()
    needs_params: tuple[str, ...] = ()  # parameters the target must accept (else n/a)
    needs_gradient: bool = False        # the implementation must give the oracle's gradient
    share: float = 1.0                  # the part of the example budget it runs on

    @property
    def id(self) -> str:
        return f"{self.oracle}::{self.name}"


@dataclass
class Case:
    """The implementation under test, seen from inside one example."""

    oracle: Oracle
    dtype: np.dtype
    call_fn: Callable[[str, Mapping[str, Any]], np.ndarray]
    oracles: Mapping[str, Oracle]
    gradient_fn: Callable[[str, Mapping[str, Any], np.ndarray], dict] | None = None
    returned_fn: Callable[[str, Mapping[str, Any], bool], tuple] | None = None
    ulps_seen: list = field(default_factory=list)

    def call(self, oracle_id: str, inputs: Mapping[str, Any]) -> np.ndarray:
        """The implementation's output for oracle_id (dtype and shape already checked)."""
        return self.call_fn(oracle_id, inputs)

    def parts(self, oracle_id: str, inputs: Mapping[str, Any]) -> dict[str, np.ndarray]:
        """A multi-output call's arrays by label ({"z": ..., "a": ...}; {"dWs[0]": ...})."""
        return split_parts(self.oracles[oracle_id], inputs, self.call(oracle_id, inputs))

    def returned(self, oracle_id: str, inputs: Mapping[str, Any], *, own: bool = False) -> tuple:
        """What the implementation returned, as it returned it (its arrays, for the calling
        contracts), and a vetted copy. ``own``: it gets the arrays of ``inputs`` themselves."""
        return self.returned_fn(oracle_id, inputs, own)

    def gradient(self, oracle_id: str, inputs: Mapping[str, Any], cotangent: np.ndarray) -> dict:
        """The implementation's gradients {argument: array} of Σ cotangent·f (vetted)."""
        return self.gradient_fn(oracle_id, inputs, cotangent)

    def exact(self, oracle_id: str, inputs: Mapping[str, Any]) -> Exact:
        """The oracle's answer (an input met before is answered from ``memo``'s cache)."""
        o = self.oracles[oracle_id]
        return o.exact({**o.defaults(), **inputs})

    def allowed(self, oracle_id: str, inputs: Mapping[str, Any]) -> np.ndarray:
        """Absolute error the agreement check allows each output (object array of mpf)."""
        return allowed_abs(self.exact(oracle_id, inputs), self.oracles[oracle_id].error, fmt(self.dtype))


def source(v) -> str:
    """One value as Python source that rebuilds it exactly (arrays, lists of arrays, scalars)."""
    if isinstance(v, np.ndarray):
        module = "ml_dtypes" if is_ml(v.dtype) else "np"
        return f"np.array({v.tolist()!r}, dtype={module}.{v.dtype.name})"
    if isinstance(v, list):
        return f"[{', '.join(source(x) for x in v)}]"
    if isinstance(v, tuple):
        return f"({', '.join(source(x) for x in v)}{',' if len(v) == 1 else ''})"
    return repr(v)


def show(inputs: Mapping[str, Any]) -> str:
    """Keyword inputs as Python source that rebuilds them exactly."""
    return ", ".join(f"{k}={source(v)}" for k, v in inputs.items())


def float_leaves(inputs: Mapping[str, Any], names) -> list[tuple[str, tuple, np.ndarray]]:
    """The floating-point arrays among the arguments ``names``: (name, prefix, array), where
    the prefix is () for an array argument and (i,) for the i-th array of a list argument."""
    out = []
    for name in names:
        v = inputs.get(name)
        if isinstance(v, np.ndarray) and is_float(v.dtype):
            out.append((name, (), v))
        elif isinstance(v, (list, tuple)):
            out.extend((name, (i,), a) for i, a in enumerate(v)
                       if isinstance(a, np.ndarray) and is_float(a.dtype))
    return out


def split_parts(oracle: Oracle, inputs: Mapping[str, Any], out: np.ndarray) -> dict[str, np.ndarray]:
    """A multi-output oracle's flat output (or exact value) as {label: array of its shape}."""
    parts = oracle.output_parts({**oracle.defaults(), **inputs})
    if len(parts) == 1 and not parts[0].path:
        return {parts[0].label: np.asarray(out).reshape(parts[0].shape)}
    flat, start, got = np.asarray(out).reshape(-1), 0, {}
    for part in parts:
        got[part.label] = flat[start:start + part.size].reshape(part.shape)
        start += part.size
    return got


def signature_call(oracle: Oracle, inputs: Mapping[str, Any]) -> "CallText":
    """The call as Python source, ``sigmoid(z=np.array([...], dtype=np.float32))``: written
    out when a message formats it (``str``, an f-string), not before."""
    return CallText(lambda: f"{oracle.name}({show(inputs)})")


class CallText:
    """A call's text, written only when a message needs it (most calls pass, and writing
    every array out costs more than many a target's call)."""

    def __init__(self, render: Callable[[], str]):
        self._render, self._text = render, None

    def __str__(self) -> str:
        if self._text is None:
            self._text = self._render()
        return self._text

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


def exact_combination(terms) -> np.ndarray:
    """Σ coef·array computed exactly (mpmath), for laws; ``terms``: (coef, array) pairs."""
    total = None
    with mpmath.workdps(DIGITS):
        for coef, arr in terms:
            a = arr if arr.dtype == object else mpf_array(arr)
            part = a * mpmath.mpf(coef)
            total = part if total is None else total + part
    return total


def expect_within(diff: np.ndarray, bound: np.ndarray, what: str, call: str,
                  inputs: Mapping[str, Any], got: np.ndarray | None = None) -> None:
    """Raise Falsified where |diff| exceeds bound (both object arrays of mpf), or is NaN."""
    diff = np.asarray(diff, dtype=object)
    bound = np.broadcast_to(np.asarray(bound, dtype=object), diff.shape)
    for idx, dv in np.ndenumerate(diff):
        bad = mpmath.isnan(dv) or abs(dv) > bound[idx]
        if bad:
            at = f" at index {idx}" if diff.ndim else ""
            digits = 3  # enough digits that the printed numbers compare as the real ones
            while digits < 30 and not mpmath.isnan(dv) and \
                    mpmath.mpf(mpmath.nstr(abs(dv), digits)) <= mpmath.mpf(mpmath.nstr(bound[idx], digits)):
                digits += 1
            raise Falsified(
                f"{what}: off by {mpmath.nstr(dv, max(digits, 6))}, allowed "
                f"{mpmath.nstr(bound[idx], digits)}{at} [{call}]",
                call=call, inputs=inputs, index=idx,
                got=None if got is None else got)


def expect_equal(case: "Case", oracle_id: str, inputs: Mapping[str, Any], got, want, why: str,
                 mask=None) -> None:
    """Raise Falsified where ``got`` differs from the value a law fixes exactly (``want``,
    representable: Q itself at α = 0, r_t at a done, 0 for KL(p‖p)) by more than the error
    the agreement check allows that output at ``inputs``: the same allowance, so a law
    never demands bit-exactness where agreement would accept a flush to zero or a
    rounding. NaN equals NaN. ``mask`` limits the law to some outputs."""
    got = np.asarray(got, dtype=np.float64)
    want = np.broadcast_to(np.asarray(want, dtype=np.float64), got.shape)
    mask = np.ones(got.shape, bool) if mask is None else np.asarray(mask, bool)
    differ = mask & ~((got == want) | (np.isnan(got) & np.isnan(want)))
    if not differ.any():
        return
    allowed = np.asarray(case.allowed(oracle_id, inputs), dtype=object).reshape(got.shape)
    with mpmath.workdps(DIGITS):
        for idx in map(tuple, np.argwhere(differ)):
            g, w = got[idx], want[idx]
            if np.isfinite(g) and np.isfinite(w) and abs(mpmath.mpf(g) - mpmath.mpf(w)) <= allowed[idx]:
                continue
            call = signature_call(case.oracle, inputs)
            at = f"out{list(idx)}" if got.ndim else "out"
            raise Falsified(f"{at}={float(g)!r}, but should be {float(w)!r} ({why}), allowed "
                            f"{mpmath.nstr(allowed[idx], 3)} [{call}]", call=call, inputs=inputs,
                            got=float(g), expected=float(w), index=idx)


def expect_zero(case: "Case", oracle_id: str, inputs: Mapping[str, Any], why: str) -> None:
    """Raise Falsified unless every output is 0 (KL(p‖p), a perfect prediction), within the
    error agreement allows there."""
    out = case.call(oracle_id, inputs)
    expect_equal(case, oracle_id, inputs, out, 0.0, why)


def domain_examples(oracle, dtype):
    """Examples drawn from the oracle's domain."""
    return oracle.domain(dtype).map(lambda inputs: {"inputs": inputs})


def bounded(oracle_id: str, lo: float, hi: float) -> Property:
    """lo ≤ f(z) ≤ hi, exactly: rounding never leaves a closed range with float ends."""
    def check(case, ex):
        x = ex["inputs"]
        out = np.asarray(case.call(oracle_id, x), dtype=np.float64)
        bad = ~((out >= lo) & (out <= hi))
        if bad.any():
            idx = tuple(int(i) for i in np.argwhere(bad)[0])
            call = signature_call(case.oracle, x)
            raise Falsified(f"out{list(idx)}={out[idx]!r}, but should be in [{lo:g}, {hi:g}] [{call}]",
                            call=call, inputs=x, got=float(out[idx]), index=idx)
    return Property(oracle_id, "range", f"values lie in [{lo:g}, {hi:g}]", check, domain_examples)


