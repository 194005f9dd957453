"""Exhaustive sweeps: the ML formats' facts, planted defects found, Dask, resume, the command."""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import ml_dtypes
import mpmath
import numpy as np
import pytest

from mathoracle.cli import main
from mathoracle.core.accuracy import error_ulps, fmt
from mathoracle.sweep import sweep
from mathoracle.sweep.inputs import finite_span, parse_range, to_ordinals, to_values

PLANTED = str(Path(__file__).parent / "targets" / "planted.py")
ROOT = Path(__file__).resolve().parents[1]

# name: (p, emin, largest finite, infinities), from the formats' specifications
FACTS = {
    "bfloat16": (8, -126, (2 - 2 ** -7) * 2.0 ** 127, True),
    "float8_e4m3fn": (4, -6, 448.0, False),
    "float8_e5m2": (3, -14, 57344.0, True),
}


@pytest.mark.parametrize("name", FACTS)
def test_each_ml_format_has_its_specified_arithmetic(name):
    p, emin, top, infinities = FACTS[name]
    f, dt = fmt(name), np.dtype(getattr(ml_dtypes, name))
    assert (f.precision, f.emin, f.max, f.infinities) == (p, emin, top, infinities)
    assert f.unit_roundoff == mpmath.ldexp(1, -p) and f.smallest_normal == mpmath.ldexp(1, emin)
    sub = 2.0 ** (emin - p + 1)
    assert float(np.array(sub, dt)) == sub and float(np.array(sub / 2, dt)) == 0  # ties to even
    assert float(np.array(2.0 ** emin - sub, dt)) == 2.0 ** emin - sub  # the largest subnormal
    # the midpoint between the largest finite and the next step, and its float32 neighbours
    # (ml_dtypes converts through float32, so float64 neighbours would round twice)
    mid = np.float32(f.overflow)
    below, above = np.nextafter(mid, np.float32(0)), np.nextafter(mid, np.float32(np.inf))
    assert float(np.array(below).astype(dt)) == top
    beyond = float(np.array(above).astype(dt))
    assert (np.isinf(beyond) if infinities else np.isnan(beyond))
    assert f.rounds_past_max(float(above)) and not f.rounds_past_max(float(below))
    # e4m3fn's midpoint 464 rounds to 448 (even); the IEEE-like formats' midpoints overflow
    assert float(np.array(mid).astype(dt)) == (top if not infinities else np.inf)
    assert f.rounds_past_max(float(mid)) == infinities


def test_float8_e4m3fn_overflow_to_nan_is_the_right_answer():
    f = fmt("float8_e4m3fn")
    assert error_ulps(float("nan"), mpmath.mpf(500), f) == 0.0
    assert np.isnan(error_ulps(float("nan"), mpmath.mpf(400), f))
    assert np.isnan(error_ulps(float("nan"), mpmath.mpf(500), fmt("float8_e5m2")))


@pytest.mark.parametrize("name", ["float16", "bfloat16", "float8_e4m3fn", "float8_e5m2"])
def test_ordinals_walk_every_finite_value_in_order(name):
    start, stop = finite_span(name)
    values = to_values(np.arange(start, stop), name).astype(np.float64)
    finite = values[np.isfinite(values)]
    assert np.all(np.diff(finite) >= 0) and np.isfinite(values[[0, -1]]).all()
    assert np.array_equal(to_ordinals(to_values(np.arange(start, stop), name), name), np.arange(start, stop))
    lo, hi = parse_range("-1,2", name)
    inside = to_values(np.arange(lo, hi), name).astype(np.float64)
    assert inside[0] == -1 and inside[-1] == 2


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float8_e4m3fn"])
def test_a_sigmoid_wrong_on_one_input_is_found_there(dtype):
    doc = sweep("activation.sigmoid", f"{PLANTED}:sigmoid_wrong_once", dtype, range="-8,8")
    assert doc["status"] == "fail" and doc["n_exceed"] == 1
    assert doc["exceeding"][0]["input"] == 1.5 and doc["worst"][0]["input"] == 1.5
    assert doc["reference"]["violations"] == 0 and not doc["errors"]


