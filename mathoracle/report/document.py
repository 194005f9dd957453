"""The report as data: the ``report.json`` document (schema in docs/report-schema.md and
``schema.json`` next to this file), and the conformance matrix every format shows.

Non-finite numbers (an error of inf ulps, a NaN result) are written as the strings
"inf", "-inf" and "nan", so that the file stays strict JSON.
"""
from __future__ import annotations

import json
import math
import os
import platform
import sys
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

from mathoracle.properties.base import show
from mathoracle.results import DEVIATION, ERROR, FAIL, NOT_APPLICABLE, PASS, STATUSES, CheckResult

SCHEMA_VERSION = 1
SCHEMA_FILE = Path(__file__).with_name("schema.json")
LIBRARIES = ("mathoracle", "numpy", "sympy", "mpmath", "hypothesis", "torch", "scipy",
             "scikit-learn", "matplotlib")


def number(x):
    """A float for JSON: finite as is, non-finite as a string, None kept."""
    if x is None:
        return None
    x = float(x)
    if math.isfinite(x):
        return x
    return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def environment() -> dict:
    versions = {}
    for lib in LIBRARIES:
        try:
            versions[lib] = metadata.version(lib)
        except metadata.PackageNotFoundError:
            versions[lib] = None
    return {"python": sys.version.split()[0], "platform": platform.platform(), "cpu": cpu_name(),
            "cpu_count": os.cpu_count(), "libraries": versions}


def _record(rec, label: str) -> dict:
    ce = rec.counterexample
    return {
        "id": rec.id, "oracle": rec.oracle, "implementation": label, "property": rec.property,
        "dtype": rec.dtype, "status": rec.status, "examples": rec.examples,
        "max_ulps": number(rec.max_ulps), "median_ulps": number(rec.median_ulps),
        "max_error_over_allowed": number(rec.max_ratio), "seconds": round(rec.seconds, 4),
        "reason": rec.reason,
        "counterexample": None if ce is None else {
            "message": ce.message, "inputs": show(ce.inputs) if ce.inputs else "",
            "expected": number(ce.expected) if isinstance(ce.expected, (int, float)) else None,
            "got": number(ce.got) if isinstance(ce.got, (int, float)) else None,
            "ulps": number(ce.ulps), "allowed": number(ce.allowed),
            "reproduce": ce.reproduce, "call": ce.snippet},
        "samples": [[number(m), number(e)] for m, e in rec.samples],
    }


def build_document(checks: list[tuple[CheckResult, float]], specs: list[str], oracles: dict, *,
             seed: int, max_examples: int, jobs: int, wall_seconds: float,
             implementations: dict) -> dict:
    """The report.json document. ``checks``: (result, seconds) in oracle × spec order;
    ``implementations``: spec -> Implementation."""
    from mathoracle.oracles.shapes import Elementwise
    records, summaries = [], []
    for (result, seconds), spec in zip(checks, specs * (len(checks) // max(len(specs), 1))):
        records.extend(_record(r, spec) for r in result.results)
        summaries.append({"oracle": result.oracle, "implementation": spec, "status": result.status,
                          "seconds": round(seconds, 3), "notes": list(result.notes),
                          "conventions": list(result.conventions)})
    counts = {s: sum(r["status"] == s for r in records) for s in STATUSES}
    return {
        "schema": "mathoracle-report", "schema_version": SCHEMA_VERSION,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "seed": seed, "max_examples": max_examples, "jobs": jobs,
        "wall_seconds": round(wall_seconds, 2), "environment": environment(),
        "oracles": [{"id": o.id, "signature": o.signature, "formula": o.formula,
                     "error_model": o.error.describe(),
                     "unary": isinstance(o, Elementwise) and len(o.arrays) == 1}
                    for o in oracles.values()],
        "implementations": [{"name": spec, "description": impl.description,
                             "conventions": list(getattr(impl, "conventions", ()))}
                            for spec, impl in implementations.items()],
        "checks": summaries, "results": records, "summary": counts,
    }


def write_json(doc: dict, path: Path) -> None:
    path.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n")


# --- the conformance matrix ------------------------------------------------------------

def first_line(text: str, width: int = 110) -> str:
    line = (text or "").strip().splitlines()[0] if (text or "").strip() else ""
    return line if len(line) <= width else line[:width - 1] + "…"


def cell(doc: dict, oracle_id: str, impl: str) -> tuple[str, str]:
    """(status, one-line reason) of one oracle × implementation."""
    recs = [r for r in doc["results"] if r["oracle"] == oracle_id and r["implementation"] == impl]
    if not recs or all(r["status"] == NOT_APPLICABLE for r in recs):
        return NOT_APPLICABLE, first_line(recs[0]["reason"]) if recs else "not run"
    for status in (ERROR, FAIL):
        bad = [r for r in recs if r["status"] == status]
        if bad:
            r = bad[0]
            why = r["counterexample"]["message"] if r["counterexample"] else r["reason"]
            more = f" (+{len(bad) - 1} more)" if len(bad) > 1 else ""
            return status, first_line(f"{r['property']}[{r['dtype']}]: {why}") + more
    if any(r["status"] == DEVIATION for r in recs):
        devs = {r["property"] for r in recs if r["status"] == DEVIATION}
        return DEVIATION, f"documented, in {', '.join(sorted(devs))}"
    return PASS, ""


def worst(doc: dict, oracle_id: str, impl: str) -> tuple[float | None, float | None]:
    """(largest error in ulps, largest error / allowed) of one oracle × implementation over
    its agreement and edges properties."""
    recs = [r for r in doc["results"] if r["oracle"] == oracle_id and r["implementation"] == impl
            and r["property"] in ("agreement", "edges")]
    ulps = [as_float(r["max_ulps"]) for r in recs if r["max_ulps"] is not None]
    ratios = [as_float(r["max_error_over_allowed"]) for r in recs
              if r["max_error_over_allowed"] is not None]
    return (max(ulps) if ulps else None), (max(ratios) if ratios else None)


def as_float(x) -> float:
    return float(x)  # "inf", "-inf" and "nan" parse too


def short(x: float | None, digits: int = 3) -> str:
    if x is None:
        return "—"
    if math.isinf(x) or math.isnan(x):
        return str(x)
    return f"{x:.{digits}g}"
