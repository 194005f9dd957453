"""Running an oracle's properties against one implementation.

For each property and dtype, Hypothesis draws examples from the property's strategy
(seeded, no example database), the check calls the implementation through a guarded
``Case``, and the first failure is shrunk to a minimal counterexample. A documented known
deviation is confirmed once on its witness and its region is left out of the search,
so a known difference is never shrunk again.

A refusal (``Refused``: a validation error, or any exception on NaN/inf input) rejects the
example and the search goes on; an inaccurate-level failure is recorded and the search goes
on; only a FAIL-level failure stops it and is shrunk. ``mathoracle/search.py`` keeps what
the search saw besides (refusals, option values, the worst example, hangs).
"""
from __future__ import annotations

import math
import random
import time
import traceback
from typing import Any, Iterable, Mapping

import numpy as np
from hypothesis import HealthCheck, Phase, Verbosity, given, reject
from hypothesis import seed as hypothesis_seed
from hypothesis import settings
from hypothesis.errors import Flaky, Unsatisfiable

from mathoracle.core.accuracy import watch
from mathoracle.core.calling import (accepted_params, call_gradient, call_target, invoke, non_finite,
                                     vet_output)
from mathoracle.core.errors import OracleError
from mathoracle.core.implementation import Implementation, KnownDeviation
from mathoracle.core.laws import CannotMeasure, Case, Falsified, Property, Refused, float_leaves, show
from mathoracle.core.model import Oracle
from mathoracle.oracles.shapes import Elementwise
from mathoracle.properties import properties_for
from mathoracle.results import (DEVIATION, ERROR, FAIL, NOT_APPLICABLE, PASS, SAMPLES_KEPT, CheckResult,
                                Counterexample, PropertyResult)
from mathoracle.search import Options, Search, own_draws

DTYPES = ("float16", "float32", "float64")
DEFAULT_MAX_EXAMPLES = 100


class Target:
    """One implementation seen by the runner: its functions, bound the canonical way."""

    def __init__(self, impl: Implementation, oracles: Mapping[str, Oracle],
                 pins: Mapping[str, Mapping[str, Any]] | None = None, assume=None):
        self.impl = impl
        self.oracles = oracles
        self.accepted = {oid: accepted_params(fn, oracles[oid])
                         for oid, fn in impl.functions.items() if oid in oracles}
        self.notes: set[str] = set()
        self.pins = dict(pins or {})  # oracle id -> {parameter: value} held for the whole check
        self.assume = assume          # predicate on the full inputs, or None
        self.options = Options()      # accepted / refused calls per combination of option values
        self.failed: list[tuple] = []  # (property, dtype, example keys, record id) of each FAIL

    def case(self, oracle: Oracle, dtype, *, assumed: bool = False) -> Case:
        """The calls a property makes. With ``assumed``, every call of ``oracle`` itself (a
        law's shifted or negated copy too) must satisfy the assumption, else _Outside."""
        def inside(o: Oracle, full: Mapping[str, Any]) -> None:
            if assumed and self.assume is not None and o.id == oracle.id and not _assumed(self.assume, o, full):
                raise _Outside

        def call(oracle_id: str, inputs: Mapping[str, Any]) -> np.ndarray:
            o = self.oracles[oracle_id]
            full = {**o.defaults(), **inputs}
            inside(o, full)
            return call_target(self.impl.functions[oracle_id], o, full, dtype,
                               self.accepted[oracle_id], self.notes)

        def gradient(oracle_id: str, inputs: Mapping[str, Any], cotangent) -> dict:
            o = self.oracles[oracle_id]
            full = {**o.defaults(), **inputs}
            inside(o, full)
            return call_gradient(self.impl.gradients[oracle_id], o, full, cotangent, dtype,
                                 self.accepted[oracle_id], self.notes)

        def returned(oracle_id: str, inputs: Mapping[str, Any], own: bool) -> tuple:
            o = self.oracles[oracle_id]
            full = {**o.defaults(), **inputs}
            inside(o, full)
            raw, text = invoke(self.impl.functions[oracle_id], o, full, self.accepted[oracle_id], own=own)
            return raw, np.array(vet_output(raw, o, dtype, text, full, self.notes), copy=True)
        return Case(oracle, None if dtype is None else np.dtype(dtype), call, self.oracles, gradient,
                    returned)

    def fix_params(self, oracle: Oracle, example: dict) -> dict:
        """Parameters the target cannot take are held at their canonical defaults; pinned
        ones (``--param``) at their pinned value, whether the target takes them or not."""
        pins = self.pins.get(oracle.id, {})
        held = {p.name: p.default for p in oracle.params if p.name not in self.accepted[oracle.id]}
        held.update(pins)
        if not held:
            return example
        out = {k: ({**v, **{n: d for n, d in held.items() if n in v}} if isinstance(v, dict) else v)
               for k, v in example.items()}
        if pins and isinstance(out.get("inputs"), dict):
            out["inputs"] = {**out["inputs"], **pins}
        return out

    def explained(self, oracle: Oracle, example: dict, dtype: str) -> str | None:
        """The id of an earlier FAIL of this check whose property fails on ``example`` too:
        the same cause (one cause, one finding), or None. Only an example of the same form
        (the same keys: no cotangent or shifted copy the earlier property would ignore) is
        tried."""
        for prop, dt, keys, rid in self.failed:
            if dt != dtype or keys != frozenset(example):
                continue
            try:
                prop.check(self.case(oracle, dtype), example)
            except Falsified as f:
                if getattr(f, "level", "fail") != "inaccurate":
                    return rid
            except Exception:  # a refusal, or an example the earlier property cannot take
                continue
        return None

    def option_values(self, oracle: Oracle, inputs: Mapping[str, Any]) -> tuple[str, ...]:
        """"name=value" of each non-numeric scalar parameter the target takes and the user
        did not pin (activation='relu', loss='mse')."""
        out = []
        for p in oracle.params:
            if p.numeric or p.name not in self.accepted[oracle.id] or p.name in self.pins.get(oracle.id, {}):
                continue
            v = inputs.get(p.name, p.default)
            v = v.item() if isinstance(v, np.generic) else v
            if isinstance(v, (str, bool, int, float)):
                out.append(f"{p.name}={v!r}")
        return tuple(out)


