"""`mathoracle report`: the four formats, the JSON schema, the committed reports, and the
HTML page rendered in headless Chromium."""
import json
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from mathoracle import report
from mathoracle.cli import main
from mathoracle.report.browser import chromium, render
from mathoracle.report.document import SCHEMA_FILE, SCHEMA_VERSION, build_document
from mathoracle.report.html import CSS
from mathoracle.results import ERROR, FAIL, INACCURATE, PASS, REFUSED, UNSUPPORTED, CheckResult
from tests.test_text import hand_built

ROOT = Path(__file__).resolve().parents[1]
MIXED = str(ROOT / "tests" / "targets" / "mixed_impl.py")
ORACLES = ["activation.sigmoid", "activation.tanh", "activation.relu", "loss.binary_cross_entropy"]
REGENERATE = ("mathoracle report --impl 'numpy,torch,scipy,sklearn,umap,jax,keras[torch],keras[jax]' --out reports/ --seed 20261125 "
              "--max-examples 20 --jobs 2")


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """numpy, torch (a known deviation) and a file implementation whose sigmoid hangs and whose
    tanh segfaults, over four oracles, isolated, with a short timeout."""
    doc = report.build(["numpy", "torch", MIXED], oracle_ids=ORACLES, max_examples=5, seed=7,
                       timeout=0.5, isolate=True, progress=False)
    out = tmp_path_factory.mktemp("report")
    report.write(doc, out)
    return doc, out


def _cell(doc, oracle, impl):
    return {r["status"] for r in doc["results"] if r["oracle"] == oracle and r["implementation"] == impl}


def test_the_json_follows_the_schema_and_holds_every_result(written):
    doc, out = written
    loaded = json.loads((out / "report.json").read_text())
    jsonschema.validate(loaded, json.loads(SCHEMA_FILE.read_text()))
    assert loaded["schema_version"] == SCHEMA_VERSION and loaded["seed"] == 7
    assert loaded["environment"]["libraries"]["numpy"] and loaded["environment"]["cpu"]
    assert {(c["oracle"], c["implementation"]) for c in loaded["checks"]} == \
           {(o, i) for o in ORACLES for i in ("numpy", "torch", MIXED)}
    hung = [r for r in loaded["results"] if r["oracle"] == "activation.sigmoid" and r["implementation"] == MIXED]
    assert hung and all(r["status"] == "fail" for r in hung if r["dtype"] != "*")
    assert "hung: timed out" in hung[0]["counterexample"]["message"]
    assert hung[0]["counterexample"]["reproduce"].startswith(f"mathoracle check activation.sigmoid {MIXED}")
    assert "SIGSEGV" in json.dumps([r for r in loaded["results"] if r["oracle"] == "activation.tanh"
                                    and r["implementation"] == MIXED])
    assert _cell(loaded, "activation.relu", MIXED) == {"pass", "not applicable"}  # the rest survives
    assert _cell(loaded, "loss.binary_cross_entropy", MIXED) == {"not applicable"}
    assert "known deviation" in _cell(loaded, "loss.binary_cross_entropy", "torch")
    assert _cell(loaded, "activation.sigmoid", "numpy") == {"pass"}


def test_the_schema_rejects_a_malformed_document(written):
    doc = json.loads((written[1] / "report.json").read_text())
    doc["results"][0]["status"] = "passed"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, json.loads(SCHEMA_FILE.read_text()))


def test_junit_xml_has_a_case_per_record_and_the_failures(written):
    doc, out = written
    root = ET.parse(out / "report.xml").getroot()
    cases = root.findall(".//testcase")
    assert len(cases) == len(doc["results"])
    failures = root.findall(".//testcase/failure")
    assert failures and len(failures) == doc["summary"]["fail"]
    assert any("reproduce: mathoracle check" in f.text for f in failures)
    assert len(root.findall(".//testcase/skipped")) == doc["summary"]["not applicable"]


