"""One chunk of a sweep: call the target on every finite input of an ordinal range, judge it.

The verdict is the engine's (``accuracy.judge``), reached fast: the float64 reference
(``reference.py``) gives each input's error and allowance in ulps, and every input whose
verdict, ulp binade or overflow could change within the reference's bound B, or whose error
exceeds the fast allowance (a lower bound: it leaves out u·E), is judged again exactly
(mpmath, the oracle's own ``exact``). The inputs that may hold the chunk's largest
error are judged exactly too, so the maximum reported is exact. A random sample of inputs is
always judged exactly and checked against B; one outside it is a ``violation`` (an error of
the sweep, never a verdict).
"""
from __future__ import annotations

import time
import warnings
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable

import mpmath
import numpy as np

from mathoracle import conventions as conv
from mathoracle.core.accuracy import fmt, judge
from mathoracle.core.calling import accepted_params, vet_output
from mathoracle.core.errors import UsageError
from mathoracle.core.laws import Falsified
from mathoracle.core.model import DIGITS, rounding_budget
from mathoracle.oracles.shapes import Elementwise
from mathoracle.registry import get_oracle, oracles, resolve_implementation
from mathoracle.sweep.inputs import to_values
from mathoracle.sweep.reference import FastReference

EXACT_MAX = 64      # inputs judged exactly for the chunk's maximum
EXACT_LIMIT = 1 << 16  # exact re-judgements a chunk may need before the sweep gives up
SHOW = 5            # worst inputs kept per chunk
BLOCK = 1 << 13     # inputs per vectorised pass: 64 kB arrays, below the mmap threshold