def accepted_dtypes(target: Target, oracle: Oracle, dtypes: Iterable[str]) -> tuple[list[str], dict]:
    """The dtypes the target takes at all (a call that raises on the probe input: not taken).
    An oracle without float inputs is checked at the one float dtype its target returns."""
    taken, refused, validated = [], {}, []
    pins = target.pins.get(oracle.id, {})
    if oracle.float_free:
        try:
            got = target.case(oracle, None).call(oracle.id, {**oracle.probe(None), **pins}).dtype.name
        except (Falsified, Refused) as f:
            return [], {"*": f.message}
        wanted = list(dtypes)
        return ([got], {}) if got in wanted else ([], {got: f"returns {got}, not one of {wanted}"})
    for dt in dtypes:
        try:
            target.case(oracle, dt).call(oracle.id, {**oracle.probe(np.dtype(dt)), **pins})
            taken.append(dt)
        except Refused as r:
            refused[dt] = r.message
            validated.append(dt)
        except Falsified as f:
            if f.message.startswith("raised "):
                refused[dt] = f.message
            else:
                taken.append(dt)
    if not taken and validated:  # refusing the probe at every dtype says nothing of the dtype:
        target.notes.add(f"the probe input was refused ({refused[validated[0]]}); checked on the "
                         f"inputs the target accepts")  # a shape or value refusal, searched past
        return validated, {dt: why for dt, why in refused.items() if dt not in validated}
    return taken, refused


def _settings(max_examples: int, shrink: bool = True):
    phases = [p for p in Phase if p is not Phase.explain and (shrink or p is not Phase.shrink)]
    return settings(max_examples=max_examples, database=None, deadline=None,
                    verbosity=Verbosity.quiet, suppress_health_check=list(HealthCheck),
                    report_multiple_bugs=False, phases=phases)


class AssumeFailed(Exception):
    """The user's assumption raised on a drawn input."""


