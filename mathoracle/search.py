"""What one property's search records besides its first failure, and what a whole check
remembers across its properties.

- **Refusals** (``Refused``): counted; the smallest refused input is kept (fewest elements,
  then smallest largest magnitude) with its message. The example is rejected, so the search
  goes on over the inputs the target accepts.
- **Option values**: for each combination of the non-numeric parameter values the target
  takes by name (``activation='sigmoid'``, ``loss='mse'``), calls accepted and refused are
  counted over the check. A combination refused ``UNSUPPORTED_AFTER`` times and never
  accepted is not supported: later draws with it are rejected, and its refusals are not
  held against the target. Support is judged per combination, not per value, because a
  library may take a value only beside certain others (scikit-learn's MLP takes sigmoid
  with binary cross-entropy, not with mse): judged per value, early refusals of such pairs
  would mark every value unsupported and reject every later draw. A value never accepted
  in any combination is reported alone; otherwise the combination is reported.
- **Inaccurate** examples (a ``Falsified`` of level "inaccurate") do not stop the search;
  the one with the largest error / allowed is kept.
- **The worst example**: the largest error / allowed over every verdict of the search.
- **Hangs**: the first call that hung, with its own input (later calls fail at once).
- **Inputs already found failing** by an earlier property of the check are rejected
  (one cause, one finding), and the property says so.
- **The draws depend on the seed alone** (``own_draws``): Hypothesis would otherwise mix in
  number literals from every local module loaded so far, so a check's draws would depend on
  what ran before it in the process (a report worker's earlier tasks, a test file).
"""
from __future__ import annotations

import contextlib
from collections import Counter
from typing import Any, Mapping

import numpy as np

from mathoracle.core.laws import Falsified, Refused, float_leaves
from mathoracle.results import (ERROR, FAIL, INACCURATE, NOT_APPLICABLE, PASS, REFUSED, Counterexample,
                                PropertyResult)

UNSUPPORTED_AFTER = 3  # refusals, with no acceptance, that make an option value unsupported


@contextlib.contextmanager
def own_draws():
    """Within it, Hypothesis draws no literals of the loaded local modules: the same seed gives
    the same draws in any process. (A private hook: if Hypothesis drops it, nothing is patched.)"""
    from hypothesis.internal.conjecture import providers
    if not hasattr(providers, "_get_local_constants") or not hasattr(providers, "CONSTANTS_CACHE"):
        yield
        return
    empty = type(providers._local_constants)()
    original = providers._get_local_constants
    providers.CONSTANTS_CACHE.cache.clear()  # allowed constants cached from local ones
    providers._get_local_constants = lambda: empty
    try:
        yield
    finally:
        providers._get_local_constants = original
        providers.CONSTANTS_CACHE.cache.clear()


def _size(inputs: Mapping[str, Any]) -> tuple[int, float]:
    """(element count, largest magnitude) of an input's float arrays: smaller is simpler."""
    leaves = [a for _, _, a in float_leaves(inputs, list(inputs))]
    count = sum(int(a.size) for a in leaves)
    with np.errstate(all="ignore"):
        mags = [float(np.nanmax(np.abs(a.astype(np.float64)))) for a in leaves
                if a.size and not np.isnan(a.astype(np.float64)).all()]
    return count, max(mags, default=0.0)


class Options:
    """Check-wide counts of accepted and refused calls per combination of option values."""

    def __init__(self):
        self.accepted: Counter = Counter()
        self.refused: Counter = Counter()

    def unsupported(self) -> set[tuple[str, ...]]:
        """The combinations refused ``UNSUPPORTED_AFTER`` times and never accepted."""
        return {c for c, n in self.refused.items() if n >= UNSUPPORTED_AFTER and not self.accepted[c]}

    def count(self, values: tuple[str, ...], refused: bool) -> None:
        if values:  # a call without option values says nothing about options
            (self.refused if refused else self.accepted)[values] += 1

    def describe(self, combinations) -> list[str]:
        """What is not supported, for a reader: a value never accepted in any combination
        alone ("activation='leaky_relu'"), any other combination whole
        ("activation='sigmoid' with loss='mse'")."""
        taken = {v for c, n in self.accepted.items() if n for v in c}
        alone = {v for c in combinations for v in c if v not in taken}
        return sorted(alone) + sorted(" with ".join(c) for c in combinations if c and not alone & set(c))