def test_the_bundled_sigmoid_passes_a_whole_bfloat16_sweep(tmp_path):
    doc = sweep("activation.sigmoid", "numpy", "bfloat16", out=tmp_path)
    assert doc["status"] == "pass" and doc["inputs"] == 2 ** 16 - 2 * 2 ** 7  # less ±inf and NaNs
    assert 0.5 < doc["max_ulps"] < 2 and all(s["ok"] for s in doc["specials"])
    assert {p.name for p in tmp_path.iterdir()} >= {"sweep.json", "sweep.png", "chunks", "manifest.json"}
    assert json.loads((tmp_path / "sweep.json").read_text())["max_ulps"] == doc["max_ulps"]


def test_a_broken_nan_contract_fails_the_special_values():
    doc = sweep("activation.sigmoid", f"{PLANTED}:sigmoid_nan_to_half", "float16", range="0,1")
    bad = [s for s in doc["specials"] if not s["ok"]]
    assert doc["status"] == "fail" and doc["n_exceed"] == 0 and [s["input"] for s in bad] == ["NaN"]


def test_the_dask_path_on_two_local_workers_agrees_with_in_process():
    kw = dict(range="-3,3", chunk=2048)
    local = sweep("activation.sigmoid", f"{PLANTED}:sigmoid_wrong_once", "float16", workers=0, **kw)
    dask = sweep("activation.sigmoid", f"{PLANTED}:sigmoid_wrong_once", "float16", workers=2, **kw)
    assert dask["executor"].startswith("dask (2 workers") and local["executor"] == "in-process"
    for key in ("inputs", "chunks", "n_exceed", "max_ulps", "worst", "bins"):
        assert dask[key] == local[key], key


def test_a_killed_sweep_resumes_from_its_completed_chunks(tmp_path):
    out = tmp_path / "run"
    argv = [sys.executable, "-m", "mathoracle", "sweep", "activation.sigmoid",
            f"{PLANTED}:sigmoid_slow", "--dtype", "float16", "--range=-2,2", "--chunk", "1024",
            "--workers", "0", "-q"]
    proc = subprocess.Popen([*argv, "--out", str(out)], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline and len(list((out / "chunks").glob("*.json"))) < 3:
        time.sleep(0.1)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done = {p.name: p.stat().st_mtime_ns for p in (out / "chunks").glob("*.json")}
    assert len(done) >= 3 and not (out / "sweep.json").exists()
    doc = sweep("activation.sigmoid", f"{PLANTED}:sigmoid_slow", "float16", range="-2,2",
                chunk=1024, workers=0, out=out, resume=True)
    assert doc["resumed_chunks"] == len(done) and doc["status"] == "pass"
    assert all((out / "chunks" / n).stat().st_mtime_ns == t for n, t in done.items())
    assert doc["chunks"] == len(list((out / "chunks").glob("*.json"))) > len(done)


def test_resume_refuses_a_different_sweep(tmp_path, capsys):
    sweep("activation.tanh", "numpy", "float8_e5m2", out=tmp_path)
    code = main(["sweep", "activation.tanh", "numpy", "--dtype", "float8_e4m3fn", "--resume", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and "differs in dtype" in err and err.count("\n") == 1


@pytest.mark.parametrize("argv, words", [
    (["activation.softmax", "numpy", "--dtype", "float16"], "is not unary"),
    (["activation.tanh", "numpy", "--dtype", "float64"], "cannot be swept"),
    (["activation.tanh", "numpy", "--dtype", "float16", "--range=3,1"], "LO ≤ HI"),
    (["activation.tanh", "numpy", "--dtype", "float16", "--range=a"], "two numbers LO,HI"),
    (["activation.tanh", "numpy", "--dtype", "float16", "--chunk", "0"], "chunk=0"),
])
def test_bad_sweep_input_gets_one_line_and_exit_2(capsys, argv, words):
    code = main(["sweep", *argv])
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and err.count("\n") == 1 and words in err


def test_the_command_prints_the_worst_input_and_writes_its_files(tmp_path, capsys):
    code = main(["sweep", "activation.sigmoid", f"{PLANTED}:sigmoid_wrong_once", "--dtype",
                 "float16", "--range=1,2", "--out", str(tmp_path), "-q"])
    out = capsys.readouterr().out
    assert code == 1 and "at z=1.5" in out and "1 inputs beyond the allowance" in out
    assert (tmp_path / "sweep.png").stat().st_size > 10_000
