"""Plain-text rendering of results, for the terminal and for assertion messages."""
from __future__ import annotations

from mathoracle.properties.base import show
from mathoracle.results import FAIL, CheckResult, PropertyResult


def snippet(source: str, implementation: str, oracle, inputs: dict, accepted=None) -> str:
    """A python one-liner that calls the target on ``inputs``, the way the check called it."""
    oracle_id = oracle.id
    arrays = ", ".join(show({a: inputs[a]}).split("=", 1)[1] for a in oracle.arrays if a in inputs)
    kw = {p.name: inputs[p.name] for p in oracle.params
          if p.name in inputs and (accepted is None or p.name in accepted)}
    gradient = "cotangent" in inputs  # a gradient failure: call the gradient function
    if gradient:
        arrays = ", ".join(x for x in (show({"c": inputs["cotangent"]}).split("=", 1)[1], arrays) if x)
    args = ", ".join(x for x in (arrays, show(kw)) if x)
    table = "gradients" if gradient else "functions"
    if ":" in source and not gradient:
        mod, _, attr = source.rpartition(":")
        if mod.endswith(".py") or "/" in mod:
            load = f"import runpy; f = runpy.run_path({mod!r})[{attr.split('.')[0]!r}]"
            load += "".join(f".{a}" for a in attr.split(".")[1:])
        else:
            load = f"import {mod}; f = {mod}.{attr}"
    elif source and ":" not in source:  # a whole implementation: module or file.py
        load = (f"from mathoracle.registry import load_implementation; "
                f"f = load_implementation({source!r}).{table}[{oracle_id!r}]")
    else:
        load = (f"from mathoracle.registry import bundled; "
                f"f = bundled({implementation!r}).{table}[{oracle_id!r}]")
    return f'python -c "import numpy as np; {load}; print(repr(f({args})))"'


def reproduce(result: CheckResult, rec: PropertyResult, target: str, max_examples: int) -> str:
    conventions = "".join(f" --convention {c}" for c in result.conventions)
    return (f"mathoracle check {result.oracle} {target} --dtype {rec.dtype} --property {rec.property}"
            f" --max-examples {max_examples} --seed {result.seed}{conventions}")


def _ulps(x) -> str:
    return "—" if x is None else f"{x:.3g} ulp"


def format_record(rec: PropertyResult) -> list[str]:
    head = f"  {rec.status.upper():<15} {rec.id}"
    if rec.status in ("pass", "known deviation"):
        head += f"  {rec.examples} examples, max {_ulps(rec.max_ulps)}"
    lines = [head]
    if rec.reason:
        lines.append(f"      {rec.reason}")
    ce = rec.counterexample
    if ce is not None:
        lines.append(f"      {ce.message}")
        if ce.inputs:
            lines.append(f"      input:     {show(ce.inputs)}")
        if ce.expected is not None:
            lines.append(f"      expected:  {ce.expected!r}")
        if ce.got is not None:
            lines.append(f"      got:       {ce.got!r}")
        if ce.ulps is not None:
            lines.append(f"      error:     {ce.ulps:.4g} ulp (allowed {ce.allowed:.3g})")
        if ce.reproduce:
            lines.append(f"      reproduce: {ce.reproduce}")
        if ce.snippet:
            lines.append(f"      call:      {ce.snippet}")
    lines.extend(f"      note: {n.splitlines()[-1]}" for n in rec.notes)
    return lines


def format_check(result: CheckResult, verbose: bool = False) -> str:
    lines = [f"{result.oracle} against {result.implementation} (seed {result.seed}): "
             f"{result.status.upper()}"]
    for rec in result.results:
        if verbose or rec.status != "pass":
            lines.extend(format_record(rec))
    passed = sum(r.status == "pass" for r in result.results)
    failed = sum(r.status == FAIL for r in result.results)
    lines.append(f"  {passed} passed, {failed} failed, {len(result.results) - passed - failed} other;"
                 f" {result.examples} examples, max {_ulps(result.max_ulps)}")
    lines.extend(f"  note: {n}" for n in result.notes)
    return "\n".join(lines)