class Search:
    """What one property's search at one dtype saw (see the module docstring)."""

    def __init__(self):
        self.refusals: dict[tuple[str, ...], list] = {}  # option values -> [count, (size, Refused)]
        self.inaccurate: tuple[float, Falsified] | None = None
        self.worst: tuple[float, Counterexample] | None = None
        self.hung: Falsified | None = None
        self.rejected: Counter = Counter()  # why examples were left out: assume, same, ...
        self.same_as: set[str] = set()
        self.skipped: set[tuple[str, ...]] = set()  # unsupported combinations left out

    def refuse(self, r: Refused, values: tuple[str, ...]) -> None:
        entry = self.refusals.setdefault(values, [0, None])
        entry[0] += 1
        key = _size(r.inputs)
        if entry[1] is None or key < entry[1][0]:
            entry[1] = (key, r)

    def refused(self, unsupported: set[tuple[str, ...]]) -> tuple[int, Refused | None]:
        """Refusals not explained by an unsupported combination: (count, smallest)."""
        kept = [e for values, e in self.refusals.items() if values not in unsupported]
        smallest = min((e[1] for e in kept), key=lambda s: s[0], default=None)
        return sum(e[0] for e in kept), None if smallest is None else smallest[1]

    def any_refused(self) -> Refused | None:
        """The smallest refused input of any kind, or None."""
        smallest = min((e[1] for e in self.refusals.values()), key=lambda s: s[0], default=None)
        return None if smallest is None else smallest[1]

    def note_inaccurate(self, f: Falsified) -> None:
        r = ratio(f)
        if self.inaccurate is None or r > self.inaccurate[0]:
            self.inaccurate = (r, f)

    def witness(self, verdicts, inputs: Mapping[str, Any], failure: Falsified | None) -> None:
        """Keep the example whose verdicts reach the largest error / allowed."""
        for v in verdicts:
            if not v.errors.size:
                continue
            r = float(np.max(v.ratios))
            if self.worst is not None and not r > self.worst[0]:
                continue
            if failure is not None and failure.ulps is not None and ratio(failure) >= r:
                self.worst = (r, counterexample(failure))
                continue
            idx = v.worst
            ulps, allowed = float(v.errors[idx]), float(v.allowed[idx])
            self.worst = (r, Counterexample(
                f"largest error / allowed {r:.4g}: {ulps:.6g} ulp, allowed {allowed:.6g}"
                f"{f' at index {idx}' if idx else ''}", dict(inputs), ulps=ulps, allowed=allowed))


    def failed(self, record: PropertyResult, f: Falsified) -> None:
        record.status = FAIL
        record.counterexample = counterexample(f)

    def unsatisfied(self, record: PropertyResult) -> None:
        """No drawn input could be checked: say why (refused, assumed away, already reported)."""
        record.examples = 0
        if self.refusals or self.rejected["unsupported"]:
            record.status = REFUSED  # settle gives the reason
        elif self.rejected["assume"]:
            record.status = NOT_APPLICABLE
            record.reason = "no drawn input satisfies the assumption"
        elif self.rejected["same"]:
            record.status = PASS  # it fails only where an earlier property does: settle notes it
        else:  # every example lies in a deviation's region: the caller decides
            record.status = ERROR
            record.reason = "no example outside the known deviations' regions could be drawn"

    def settle(self, record: PropertyResult, options: Options) -> None:
        """Refusals, option values, the inaccurate and the worst example, into ``record``."""
        unsupported = options.unsupported()
        record.unsupported = options.describe(unsupported & (set(self.refusals) | self.skipped))
        record.refusals, smallest = self.refused(unsupported)
        record.refusal = None if smallest is None else counterexample(smallest)
        if record.status == PASS and record.examples == 0 and (self.refusals or self.rejected["unsupported"]):
            record.status = REFUSED
        if record.status == REFUSED:
            first = self.any_refused()
            record.refusal = record.refusal or (None if first is None else counterexample(first))
            record.reason = (f"refused every input: {first.message}" if first is not None else
                             f"refused every input: does not support {', '.join(record.unsupported)}")
        if record.status == PASS and self.inaccurate is not None:
            record.status = INACCURATE
            record.counterexample = counterexample(self.inaccurate[1])
        if record.status in (FAIL, INACCURATE) and self.worst is not None:
            record.worst = self.worst[1]
        if self.same_as:
            record.notes.append(f"same input as {', '.join(sorted(self.same_as))} (failing there "
                                f"too): not reported again")


def ratio(f: Falsified) -> float:
    """error / allowed of a judged failure (inf when the result is NaN or not judged)."""
    if f.ulps is None or f.allowed is None or f.ulps != f.ulps:
        return float("inf")
    return f.ulps / f.allowed if f.allowed > 0 else float("inf")


def counterexample(f: Falsified | Refused) -> Counterexample:
    if isinstance(f, Refused):
        return Counterexample(f.message, f.inputs)
    return Counterexample(f.message, f.inputs, f.expected, f.got, f.ulps, f.allowed)
