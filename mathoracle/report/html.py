"""One self-contained HTML page: no script, no CDN, no external file. The conformance
matrix with its legend (one colour per status), the accuracy table, the plots (inline
SVG), and every finding (fail, error, inaccurate, refused, not supported, refused inputs)
with its witnesses and reproduction line."""
from __future__ import annotations

from html import escape
from pathlib import Path

from mathoracle.report import findings, plots
from mathoracle.report.document import LEGEND, cell, details, short, short_ratio, summary_line, worst
from mathoracle.results import DEVIATION, ERROR, FAIL, INACCURATE, NOT_APPLICABLE, PASS, REFUSED, UNSUPPORTED
from mathoracle.sweep.report import sweep_section

CSS = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 1200px; color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #ccc; padding: 3px 8px; vertical-align: top; }
th { background: #f3f3f3; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.pass { background: #dff3df; } .fail, .error { background: #fbdada; }
.inaccurate { background: #ffd9a8; } .refused { background: #e4dcf7; }
.unsupported { background: #d7e9f7; }
.na { background: #f4f4f4; color: #777; } .dev { background: #fff1c9; }
ul.legend { list-style: none; padding: 0; } ul.legend li { margin: 2px 0; }
ul.legend span { display: inline-block; min-width: 9em; padding: 1px 6px; border: 1px solid #ccc; }
code, pre { font: 12px/1.4 ui-monospace, monospace; }
pre { background: #f7f7f7; padding: .6em; overflow-x: auto; white-space: pre-wrap; }
.plots { display: flex; flex-wrap: wrap; gap: 1em; } .plot svg { max-width: 100%; height: auto; }
"""
CLASS = {PASS: "pass", INACCURATE: "inaccurate", REFUSED: "refused", UNSUPPORTED: "unsupported",
         FAIL: "fail", ERROR: "error", NOT_APPLICABLE: "na", DEVIATION: "dev"}
FINDINGS = (FAIL, ERROR, INACCURATE, REFUSED, UNSUPPORTED)  # records listed under "Failures"


def _legend() -> str:
    items = "".join(f"<li><span class='{CLASS[k]}'>{escape(k)}</span> {escape(v)}</li>"
                    for k, v in LEGEND.items())
    return f"<ul class='legend' id='legend'>{items}</ul>"


def _matrix(doc, impls, oracles) -> str:
    rows = ["<table id='matrix'><tr><th>oracle</th>"
            + "".join(f"<th>{escape(i)}</th>" for i in impls) + "</tr>"]
    for oid in oracles:
        cells = []
        for impl in impls:
            status, why = cell(doc, oid, impl)
            title = f" title='{escape(why, quote=True)}'" if why else ""
            text = escape(status) + (f"<br><small>{escape(why)}</small>"
                                     if why and status != NOT_APPLICABLE else "")
            cells.append(f"<td class='{CLASS[status]}'{title}>{text}</td>")
        rows.append(f"<tr><th><code>{escape(oid)}</code></th>{''.join(cells)}</tr>")
    return "\n".join(rows) + "</table>"


def _accuracy(doc, impls, oracles) -> str:
    rows = ["<table id='accuracy'><tr><th>oracle</th>"
            + "".join(f"<th>{escape(i)} ulps</th><th>{escape(i)} error / allowed</th>" for i in impls)
            + "</tr>"]
    for oid in oracles:
        tds = []
        for impl in impls:
            ulps, ratio = worst(doc, oid, impl)
            tds.append(f"<td class='num'>{short(ulps)}</td><td class='num'>{short_ratio(ratio)}</td>")
        rows.append(f"<tr><th><code>{escape(oid)}</code></th>{''.join(tds)}</tr>")
    return "\n".join(rows) + "</table>"


def _findings(doc) -> str:
    shown = [r for r in doc["results"]
             if r["status"] in FINDINGS or r["refusals"] or r["unsupported"]]
    if not shown:
        return "<p>No failures, inaccurate results or refusals.</p>"
    shown.sort(key=lambda r: FINDINGS.index(r["status"]) if r["status"] in FINDINGS else len(FINDINGS))
    out = []
    for r in shown:
        out.append(f"<details class='finding {CLASS[r['status']]}'><summary><b>{escape(r['implementation'])}"
                   f"</b> <code>{escape(r['id'])}</code>: {escape(r['status'])}</summary>"
                   f"<pre>{escape(chr(10).join(details(r)))}</pre></details>")
    return "\n".join(out)


def html_page(doc: dict) -> str:
    impls = [i["name"] for i in doc["implementations"]]
    oracles = [o["id"] for o in doc["oracles"]]
    unary = [o["id"] for o in doc["oracles"] if o["unary"]]
    scatters = [(oid, plots.magnitude_scatter(doc, oid)) for oid in unary]
    env, s = doc["environment"], doc["summary"]
    libs = ", ".join(f"{k} {v}" for k, v in env["libraries"].items() if v)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>mathoracle conformance report</title>
<style>{CSS}</style></head><body>
<h1>mathoracle conformance report</h1>
<p>{len(oracles)} oracles × {len(impls)} implementations; seed {doc['seed']},
{doc['max_examples']} examples per property and dtype; {doc['wall_seconds']:.0f} s on {doc['jobs']}
process(es). Records: {escape(summary_line(s))}.</p>
<h2>Conformance matrix</h2>
{_legend()}
{_matrix(doc, impls, oracles)}
<h2>Accuracy</h2>
<p>Largest error over the agreement and edges properties, in ulps and as a fraction of the
allowed error (≤ 1 passes).</p>
{_accuracy(doc, impls, oracles)}
<h2>Plots</h2>
<div class="plots" id="plots">
<figure class="plot" id="plot-ulps">{plots.ulp_bars(doc)}</figure>
{''.join(f'<figure class="plot" id="plot-{escape(oid)}">{svg}</figure>' for oid, svg in scatters if svg)}
</div>
{findings.html_section(doc)}{sweep_section(doc)}<h2>Failures</h2>
<div id="failures">{_findings(doc)}</div>
<h2>Environment</h2>
<p>Python {escape(env['python'])}, {escape(env['platform'])}, {escape(env['cpu'])}
({env['cpu_count']} CPUs); {escape(libs)}. Created {escape(doc['created'])}.</p>
</body></html>
"""


def write_html(doc: dict, path: Path) -> None:
    path.write_text(html_page(doc), encoding="utf-8")
