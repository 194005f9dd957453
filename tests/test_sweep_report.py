"""The report's sweep section (`mathoracle report --sweep`): JSON by the schema, the HTML table
rendered in headless Chromium."""
import json
import os
from pathlib import Path

import jsonschema
import pytest

from mathoracle import report
from mathoracle.report.browser import chromium, render
from mathoracle.report.document import SCHEMA_FILE

@pytest.fixture(scope="module")
def written(tmp_path_factory):
    doc = report.build(["numpy", "torch"], oracle_ids=["activation.relu"], max_examples=3, seed=7,
                       progress=False, sweeps=True)
    out = tmp_path_factory.mktemp("report")
    report.write(doc, out)
    return doc, out


def test_every_unary_id_is_swept_in_each_small_format(written):
    doc, out = written
    rows = {(r["implementation"], r["dtype"]): r for r in doc["sweeps"]}
    assert set(rows) == {(i, d) for i in ("numpy", "torch")
                         for d in ("float16", "bfloat16", "float8_e4m3fn", "float8_e5m2")}
    assert rows[("numpy", "float8_e4m3fn")]["status"] == "pass"
    assert rows[("numpy", "float16")]["inputs"] == 2 ** 16 - 2 ** 11  # less ±inf and NaNs
    assert rows[("torch", "float8_e5m2")]["status"] == "not supported"  # no CPU float8 relu
    assert rows[("torch", "bfloat16")]["status"] == "pass"
    schema = json.loads(Path(SCHEMA_FILE).read_text())
    sweeps = {**schema["properties"]["sweeps"], "$defs": schema["$defs"]}  # the section's part
    jsonschema.validate(json.loads((out / "report.json").read_text())["sweeps"], sweeps)


def test_the_sweep_section_renders_in_chromium(written, tmp_path):
    if chromium() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is not installed, and CI must run the browser test")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    dom, console = render(written[1] / "report.html")
    assert console == []
    assert "Exhaustive sweeps" in dom and "id=\"sweeps\"" in dom
    assert dom.count("class=\"sweep ") == 8 and "not supported" in dom


def test_without_sweeps_the_page_has_no_section(written):
    from mathoracle.report.html import html_page
    doc = {k: v for k, v in written[0].items() if k != "sweeps"}
    assert "Exhaustive sweeps" not in html_page(doc)
