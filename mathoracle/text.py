"""Plain-text rendering of results, for the terminal and for assertion messages.

Rules: a witness is printed once (the call a message ends with is dropped when an
``input:`` line follows); arrays of more than BRIEF elements are abbreviated in ``input:``
(dtype, shape, first values, min, max) while the ``call:`` line rebuilds them exactly; an
error and its allowance are printed with as many digits as it takes for the printed
comparison to be the true one, next to the absolute error and error / allowed.
"""
from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any, Mapping

import numpy as np

from mathoracle.core.accuracy import FORMATS, ulp
from mathoracle.core.laws import show, source
from mathoracle.core.statuses import DEVIATION, FAIL, INACCURATE, PASS, REFUSED

if TYPE_CHECKING:  # annotations only: the result model imports this module
    from mathoracle.results import CheckResult, Counterexample, PropertyResult

BRIEF = 8        # arrays with more elements are abbreviated in ``input:``
HEAD = 4         # first values shown of an abbreviated array
PAD = "      "


def snippet(source: str, implementation: str, oracle, inputs: dict, accepted=None,
            prop: str = "") -> str:
    """A python one-liner that calls the target on ``inputs``, the way the check called it.
    For a calling contract, it shows the contract broken: the caller's arrays after the
    call (inputs_unchanged), or the second call after NaN was written into the first's
    result (fresh_output)."""
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
    head = f'python -c "import numpy as np; from numpy import inf, nan; {load}; '
    if prop == "inputs_unchanged":
        return head + f'a = [{arrays}]; f(*a{", " + show(kw) if kw else ""}); print(repr(a))"'
    if prop == "fresh_output":
        return head + (f"o = f({args}); [np.asarray(x).__setitem__(..., nan) for x in "
                       f"(o if isinstance(o, (tuple, list)) else [o])]; print(repr(f({args})))\"")
    return head + f'print(repr(f({args})))"'


def reproduce(result: CheckResult, rec: PropertyResult, target: str, max_examples: int) -> str:
    conventions = "".join(f" --convention {c}" for c in result.conventions)
    return (f"mathoracle check {result.oracle} {target} --dtype {rec.dtype} --property {rec.property}"
            f" --max-examples {max_examples} --seed {result.seed}{conventions}")


# --- numbers that compare as they print -----------------------------------------------

def _g(x: float, digits: int) -> str:
    return str(x) if not math.isfinite(x) else f"{x:.{digits}g}"


def pair(a: float, b: float, digits: int = 3) -> tuple[str, str]:
    """``a`` and ``b`` printed with the fewest digits (≥ ``digits``) at which the printed
    numbers compare as the true ones: a > b prints a > b, a ≤ b prints a ≤ b."""
    a, b = float(a), float(b)
    for n in range(digits, 18):
        sa, sb = _g(a, n), _g(b, n)
        if (a > b) == (float(sa) > float(sb)):
            return sa, sb
    return repr(a), repr(b)


def abs_error(ce: Counterexample, dtype: str) -> float | None:
    """|got − exact|: the error in ulps times the dtype's ulp at the expected value (the unit
    the ulps were measured in), else |got − expected| of the two printed values."""
    if not (_real(ce.got) and _real(ce.expected)):
        return None
    if ce.ulps is not None and math.isfinite(ce.ulps) and math.isfinite(ce.expected) and dtype in FORMATS:
        import mpmath
        return float(ce.ulps * ulp(mpmath.mpf(ce.expected), FORMATS[dtype]))
    return abs(float(ce.got) - float(ce.expected)) if ce.got != ce.expected else 0.0


def _real(x) -> bool:
    return isinstance(x, (int, float, np.floating, np.integer)) and not isinstance(x, bool)


def ratio(ulps: float | None, allowed: float | None) -> float | None:
    """error / allowed (≤ 1 passes); inf for a NaN error or a zero allowance."""
    if ulps is None or allowed is None or math.isnan(allowed):
        return None
    if math.isnan(ulps):
        return math.inf
    if allowed > 0:
        return ulps / allowed
    return 0.0 if ulps == 0 else math.inf


def comparison(ulps: float, allowed: float | None, absolute: float | None = None) -> str:
    """'8.9781 ulp > allowed 8.9779 ulp; |got − exact| 1.1e-06, error/allowed 1.00002'."""
    err, allowed = float(ulps), float(math.nan if allowed is None else allowed)
    se, sa = pair(err, allowed)
    text = f"{se} ulp {'≤' if err <= allowed else '>'} allowed {sa} ulp"
    if absolute is not None:
        text += f"; |got − exact| {_g(absolute, 3)}"
    r = ratio(err, allowed)
    if r is not None:
        text += f", error/allowed {pair(r, 1.0)[0]}"
    return text


# --- short witnesses ---------------------------------------------------------------------

def _scalar(x) -> str:
    if isinstance(x, (float, np.floating)):
        return _g(float(x), 4)
    return repr(x.item() if hasattr(x, "item") else x)


