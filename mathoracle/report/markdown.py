"""The Markdown report: the conformance matrix (oracle × implementation) and a short
accuracy table (largest error in ulps, and largest error / allowed error)."""
from __future__ import annotations

from pathlib import Path

from mathoracle.report import findings
from mathoracle.report.document import LEGEND, cell, short, short_ratio, summary_line, worst
from mathoracle.results import (DEVIATION, ERROR, FAIL, INACCURATE, NOT_APPLICABLE, PASS, REFUSED,
                                UNSUPPORTED)

SYMBOL = {PASS: "pass", INACCURATE: "*inaccurate*", REFUSED: "refused", UNSUPPORTED: "not supported",
          FAIL: "**FAIL**", ERROR: "**ERROR**", NOT_APPLICABLE: "n/a", DEVIATION: "known deviation"}


def _esc(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown(doc: dict) -> str:
    impls = [i["name"] for i in doc["implementations"]]
    oracles = [o["id"] for o in doc["oracles"]]
    s = doc["summary"]
    lines = [
        "# mathoracle conformance report", "",
        f"{len(oracles)} oracles × {len(impls)} implementations; seed {doc['seed']}, "
        f"{doc['max_examples']} examples per property and dtype; {doc['wall_seconds']:.0f} s on "
        f"{doc['jobs']} process(es), {doc['environment']['cpu']}.", "",
        f"Records: {summary_line(s)}.", "",
        "## Conformance matrix", "",
        *(f"- {SYMBOL[k]}: {v}" for k, v in LEGEND.items()), "",
        "| oracle | " + " | ".join(impls) + " |", "|---|" + "---|" * len(impls)]
    for oid in oracles:
        cells = []
        for impl in impls:
            status, why = cell(doc, oid, impl)
            text = SYMBOL[status] + (f": {_esc(why)}" if why and status != NOT_APPLICABLE else "")
            cells.append(text)
        lines.append(f"| `{oid}` | " + " | ".join(cells) + " |")
    lines += ["", "## Accuracy", "",
              "Largest error over the agreement and edges properties, in ulps, and as a fraction "
              "of the error allowed there (≤ 1 passes; raw ulps can be huge where the exact value "
              "is nearly 0 and the allowance, set by the formula's sensitivity, is as large).", "",
              "| oracle | " + " | ".join(f"{i} ulps | {i} err/allowed" for i in impls) + " |",
              "|---|" + "---:|---:|" * len(impls)]
    for oid in oracles:
        row = []
        for impl in impls:
            ulps, ratio = worst(doc, oid, impl)
            row += [short(ulps), short_ratio(ratio)]
        lines.append(f"| `{oid}` | " + " | ".join(row) + " |")
    lines += findings.markdown_section(doc)
    env = doc["environment"]
    libs = ", ".join(f"{k} {v}" for k, v in env["libraries"].items() if v)
    lines += ["", f"Environment: Python {env['python']}, {env['platform']}; {libs}.", ""]
    return "\n".join(lines)


def write_markdown(doc: dict, path: Path) -> None:
    path.write_text(markdown(doc), encoding="utf-8")
