"""The result model: one record per (oracle, implementation, property, dtype).

The CLI, the Python API and the tests all read these records.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PASS, FAIL, ERROR, NOT_APPLICABLE, DEVIATION = "pass", "fail", "error", "not applicable", "known deviation"
STATUSES = (PASS, FAIL, ERROR, NOT_APPLICABLE, DEVIATION)
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
        statuses = {r.status for r in self.results}
        if ERROR in statuses:
            return ERROR
        if FAIL in statuses:
            return FAIL
        if statuses <= {NOT_APPLICABLE} or not statuses:
            return NOT_APPLICABLE
        return PASS

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

    def raise_for_status(self) -> None:
        """Raise AssertionError with the failures' reports unless the check passed."""
        if self.status in (FAIL, ERROR):
            from mathoracle.text import format_check
            raise AssertionError(format_check(self))
