"""The report's plots, drawn with matplotlib (Agg) and returned as inline SVG text.

- ``ulp_bars``: the largest and median error in ulps per oracle and implementation.
- ``magnitude_scatter``: error against |input| for each unary (elementwise) oracle, from
  the (|z|, ulps) pairs the agreement property keeps.
"""
from __future__ import annotations

import io
import math

from mathoracle.report.document import as_float, worst

FLOOR = 1e-3      # an error of 0 ulps is drawn here (log10 axes)
CEILING = 1e20    # an infinite or NaN error is drawn here
ZERO_AT = 1e-320  # an input of 0 is drawn here


def _log_ulps(e: float) -> float:
    return math.log10(CEILING if not math.isfinite(e) else min(max(e, FLOOR), CEILING))


def _svg(fig) -> str:
    import matplotlib.pyplot as plt
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg"):]


def _pyplot():
    import matplotlib
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt
    plt.rcParams["svg.hashsalt"] = "mathoracle"  # stable element ids: reproducible files
    return plt


def ulp_bars(doc: dict) -> str:
    plt = _pyplot()
    impls = [i["name"] for i in doc["implementations"]]
    oracles = [o["id"] for o in doc["oracles"]]
    fig, ax = plt.subplots(figsize=(9, 0.32 * len(oracles) * max(1, len(impls) / 2) + 1.2))
    height = 0.8 / max(len(impls), 1)
    base = math.log10(FLOOR)
    for k, impl in enumerate(impls):
        ys, xs = [], []
        for i, oid in enumerate(oracles):
            ulps, _ = worst(doc, oid, impl)
            if ulps is not None:
                ys.append(i + (k - (len(impls) - 1) / 2) * height)
                xs.append(_log_ulps(ulps) - base)
        ax.barh(ys, xs, height=height, left=base, label=impl)
    ax.set_yticks(range(len(oracles)), oracles, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel(f"log10 of the largest error over agreement and edges, in ulps "
                  f"(0 ulps at {base:g}, inf or NaN at {math.log10(CEILING):g})")
    ax.set_title("ULP error per oracle and implementation")
    ax.legend(fontsize=8, loc="lower right")
    ax.grid(axis="x", alpha=0.3)
    return _svg(fig)


def magnitude_scatter(doc: dict, oracle_id: str) -> str | None:
    """Error against |input| for one unary oracle, or None when no samples were kept."""
    plt = _pyplot()
    series = {}
    for r in doc["results"]:
        if r["oracle"] == oracle_id and r["property"] == "agreement" and r["samples"]:
            series.setdefault(r["implementation"], []).extend(r["samples"])
    if not series:
        return None
    fig, ax = plt.subplots(figsize=(4.6, 3.2))
    for impl, pairs in series.items():  # log10 by hand: matplotlib's log axes overflow
        xs = [math.log10(max(as_float(m), ZERO_AT)) for m, _ in pairs]  # over ~630 decades
        ys = [_log_ulps(as_float(e)) for _, e in pairs]
        ax.scatter(xs, ys, s=9, alpha=0.6, label=impl)
    ax.set_xlabel(f"log10 |z|  (z = 0 drawn at {math.log10(ZERO_AT):g})")
    ax.set_ylabel(f"log10 error in ulps  (0 at {math.log10(FLOOR):g})")
    ax.set_title(oracle_id, fontsize=10)
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    return _svg(fig)
