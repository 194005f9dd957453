"""Extending mathoracle: the example plugin found through its entry points, bad plugins
warned about and left out, and the skeleton of a new oracle.

The example plugin (tests/example_plugin/) is installed into a temporary site directory
for these tests only: installed for the whole test run, its oracle would join the
catalogue that the project's own tests (README tables, the teeth corpus) cover."""
import json
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PLUGIN = ROOT / "tests" / "example_plugin"


def _install(site: Path, name: str, groups: dict) -> None:
    """What pip writes for entry points: a .dist-info with METADATA and entry_points.txt."""
    info = site / f"{name.replace('-', '_')}-0.1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1.0\n")
    (info / "entry_points.txt").write_text("".join(
        f"[{group}]\n" + "".join(f"{k} = {v}\n" for k, v in eps.items()) + "\n"
        for group, eps in groups.items()))


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    site = tmp_path_factory.mktemp("site")
    declared = tomllib.loads((PLUGIN / "pyproject.toml").read_text())["project"]["entry-points"]
    _install(site, "mathoracle-example", declared)
    return site


def _mathoracle(site: Path, *args):
    env_path = f"{site}:{PLUGIN}:{ROOT}"
    return subprocess.run([sys.executable, "-m", "mathoracle", *args], capture_output=True, text=True,
                          env={"PYTHONPATH": env_path, "PATH": "/usr/bin:/bin"}, timeout=300)


DISCOVER = """
import json, mathoracle
from mathoracle.registry import bundled, oracles
from mathoracle_example import buggy
out = {"oracle": "example.softsign" in oracles(), "impl": bundled("example").name}
for target in ("example", buggy.softsign_without_abs, buggy.softsign_in_float32):
    r = mathoracle.check("example.softsign", target, max_examples=50, seed=1)
    out[getattr(target, "__name__", target)] = [r.status, [f.id for f in r.failures]]
print(json.dumps(out))
"""


def test_the_example_plugin_is_discovered_and_checked_through_its_entry_points(site):
    run = subprocess.run([sys.executable, "-c", DISCOVER], capture_output=True, text=True, timeout=300,
                         env={"PYTHONPATH": f"{site}:{PLUGIN}:{ROOT}", "PATH": "/usr/bin:/bin"})
    assert run.returncode == 0 and run.stderr == "", run.stderr
    found = json.loads(run.stdout)
    assert found["oracle"] and found["impl"] == "example" and found["example"] == ["pass", []]
    assert found["softsign_without_abs"][0] == "fail"
    assert "example.softsign::odd[float64]" in found["softsign_without_abs"][1]  # the plugin's law
    assert found["softsign_in_float32"][0] == "fail"
    assert "example.softsign::agreement[float64]" in found["softsign_in_float32"][1]


def test_a_bad_plugin_gets_one_warning_and_the_run_goes_on(site, tmp_path):
    _install(tmp_path, "bad-plugins", {
        "mathoracle.oracles": {"broken": "no_such_plugin_module",
                               "zz_copy": "mathoracle_example.oracles"},
        "mathoracle.implementations": {"numpy": "mathoracle_example.reference:IMPLEMENTATION",
                                       "halfbroken": "mathoracle_example.reference:NOPE"}})
    both = f"{tmp_path}:{site}"
    result = _mathoracle(Path(both), "check", "example.softsign", "example", "--max-examples", "5",
                         "--seed", "1")
    assert result.returncode == 0, result.stdout + result.stderr
    warnings = result.stderr.splitlines()
    assert len(warnings) == 4 and all(w.startswith("mathoracle: warning: mathoracle plugin '") for w in warnings)
    text = result.stderr
    assert "'broken' (no_such_plugin_module, group mathoracle.oracles) is left out: ModuleNotFoundError" in text
    assert "'zz_copy' (mathoracle_example.oracles, group mathoracle.oracles) is left out: oracle id " \
           "example.softsign is already registered by plugin 'example'" in text
    assert "'numpy' (mathoracle_example.reference:IMPLEMENTATION, group mathoracle.implementations) is " \
           "left out: implementation name 'numpy' is already registered" in text
    assert "'halfbroken'" in text and "AttributeError" in text


def test_the_walkthrough_shows_the_example_plugins_real_code():
    doc = (ROOT / "docs" / "adding-an-oracle.md").read_text()
    for path in ("pyproject.toml", "mathoracle_example/oracles.py", "mathoracle_example/reference.py",
                 "mathoracle_example/buggy.py"):
        code = (PLUGIN / path).read_text().strip()
        assert code in doc, f"docs/adding-an-oracle.md does not show tests/example_plugin/{path} as it is"


def test_new_oracle_writes_a_skeleton_that_imports_and_refuses_to_pass(tmp_path):
    from mathoracle.cli import main
    for folder in ("oracles", "properties", "implementations", "tests"):
        shutil.copytree(ROOT / folder, tmp_path / folder,
                        ignore=shutil.ignore_patterns("__pycache__", "example_plugin"))
    assert main(["new-oracle", "activation.softsign", "--root", str(tmp_path)]) == 0
    assert main(["new-oracle", "kernel_demo.gauss", "--root", str(tmp_path)]) == 0
    assert main(["new-oracle", "umap.attraction", "--root", str(tmp_path)]) == 0  # a section
    # whose modules import none of what the skeleton uses
    written = (tmp_path / "oracles" / "activations.py").read_text()
    assert 'id="activation.softsign"' in written and "ORACLES = (*ORACLES, softsign)" in written
    assert (tmp_path / "oracles" / "kernel_demo.py").is_file()
    check = subprocess.run([sys.executable, "-c", """
import importlib, sys
sys.path.insert(0, '.')
import numpy as np
for name in ('activations', 'kernel_demo', 'umap'):
    o = importlib.import_module('oracles.' + name).ORACLES[-1]
    assert o.id in importlib.import_module('oracles.' + name).COVERAGE, 'no coverage entry'
    importlib.import_module('properties.' + name)
    ref = importlib.import_module('implementations.numpy_reference.' + name).FUNCTIONS[o.id]
    bug = importlib.import_module('tests.corpus.' + name).BUGGY[-1]
    for f in (lambda: o.exact({'z': np.array([1.0])}), lambda: ref(np.array([1.0])), lambda: bug.fn(1.0)):
        try:
            f()
            raise SystemExit('a stub did not raise')
        except NotImplementedError:
            pass
print('ok')
"""], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert check.stdout.strip() == "ok", check.stderr
    assert main(["new-oracle", "activation.softsign", "--root", str(tmp_path)]) == 2


@pytest.mark.parametrize("signature, fix", [
    ("softsign(x)", "write softsign(z)"),                           # another argument name
    ("softsign(z, alpha=0.5)", "write softsign(z)"),                 # a parameter it lacks
    ("softsign z", "write softsign(z)"),                             # not a call
])
def test_a_signature_that_does_not_match_the_arguments_is_refused(signature, fix):
    from mathoracle.oracles.shapes import Elementwise
    with pytest.raises(ValueError, match=re.escape(fix)):
        Elementwise(id="activation.softsign", signature=signature, formula="z/(1+|z|)", seed="",
                    arrays=("z",))
    Elementwise(id="activation.softsign", signature="softsign(z) → out", formula="z/(1+|z|)",
                seed="", arrays=("z",))  # what it returns may follow an arrow
