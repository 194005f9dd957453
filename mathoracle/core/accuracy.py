"""The accuracy verdict: error in ULPs, and the error an implementation is allowed.

Error. ``|got - exact| / ulp(exact)``, where ulp(x) is the spacing of the output dtype in
the binade of the exact value, floored at the dtype's smallest subnormal. A correctly
rounded result has error ≤ 0.5. An infinite result is right (error 0) exactly when the
exact value rounds to that same infinity.

Allowed. An evaluation of the formula makes ``budget`` roundings (the operation count
of the SymPy expression, plus one per summed term). Each may cost half an ulp of the
result and a relative perturbation u (the dtype's unit roundoff) of every input, which
the formula amplifies by its sensitivity S = Σ |∂f/∂x_i|·|x_i|:

    allowed = budget · (½·ulp(exact) + u·(S + scale)) + λ

``scale`` is 0 for a relative error model and the formula's natural scale for a mixed
one. λ is the dtype's smallest normal number: a result below it may be flushed to zero
(abrupt underflow; Higham, *Accuracy and Stability of Numerical Algorithms*, §2.1, the
model of arithmetic with underflow). The error is still measured in subnormal ulps, so
a flush shows in the report; 4e-18 returned as 0 in float64 is still wrong. So an ill-conditioned input is not blamed on the implementation (S is large there)
and an unstable algorithm is not excused (S is small where it loses digits). There are
no per-test tolerance constants.
"""
from __future__ import annotations

import contextlib
from dataclasses import dataclass

import mpmath
import numpy as np

from mathoracle.core.formats import Format, ml_formats
from mathoracle.core.model import DIGITS, ErrorModel, Exact

FORMATS = {
    "float16": Format("float16", 11, -14, 15),
    "float32": Format("float32", 24, -126, 127),
    "float64": Format("float64", 53, -1022, 1023),
    **ml_formats(),  # bfloat16, float8_e4m3fn, float8_e5m2 (mathoracle/core/formats.py)
}


def fmt(dtype) -> Format:
    name = np.dtype(dtype).name
    try:
        return FORMATS[name]
    except KeyError:
        raise ValueError(f"dtype={name} is not a floating dtype mathoracle judges; use one of "
                         f"{', '.join(FORMATS)}") from None


def ulp(exact: mpmath.mpf, f: Format) -> mpmath.mpf:
    """Spacing of format f in the binade of ``exact``, floored at the smallest subnormal."""
    if exact == 0 or mpmath.isinf(exact):
        e = f.emin
    else:
        _, e = mpmath.frexp(exact)  # |exact| = m·2^e, m in [0.5, 1)
        e = max(int(e) - 1, f.emin)
    return mpmath.ldexp(1, e - f.precision + 1)


def error_ulps(got: float, exact: mpmath.mpf, f: Format) -> float:
    """|got - exact| in ulps of ``exact``; NaN when got is NaN."""
    if np.isnan(got):  # a format without infinities (float8_e4m3fn) overflows to NaN
        past = getattr(f, "rounds_past_max", None)
        return 0.0 if past is not None and not f.infinities and past(abs(exact)) else float("nan")
    if np.isinf(got):
        rounds_to_inf = abs(exact) >= f.overflow
        return 0.0 if rounds_to_inf and (got > 0) == (exact > 0) else float("inf")
    with mpmath.workdps(DIGITS):
        return float(abs(mpmath.mpf(float(got)) - exact) / ulp(exact, f))


