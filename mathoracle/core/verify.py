"""Every exact value verified, never assumed (Ziv's strategy).

An oracle's answer is computed at ``DIGITS`` and again at twice the digits. It is accepted
(the more precise one is returned) when, for every element,

- the two values differ by at most τ·A, where A = u·(S + |f| + E) + 2^-1074 is the least
  allowance any judged dtype gets (u float64's unit roundoff, 2^-1074 its least subnormal);
- the two sensitivities S and the two textbook errors E, which set the allowance's size
  and need two digits, not sixty, differ by at most A/4 once multiplied by u;
- where the oracle knows the running error R of what it evaluated (``Exact.rounding``), the
  precise value's own error bound R·10^-digits is at most τ·A too: two equal answers prove
  nothing where both precisions cancelled to the same 0.

Otherwise the precision doubles and the pair is compared again, up to ``MAX_DIGITS``.
An input at which mpmath raises, or at which no pair agrees, is an ``OracleError`` that
names the oracle and the input: an error of the oracle, never a verdict.

An oracle that evaluates another one (or its own parent class) inside its ``exact`` is
verified once, as a whole: the inner calls run at the outer precision.
"""
from __future__ import annotations

import contextvars
import functools
from typing import Any, Mapping

import mpmath
import numpy as np

from .errors import OracleError
from .precision import DIGITS, working

TOLERANCE = mpmath.mpf(2) ** -10        # τ: for a value
SCALE_TOLERANCE = mpmath.mpf(2) ** -2   # for S and E: they set the allowance's size
UNIT = mpmath.mpf(2) ** -53             # float64's unit roundoff: the least judged
FLOOR = mpmath.mpf(2) ** -1074          # float64's least subnormal: no judged dtype sees less
MAX_DIGITS = 16 * DIGITS                # the last precision tried (960 digits)

_verifying = contextvars.ContextVar("mathoracle_verifying", default=False)
_FAILURES = (ArithmeticError, mpmath.libmp.NoConvergence)


def verified(method):
    """``method(self, inputs, *more)``, an oracle's ``exact`` or ``vjp``, verified as above."""
    @functools.wraps(method)
    def wrapper(self, inputs, *more):
        if _verifying.get():  # a part of an evaluation verified as a whole
            return method(self, inputs, *more)
        token = _verifying.set(True)
        try:
            return _ladder(method, self, inputs, more)
        finally:
            _verifying.reset(token)
    wrapper.verified = True
    return wrapper


def _ladder(method, oracle, inputs, more):
    lo_digits = DIGITS
    lo = _at(lo_digits, method, oracle, inputs, more)
    while True:
        hi_digits = 2 * lo_digits
        hi = _at(hi_digits, method, oracle, inputs, more)
        where = disagreement(lo, hi, hi_digits)
        if where is None:
            return hi
        if hi_digits >= MAX_DIGITS:
            raise OracleError(f"{_name(oracle)}: the exact value is not verified at {hi_digits} "
                              f"digits ({where}) at {describe(inputs)}")
        lo, lo_digits = hi, hi_digits


def _at(d, method, oracle, inputs, more):
    with working(d):
        try:
            return method(oracle, inputs, *more)
        except _FAILURES as exc:
            raise OracleError(f"{_name(oracle)}: mpmath raised {type(exc).__name__} ({exc}) at "
                              f"{d} digits at {describe(inputs)}") from exc


def disagreement(lo, hi, hi_digits: int) -> str | None:
    """Where two answers (an ``Exact``, or a mapping of them) are not yet verified, or None."""
    if isinstance(hi, Mapping):
        for key, answer in hi.items():
            where = disagreement(lo[key], answer, hi_digits)
            if where is not None:
                return f"{key}: {where}"
        return None
    if not hasattr(hi, "value"):
        return None if _same(lo, hi) else "the two answers differ"
    value = _elements(hi.value)
    shape = value.shape
    lo_value, sens, lo_sens = _elements(lo.value, shape), _elements(hi.sensitivity, shape), \
        _elements(lo.sensitivity, shape)
    ev, lo_ev = _elements(hi.evaluation, shape), _elements(lo.evaluation, shape)
    bound = None if hi.rounding is None else _elements(hi.rounding, shape)
    step = mpmath.mpf(10) ** -hi_digits
    with mpmath.workdps(30):
        for k in range(value.size):
            v, w = value.flat[k], lo_value.flat[k]
            if not (mpmath.isfinite(v) and mpmath.isfinite(w)):
                if not (_same(v, w) or (mpmath.isnan(v) and mpmath.isnan(w))):
                    return f"element {k}: {mpmath.nstr(w, 5)} then {mpmath.nstr(v, 5)}"
                continue
            if mpmath.isinf(sens.flat[k]):  # an unbounded allowance (an eigenvector at a tie)
                continue
            least = UNIT * (abs(_finite(sens.flat[k])) + abs(v) + abs(_finite(ev.flat[k]))) + FLOOR
            allowed = TOLERANCE * least
            if abs(v - w) > allowed:
                return f"element {k}: {mpmath.nstr(w, 8)} then {mpmath.nstr(v, 8)}"
            for name, a, b in (("sensitivity", sens, lo_sens), ("evaluation error", ev, lo_ev)):
                x, y = _finite(a.flat[k]), _finite(b.flat[k])
                if UNIT * abs(x - y) > SCALE_TOLERANCE * least:
                    return f"element {k}'s {name}: {mpmath.nstr(y, 5)} then {mpmath.nstr(x, 5)}"
            if bound is not None and abs(_finite(bound.flat[k])) * step > allowed:
                return f"element {k}: its rounding bound exceeds the tolerance"
    return None


def _elements(a: Any, shape=None) -> np.ndarray:
    """An object array of mpf (NaN for what is no number), broadcast to ``shape``."""
    arr = np.asarray(a, dtype=object)
    if shape is not None:
        arr = np.broadcast_to(arr, shape)
    out = np.empty(arr.shape, dtype=object)
    for k, x in enumerate(arr.reshape(-1)):
        try:
            out.flat[k] = x if isinstance(x, mpmath.mpf) else mpmath.mpf(x)
        except (TypeError, ValueError):
            out.flat[k] = mpmath.nan
    return out


def _finite(x):
    return x if mpmath.isfinite(x) else mpmath.mpf(0)


def _same(a, b) -> bool:
    try:
        return bool(a == b)
    except (TypeError, ValueError):  # arrays: every element equal
        return bool(np.all(np.asarray(a) == np.asarray(b)))


def _name(oracle) -> str:
    return f"oracle {getattr(oracle, 'id', type(oracle).__name__)}"


def describe(inputs: Mapping[str, Any]) -> str:
    """The input in one line: small arrays in full (repr), larger ones by shape and range."""
    parts = []
    for name, v in inputs.items():
        a = np.asarray(v) if isinstance(v, (np.ndarray, list, tuple)) else None
        if a is None or a.dtype == object:
            parts.append(f"{name}={v!r}")
        elif a.size <= 8:
            parts.append(f"{name}=np.array({a.tolist()!r}, {a.dtype.name})")
        else:
            finite = a[np.isfinite(a)] if a.dtype.kind == "f" else a.reshape(-1)
            span = f"from {finite.min()!r} to {finite.max()!r}" if finite.size else "no finite value"
            parts.append(f"{name}: {a.dtype.name} array of shape {a.shape}, {span}")
    return ", ".join(parts)
