"""JUnit XML for CI systems: one test suite per implementation, one test case per
(oracle, property, dtype).

- fail / error: a ``failure`` / ``error`` with the witnesses and the reproduction line;
- inaccurate: passed, with the property ``inaccurate`` (the error against the allowance)
  and the witnesses as output: it fails a check only under ``--strict``;
- refused / not supported: ``skipped``, with the refusal or the unsupported values;
- not applicable: ``skipped``; known deviation: passed, with the deviation as output;
- a pass with refused inputs: passed, with the property ``refused``.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from mathoracle.report.document import LEGEND, details, error_text, first_line, refusal
from mathoracle.results import (DEVIATION, ERROR, FAIL, INACCURATE, NOT_APPLICABLE, REFUSED,
                                UNSUPPORTED)
from mathoracle.text import unsupported_line

SKIPPED = (NOT_APPLICABLE, REFUSED, UNSUPPORTED)


def _skip_reason(r: dict) -> str:
    if r["status"] == REFUSED:
        return f"refused: {refusal(r)}" if r["refusals"] or r["refusal"] else r["reason"] or REFUSED
    if r["status"] == UNSUPPORTED:
        return unsupported_line(r["unsupported"]) if r["unsupported"] else r["reason"] or UNSUPPORTED
    return r["reason"] or "not applicable"


def _testcase(suite, impl: str, r: dict) -> None:
    case = ET.SubElement(suite, "testcase", classname=f"{impl}.{r['oracle']}",
                         name=f"{r['property']}[{r['dtype']}]", time=f"{r['seconds']:.3f}")
    status, text = r["status"], "\n".join(details(r))
    props = {}
    if status == INACCURATE:
        w = r["worst"] or r["counterexample"]
        props["inaccurate"] = (error_text(w) if w else None) or r["reason"] or LEGEND[INACCURATE]
    if r["refusals"] and status not in SKIPPED:
        props["refused"] = first_line(refusal(r), 300)
    if r["unsupported"] and status not in SKIPPED:
        props["not supported"] = unsupported_line(r["unsupported"])
    if props:
        node = ET.SubElement(case, "properties")
        for name, value in props.items():
            ET.SubElement(node, "property", name=name, value=value)
    if status in (FAIL, ERROR):
        ce = r["counterexample"]
        message = first_line(ce["message"], 300) if ce else r["reason"]
        tag = "failure" if status == FAIL else "error"
        ET.SubElement(case, tag, message=message, type=tag).text = text
    elif status in SKIPPED:
        ET.SubElement(case, "skipped", message=first_line(_skip_reason(r), 300))
    elif status == DEVIATION:
        ET.SubElement(case, "system-out").text = f"known deviation: {text}"
    elif text:
        ET.SubElement(case, "system-out").text = f"{status}\n{text}"


def junit_xml(doc: dict) -> str:
    root = ET.Element("testsuites", name="mathoracle", time=str(doc["wall_seconds"]))
    for impl in [i["name"] for i in doc["implementations"]]:
        recs = [r for r in doc["results"] if r["implementation"] == impl]
        suite = ET.SubElement(root, "testsuite", name=f"mathoracle.{impl}", tests=str(len(recs)),
                              failures=str(sum(r["status"] == FAIL for r in recs)),
                              errors=str(sum(r["status"] == ERROR for r in recs)),
                              skipped=str(sum(r["status"] in SKIPPED for r in recs)),
                              time=f"{sum(r['seconds'] for r in recs):.3f}")
        props = ET.SubElement(suite, "properties")
        ET.SubElement(props, "property", name="seed", value=str(doc["seed"]))
        ET.SubElement(props, "property", name="max_examples", value=str(doc["max_examples"]))
        for r in recs:
            _testcase(suite, impl, r)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def write_junit(doc: dict, path: Path) -> None:
    path.write_text(junit_xml(doc), encoding="utf-8")