@dataclass
class Verdict:
    """Per-element errors and allowances (in ulps) of one output array."""

    errors: np.ndarray   # float, NaN where got is NaN
    allowed: np.ndarray  # float
    allowed_abs: np.ndarray  # float64 absolute allowance, for laws that combine outputs
    # Where the error voids the dtype's promise (see ``voided``): a FAIL, not INACCURATE.
    void: np.ndarray | None = None
    # Whether each element is within its allowance, decided exactly (in ulps both numbers
    # can overflow to inf where the exact value is 0 in float64: 1.0 for 0 is inf ulps).
    within: np.ndarray | None = None
    abs_errors: np.ndarray | None = None  # |got - exact| (float64), for error / allowed

    @property
    def ok(self) -> np.ndarray:
        if self.within is not None:
            return self.within
        return self.errors <= self.allowed  # NaN compares False: a NaN is never ok

    @property
    def passed(self) -> bool:
        return bool(np.all(self.ok))

    @property
    def level(self) -> str:
        """"pass", "inaccurate" (every element beyond its allowance keeps at least half the
        dtype's digits) or "fail"."""
        if self.passed:
            return "pass"
        if self.void is None or np.any(~self.ok & self.void):
            return "fail"
        return "inaccurate"

    @property
    def worst(self) -> tuple:
        """Index of the element furthest beyond its allowance: only an element beyond it
        (when any is), a voided one first, then by error / allowed (a NaN result counts as
        infinitely far; an infinite allowance as 0)."""
        ratio = self.ratios
        if not ratio.size:
            return ()
        bad = ~self.ok
        if self.void is not None and np.any(bad & self.void):
            bad = bad & self.void
        if np.any(bad):
            ratio = np.where(bad, ratio, -1.0)
        return tuple(int(i) for i in np.unravel_index(int(np.argmax(ratio)), ratio.shape))

    @property
    def ratios(self) -> np.ndarray:
        """error / allowed per element (≤ 1 passes); inf where the result is NaN, 0 where
        the allowance is infinite."""
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            r = self.errors / np.maximum(self.allowed, 1e-300)
            if self.abs_errors is not None:  # in ulps both may overflow where the value is 0
                r = np.where(np.isinf(self.allowed), self.abs_errors / np.maximum(self.allowed_abs, 1e-308), r)
        r = np.where(np.isinf(self.allowed) & ~np.isnan(self.errors) & np.isnan(r), 0.0, r)
        return np.where(np.isnan(r), np.inf, r)

    @property
    def max_ulps(self) -> float:
        finite = self.errors[~np.isnan(self.errors)]
        if finite.size < self.errors.size:
            return float("nan")
        return float(finite.max()) if finite.size else 0.0


def allowed_abs(exact: Exact, model: ErrorModel, f: Format) -> np.ndarray:
    """Absolute error allowed for each output element (object array of mpf)."""
    u = f.unit_roundoff
    out = np.empty(exact.value.shape, dtype=object)
    with mpmath.workdps(DIGITS):
        scale = mpmath.mpf(model.scale)
        slack = np.broadcast_to(np.asarray(exact.slack, dtype=object), exact.value.shape)
        evaluation = np.broadcast_to(np.asarray(exact.evaluation, dtype=object), exact.value.shape)
        for idx, e in np.ndenumerate(exact.value):
            out[idx] = (exact.budget * (ulp(e, f) / 2 + u * (exact.sensitivity[idx] + scale))
                        + u * evaluation[idx] + f.smallest_normal + slack[idx])
    return out


def compared(error: float, allowed: float, absolute: float | None = None) -> str:
    """"error ulp, allowed A ulp" with as many digits as it takes for the printed numbers to
    compare as the real ones do (8.978 > 8.97756 is never shown as "8.978, allowed 8.98"),
    then the absolute error and error / allowed, which read right against an exact 0."""
    digits = 3
    while digits < 17 and error == error and allowed == allowed and error != allowed:
        e, a = float(f"{error:.{digits}g}"), float(f"{allowed:.{digits}g}")
        if (e > a) == (error > allowed) and e != a:
            break
        digits += 1
    text = f"{error:.{digits}g} ulp, allowed {allowed:.{digits}g}"
    if absolute is not None and absolute == absolute:
        text += f" (|error| {absolute:.3g}"
        if allowed > 0 and error == error:
            ratio, d = error / allowed, 3
            while d < 17 and ratio != 1 and float(f"{ratio:.{d}g}") == 1:
                d += 1
            text += f", {ratio:.{d}g}× the allowance"
        text += ")"
    return text