def test_markdown_has_the_matrix_and_the_accuracy_table(written):
    text = (written[1] / "report.md").read_text()
    assert f"| oracle | numpy | torch | {MIXED} |" in text
    row = next(line for line in text.splitlines() if line.startswith("| `activation.sigmoid` |"))
    assert "| pass |" in row and "**FAIL**: agreement[float16]: hung: timed out" in row
    assert "known deviation" in text and "err/allowed" in text


def test_html_is_self_contained(written):
    html = (written[1] / "report.html").read_text()
    assert "<svg" in html and "id='matrix'" in html and "<script" not in html
    # nothing is loaded: every reference is to an element of the page itself (SVG's
    # xlink:href="#id"); XML namespace URIs are names, never fetched
    external = re.findall(r"""(?:src|href)\s*=\s*["'](?!#)[^"']*|url\((?!#)[^)]*|@import|<link""", html)
    assert external == []


def test_reports_run_on_two_processes_with_the_same_verdicts(tmp_path, capsys):
    args = ["report", "--impl", "numpy,scipy", "--oracle", "activation.sigmoid", "--max-examples", "5",
            "--seed", "7", "--quiet", "--dtype", "float64"]
    assert main([*args, "--out", str(tmp_path / "a")]) == 0
    assert main([*args, "--out", str(tmp_path / "b"), "--jobs", "2"]) == 0
    a, b = (json.loads((tmp_path / d / "report.json").read_text()) for d in "ab")
    assert b["jobs"] == 2
    assert [(r["id"], r["status"], r["examples"]) for r in a["results"]] == \
           [(r["id"], r["status"], r["examples"]) for r in b["results"]]
    assert "wrote" in capsys.readouterr().out


def test_reports_run_on_a_dask_scheduler_with_the_same_verdicts(tmp_path):
    distributed = pytest.importorskip("distributed")
    args = ["report", "--impl", "numpy,scipy", "--oracle", "activation.sigmoid", "--max-examples", "5",
            "--seed", "7", "--quiet", "--dtype", "float64"]
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None,
                                  silence_logs=40) as cluster:
        assert main([*args, "--out", str(tmp_path / "d"), "--scheduler", cluster.scheduler_address]) == 0
    assert main([*args, "--out", str(tmp_path / "a")]) == 0
    a, d = (json.loads((tmp_path / x / "report.json").read_text()) for x in "ad")
    assert [(r["id"], r["status"], r["examples"]) for r in a["results"]] == \
           [(r["id"], r["status"], r["examples"]) for r in d["results"]]


def test_an_assumption_applies_to_the_oracles_that_have_its_arguments(tmp_path):
    target = tmp_path / "half.py"
    target.write_text("import numpy as np\n"
                      "def relu(z):\n    return np.where(z >= 0, z, np.ones_like(z))\n"
                      "FUNCTIONS = {'activation.relu': relu, 'loss.mse': lambda y_pred, y_true: "
                      "np.mean((y_pred - y_true) ** 2)}\n")
    args = ["report", "--impl", str(target), "--oracle", "activation.relu", "--oracle", "loss.mse",
            "--max-examples", "10", "--seed", "3", "--quiet", "--dtype", "float64"]
    assert main([*args, "--out", str(tmp_path / "a")]) == 0
    assert main([*args, "--out", str(tmp_path / "b"), "--assume", "np.all(z >= 0)"]) == 0
    a, b = (json.loads((tmp_path / d / "report.json").read_text()) for d in "ab")
    status = {d: {c["oracle"]: c["status"] for c in doc["checks"]} for d, doc in (("a", a), ("b", b))}
    assert status["a"]["activation.relu"] == FAIL and status["b"]["activation.relu"] == PASS
    assert status["a"]["loss.mse"] == status["b"]["loss.mse"]  # no argument z: not restricted