def _nested(a: np.ndarray) -> str:
    """A float array's values in the shortest form that reads back to the same value of its
    dtype (float32 7.148688e+16, not the float64 7.148688307860275e+16)."""
    if a.ndim == 0:
        return str(a[()])
    return "[" + ", ".join(_nested(x) for x in a) + "]"


def brief_value(v: Any) -> str:
    """A value as Python source when small; an array of more than BRIEF elements as
    ``<float32 (100, 100): 0.1, 0.2, 0.3, 0.4, …; min -3, max 5; 2 nan>``."""
    if isinstance(v, (list, tuple)) and len(v) > BRIEF and all(_real(x) for x in v):
        v = np.asarray(v)
    if isinstance(v, np.ndarray):
        if v.size <= BRIEF:
            return source(v) if v.dtype.kind != "f" else f"np.array({_nested(v)}, dtype=np.{v.dtype.name})"
        flat = v.reshape(-1)
        head = ", ".join(_scalar(x) for x in flat[:HEAD])
        text = f"<{v.dtype.name} {tuple(v.shape)}: {head}, …"
        if v.dtype.kind in "fiu":
            wide = flat.astype(np.float64)
            nans = int(np.isnan(wide).sum())
            if nans < wide.size:
                text += f"; min {_scalar(np.nanmin(flat))}, max {_scalar(np.nanmax(flat))}"
            if nans:
                text += f"; {nans} nan"
        return text + ">"
    if isinstance(v, (list, tuple)):
        items = [brief_value(x) for x in v[:BRIEF]]
        if len(v) > BRIEF:
            items.append(f"… {len(v)} items")
        body = ", ".join(items) + ("," if isinstance(v, tuple) and len(v) == 1 else "")
        return f"[{body}]" if isinstance(v, list) else f"({body})"
    return source(v)


def brief(inputs: Mapping[str, Any]) -> str:
    """Keyword inputs with large arrays abbreviated (``show`` gives them exactly)."""
    return ", ".join(f"{k}={brief_value(v)}" for k, v in inputs.items())


def _closing(text: str, end: int) -> int:
    """Index of the '[' that matches the ']' at ``end``, or -1."""
    depth = 0
    for i in range(end, -1, -1):
        depth += {"]": 1, "[": -1}.get(text[i], 0)
        if depth == 0:
            return i
    return -1


_NUMERIC = set("0123456789.eE+-, ()[]nainfNaInfTrueFalse")


def shorten(text: str) -> str:
    """Numeric list literals of more than BRIEF values as '[a, b, c, d, … (N values)]'."""
    out, i = [], 0
    while i < len(text):
        if text[i] == "[":
            depth, j = 0, i
            while j < len(text):
                depth += {"[": 1, "]": -1}.get(text[j], 0)
                if depth == 0:
                    break
                j += 1
            span = text[i:j + 1]
            values = [s for s in span.replace("[", " ").replace("]", " ").replace("(", " ")
                      .replace(")", " ").split(",") if s.strip()]
            if depth == 0 and len(values) > BRIEF and set(span) <= _NUMERIC:
                out.append(f"[{', '.join(s.strip() for s in values[:HEAD])}, … ({len(values)} values)]")
                i = j + 1
                continue
        out.append(text[i])
        i += 1
    return "".join(out)


# 'E ulp, allowed A' in a message, with its '(|error| ..., R× the allowance)' if any
_ULPS = re.compile(r":? ?[-+0-9.einfa]+ ulp, allowed [-+0-9.einfa]+(?: ulp)?(?: \(\|error\|[^()]*\))?")


def message(text: str, has_input: bool = True, has_error: bool = False) -> str:
    """A counterexample's message as shown: the call it ends with ('[sigmoid(z=...)]',
    '[grad of ...]') dropped when an ``input:`` line shows the input, its 'N ulp, allowed M'
    dropped when an ``error:`` line states them (with digits enough), long lists shortened."""
    text = (text or "").strip()
    if has_error:
        text = _ULPS.sub("", text)
    if has_input and text.endswith("]"):
        start = _closing(text, len(text) - 1)
        inner = text[start + 1:-1] if start > 0 and text[start - 1] == " " else ""
        head = inner.split("(", 1)[0]
        if inner.endswith(")") and (head.isidentifier() or head.startswith(("grad of", "∂/∂"))) \
                or inner.startswith(("grad of ", "∂/∂")):
            text = text[:start - 1].rstrip()
    return shorten(text)


def block(label: str, text: str, *, inputs: str = "", expected: str | None = None,
          got: str | None = None, error: str | None = None, reproduce: str = "", call: str = "",
          pad: str = PAD) -> list[str]:
    """A witness's lines: message (as ``message`` shows it), input, expected, got, error,
    reproduce, call; the ones without a value are left out."""
    lines = [f"{pad}{label + ':':<10} {message(text, bool(inputs), error is not None)}"]
    for name, value in (("input", inputs), ("expected", expected), ("got", got), ("error", error),
                        ("reproduce", reproduce), ("call", call)):
        if value not in (None, ""):
            lines.append(f"{pad}{name + ':':<10} {value}")
    return lines


