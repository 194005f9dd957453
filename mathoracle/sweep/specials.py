"""The special values of a sweep and their contracts.

- ±0, ±smallest and largest subnormal, ±smallest normal, ±largest finite: the engine's accuracy
  verdict (exact value, allowance), like every other finite input.
- ±inf (formats that have them): the limit of the formula there (``sympy.limit``): a finite limit
  L is judged as an output L with no sensitivity; ±∞ wants ±inf; no limit wants NaN.
- NaN: NaN out, for an oracle that propagates NaN (``Oracle.propagates_nan``); anything otherwise.
"""
from __future__ import annotations

import mpmath
import numpy as np
import sympy as sp

from mathoracle.core.accuracy import judge
from mathoracle.core.formats import finfo
from mathoracle.core.laws import Falsified
from mathoracle.core.model import DIGITS, Exact
from mathoracle.sweep.chunk import Spec, call, exact_verdict, setup


def special_inputs(dtype) -> list[tuple[str, float]]:
    fi = finfo(dtype)
    sub, tiny, big = float(fi.smallest_subnormal), float(fi.tiny), float(fi.max)
    rows = [("+0", 0.0), ("-0", -0.0), ("smallest subnormal", sub), ("-smallest subnormal", -sub),
            ("largest subnormal", tiny - sub), ("-largest subnormal", -(tiny - sub)),
            ("smallest normal", tiny), ("-smallest normal", -tiny),
            ("largest finite", big), ("-largest finite", -big)]
    if np.isinf(np.array(np.inf).astype(dtype)):
        rows += [("+inf", np.inf), ("-inf", -np.inf)]
    return rows + [("NaN", np.nan)]


def _limit(oracle, sign: int):
    z, ps = oracle.symbols
    t = sp.Symbol("t", positive=True)  # z = ±t settles a Piecewise's conditions first
    expr = oracle.expression.subs({p: sp.nsimplify(oracle.defaults()[p.name]) for p in ps})
    return sp.limit(expr.subs(z, sign * t), t, sp.oo)


def check_specials(spec: Spec) -> list[dict]:
    """One row per special input: input, got, want, ok."""
    oracle, _, _, _ = setup(spec.oracle, spec.target, spec.conventions)
    rows = special_inputs(spec.dtype)
    z = np.array([v for _, v in rows]).astype(spec.dtype)
    try:
        got = call(spec, z).astype(np.float64)
    except Falsified as exc:
        return [{"input": "all", "ok": False, "want": "a result", "got": exc.message}]
    params = oracle.defaults()
    out = []
    finite = np.isfinite(z.astype(np.float64))
    idx = np.flatnonzero(finite)
    errs, allowed, _ = exact_verdict(oracle, params, z[idx], got[idx].astype(spec.dtype), spec.dtype)
    verdict = {int(i): (e, a) for i, e, a in zip(idx, errs, allowed)}
    for k, (name, _) in enumerate(rows):
        g = float(got[k])
        if k in verdict:
            e, a = verdict[k]
            out.append({"input": name, "got": g, "want": f"within {a:.3g} ulp of f(x)",
                        "ulps": None if np.isnan(e) else float(e), "ok": bool(e <= a)})
        elif name == "NaN":
            ok = bool(np.isnan(g)) or not oracle.propagates_nan
            out.append({"input": name, "got": g, "want": "NaN" if oracle.propagates_nan else "any",
                        "ok": ok})
        else:
            out.append(_at_infinity(oracle, spec, name, g))
    return out


def _at_infinity(oracle, spec, name, g) -> dict:
    lim = _limit(oracle, 1 if name == "+inf" else -1)
    if lim in (sp.oo, -sp.oo):
        want = float("inf") if lim == sp.oo else float("-inf")
        return {"input": name, "got": g, "want": f"{want} (the limit)", "ok": g == want}
    if not lim.is_real or not lim.is_finite:
        return {"input": name, "got": g, "want": "NaN (no limit)", "ok": bool(np.isnan(g))}
    with mpmath.workdps(DIGITS):
        value = mpmath.mpf(sp.N(lim, DIGITS))
        ex = Exact(np.array([value], dtype=object), np.array([mpmath.mpf(0)], dtype=object), 1)
    ver = judge(np.array([g]), ex, oracle.error, spec.dtype)
    return {"input": name, "got": g, "want": f"{sp.sstr(lim)} (the limit)",
            "ulps": None if np.isnan(ver.errors[0]) else float(ver.errors[0]),
            "ok": bool(ver.passed)}