def test_an_unreachable_scheduler_is_one_line_and_exit_2(capsys):
    assert main(["report", "--oracle", "activation.relu", "--scheduler", "tcp://127.0.0.1:9", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "--scheduler tcp://127.0.0.1:9: cannot connect" in err and "Traceback" not in err


def test_progress_is_plain_lines_off_a_terminal(tmp_path, capsys):
    assert main(["report", "--impl", "numpy", "--oracle", "activation.relu", "--max-examples", "3",
                 "--dtype", "float64", "--out", str(tmp_path)]) == 0
    assert "[1/1] activation.relu × numpy: pass (" in capsys.readouterr().err


@pytest.mark.parametrize("argv, words", [
    (["report", "--impl", "numpy,,torch"], "must be distinct, comma-separated"),
    (["report", "--impl", "nope"], "unknown implementation 'nope'"),
    (["report", "--impl", "no.such.module"], "cannot import module 'no.such.module'"),
    (["report", "--impl", "tests.targets.broken"], "is not an implementation"),
    (["report", "--jobs", "0"], "--jobs 0 must be at least 1"),
    (["report", "--timeout", "-2"], "--timeout -2 must be"),
    (["report", "--oracle", "activation.sigmod"], "unknown oracle id 'activation.sigmod'"),
    (["report", "--max-examples", "0"], "max_examples=0 must be a positive"),
    (["check", "activation.relu_grad", "numpy", "--convention", "relu_grad_at_zero=2"], "takes 0 or 1"),
    (["check", "activation.relu_grad", "numpy", "--timeout", "soon"], "invalid float value: 'soon'"),
    (["new-oracle", "Activation.GELU"], "is not an oracle id"),
    (["new-oracle", "activation.sigmoid"], "exists already"),
    (["new-oracle", "activation.gelu", "--root", "/nonexistent"], "is not the mathoracle project root"),
])
def test_bad_input_to_the_new_options_is_one_line_and_exit_2(capsys, argv, words):
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and err.count("\n") == 1 and words in err, err


def test_the_committed_reports_are_current():
    path = ROOT / "reports" / "report.json"
    assert path.is_file(), f"reports/report.json is missing; regenerate with: {REGENERATE}"
    doc = json.loads(path.read_text())
    assert doc.get("schema_version") == SCHEMA_VERSION, (
        f"reports/ use schema {doc.get('schema_version')}, the code writes {SCHEMA_VERSION}; "
        f"regenerate with: {REGENERATE}")
    from mathoracle.oracles import builtin_oracles
    have = {(c["oracle"], c["implementation"]) for c in doc["checks"]}
    missing = sorted({o.id for o in builtin_oracles()
                      for impl in ("numpy", "torch", "scipy", "sklearn") if (o.id, impl) not in have})
    assert not missing, f"reports/ miss {missing[:5]}...; regenerate with: {REGENERATE}"
    for name in report.FILES:
        assert (ROOT / "reports" / name).is_file(), f"reports/{name} is missing"


# --- every status, from hand-built records ------------------------------------------------

KINDS = {"plain": (PASS,), "inexact": (INACCURATE,), "refuses": (REFUSED,), "options": (UNSUPPORTED,),
         "wrong": (FAIL,), "broken": (ERROR,)}


@pytest.fixture(scope="module")
def statuses(tmp_path_factory):
    """One implementation per status over activation.sigmoid, from the records of
    ``tests.test_text.hand_built`` (the plain one passes with 3 refused inputs); a
    10,000-element input in the failure's worst witness."""
    from types import SimpleNamespace

    import numpy as np
    from mathoracle.registry import get_oracle
    from mathoracle.results import Counterexample
    recs = {r.status: r for r in hand_built().results}
    recs[PASS].unsupported = []
    recs[FAIL].worst = Counterexample("out[3]=2.0, but should be 0.75 [sigmoid(z=...)]",
                                      {"z": np.linspace(-3, 3, 10_000, dtype=np.float32)}, 0.75, 2.0,
                                      9.1e6, 6.75, snippet="python -c \"...\"")
    checks = [(CheckResult("activation.sigmoid", impl, 7, [recs[s] for s in KINDS[impl]]), 0.1)
              for impl in KINDS]
    impls = {impl: SimpleNamespace(description=f"{impl} test", conventions=()) for impl in KINDS}
    doc = build_document(checks, list(KINDS), {"activation.sigmoid": get_oracle("activation.sigmoid")},
                         seed=7, max_examples=100, jobs=1, wall_seconds=1.0, implementations=impls)
    out = tmp_path_factory.mktemp("statuses")
    report.write(doc, out)
    return doc, out


def test_every_status_and_finding_is_in_the_json(statuses):
    doc, out = statuses
    loaded = json.loads((out / "report.json").read_text())
    jsonschema.validate(loaded, json.loads(SCHEMA_FILE.read_text()))
    assert {k: loaded["summary"][k] for k in ("pass", "inaccurate", "refused", "not supported", "fail",
                                              "error")} == dict.fromkeys(("pass", "inaccurate", "refused",
                                                                           "not supported", "fail",
                                                                           "error"), 1)
    assert {c["implementation"]: c["status"] for c in loaded["checks"]} == {
        "plain": PASS, "inexact": INACCURATE, "refuses": REFUSED, "options": PASS, "wrong": FAIL,
        "broken": ERROR}
    by = {r["implementation"]: r for r in loaded["results"]}
    assert by["plain"]["refusals"] == 3 and by["plain"]["refusal"]["inputs"] == \
        "z=np.array([nan], dtype=np.float32)"
    assert by["options"]["unsupported"] == ["activation='leaky_relu'"]
    worst = by["wrong"]["worst"]
    assert worst["input_brief"].startswith("z=<float32 (10000,): -3, ") and len(worst["input_brief"]) < 100
    assert worst["inputs"].count(",") >= 9_999  # the exact input stays in the data
    smallest = by["wrong"]["counterexample"]
    assert smallest["abs_error"] == 0.5 and smallest["error_over_allowed"] == 8388608.0 / 6.75
    assert by["inexact"]["counterexample"]["ulps"] == 174.0


def test_the_schema_rejects_a_record_without_the_new_fields(statuses):
    doc = json.loads((statuses[1] / "report.json").read_text())
    del doc["results"][0]["refusals"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, json.loads(SCHEMA_FILE.read_text()))
    doc = json.loads((statuses[1] / "report.json").read_text())
    del doc["summary"]["inaccurate"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, json.loads(SCHEMA_FILE.read_text()))


def test_the_schema_doc_names_every_field():
    schema = json.loads(SCHEMA_FILE.read_text())
    doc = (ROOT / "docs" / "report-schema.md").read_text()
    fields = [*schema["properties"]["results"]["items"]["properties"],
              *schema["$defs"]["witness"]["properties"], *schema["properties"]]
    assert [f for f in fields if f"`{f}`" not in doc] == []
    assert f"schema version {SCHEMA_VERSION}" in doc
    assert all(f"`{s}`" in doc for s in schema["$defs"]["status"]["enum"])


def test_junit_skips_refused_and_unsupported_and_passes_inaccurate_with_a_property(statuses):
    root = ET.fromstring((statuses[1] / "report.xml").read_text().split("\n", 1)[1])
    case = {s.get("name").split(".", 1)[1]: s.find("testcase") for s in root.findall("testsuite")}
    inexact = case["inexact"]
    assert inexact.find("failure") is None and inexact.find("skipped") is None
    prop = inexact.find("properties/property")
    assert prop.get("name") == "inaccurate" and prop.get("value").startswith("174 ulp > allowed 36 ulp")
    assert "smallest:" in inexact.find("system-out").text
    assert case["refuses"].find("skipped").get("message").startswith(
        "refused: refused 100 inputs, e.g. raised ValueError: Input contains NaN (smallest: z=")
    assert case["options"].find("skipped").get("message") == "does not support activation='leaky_relu'"
    assert case["plain"].find("skipped") is None and case["plain"].find("failure") is None
    assert case["plain"].find("properties/property").get("name") == "refused"
    failure = case["wrong"].find("failure")
    assert "worst:" in failure.text and "reproduce: mathoracle check" in failure.text
    assert "sigmoid(z=" not in failure.text and "<float32 (10000,)" in failure.text
    assert case["broken"].find("error") is not None
    suites = {s.get("name"): s.get("skipped") for s in root.findall("testsuite")}
    assert suites["mathoracle.refuses"] == suites["mathoracle.options"] == "1"


def test_markdown_shows_each_status_with_a_legend(statuses):
    text = (statuses[1] / "report.md").read_text()
    row = next(line for line in text.splitlines() if line.startswith("| `activation.sigmoid` |"))
    cells = [c.strip() for c in row.split(" | ")[1:]]
    assert cells[0] == "pass: refused 3 inputs"
    assert cells[1].startswith("*inaccurate*: edges[float32]: 174 ulp > allowed 36 ulp")
    assert cells[2].startswith("refused: nan[float32]: refused 100 inputs")
    assert cells[3] == "not supported: does not support activation='leaky_relu'; the rest conforms"
    assert cells[4].startswith("**FAIL**: agreement[float32]: out[0]=1.0, but should be 0.5")
    assert cells[5].startswith("**ERROR**")
    for line in ("- *inaccurate*: the right formula", "- refused: the target refused",
                 "- not supported: an option value"):
        assert line in text
    assert "1 pass, 1 inaccurate, 1 refused, 1 not supported, 1 fail, 1 error" in text


def test_the_accuracy_tables_never_round_a_ratio_above_1_down_to_1():
    from mathoracle.report.document import short_ratio
    assert short_ratio(4.83) == "4.8" and short_ratio(0.9996) == "1" and short_ratio(None) == "—"
    assert float(short_ratio(1.0004)) > 1 and float(short_ratio(1 + 2 ** -52)) > 1


def _background(css: str, cls: str) -> str:
    return re.search(rf"\.{cls}\b[^{{]*{{ *background: *(#[0-9a-f]+)", css).group(1)


def test_the_html_matrix_gives_each_status_its_colour_and_a_legend(statuses):
    html = (statuses[1] / "report.html").read_text()
    colours = {c: _background(CSS, c) for c in ("pass", "fail", "inaccurate", "refused", "unsupported", "dev")}
    assert len(set(colours.values())) == len(colours), colours
    for cls in ("pass", "inaccurate", "refused", "unsupported", "fail", "error"):
        assert f"<td class='{cls}'" in html and f"<span class='{cls}'>" in html
    assert "id='legend'" in html
    findings = html[html.index("id=\"failures\""):]
    assert findings.index(": fail</summary>") < findings.index(": inaccurate</summary>")
    assert "worst:" in findings and "does not support activation=&#x27;leaky_relu&#x27;" in findings


def _need_chromium():
    if chromium() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is not installed, and CI must run the browser test")
        pytest.skip("chromium is not installed (apt-get install chromium)")


def test_the_page_renders_in_chromium_with_no_console_errors(written, tmp_path):
    _need_chromium()
    shot = tmp_path / "report.png"
    dom, console = render(written[1] / "report.html", shot)
    assert console == []
    assert "id=\"matrix\"" in dom and dom.count("<svg") >= 2 and "id=\"plot-ulps\"" in dom
    assert "activation.sigmoid" in dom and "hung: timed out" in dom
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000


def test_the_status_page_renders_in_chromium(statuses):
    _need_chromium()
    dom, console = render(statuses[1] / "report.html")
    assert console == []
    for text in ("class=\"inaccurate\"", "class=\"refused\"", "class=\"unsupported\"", "id=\"legend\"",
                 "174 ulp &gt; allowed 36 ulp"):
        assert text in dom, text


def test_the_browser_check_sees_a_console_error(tmp_path):
    _need_chromium()
    page = tmp_path / "broken.html"
    page.write_text("<!DOCTYPE html><html><body><script>undefinedFunction()</script></body></html>")
    _, console = render(page)
    assert any("Uncaught ReferenceError" in line for line in console)


def test_progress_is_a_bar_on_a_terminal():
    import io
    from mathoracle.report.collect import Progress

    class Terminal(io.StringIO):
        def isatty(self):
            return True
    stream = Terminal()
    bar = Progress(4, stream)
    bar.step("activation.relu", "numpy", "pass", 0.1)
    bar.step("activation.relu", "torch", "fail", 0.1)
    text = stream.getvalue()
    assert text.startswith("\r[######..................] 1/4") and "\r[############............] 2/4" in text
    assert "activation.relu × torch: fail" in text and "\n" not in text