def witness_lines(label: str, ce: Counterexample, dtype: str, pad: str = PAD) -> list[str]:
    """One witness, large arrays abbreviated in ``input:`` (``call:`` rebuilds them)."""
    return block(label, ce.message, inputs=brief(ce.inputs) if ce.inputs else "",
                 expected=None if ce.expected is None else brief_value(ce.expected),
                 got=None if ce.got is None else brief_value(ce.got),
                 error=None if ce.ulps is None else comparison(ce.ulps, ce.allowed, abs_error(ce, dtype)),
                 reproduce=ce.reproduce, call=ce.snippet, pad=pad)


def same_witness(a: Counterexample | None, b: Counterexample | None) -> bool:
    return a is not None and b is not None and a.message == b.message and show(a.inputs) == show(b.inputs)


def refusal_text(n: int, text: str | None, smallest: str = "") -> str:
    """'refused N inputs, e.g. ValueError: ... (smallest: x=...)'."""
    out = f"refused {n} input{'s' if n != 1 else ''}"
    if text:
        out += f", e.g. {message(text, bool(smallest))}"
    if smallest:
        out += f" (smallest: {smallest})"
    return out


def refusal_line(rec: PropertyResult) -> str:
    ce = rec.refusal
    return refusal_text(rec.refusals, ce and ce.message, brief(ce.inputs) if ce and ce.inputs else "")


def unsupported_line(values) -> str:
    return f"does not support {', '.join(values)}"


# --- records and checks ------------------------------------------------------------------

def _ulps(x) -> str:
    return "—" if x is None else f"{x:.3g} ulp"


def _stats(rec: PropertyResult) -> str:
    text = f"  {rec.examples} examples" + (f", max {_ulps(rec.max_ulps)}" if rec.max_ulps is not None else "")
    if rec.max_ratio is not None and (rec.status == INACCURATE or rec.max_ratio > 1):
        text += f", error/allowed {pair(rec.max_ratio, 1.0)[0]}"
    return text


def format_record(rec: PropertyResult, unsupported: bool = True) -> list[str]:
    """The record's lines. ``unsupported``: include its unsupported option values
    (``format_check`` lists them once for the whole check)."""
    head = f"  {rec.status.upper():<15} {rec.id}"
    if rec.status in (PASS, DEVIATION, INACCURATE, REFUSED) and rec.examples:
        head += _stats(rec)
    lines = [head]
    if rec.reason and not (rec.refusal is not None and rec.refusal.message in rec.reason):
        lines.append(f"{PAD}{shorten(rec.reason)}")  # else the refusal line says it
    if unsupported and rec.unsupported:
        lines.append(f"{PAD}{unsupported_line(rec.unsupported)}")
    if rec.refusals or rec.refusal is not None:
        lines.append(f"{PAD}{refusal_line(rec)}")
        if rec.refusal is not None and rec.refusal.snippet:
            lines.append(f"{PAD}call:      {rec.refusal.snippet}")
    ce, worst = rec.counterexample, rec.worst
    if ce is not None:
        lines.extend(witness_lines("smallest", ce, rec.dtype))
    if same_witness(ce, worst):
        lines.append(f"{PAD}worst:     the same input")
    elif worst is not None:
        lines.extend(witness_lines("worst", worst, rec.dtype))
    lines.extend(f"{PAD}note: {n.splitlines()[-1]}" for n in rec.notes if n.strip())
    return lines


def counts(results) -> dict[str, int]:
    """Records per summary class: pass, inaccurate, refused, fail, other."""
    classes = {PASS: "pass", INACCURATE: "inaccurate", REFUSED: "refused", FAIL: "fail"}
    out = dict.fromkeys(("pass", "inaccurate", "refused", "fail", "other"), 0)
    for r in results:
        out[classes.get(r.status, "other")] += 1
    return out


def _shown(rec: PropertyResult, verbose: bool) -> bool:
    return verbose or rec.status != PASS or bool(rec.refusals)


def format_check(result: CheckResult, verbose: bool = False) -> str:
    lines = [f"{result.oracle} against {result.implementation} (seed {result.seed}): "
             f"{result.status.upper()}"]
    for value in sorted({v for r in result.results for v in r.unsupported}):
        lines.append(f"  {unsupported_line([value])}: every input refused; the rest was checked")
    for rec in result.results:
        if _shown(rec, verbose):
            lines.extend(format_record(rec, unsupported=False))
    c = counts(result.results)
    refused = sum(r.refusals for r in result.results)
    lines.append(f"  {c['pass']} passed, {c['inaccurate']} inaccurate, {c['refused']} refused, "
                 f"{c['fail']} failed, {c['other']} other; {result.examples} examples, "
                 f"max {_ulps(result.max_ulps)}" + (f"; {refused} inputs refused" if refused else ""))
    shown = "\n".join(lines)
    lines.extend(f"  note: {n}" for n in result.notes if n not in shown)  # each finding once
    return "\n".join(lines)


def number(x):
    """A float for JSON: finite as is, non-finite as a string, None kept."""
    if x is None:
        return None
    x = float(x)
    if math.isfinite(x):
        return x
    return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")
