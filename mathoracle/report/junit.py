"""JUnit XML for CI systems: one test suite per implementation, one test case per
(oracle, property, dtype). A failure carries its counterexample and reproduction line;
not applicable is "skipped"; a known deviation passes, with the deviation as output."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from mathoracle.results import DEVIATION, ERROR, FAIL, NOT_APPLICABLE


def _details(r: dict) -> str:
    ce = r["counterexample"]
    lines = [r["reason"]] if r["reason"] else []
    if ce:
        lines += [ce["message"], f"input:     {ce['inputs']}"]
        if ce["expected"] is not None:
            lines.append(f"expected:  {ce['expected']}")
        if ce["got"] is not None:
            lines.append(f"got:       {ce['got']}")
        if ce["ulps"] is not None:
            lines.append(f"error:     {ce['ulps']} ulp (allowed {ce['allowed']})")
        lines += [f"reproduce: {ce['reproduce']}", f"call:      {ce['call']}"]
    return "\n".join(lines)


def junit_xml(doc: dict) -> str:
    root = ET.Element("testsuites", name="mathoracle", time=str(doc["wall_seconds"]))
    for impl in [i["name"] for i in doc["implementations"]]:
        recs = [r for r in doc["results"] if r["implementation"] == impl]
        suite = ET.SubElement(root, "testsuite", name=f"mathoracle.{impl}", tests=str(len(recs)),
                              failures=str(sum(r["status"] == FAIL for r in recs)),
                              errors=str(sum(r["status"] == ERROR for r in recs)),
                              skipped=str(sum(r["status"] == NOT_APPLICABLE for r in recs)),
                              time=f"{sum(r['seconds'] for r in recs):.3f}")
        props = ET.SubElement(suite, "properties")
        ET.SubElement(props, "property", name="seed", value=str(doc["seed"]))
        ET.SubElement(props, "property", name="max_examples", value=str(doc["max_examples"]))
        for r in recs:
            case = ET.SubElement(suite, "testcase", classname=f"{impl}.{r['oracle']}",
                                 name=f"{r['property']}[{r['dtype']}]", time=f"{r['seconds']:.3f}")
            if r["status"] in (FAIL, ERROR):
                ce = r["counterexample"]
                message = ce["message"] if ce else r["reason"]
                tag = "failure" if r["status"] == FAIL else "error"
                ET.SubElement(case, tag, message=message, type=tag).text = _details(r)
            elif r["status"] == NOT_APPLICABLE:
                ET.SubElement(case, "skipped", message=r["reason"] or "not applicable")
            elif r["status"] == DEVIATION:
                ET.SubElement(case, "system-out").text = f"known deviation: {r['reason']}"
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def write_junit(doc: dict, path: Path) -> None:
    path.write_text(junit_xml(doc), encoding="utf-8")
