"""The report as data: the ``report.json`` document (schema in docs/report-schema.md and
``schema.json`` next to this file), and the conformance matrix every format shows.

Non-finite numbers (an error of inf ulps, a NaN result) are written as the strings
"inf", "-inf" and "nan", so that the file stays strict JSON.
"""
from __future__ import annotations

import json
import math
import numbers
import os
import platform
import sys
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

from mathoracle.core.laws import show
from mathoracle.oracles.shapes import Elementwise
from mathoracle.results import (DEVIATION, ERROR, FAIL, INACCURATE, NOT_APPLICABLE, PASS, REFUSED, STATUSES,
                                UNSUPPORTED, CheckResult)
from mathoracle.text import (abs_error, block, brief, comparison, message, number, pair, ratio, refusal_text,
                             shorten, unsupported_line)

SCHEMA_VERSION = 2
SCHEMA_FILE = Path(__file__).with_name("schema.json")
LIBRARIES = ("mathoracle", "numpy", "sympy", "mpmath", "hypothesis", "torch", "scipy",
             "scikit-learn", "matplotlib")


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


def _scalar(x):
    """A real number (NumPy's included) for JSON; None for anything else (an array)."""
    return number(x) if isinstance(x, numbers.Real) and not isinstance(x, bool) else None


def witness(ce, dtype: str) -> dict | None:
    """A Counterexample as JSON: ``inputs`` rebuilds the input exactly, ``input_brief``
    abbreviates large arrays; the error with its absolute value and error / allowed."""
    if ce is None:
        return None
    return {"message": ce.message, "inputs": show(ce.inputs) if ce.inputs else "",
            "input_brief": brief(ce.inputs) if ce.inputs else "",
            "expected": _scalar(ce.expected), "got": _scalar(ce.got),
            "ulps": number(ce.ulps), "allowed": number(ce.allowed),
            "abs_error": number(abs_error(ce, dtype)),
            "error_over_allowed": number(ratio(ce.ulps, ce.allowed)),
            "reproduce": ce.reproduce, "call": ce.snippet}


def _record(rec, label: str) -> dict:
    return {
        "id": rec.id, "oracle": rec.oracle, "implementation": label, "property": rec.property,
        "dtype": rec.dtype, "status": rec.status, "examples": rec.examples,
        "max_ulps": number(rec.max_ulps), "median_ulps": number(rec.median_ulps),
        "max_error_over_allowed": number(rec.max_ratio), "seconds": round(rec.seconds, 4),
        "reason": rec.reason,
        "counterexample": witness(rec.counterexample, rec.dtype),
        "worst": witness(rec.worst, rec.dtype),
        "refusals": rec.refusals, "refusal": witness(rec.refusal, rec.dtype),
        "unsupported": list(rec.unsupported),
        "samples": [[number(m), number(e)] for m, e in rec.samples],
    }


def build_document(checks: list[tuple[CheckResult, float]], specs: list[str], oracles: dict, *,
             seed: int, max_examples: int, jobs: int, wall_seconds: float,
             implementations: dict) -> dict:
    """The report.json document. ``checks``: (result, seconds) in oracle × spec order;
    ``implementations``: spec -> Implementation."""
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


def summary_line(summary: dict) -> str:
    """'N pass, N inaccurate, N refused, N not supported, N fail, N error, N known deviation,
    N not applicable' from the document's ``summary``."""
    order = (PASS, INACCURATE, REFUSED, UNSUPPORTED, FAIL, ERROR, DEVIATION, NOT_APPLICABLE)
    return ", ".join(f"{summary.get(s, 0)} {s}" for s in order)


def write_json(doc: dict, path: Path) -> None:
    path.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n")


# --- the conformance matrix ------------------------------------------------------------

def first_line(text: str, width: int = 110) -> str:
    line = (text or "").strip().splitlines()[0] if (text or "").strip() else ""
    return line if len(line) <= width else line[:width - 1] + "…"


# What each status of the matrix means (the legend of report.md and report.html).
LEGEND = {
    PASS: "every property holds within the allowed error",
    INACCURATE: "the right formula, with fewer correct digits than the dtype allows "
                "(exit 0; --strict fails it)",
    REFUSED: "the target refused every input of a property (a validation error): not checked",
    UNSUPPORTED: "an option value the target refuses on every input; the rest was checked",
    FAIL: "a wrong formula, a broken special-value contract, or the dtype's accuracy lost",
    ERROR: "the check could not complete",
    DEVIATION: "fails only inside a documented known deviation, confirmed on its witness",
    NOT_APPLICABLE: "not provided by the implementation",
}
CELL_ORDER = (ERROR, FAIL, INACCURATE, REFUSED)  # a cell shows the first of these it holds


