"""The report's Findings: each FAIL-level deviation once, a known one evaluated again on its
witness (expected, got, the library's reference), a found one from its counterexample."""
from importlib.util import find_spec

import pytest

from mathoracle import report
from mathoracle.report import findings
from mathoracle.report.html import html_page
from mathoracle.report.markdown import markdown


def _record(status, prop="agreement", dtype="float32", ce=None):
    return {"oracle": "activation.relu", "implementation": "mine", "property": prop,
            "dtype": dtype, "status": status, "reason": "", "counterexample": ce}


def test_found_failures_are_listed_once_per_property():
    ce = {"message": "out=1.0, but should be 0.0", "inputs": "z=np.array([0.0])",
          "expected": 0.0, "got": 1.0, "reproduce": "mathoracle check ..."}
    doc = {"results": [_record("fail", dtype="float32", ce=ce), _record("fail", dtype="float64", ce=ce),
                       _record("pass", prop="edges")]}
    rows = findings.found_rows(doc)
    assert len(rows) == 1
    assert rows[0]["kind"] == "found" and rows[0]["witness"] == "z=np.array([0.0])"
    assert (rows[0]["expected"], rows[0]["got"], rows[0]["reference"]) == ("0.", "1.", "")


@pytest.mark.skipif(find_spec("jax") is None, reason="jax is not installed")
def test_a_known_deviation_is_shown_on_its_witness(tmp_path):
    doc = report.build(["numpy", "jax"], oracle_ids=["activation.leaky_relu_grad"],
                       max_examples=5, seed=3, progress=False)
    rows = [f for f in doc["findings"] if f["kind"] == "known deviation"]
    assert rows and all(f["implementation"] == "jax" for f in rows)
    witness = "z=np.array([0.0], dtype=np.float64), alpha=0.0"
    row = next(f for f in rows if f["witness"] == witness)  # the kink at 0
    assert (row["expected"], row["got"]) == ("0.", "1.")  # the failing element
    assert row["reference"].startswith("https://docs.jax.dev/")
    assert "## Findings" in markdown(doc) and witness in markdown(doc)
    assert "id='findings'" in html_page(doc)


def test_no_findings_no_section():
    assert findings.markdown_section({"findings": []}) == []
    assert findings.html_section({}) == ""
