"""A finished sweep: chunk summaries merged into one document, written as JSON and a plot."""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from mathoracle.core.formats import finfo
from mathoracle.sweep.chunk import SHOW, Spec
from mathoracle.sweep.inputs import to_values


def merge(spec: Spec, chunks: list[dict]) -> dict:
    """The sweep's summary from its chunks' (in index order)."""
    ok = [c for c in chunks if "error" not in c]
    worst = sorted((r for c in ok for r in c["worst"]), key=lambda r: -(math.inf if r["ulps"] is None
                                                                         else r["ulps"]))
    exceeding = [r for c in ok for r in c["exceeding"]][:SHOW]
    lo, hi = to_values(np.array([spec.start, spec.stop - 1], dtype=np.int64), spec.dtype)
    n = sum(c["n"] for c in chunks)
    sample = [c["sample"] for c in ok]
    return {
        "oracle": spec.oracle, "dtype": spec.dtype,
        "range": [float(lo.astype(np.float64)), float(hi.astype(np.float64))],
        "inputs": n, "chunks": len(chunks),
        "max_ulps": max((c["max_ulps"] for c in ok), default=0.0),
        "max_ulps_upper": max((c["max_ulps_upper"] for c in ok), default=0.0),
        "worst": worst[:SHOW],
        "n_exceed": sum(c["n_exceed"] for c in ok), "n_nan": sum(c["n_nan"] for c in ok),
        "exceeding": exceeding,
        "reference": {"exact_rejudged": sum(c["n_exact"] for c in ok),
                      "uncertain": sum(c["n_uncertain"] for c in ok),
                      "sample": sum(s["n"] for s in sample),
                      "violations": sum(s["violations"] for s in sample),
                      "worst_fraction_of_bound": max((s["worst_fraction_of_bound"] for s in sample),
                                                     default=0.0)},
        "subnormal": {"n": sum(c["subnormal"]["n"] for c in ok),
                      "n_exceed": sum(c["subnormal"]["n_exceed"] for c in ok),
                      "max_ulps": max((c["subnormal"]["max_ulps"] for c in ok), default=0.0)},
        "overflow": {"n": sum(c["overflow"]["n"] for c in ok),
                     "kept": sum(c["overflow"]["kept"] for c in ok)},
        "errors": [f"chunk {c['index']}: {c['error']}" for c in chunks if "error" in c],
        "compute_seconds": sum(c.get("seconds", 0.0) for c in ok),
        "cpu_seconds": sum(c.get("cpu_seconds", 0.0) for c in ok),  # the chunks' own CPU time
        "bins": {k: [x for c in ok for x in c["bins"][k]] for k in ("x", "err", "allowed")},
    }


def status(doc: dict) -> str:
    """error (the sweep could not judge), fail (an input or special value broke), or pass."""
    if doc["errors"] or doc["reference"]["violations"]:
        return "error"
    if doc["n_exceed"] or not all(s["ok"] for s in doc.get("specials", [])):
        return "fail"
    return "pass"


def write(doc: dict, out: Path) -> list[Path]:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    js = out / "sweep.json"
    js.write_text(json.dumps(doc, indent=1, default=float))
    png = out / "sweep.png"
    plot(doc, png)
    return [js, png]


def plot(doc: dict, path: Path) -> None:
    """Largest error per bin of consecutive inputs against the input (symlog x), with the
    smallest allowance in the bin drawn; bins beyond their allowance in red."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    x = np.array(doc["bins"]["x"], dtype=float)
    e = np.array(doc["bins"]["err"], dtype=float)
    a = np.array(doc["bins"]["allowed"], dtype=float)
    top = np.nanmax(np.where(np.isfinite(e), e, np.nan), initial=1.0) if e.size else 1.0
    shown = np.where(np.isfinite(e), e, 2 * max(top, np.nanmax(a, initial=1.0)))
    fig, ax = plt.subplots(figsize=(8, 4), dpi=100)
    ax.plot(x, a, color="0.6", lw=1, label="allowed (smallest in bin)")
    bad = shown > a
    ax.scatter(x[~bad], shown[~bad], s=3, color="tab:blue", label="max error in bin")
    if bad.any():
        ax.scatter(x[bad], shown[bad], s=12, color="tab:red", label="beyond the allowance")
    tiny = float(finfo(doc["dtype"]).tiny)
    ax.set_xscale("symlog", linthresh=tiny)
    top_x = max(np.abs(x).max(initial=1.0), 1.0)
    decades = np.arange(np.floor(np.log10(top_x)), np.log10(tiny) + 2, -1.0)
    decades = decades[::max(1, len(decades) // 4)]
    ax.set_xticks([*(-10.0 ** decades[::-1]), 0.0, *(10.0 ** decades)])
    ax.set_yscale("symlog", linthresh=0.5)
    ax.set_ylim(bottom=0)
    ax.set_xlabel(f"input ({doc['dtype']})")
    ax.set_ylabel("error (ulps)")
    ax.set_title(f"{doc['oracle']} · {doc.get('target', '')} · {doc['dtype']}: max "
                 f"{doc['max_ulps']:.4g} ulp, {doc['n_exceed']} of {doc['inputs']} beyond", fontsize=9)
    ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
