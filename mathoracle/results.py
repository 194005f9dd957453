"""The result model: one record per (oracle, implementation, property, dtype).

The CLI, the Python API and the tests all read these records.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mathoracle.core.statuses import (DEVIATION, ERROR, FAIL, INACCURATE, NOT_APPLICABLE, PASS,  # noqa: F401
                                      REFUSED, STATUSES, STRICT_ONLY, UNSUPPORTED)

SAMPLES_KEPT = 64  # (|input|, ulps) pairs kept per record for the error-vs-magnitude plot


@dataclass
class Counterexample:
    """The shrunk failing input and what the property found there."""

    message: str
    inputs: dict[str, Any]
    expected: Any = None
    got: Any = None
    ulps: float | None = None
    allowed: float | None = None
    reproduce: str = ""   # the mathoracle command, with seed, that finds it again
    snippet: str = ""     # a python one-liner calling the target on the shrunk input


@dataclass
class PropertyResult:
    oracle: str
    implementation: str
    property: str
    dtype: str
    status: str
    examples: int = 0
    max_ulps: float | None = None
    counterexample: Counterexample | None = None
    reason: str = ""      # why not applicable / error / which deviation
    notes: list[str] = field(default_factory=list)
    median_ulps: float | None = None  # median over examples of each example's largest error
    max_ratio: float | None = None    # largest error / allowed error (≤ 1 passes)
    # (|input|, error in ulps) per element, for a unary elementwise oracle's agreement:
    # the error-against-magnitude plot. At most SAMPLES_KEPT pairs.
    samples: list[tuple[float, float]] = field(default_factory=list)
    seconds: float = 0.0
    # Inputs the target refused (a validation error on finite input, or any exception on a
    # NaN or infinite one): how many, and the smallest one with its message.
    refusals: int = 0
    refusal: Counterexample | None = None
    # The example with the largest error / allowed ratio (beside the shrunk, smallest one).
    worst: Counterexample | None = None
    # Option values refused on every input, as "activation='leaky_relu'".
    unsupported: list[str] = field(default_factory=list)
    # Drawn examples left out because a known deviation's region holds them: a confirmed
    # deviation marks the record only where it left some out.
    in_deviation: int = 0

    def fails(self, strict: bool = False) -> bool:
        """Whether this record fails a check: fail or error, and under ``strict`` also
        inaccurate, refused, not supported, or a pass with refused inputs."""
        if self.status in (FAIL, ERROR):
            return True
        return strict and (self.status in STRICT_ONLY or bool(self.refusals or self.unsupported))

    @property
    def id(self) -> str:
        """Stable id, for skip lists and reports: oracle::property[dtype]."""
        return f"{self.oracle}::{self.property}[{self.dtype}]"


@dataclass
class CheckResult:
    """Everything one check of one oracle against one implementation found."""

    oracle: str
    implementation: str
    seed: int
    results: list[PropertyResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    conventions: tuple[str, ...] = ()  # declared conventions the check applied

    @property
    def status(self) -> str:
        """error, fail, inaccurate, refused, pass or not applicable: the worst record's."""
        statuses = {r.status for r in self.results}
        for worst in (ERROR, FAIL, INACCURATE, REFUSED):
            if worst in statuses:
                return worst
        if statuses <= {NOT_APPLICABLE} or not statuses:
            return NOT_APPLICABLE
        return PASS

    def fails(self, strict: bool = False) -> bool:
        """Whether the check fails: a FAIL or ERROR record; a target that refused every input
        of every property it was given (nothing was verified: it has not passed); and under
        ``strict`` also an inaccurate, refused or not-supported record, or refused inputs."""
        if any(r.fails(strict) for r in self.results):
            return True
        statuses = {r.status for r in self.results}
        return REFUSED in statuses and not statuses & {PASS, INACCURATE, DEVIATION}

    @property
    def passed(self) -> bool:
        return self.status == PASS

    @property
    def failures(self) -> list[PropertyResult]:
        return [r for r in self.results if r.status in (FAIL, ERROR)]

    @property
    def properties(self) -> list[str]:
        """Ids of the properties that ran (not the not-applicable ones)."""
        return [r.id for r in self.results if r.status != NOT_APPLICABLE]

    @property
    def counterexample(self) -> Counterexample | None:
        """The first failure's counterexample, or None."""
        return next((r.counterexample for r in self.failures if r.counterexample), None)

    @property
    def examples(self) -> int:
        return sum(r.examples for r in self.results)

    @property
    def max_ulps(self) -> float | None:
        seen = [r.max_ulps for r in self.results if r.max_ulps is not None]
        return max(seen) if seen else None

    def raise_for_status(self, strict: bool = False) -> None:
        """Raise AssertionError with the failures' reports if the check fails (``fails``)."""
        if self.fails(strict):
            from mathoracle.text import format_check  # lazy: `import mathoracle` stays light
            raise AssertionError(format_check(self))