def voided(got: float, exact: mpmath.mpf, magnitude: mpmath.mpf, allowed: mpmath.mpf,
           f: Format) -> bool:
    """Whether ``got`` voids the dtype's promise, where the error is beyond its allowance.

    The rule between FAIL and INACCURATE. At this input the dtype can give the value |f| to
    within u·M, M = |f| + S + scale (one rounding of the value and of every input, which
    the formula amplifies by its sensitivity S): that is log2(|f|/(u·M)) bits. A result
    that keeps at least half of them is the right formula evaluated less accurately than it
    could be (INACCURATE); one that keeps fewer is wrong (FAIL):

        voided  ⇔  |got − f| > √(u·|f|·M)   (the geometric mean of |f| and u·M)

    A NaN, an infinity where f is finite, or a finite result where f is infinite, is always
    voided; so is any error beyond the
    allowance where f is exactly 0 (no bit of it can be kept). Witnesses (README, "What
    FAIL means"): float64 computed in float32 (≈ 2^-24·M), tanh(1e-8) as 2σ(2z)−1 = 0, a
    one-pass variance or an expanded distance that loses the digits the inputs carry: FAIL;
    a log-variance KL 174 ulp off where 36 are allowed: INACCURATE.
    """
    if (np.isnan(got) or np.isinf(got)) and error_ulps(got, exact, f) != 0:
        return True
    if mpmath.isinf(exact):  # a finite result where f is infinite (log 0 = -inf) keeps no bit
        return True
    err = abs(mpmath.mpf(float(got)) - exact)
    return bool(err > allowed and err * err > f.unit_roundoff * abs(exact) * magnitude)


# An iterative solver without a ``tol`` argument promises a quarter of the dtype's digits on
# its optimality conditions (u^¼: 1.2e-4 in float64): an SMO stopped at tol 1e-6, or LIBSVM
# with its single-precision kernel cache, is INACCURATE; a solver of another problem FAILs.
SOLVER_PROMISE = 0.25


def level(excess: mpmath.mpf, magnitude: mpmath.mpf, f: Format, promise: float = 0.5) -> str:
    """The level of a quantity that should be 0 but is ``excess`` beyond its allowance, in a
    formula whose terms have size ``magnitude``: "inaccurate" while |excess| ≤
    u^promise·magnitude (the rule of ``voided``: half the digits; a solver's optimality
    conditions: ``SOLVER_PROMISE``), else "fail"."""
    ok = mpmath.isfinite(excess) and abs(excess) <= f.unit_roundoff ** promise * magnitude
    return "inaccurate" if ok else "fail"


def judge(got: np.ndarray, exact: Exact, model: ErrorModel, dtype) -> Verdict:
    """Compare an implementation's output with the oracle's exact answer."""
    f = fmt(dtype)
    got = np.asarray(got, dtype=np.float64).reshape(exact.value.shape)
    allow = allowed_abs(exact, model, f)
    errors = np.empty(got.shape)
    allowed = np.empty(got.shape)
    allow_f = np.empty(got.shape)
    void = np.zeros(got.shape, dtype=bool)
    within = np.zeros(got.shape, dtype=bool)
    abs_errors = np.full(got.shape, np.nan)
    with mpmath.workdps(DIGITS):
        scale = mpmath.mpf(model.scale)
        for idx, e in np.ndenumerate(exact.value):
            g = float(got[idx])
            errors[idx] = error_ulps(g, e, f)
            allowed[idx] = float(allow[idx] / ulp(e, f))
            allow_f[idx] = float(allow[idx])
            if np.isnan(g):  # right only where a format without infinities overflows to NaN
                within[idx] = errors[idx] == 0
            elif np.isinf(g):
                within[idx] = errors[idx] == 0
            else:
                diff = abs(mpmath.mpf(g) - e)
                within[idx] = diff <= allow[idx]
                abs_errors[idx] = float(diff)
            if not within[idx]:
                void[idx] = voided(g, e, abs(e) + exact.sensitivity[idx] + scale, allow[idx], f)
    verdict = Verdict(errors, allowed, allow_f, void, within, abs_errors)
    for seen in _watchers:
        seen.append(verdict)
    return verdict


_watchers: list[list] = []  # the lists of open ``watch()`` blocks


@contextlib.contextmanager
def watch():
    """Collect every Verdict that ``judge`` gives inside the block (the runner's accuracy
    statistics: error / allowed, and error against input magnitude)."""
    seen: list[Verdict] = []
    _watchers.append(seen)
    try:
        yield seen
    finally:
        _watchers.remove(seen)
