"""The command line: exit status 0 / 1 / 2, and one clear line for bad input."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from mathoracle.cli import main

BROKEN = str(Path(__file__).parent / "targets" / "broken.py")


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("argv, words", [
    (["check", "activation.nope", "scipy.special:softmax"], "unknown oracle id 'activation.nope'; did you mean"),
    (["check", "activation.sigmoid", "no_such_module_xyz:f"], "cannot import module 'no_such_module_xyz'"),
    (["check", "activation.sigmoid", "numpy:expp"], "module 'numpy' has no attribute 'expp' (did you mean 'exp'?)"),
    (["check", "activation.sigmoid", "numpy.exp"], "TARGET must be 'package.module:function'"),
    (["check", "activation.sigmoid", "nosuchdir/x.py:f"], "no such file 'nosuchdir/x.py'"),
    (["check", "activation.sigmoid", f"{BROKEN}:not_a_function"], "names a int object, not a function"),
    (["check", "activation.sigmoid", "numpy:exp", "--dtype", "float8"], "dtypes=['float8'] is not valid"),
    (["check", "activation.sigmoid", "numpy:exp", "--max-examples", "lots"], "invalid int value: 'lots'"),
    (["check", "activation.sigmoid", "numpy:exp", "--property", "sums_to_one"], "are not properties of"),
    (["check", "activation.sigmoid", "pandas"], "(or a bundled implementation: numpy, torch"),
    (["frobnicate"], "invalid choice: 'frobnicate'"),
])
def test_bad_input_gets_one_line_and_exit_2(capsys, argv, words):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("mathoracle: error: ")
    assert words in err


def test_a_conforming_target_exits_0(capsys):
    code, out, _ = run(capsys, "check", "activation.sigmoid", "scipy.special:expit", "--seed", "3",
                       "--max-examples", "30")
    assert code == 0 and "PASS" in out.splitlines()[0]


def test_a_nonconforming_target_exits_1_with_a_readable_counterexample(capsys):
    code, out, _ = run(capsys, "check", "activation.sigmoid", "numpy:exp", "--seed", "3",
                       "--dtype", "float64", "--property", "agreement")
    assert code == 1
    for field in ("input:", "expected:", "got:", "error:", "reproduce: mathoracle check", "--seed 3", "call:"):
        assert field in out


def test_a_file_target_is_loaded_by_path(capsys):
    code, out, _ = run(capsys, "check", "activation.sigmoid", f"{BROKEN}:wider", "--seed", "3",
                       "--max-examples", "10", "--dtype", "float32")
    assert code == 0, out


def test_list_shows_every_catalogue_id(capsys):
    code, out, _ = run(capsys, "list")
    assert code == 0
    from mathoracle.registry import oracles
    for oid in oracles():
        assert oid in out
    code, out, _ = run(capsys, "list", "--json")
    rows = json.loads(out)
    assert {r["id"] for r in rows} == set(oracles()) and all("implementations" in r for r in rows)


def test_the_module_and_the_console_script_run():
    proc = subprocess.run([sys.executable, "-m", "mathoracle", "check", "activation.nope", "numpy:exp"],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and proc.stderr.count("\n") == 1