def error_text(w: dict) -> str | None:
    """A witness's error as ``text.comparison`` prints it, or None without one."""
    if w["ulps"] is None:
        return None
    return comparison(as_float(w["ulps"]), None if w["allowed"] is None else as_float(w["allowed"]),
                      None if w["abs_error"] is None else as_float(w["abs_error"]))


def _value(x) -> str | None:
    return None if x is None else repr(x) if isinstance(x, float) else str(x)


def witness_lines(label: str, w: dict) -> list[str]:
    return block(label, w["message"], inputs=w["input_brief"], expected=_value(w["expected"]),
                 got=_value(w["got"]), error=error_text(w), reproduce=w["reproduce"], call=w["call"],
                 pad="")


def refusal(r: dict) -> str:
    w = r["refusal"]
    return refusal_text(r["refusals"], w and w["message"], w["input_brief"] if w else "")


def details(r: dict) -> list[str]:
    """A record's findings as lines: reason, unsupported values, refusals, the smallest and
    the worst witness (each once)."""
    w = r["refusal"]
    said = w is not None and w["message"] in r["reason"]  # the refusal line says it
    lines = [shorten(r["reason"])] if r["reason"] and not said else []
    if r["unsupported"]:
        lines.append(unsupported_line(r["unsupported"]))
    if r["refusals"] or r["refusal"]:
        lines.append(refusal(r))
    ce, w = r["counterexample"], r["worst"]
    if ce:
        lines += witness_lines("smallest", ce)
    if w and ce and (w["message"], w["inputs"]) == (ce["message"], ce["inputs"]):
        lines.append("worst:     the same input")
    elif w:
        lines += witness_lines("worst", w)
    return lines


def _why(r: dict) -> str:
    """One line on why a record has its status."""
    status, w = r["status"], r["counterexample"] or r["worst"]
    if status == INACCURATE and (r["worst"] or r["counterexample"]):
        w = r["worst"] or r["counterexample"]
        text = error_text(w) or r["reason"]
    elif status == REFUSED and (r["refusals"] or r["refusal"]):
        text = refusal(r)
    elif status == UNSUPPORTED and r["unsupported"]:
        text = unsupported_line(r["unsupported"])
    elif w:
        error = error_text(w)
        text = message(w["message"], bool(w["inputs"]), error is not None)
        text += f": {error.split(';')[0]}" if error else ""
    else:
        text = r["reason"]
    return f"{r['property']}[{r['dtype']}]: {text}"


def cell(doc: dict, oracle_id: str, impl: str) -> tuple[str, str]:
    """(status, one-line reason) of one oracle × implementation: the first of error, fail,
    inaccurate, refused it holds; then not supported (an option value refused on every
    input), known deviation, pass. A pass with refused inputs says how many."""
    recs = [r for r in doc["results"] if r["oracle"] == oracle_id and r["implementation"] == impl]
    if not recs or all(r["status"] == NOT_APPLICABLE for r in recs):
        return NOT_APPLICABLE, first_line(recs[0]["reason"]) if recs else "not run"
    for status in CELL_ORDER:
        bad = [r for r in recs if r["status"] == status]
        if bad:
            more = f" (+{len(bad) - 1} more)" if len(bad) > 1 else ""
            return status, first_line(_why(bad[0])) + more
    values = sorted({v for r in recs for v in r["unsupported"]})
    if values or any(r["status"] == UNSUPPORTED for r in recs):
        why = (unsupported_line(values) if values
               else _why(next(r for r in recs if r["status"] == UNSUPPORTED)))
        return UNSUPPORTED, first_line(f"{why}; the rest conforms")
    refused = sum(r["refusals"] for r in recs)
    note = f"refused {refused} input{'s' if refused != 1 else ''}" if refused else ""
    if any(r["status"] == DEVIATION for r in recs):
        devs = {r["property"] for r in recs if r["status"] == DEVIATION}
        return DEVIATION, f"documented, in {', '.join(sorted(devs))}" + (f"; {note}" if note else "")
    return PASS, note


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


def short_ratio(x: float | None) -> str:
    """error / allowed with 2 digits, or as many as it takes to print above 1 when it is."""
    if x is None or math.isinf(x) or math.isnan(x):
        return short(x)
    return pair(x, 1.0, 2)[0]