# Refused draws, with none accepted, after which the search stops: the target refuses every
# input. A BaseException, so that Hypothesis stops at once instead of shrinking it.
REFUSED_ALL_AFTER = 50


class _RefusesAll(BaseException):
    pass


# Failures explained by an earlier FAIL of the check after which a property's search stops:
# it fails only where an earlier property fails (one cause, one finding).
EXPLAINED_AFTER = 10


class _Explained(BaseException):
    pass


class _OracleFailed(BaseException):  # stops the search: no shrinking of the oracle's error
    pass


def run_property(prop: Property, oracle: Oracle, target: Target, dtype: str, *, seed: int,
                 max_examples: int, deviations: tuple[KnownDeviation, ...] = (),
                 shrink: bool = True) -> PropertyResult:
    """Run one property at one dtype; never raises for anything the target does."""
    record = PropertyResult(oracle.id, target.impl.name, prop.name, dtype, PASS)
    state: dict[str, Any] = {"failure": None, "keys": None, "ulps": [], "ratios": [], "samples": [],
                             "outside": False}  # some draw lay outside every deviation's region
    search = Search()
    unary = prop.name == "agreement" and isinstance(oracle, Elementwise)

    def skip(why: str):
        search.rejected[why] += 1
        reject()

    def body(example):
        example = target.fix_params(oracle, example)
        if in_regions(deviations, example):
            if not state["outside"] and search.rejected["deviation"] + 1 >= COVER_DRAWS:
                raise _Covered
            skip("deviation")
        state["outside"] = True
        inputs = example["inputs"]
        values = target.option_values(oracle, inputs)
        if values in target.options.unsupported():
            search.skipped.add(values)
            skip("unsupported")
        if target.assume is not None and not _assumed(target.assume, oracle, inputs):
            skip("assume")
        case = target.case(oracle, dtype, assumed=True)
        refusal = failure = None
        outside = False
        with watch() as verdicts:
            try:
                prop.check(case, example)
            except _Outside:  # a law's own call left the assumed domain: not judged
                outside = True
            except Refused as r:
                refusal = r
            except Falsified as f:
                failure = f
            except OracleError as e:  # no verdict: the oracle's own error, named, at once
                state["oracle_error"] = e
                raise _OracleFailed from e
            finally:
                state["ulps"].extend(case.ulps_seen)
        if outside:
            skip("assume")
        target.options.count(values, refusal is not None)
        if refusal is not None:
            search.refuse(refusal, values)
            if record.examples == 0 and search.refused(target.options.unsupported())[0] >= REFUSED_ALL_AFTER:
                raise _RefusesAll
            skip("refused")
        record.examples += 1
        _statistics(state, verdicts, inputs.get(oracle.arrays[0]) if unary else None)
        search.witness(verdicts, inputs, failure)
        if failure is None:
            return
        if failure.message.startswith("hung:") and search.hung is None:
            search.hung = failure
        if getattr(failure, "level", "fail") == "inaccurate":
            search.note_inaccurate(failure)  # recorded; the search goes on
            return
        if not failure.message.startswith("hung:") and not any(map(non_finite, inputs.values())):
            earlier = target.explained(oracle, example, dtype)  # NaN/inf: outside others' domains
            if earlier is not None:
                search.same_as.add(earlier)
                if search.rejected["same"] + 1 >= EXPLAINED_AFTER:
                    raise _Explained
                skip("same")
        state["failure"], state["keys"] = failure, frozenset(example)
        raise failure

    started = time.perf_counter()
    strategy = prop.draw(oracle, np.dtype(dtype))
    test = hypothesis_seed(seed)(_settings(max_examples, shrink)(given(strategy)(body)))
    try:
        with own_draws():
            test()
    except _Covered:
        pass
    except Falsified as f:
        search.failed(record, search.hung or f)
    except (Unsatisfiable, _RefusesAll):
        if state["outside"] or not deviations:  # else every draw lay in a region: covered
            search.unsatisfied(record)
    except CannotMeasure as exc:
        record.status, record.reason = NOT_APPLICABLE, str(exc)
    except _Explained:
        pass  # a pass away from the inputs an earlier property reported; _conclude notes it
    except _OracleFailed:
        record.status, record.reason = ERROR, str(state["oracle_error"])
    except AssumeFailed as exc:
        record.status, record.reason = ERROR, str(exc)
    except Exception as exc:
        if search.hung is not None:  # a hang while a failure was replayed or shrunk
            search.failed(record, search.hung)
        elif isinstance(exc, Flaky) and state["failure"] is not None:
            search.failed(record, state["failure"])
            record.notes.append("the target gave different results on the same input (flaky)")
        else:  # a bug of mathoracle itself: say so, keep the other results
            record.status = ERROR
            record.reason = f"internal error: {type(exc).__name__}: {exc}"
            record.notes.append(traceback.format_exc())
    record.seconds = time.perf_counter() - started
    if deviations and not state["outside"] and search.rejected["deviation"]:
        record.in_deviation = 1  # every draw lay in a region
        return record  # 0 examples: the caller reports the confirmed deviation
    _conclude(record, search, state, target, prop)
    return record


