"""The report's Findings: every deviation at the FAIL level, once per implementation, oracle
and property, across all libraries.

Two kinds: a known deviation (documented by its adapter) evaluated again on its witness, with
what the exact formula gives there and what the library returned; and a failure the check
found and no deviation explains, with its shrunk counterexample. The witness evaluations run
where the checks ran (``collect.run_all``), so an implementation that needs processes of its
own (Keras's backends) gets them here too.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from mathoracle.core.laws import Falsified, float_leaves, show
from mathoracle.properties import properties_for
from mathoracle.registry import extra_properties, get_oracle, load_implementation, oracles
from mathoracle.report.collect import Options, run_all
from mathoracle.results import DEVIATION, FAIL
from mathoracle.runner import Target


@dataclass
class WitnessBatch:
    """One (oracle, implementation)'s deviations on their witnesses (a run_all task result)."""
    rows: list[dict] = field(default_factory=list)
    status: str = "pass"


def text(x, width: int = 90) -> str:
    """A value in one short line (arrays by np.array2string)."""
    if x is None:
        return ""
    s = np.array2string(np.asarray(x), precision=6, separator=", ") if not isinstance(x, str) else x
    s = " ".join(s.split())
    return s if len(s) <= width else s[:width - 1] + "…"


def witness_rows(oracle_id: str, spec: str) -> list[dict]:
    """Each known deviation of ``spec`` for ``oracle_id``, on its witness: the first property
    it affects that fails there, with expected and got."""
    impl, oracle = load_implementation(spec), get_oracle(oracle_id)
    target, rows = Target(impl, oracles()), []
    for dev in impl.deviations_for(oracle_id):
        inputs = dict(dev.witness)
        example = {"cotangent": inputs.pop("cotangent")} if "cotangent" in inputs else {}
        leaves = float_leaves(inputs, list(inputs))
        dtype = leaves[0][2].dtype.name if leaves else "float64"
        for prop in properties_for(oracle, extra_properties()):
            if not dev.affects(prop.name) or any(not impl.provides(n) for n in prop.needs) \
                    or (prop.needs_gradient and oracle_id not in impl.gradients):
                continue
            try:
                prop.check(target.case(oracle, dtype),
                           {"inputs": {**oracle.defaults(), **inputs}, **example})
            except Falsified as f:
                rows.append({"kind": "known deviation", "implementation": spec, "oracle": oracle_id,
                             "property": prop.name, "dtype": dtype, "summary": dev.summary,
                             "witness": show(dev.witness), "expected": text(f.expected),
                             "got": text(f.got), "message": f.message.splitlines()[0][:200],
                             "reference": dev.reference})
                break
            except Exception:
                continue
    return rows


def witness_task(oracle_id: str, spec: str, options) -> tuple[WitnessBatch, float]:
    started = time.perf_counter()
    return WitnessBatch(witness_rows(oracle_id, spec)), time.perf_counter() - started


def found_rows(doc: dict) -> list[dict]:
    """The check's own failures (FAIL records), the first dtype of each (implementation,
    oracle, property)."""
    rows, seen = [], set()
    for r in doc["results"]:
        key = (r["implementation"], r["oracle"], r["property"])
        if r["status"] != FAIL or key in seen:
            continue
        seen.add(key)
        ce = r["counterexample"] or {}
        rows.append({"kind": "found", "implementation": r["implementation"], "oracle": r["oracle"],
                     "property": r["property"], "dtype": r["dtype"],
                     "summary": (ce.get("message") or r["reason"]).splitlines()[0][:200],
                     "witness": ce.get("inputs") or "", "expected": text(ce.get("expected")),
                     "got": text(ce.get("got")), "message": ce.get("reproduce") or "",
                     "reference": ""})
    return rows


def collect(doc: dict, *, jobs: int = 1) -> list[dict]:
    """Every finding of a report document: its confirmed known deviations on their witnesses
    (evaluated again, in the checks' process groups), then its unexplained failures."""
    pairs: dict[str, list[str]] = {}
    for r in doc["results"]:
        if r["status"] == DEVIATION and r["oracle"] not in pairs.get(r["implementation"], []):
            pairs.setdefault(r["implementation"], []).append(r["oracle"])
    rows = []
    for spec, ids in pairs.items():
        for batch, _ in run_all(ids, [spec], Options(), jobs=jobs, task=witness_task):
            rows.extend(getattr(batch, "rows", []))
    return rows + found_rows(doc)


def markdown_section(doc: dict) -> list[str]:
    """The Findings section of report.md (empty when the document has none)."""
    rows = doc.get("findings") or []
    if not rows:
        return []
    esc = lambda s: str(s).replace("|", "\\|").replace("\n", " ")  # noqa: E731
    lines = ["", "## Findings", "",
             "Each deviation at the FAIL level, once: a known deviation on its witness, or a "
             "failure the check found.", "",
             "| implementation | oracle | property [dtype] | kind | what differs | witness | "
             "expected | got | reference |", "|---|---|---|---|---|---|---|---|---|"]
    for f in rows:
        lines.append(f"| {esc(f['implementation'])} | `{f['oracle']}` | {f['property']} "
                     f"[{f['dtype']}] | {f['kind']} | {esc(f['summary'])} | `{esc(f['witness'])}` | "
                     f"{esc(f['expected'])} | {esc(f['got'])} | {esc(f['reference']) or '—'} |")
    return lines


def html_section(doc: dict) -> str:
    """The Findings section of report.html ("" when the document has none)."""
    from html import escape
    rows = doc.get("findings") or []
    if not rows:
        return ""
    head = ("<tr><th>implementation</th><th>oracle</th><th>property [dtype]</th><th>kind</th>"
            "<th>what differs</th><th>witness</th><th>expected</th><th>got</th><th>reference</th></tr>")
    body = "".join(
        f"<tr><td>{escape(f['implementation'])}</td><td><code>{escape(f['oracle'])}</code></td>"
        f"<td>{escape(f['property'])} [{escape(f['dtype'])}]</td><td>{escape(f['kind'])}</td>"
        f"<td>{escape(f['summary'])}</td><td><code>{escape(f['witness'])}</code></td>"
        f"<td>{escape(f['expected'])}</td><td>{escape(f['got'])}</td>"
        f"<td>{escape(f['reference']) or '—'}</td></tr>" for f in rows)
    return f"<h2>Findings</h2>\n<table id='findings'>{head}{body}</table>\n"