@dataclass(frozen=True)
class Spec:
    """What a sweep computes; picklable (a worker rebuilds the oracle and target from it)."""

    oracle: str
    target: Any          # a TARGET string or a picklable callable
    dtype: str
    start: int
    stop: int
    chunk: int
    width: int           # ordinals per plot bin
    sample: int = 32     # inputs per chunk cross-checked at high precision
    seed: int = 0
    conventions: tuple[str, ...] = ()

    @property
    def n_chunks(self) -> int:
        return -(-(self.stop - self.start) // self.chunk)

    def bounds(self, i: int) -> tuple[int, int]:
        lo = self.start + i * self.chunk
        return lo, min(self.stop, lo + self.chunk)


@lru_cache(maxsize=8)
def setup(oracle_id: str, target, conventions: tuple[str, ...]):
    """(oracle, function, accepted params, fast reference) of a sweep, built once per process."""
    oracle = get_oracle(oracle_id)
    if not isinstance(oracle, Elementwise) or len(oracle.arrays) != 1:
        raise UsageError(f"oracle={oracle_id!r} is not unary (elementwise, one array); sweep one of "
                         f"{', '.join(o.id for o in oracles().values() if isinstance(o, Elementwise))}")
    impl = resolve_implementation(oracle.id, target)
    try:
        table = conv.apply(oracles(), (*getattr(impl, "conventions", ()), *conventions))
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    oracle = table[oracle.id]
    if oracle.id not in impl.functions:
        raise UsageError(f"target={target!r} does not provide {oracle.id}")
    fn = impl.functions[oracle.id]
    return oracle, fn, accepted_params(fn, oracle), FastReference(oracle)


def call(spec: Spec, z: np.ndarray) -> np.ndarray:
    """The target's output for inputs z, vetted (dtype and shape) as ``calling`` does, or
    Falsified. Called directly: a chunk's call is named by its size, not by its inputs."""
    oracle, fn, accepted, _ = setup(spec.oracle, spec.target, spec.conventions)
    kwargs = {p.name: p.default for p in oracle.params if p.name in accepted}
    label = f"{oracle.name} of {z.size} {spec.dtype} inputs"
    inputs = {oracle.arrays[0]: z}
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            out = fn(z.copy(), **kwargs)
    except Exception as exc:  # the target's failure is a finding
        first = str(exc).splitlines()[0] if str(exc) else ""
        raise Falsified(f"raised {type(exc).__name__}: {first} [{label}]", call=label,
                        inputs=inputs) from None
    return vet_output(out, oracle, spec.dtype, label, inputs, set())


def ulp_of(x: np.ndarray, f) -> np.ndarray:
    """Spacing of format f in the binade of each x (float64), floored at the smallest subnormal:
    2^(max(e, emin) - p + 1), e read from the float64 exponent bits (0 and non-finite: emin)."""
    e = ((np.abs(x).view(np.int64) >> 52) - 1023).clip(f.emin, 1023)
    e = np.where(np.isfinite(x), e, f.emin)
    return ((e - f.precision + 1 + 1023) << 52).view(np.float64)


def fast_verdict(got, v, s, bound, certain, f, budget: int, scale: float):
    """(errors, allowed, ambiguous, delta): the engine's verdict from the float64 reference; an
    input is ambiguous where the verdict differs at two ends of [v - B, v + B] (the ulp binade
    included); delta bounds how far its error may be from the exact one."""
    u, lam = float(f.unit_roundoff), float(f.smallest_normal)
    with np.errstate(all="ignore"):
        mag = np.abs(v)
        # the ulps at v - B and v + B: B is far below an ulp, so at most one binade away
        ul = ulp_of(v, f)
        ul_hi = np.where(mag + bound < ul * 2.0 ** f.precision, ul, 2 * ul)
        floor = 2.0 ** (f.emin - f.precision + 1)
        ul_lo = np.where((mag - bound >= ul * 2.0 ** (f.precision - 1)) | (ul == floor), ul, ul / 2)
        dist = np.abs(got - v)
        err = dist / ul
        err_hi = (dist + bound) / ul_lo
        err_lo = np.maximum(dist - bound, 0) / ul_hi
        delta = np.maximum(err_hi - err, err - err_lo)
        # allowed = budget·(½ + (u·(S + scale) + λ/budget)/w), smallest at the largest w; the
        # float64 S is trusted to 2^-20 relative, far above its own model. It leaves out the
        # engine's u·E and slack (both ≥ 0, accuracy.allowed_abs): a lower bound, so it can
        # certify a pass only, and every input beyond it is judged exactly
        rest = budget * u * (s + scale) + lam
        allowed = budget / 2 + rest / ul
        slack = budget * u * 2.0 ** -20 * s
        amb = ~certain | ~(err_hi <= budget / 2 + (rest - slack) / ul_hi)
        odd = ~np.isfinite(got)
        if odd.any():
            thr = float(f.overflow)
            saturates = not getattr(f, "infinities", True)
            past = mag > thr if saturates else mag >= thr
            amb = np.where(odd, ~certain | (np.abs(mag - thr) <= bound), amb)
            err = np.where(np.isinf(got), np.where(past & (np.sign(got) == np.sign(v)), 0.0, np.inf),
                           err)
            err = np.where(np.isnan(got), np.where(past, 0.0, np.nan) if saturates else np.nan, err)
            delta = np.where(odd, 0.0, delta)
    return err, allowed, amb, delta


def exact_verdict(oracle, params: dict, z, got, dtype):
    """The engine's own verdict at inputs z: (errors, allowed, exact values as mpf)."""
    ex = oracle.exact({oracle.arrays[0]: z, **params})
    ver = judge(got, ex, oracle.error, dtype)
    return ver.errors, ver.allowed, ex.value


def run_chunk(spec: Spec, index: int) -> dict:
    """The summary of chunk ``index`` (JSON-able)."""
    t0, c0 = time.perf_counter(), time.process_time()
    oracle, _, _, fast = setup(spec.oracle, spec.target, spec.conventions)
    f, params = fmt(spec.dtype), oracle.defaults()
    lo, hi = spec.bounds(index)
    ords = np.arange(lo, hi, dtype=np.int64)
    z = to_values(ords, spec.dtype)
    z64 = z.astype(np.float64)
    keep = np.isfinite(z64)
    if not keep.all():  # most chunks hold no inf or NaN: no copies then
        ords, z, z64 = ords[keep], z[keep], z64[keep]
    out = {"index": index, "lo": lo, "hi": hi, "n": int(z.size)}
    try:
        got = call(spec, z)
    except Falsified as exc:
        return {**out, "error": exc.message.split(" [")[0]}
    got64 = got.astype(np.float64)
    budget = rounding_budget(oracle.expression)
    v, bound, err, allowed, delta = (np.empty(z.size) for _ in range(5))
    certain, amb = np.empty(z.size, dtype=bool), np.empty(z.size, dtype=bool)
    picked = [np.zeros(0, dtype=np.int64)]  # each block's candidates for the maximum
    # blocks that stay in cache, and whose temporaries glibc reuses (a dask worker sets
    # MALLOC_TRIM_THRESHOLD_, which pins the mmap threshold at 128 kB: every larger
    # temporary would be fresh pages): 2-8x faster than one pass
    for b in range(0, z.size, BLOCK):
        sl = slice(b, b + BLOCK)
        v[sl], s, bound[sl], certain[sl] = fast(z64[sl], params)
        err[sl], allowed[sl], amb[sl], delta[sl] = fast_verdict(
            got64[sl], v[sl], s, bound[sl], certain[sl], f, budget, oracle.error.scale)
        picked.append(b + _candidates(err[sl], allowed[sl], delta[sl]))
    redo = np.flatnonzero(amb)
    if redo.size > EXACT_LIMIT:
        return {**out, "error": f"the float64 reference is inconclusive on {redo.size} inputs "
                                f"of [{z64[redo[0]]:g}, {z64[redo[-1]]:g}]; sweep a narrower --range"}
    exact = {}
    _settle(oracle, params, z, got, spec.dtype, redo, err, allowed, delta, exact)
    cands = np.unique(np.concatenate(picked))  # holds every input that may beat them all
    cands = cands[_candidates(err[cands], allowed[cands], delta[cands])]
    _settle(oracle, params, z, got, spec.dtype, cands, err, allowed, delta, exact)
    ok = err <= allowed
    nan = np.isnan(err)
    with np.errstate(invalid="ignore"):
        upper = float(np.max(np.where(nan, -np.inf, err + delta))) if z.size else 0.0
    shown = np.array(sorted(exact, key=lambda i: -np.nan_to_num(err[i], nan=np.inf)), dtype=np.int64)
    out.update({
        "n_exceed": int(np.count_nonzero(~ok)), "n_nan": int(np.count_nonzero(nan)),
        "max_ulps": float(np.max(err[cands][~np.isnan(err[cands])], initial=0.0)),
        "max_ulps_upper": max(upper, 0.0),
        "worst": [_row(z64[i], got64[i], exact[i], err[i], allowed[i]) for i in shown[:SHOW]],
        "exceeding": [_row(z64[i], got64[i], exact.get(i), err[i], allowed[i])
                      for i in np.flatnonzero(~ok)[:SHOW]],
        "n_exact": int(len(exact)), "n_uncertain": int(np.count_nonzero(~certain)),
        "sample": _cross_check(spec, index, oracle, params, z, v, bound, certain),
        "subnormal": _subset(np.abs(z64) < float(f.smallest_normal), z64 != 0, err, ok),
        "overflow": _overflow(v, err, certain, f),
        "bins": _bins(spec, ords, z64, err, allowed),
    })
    out["seconds"], out["cpu_seconds"] = time.perf_counter() - t0, time.process_time() - c0
    return out


def _settle(oracle, params, z, got, dtype, idx, err, allowed, delta, exact) -> None:
    idx = np.array([i for i in idx if int(i) not in exact], dtype=np.int64)
    if not idx.size:
        return
    e, a, values = exact_verdict(oracle, params, z[idx], got[idx], dtype)
    err[idx], allowed[idx], delta[idx] = e, a, 0.0
    for i, val in zip(idx.tolist(), values.tolist()):
        exact[i] = val


def _candidates(err, allowed, delta) -> np.ndarray:
    """Inputs that may hold the largest error, and the furthest beyond their allowance."""
    with np.errstate(invalid="ignore"):
        e = np.where(np.isnan(err), -np.inf, err)
        top = np.max(e - delta, initial=-np.inf)
        may = np.flatnonzero(e + delta >= top)
        if may.size > EXACT_MAX:
            may = may[np.argpartition(-e[may], EXACT_MAX)[:EXACT_MAX]]
        ratio = np.where(np.isnan(err), np.inf, err / np.maximum(allowed, 1e-300))
        beyond = np.argpartition(-ratio, SHOW)[:SHOW] if ratio.size > SHOW else np.arange(ratio.size)
    return np.unique(np.concatenate([may, beyond]))


def _row(x, got, exact, e, a) -> dict:
    with mpmath.workdps(DIGITS):
        ex = None if exact is None else mpmath.nstr(exact, 20)
    return {"input": float(x), "got": float(got), "exact": ex,
            "ulps": None if np.isnan(e) else float(e), "allowed": float(a)}


def _cross_check(spec, index, oracle, params, z, v, bound, certain) -> dict:
    """Judge ``spec.sample`` random inputs exactly; count those where |v - exact| > B."""
    rng = np.random.default_rng([spec.seed, index])
    pick = np.flatnonzero(certain)
    pick = rng.choice(pick, size=min(spec.sample, pick.size), replace=False) if pick.size else pick
    if not pick.size:
        return {"n": 0, "violations": 0, "worst_fraction_of_bound": 0.0}
    ex = oracle.exact({oracle.arrays[0]: z[pick], **params})
    fractions = []
    with mpmath.workdps(DIGITS):
        for k, i in enumerate(pick.tolist()):
            diff = abs(mpmath.mpf(float(v[i])) - ex.value[k])
            fractions.append(float(diff / mpmath.mpf(float(bound[i]))))
    bad = [(float(z[i]), fr) for i, fr in zip(pick.tolist(), fractions) if not fr <= 1]
    return {"n": int(pick.size), "violations": len(bad), "worst_fraction_of_bound": max(fractions),
            "violating_inputs": [x for x, _ in bad[:SHOW]]}


def _subset(mask, nonzero, err, ok) -> dict:
    m = mask & nonzero
    e = err[m]
    return {"n": int(np.count_nonzero(m)), "n_exceed": int(np.count_nonzero(~ok[m])),
            "max_ulps": float(np.max(e[~np.isnan(e)], initial=0.0)) if e.size else 0.0}


def _overflow(v, err, certain, f) -> dict:
    """Inputs whose exact output is past the largest finite value, and how many got ±inf (NaN
    in a format without infinities), as the format rounds them."""
    thr = float(f.overflow)
    with np.errstate(invalid="ignore"):
        past = certain & (np.abs(v) > thr)
    return {"n": int(np.count_nonzero(past)), "kept": int(np.count_nonzero(past & (err == 0)))}


def _bins(spec, ords, x, err, allowed) -> dict:
    """Per plot bin: the first input, the largest error (inf for NaN) and the smallest allowance."""
    if not ords.size:
        return {"x": [], "err": [], "allowed": []}
    b = (ords - spec.start) // spec.width
    starts = np.flatnonzero(np.r_[True, b[1:] != b[:-1]])
    e = np.where(np.isnan(err), np.inf, err)
    return {"x": x[starts].tolist(), "err": np.maximum.reduceat(e, starts).tolist(),
            "allowed": np.minimum.reduceat(allowed, starts).tolist()}


def describe(spec: Spec) -> str:
    return f"{spec.oracle} of {spec.target} in {spec.dtype}"


Runner = Callable[[Spec, int], dict]