class _Outside(Exception):
    """A call a property makes lies outside the user's assumption (--assume)."""


def _assumed(assume, oracle: Oracle, inputs: Mapping[str, Any]) -> bool:
    try:
        return bool(assume({**oracle.defaults(), **inputs}))
    except Exception as exc:
        raise AssumeFailed(f"the assumption raised {type(exc).__name__}: {exc} on "
                           f"{show(inputs)}") from None


def _conclude(record: PropertyResult, search: Search, state: dict, target: Target,
              prop: Property) -> None:
    """Statistics, and what the search saw besides (``search.settle``)."""
    finite = [u for u in state["ulps"] if u == u]
    if finite:
        record.max_ulps = max(finite)
        record.median_ulps = float(np.median(finite))
    if state["ratios"]:
        record.max_ratio = max(state["ratios"])
    samples = state["samples"]
    step = max(1, len(samples) // SAMPLES_KEPT)
    record.samples = samples[::step][:SAMPLES_KEPT]
    search.settle(record, target.options)
    record.in_deviation = search.rejected["deviation"]
    if record.status == FAIL and search.hung is None and state["keys"] is not None:
        target.failed.append((prop, record.dtype, state["keys"], record.id))


def in_regions(deviations, example: dict) -> bool:
    """Whether a deviation's region holds any input the law calls with: the example's
    ``inputs`` and the further inputs it lists under ``also`` (a shifted copy)."""
    return any(d.region(x) for d in deviations for x in (example["inputs"], *example.get("also", ())))


# Draws that all lie in the deviations' regions, none outside, after which a property's
# search stops: the regions cover its whole domain (a library that raises on every NaN
# covers the whole ``nan`` property), and the search would only reject.
COVER_DRAWS = 100


class _Covered(BaseException):
    pass


def _statistics(state: dict, verdicts, z) -> None:
    """Largest error / allowed of an example's verdicts; (|z|, ulps) pairs of a unary one."""
    for v in verdicts:
        if v.errors.size:
            state["ratios"].append(float(np.max(v.ratios)))
        if z is not None and np.shape(z) == v.errors.shape:
            mags = np.abs(np.asarray(z, dtype=np.float64)).reshape(-1)
            errs = v.errors.reshape(-1)
            state["samples"].extend((float(m), float(e)) for m, e in zip(mags, errs)
                                    if np.isfinite(m) and np.isfinite(e))


def confirm_deviation(prop: Property, oracle: Oracle, target: Target, dev: KnownDeviation) -> bool:
    """True when the property still fails on the deviation's witness (one call, no search)."""
    inputs = dict(dev.witness)
    example = {"cotangent": inputs.pop("cotangent")} if "cotangent" in inputs else {}
    leaves = float_leaves(inputs, list(inputs))
    dtype = leaves[0][2].dtype.name if leaves else "float64"
    try:
        prop.check(target.case(oracle, dtype), {"inputs": {**oracle.defaults(), **inputs}, **example})
    except Falsified:
        return True
    except Exception:
        return False
    return False


def budget(max_examples: int, share: float) -> int:
    """A property's examples: its share of the budget, at least 5 (or the whole budget)."""
    return min(max_examples, max(5, math.ceil(max_examples * share)))


def check_implementation(oracle: Oracle, impl: Implementation, oracles: Mapping[str, Oracle], *,
                         dtypes: Iterable[str] | None = None, max_examples: int = DEFAULT_MAX_EXAMPLES,
                         seed: int | None = None, only: Iterable[str] | None = None,
                         extra_properties=(), shrink: bool = True,
                         params: Mapping[str, Any] | None = None, assume=None) -> CheckResult:
    """Check every property of ``oracle`` against ``impl`` at every dtype it takes.
    ``params`` pins parameters for the whole check; ``assume`` (a predicate on the full
    inputs) restricts the domain: examples where it is false are left out."""
    seed = random.randrange(2 ** 32) if seed is None else int(seed)
    result = CheckResult(oracle.id, impl.name, seed)
    if not impl.provides(oracle.id):
        why = impl.notes.get(oracle.id, f"{impl.name} does not provide {oracle.id}")
        result.results.append(PropertyResult(oracle.id, impl.name, "*", "*", NOT_APPLICABLE, reason=why))
        return result
    target = Target(impl, oracles, {oracle.id: dict(params or {})}, assume)
    taken, refused = accepted_dtypes(target, oracle, dtypes or DTYPES)
    for dt, why in refused.items():
        result.notes.append(f"not checked at {dt}: the probe call {why}")
    if not taken and oracle.float_free and "*" not in refused:  # its dtype is the target's choice
        got = next(iter(refused))
        result.results.append(PropertyResult(
            oracle.id, impl.name, "*", "*", NOT_APPLICABLE,
            reason=f"no float input sets its dtype, and it returns {got}: ask for --dtype {got}"))
        return result
    if not taken:
        result.results.append(PropertyResult(oracle.id, impl.name, "*", "*", FAIL,
                                             reason="accepts none of the dtypes asked for",
                                             counterexample=Counterexample(
                                                 next(iter(refused.values()), "no dtype"), {})))
        return result
    wanted = set(only) if only else None
    observed: set[str] = set()
    for prop in properties_for(oracle, extra_properties):
        if wanted is not None and prop.name not in wanted:
            continue
        missing = [n for n in prop.needs if not impl.provides(n)]
        held = [p for p in prop.needs_params if p not in target.accepted[oracle.id]]
        no_grad = prop.needs_gradient and oracle.id not in impl.gradients
        if missing or held or no_grad:
            why = (f"needs {', '.join(missing)} from the same implementation" if missing
                   else f"needs the target to accept {', '.join(held)}" if held
                   else f"needs a gradient function of {oracle.id} (autograd) from the "
                        f"implementation")
            result.results.append(PropertyResult(oracle.id, impl.name, prop.name, "*",
                                                 NOT_APPLICABLE, reason=why))
            continue
        devs = tuple(d for d in impl.deviations_for(oracle.id) if d.affects(prop.name))
        confirmed = [d for d in devs if confirm_deviation(prop, oracle, target, d)]
        observed.update(d.summary for d in confirmed)
        for dt in taken:
            rec = run_property(prop, oracle, target, dt, seed=seed,
                               max_examples=budget(max_examples, prop.share), deviations=devs,
                               shrink=shrink)
            if rec.status in (PASS, ERROR) and rec.examples == 0 and confirmed and not rec.notes:
                rec.status = PASS  # the deviation's region covers the property's whole domain
            if rec.status == PASS and confirmed and rec.in_deviation:  # its region held some
                rec.status = DEVIATION
                rec.reason = "; ".join(f"{d.summary} ({d.reference})" for d in confirmed)
            result.results.append(rec)
    checked = {r.property for r in result.results if r.status != NOT_APPLICABLE}
    for d in impl.deviations_for(oracle.id):
        if d.summary not in observed and any(d.affects(p) for p in checked):
            result.notes.append(f"known deviation not observed any more, remove it: {d.summary}")
    result.notes.extend(f"does not support {v}" for v in target.options.describe(target.options.unsupported()))
    result.notes.extend(sorted(target.notes))
    return result


__all__ = ["DTYPES", "DEFAULT_MAX_EXAMPLES", "check_implementation", "run_property", "show"]
