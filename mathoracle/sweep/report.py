"""The report's sweep section: every unary id of each implementation, swept exhaustively in
the 16- and 8-bit formats (``mathoracle report --sweep``)."""
from __future__ import annotations

from html import escape

from mathoracle.oracles.shapes import Elementwise
from mathoracle.registry import load_implementation, oracles
from mathoracle.sweep import sweep
from mathoracle.text import number

REPORT_DTYPES = ("float16", "bfloat16", "float8_e4m3fn", "float8_e5m2")


def sweep_rows(specs: list[str], oracle_ids: list[str] | None = None,
               dtypes=REPORT_DTYPES) -> list[dict]:
    """One row per (implementation, unary oracle it provides, dtype), swept in-process."""
    unary = [o.id for o in oracles().values() if isinstance(o, Elementwise) and len(o.arrays) == 1
             and (not oracle_ids or o.id in oracle_ids)]
    rows = []
    for spec in specs:
        impl = load_implementation(spec)
        for oid in (i for i in unary if impl.provides(i)):
            for dtype in dtypes:
                doc = sweep(oid, spec, dtype, workers=0)
                errors = doc["errors"]
                refused = bool(errors) and all(": raised " in e for e in errors)
                worst = doc["worst"][0]["input"] if doc["worst"] else None
                rows.append({
                    "oracle": oid, "implementation": spec, "dtype": dtype,
                    "status": "not supported" if refused else doc["status"],
                    "inputs": doc["inputs"], "max_ulps": number(doc["max_ulps"]), "worst_input": worst,
                    "beyond": doc["n_exceed"],
                    "specials_kept": sum(s["ok"] for s in doc["specials"]),
                    "specials": len(doc["specials"]),
                    "seconds": round(doc["wall_seconds"], 3),
                    "note": errors[0].split(": ", 1)[1][:160] if errors else "",
                })
    return rows


def sweep_section(doc: dict) -> str:
    """The HTML section (empty when the report has no sweeps)."""
    rows = doc.get("sweeps")
    if not rows:
        return ""
    head = ("<tr><th>oracle</th><th>implementation</th><th>dtype</th><th>verdict</th><th>inputs</th>"
            "<th>max ulp</th><th>at</th><th>beyond</th><th>special values</th></tr>")
    body = []
    for r in rows:
        cls = {"pass": "pass", "fail": "fail", "error": "error"}.get(r["status"], "na")
        ulps = "—" if r["status"] == "not supported" else f"{float(r['max_ulps']):.4g}"
        body.append(
            f"<tr class=\"sweep {cls}\"><td>{escape(r['oracle'])}</td><td>{escape(r['implementation'])}</td>"
            f"<td>{escape(r['dtype'])}</td><td title=\"{escape(r['note'])}\">{escape(r['status'])}</td>"
            f"<td>{r['inputs']}</td><td>{ulps}</td><td>{'' if r['worst_input'] is None else r['worst_input']!r}</td>"
            f"<td>{r['beyond']}</td><td>{r['specials_kept']}/{r['specials']}</td></tr>")
    return (f"<h2>Exhaustive sweeps</h2>\n<p>Every finite input of each format, judged like the "
            f"agreement property (<code>mathoracle sweep</code>).</p>\n"
            f"<table id=\"sweeps\">{head}{''.join(body)}</table>\n")
