"""Exhaustive sweeps of a unary oracle over every finite input of a format (or a range).

    >>> from mathoracle.sweep import sweep
    >>> doc = sweep("activation.sigmoid", "numpy", "bfloat16", out="sweeps/sigmoid")
    >>> doc["max_ulps"], doc["n_exceed"], doc["status"]

Chunks run in-process, or as tasks on dask.distributed (``workers`` > 0 starts a
LocalCluster, ``scheduler`` joins an existing one). See chunk.py for the verdict and
reference.py for the float64 reference's bound.
"""
from __future__ import annotations

import builtins
import os
import time
from pathlib import Path

from mathoracle.core.errors import UsageError
from mathoracle.sweep.chunk import Spec, describe, setup
from mathoracle.sweep.inputs import parse_range, plan, sweep_dtype
from mathoracle.sweep.output import merge, status, write
from mathoracle.sweep.run import Progress, Store, run_in_process, run_on_dask
from mathoracle.sweep.specials import check_specials

__all__ = ["sweep"]


def sweep(oracle_id: str, target, dtype: str, *, range: str | None = None, out=None,
          resume: bool = False, scheduler: str | None = None, workers: int | None = None,
          chunk: int | None = None, sample: int = 32, seed: int = 0,
          conventions=(), progress: bool = False) -> dict:
    """Judge ``target`` on every finite input of ``dtype`` in ``range`` ("LO,HI").

    out: a directory for chunks/, sweep.json and sweep.png (None: nothing written).
    resume: continue the sweep in ``out`` from its completed chunks.
    workers: 0 runs in-process; N > 0 runs on a dask LocalCluster of N worker processes; None
    (default) a LocalCluster of one worker per CPU when dask is installed and there is more
    than one chunk, else in-process.
    scheduler: the address of an existing dask scheduler (overrides workers).
    chunk: inputs per task (default 2^22). sample: inputs per chunk checked at high precision.
    Returns the sweep document (the JSON written), with ``status`` pass, fail or error.
    """
    dt = sweep_dtype(dtype)
    if resume and out is None:
        raise UsageError("resume=True needs out=DIR, the directory of the sweep to resume")
    for name, v in (("workers", 0 if workers is None else workers), ("sample", sample), ("seed", seed)):
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            raise UsageError(f"{name}={v!r} must be a whole number ≥ 0")
    start, stop = parse_range(range, dt)
    size, width = plan(start, stop, chunk)
    convs = (conventions,) if isinstance(conventions, str) else tuple(conventions)
    spec = Spec(oracle_id, target, dt.name, start, stop, size, width, sample, seed, convs)
    setup(spec.oracle, spec.target, spec.conventions)  # a bad oracle or target fails here, once
    t0 = time.perf_counter()
    store = Store(spec, None if out is None else Path(out), resume)
    todo = [i for i in builtins.range(spec.n_chunks) if i not in store.done]
    bar = Progress(spec.n_chunks, spec.n_chunks - len(todo), size, progress)
    if workers is None:
        workers = (os.cpu_count() or 1) if _has_dask() and len(todo) > 1 else 0
    if scheduler is not None or workers > 0:
        used = run_on_dask(spec, todo, store, bar, scheduler=scheduler, workers=max(workers, 1))
        executor = f"dask ({used} workers{'' if scheduler is None else ' at ' + scheduler})"
    else:
        run_in_process(spec, todo, store, bar)
        executor = "in-process"
    doc = merge(spec, [store.done[i] for i in sorted(store.done)])
    doc["target"] = spec.target if isinstance(spec.target, str) else describe(spec).split(" of ")[1]
    doc["specials"] = check_specials(spec)
    doc.update({"status": status(doc), "executor": executor, "resumed_chunks": spec.n_chunks - len(todo),
                "wall_seconds": time.perf_counter() - t0})
    if out is not None:
        doc["files"] = [str(p) for p in write(doc, Path(out))]
    return doc


def _has_dask() -> bool:
    try:
        import distributed  # noqa: F401
    except ImportError:
        return False
    return True
