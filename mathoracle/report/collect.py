"""Running the whole catalogue against several implementations, serially or on N processes.

A check is one (oracle, implementation) pair, checked with ``mathoracle.check`` (so a
report's verdicts, reproduction lines and conventions are exactly those of the CLI). One
task is one oracle: its checks against every implementation run one after another in one
process, so the exact answers of the inputs they share are computed once (``core.memo``).
With ``jobs > 1`` the tasks run in a pool of fresh processes ("spawn": no state forked
from the parent), each computing on one thread (``one_thread``: N workers × N threads on N
cores would only contend); results come back as they finish and are put back in catalogue
order. With ``scheduler`` they run as tasks on that
dask.distributed cluster instead. An implementation that needs processes of its own
(``process_group``: Keras, whose backend is fixed at import) runs in a local pool of its own.
"""
from __future__ import annotations

import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from multiprocessing import get_context
from typing import Any, Callable, Iterable, TextIO

import mathoracle
from mathoracle.cluster import dask_client
from mathoracle.core.errors import UsageError
from mathoracle.registry import BUNDLED, get_oracle
from mathoracle.results import ERROR, CheckResult, PropertyResult


@dataclass(frozen=True)
class Options:
    max_examples: int = 100
    seed: int = 0
    timeout: float | None = None
    isolate: bool = False
    dtypes: tuple[str, ...] | None = None
    params: tuple[tuple[str, Any], ...] = ()  # pinned (name, value), for the oracles that have it
    assume: str | None = None  # --assume, for the oracles that have every argument it names


def pinnable(oracles, params: dict) -> tuple[tuple[str, Any], ...]:
    """``params`` as Options.params; UsageError for a name no oracle of the report has."""
    for name in params:
        if not any(name == p.name for o in oracles for p in o.params):
            raise UsageError(f"--param {name}: no oracle of the report has a parameter {name!r}")
    return tuple(params.items())


def run_task(oracle_id: str, spec: str, options: Options) -> tuple[CheckResult, float]:
    """Check one oracle against one implementation; (result, seconds)."""
    started = time.perf_counter()
    oracle = get_oracle(oracle_id)
    names = {p.name for p in oracle.params}
    result = mathoracle.check(oracle_id, spec, dtypes=options.dtypes, max_examples=options.max_examples,
                              seed=options.seed, timeout=options.timeout, isolate=options.isolate,
                              params={k: v for k, v in options.params if k in names},
                              assume=mathoracle.assume_for(oracle, options.assume))
    return result, time.perf_counter() - started


class Progress:
    """A one-line bar (current oracle and implementation) on a terminal; plain lines otherwise."""

    def __init__(self, total: int, stream: TextIO | None = None, enabled: bool = True):
        self.total, self.done = total, 0
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.tty = enabled and hasattr(self.stream, "isatty") and self.stream.isatty()
        self.started = time.perf_counter()

    def step(self, oracle_id: str, impl: str, status: str, seconds: float) -> None:
        self.done += 1
        if not self.enabled:
            return
        if self.tty:
            width = 24
            filled = width * self.done // max(self.total, 1)
            elapsed = time.perf_counter() - self.started
            line = (f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} "
                    f"{elapsed:5.0f} s  {oracle_id} × {impl}: {status}")
            self.stream.write(f"{line:<110.110}")
            if self.done == self.total:
                self.stream.write("\n")
        else:
            self.stream.write(f"[{self.done}/{self.total}] {oracle_id} × {impl}: {status} "
                              f"({seconds:.1f} s)\n")
        self.stream.flush()


def run_all(oracle_ids: Iterable[str], specs: Iterable[str], options: Options, *, jobs: int = 1,
            progress: Progress | None = None, task: Callable = run_task,
            scheduler: str | None = None) -> list[tuple[CheckResult, float]]:
    """Every (oracle, implementation) check, in catalogue order × implementation order."""
    checks = [(oid, spec) for oid in oracle_ids for spec in specs]
    progress = progress or Progress(len(checks), enabled=False)
    results: dict[int, tuple[CheckResult, float]] = {}
    units: dict[tuple[str, str], list[int]] = {}  # (process group, oracle id) -> its checks
    for i, (oid, spec) in enumerate(checks):
        units.setdefault((process_group(spec), oid), []).append(i)
    groups: dict[str, list[tuple[str, list[int]]]] = {}
    for (group, oid), indices in units.items():
        groups.setdefault(group, []).append((oid, indices))

    def done(indices, outcome) -> None:
        for i, got in zip(indices, outcome):
            results[i] = got if not isinstance(got, Exception) else (_lost(*checks[i], options, got), 0.0)
            progress.step(*checks[i], results[i][0].status, results[i][1])

    for group, tasks in groups.items():
        if scheduler is not None and not group:
            _on_dask(scheduler, task, checks, [i for _, ix in tasks for i in ix], options, results, progress)
            continue
        if jobs <= 1 and not group:
            for oid, indices in tasks:
                done(indices, run_unit(task, oid, [checks[i][1] for i in indices], options))
            continue
        with ProcessPoolExecutor(max_workers=max(jobs, 1), mp_context=get_context("spawn"),
                                 initializer=one_thread) as pool:
            futures = {pool.submit(run_unit, task, oid, [checks[i][1] for i in indices], options): indices
                       for oid, indices in tasks}
            for future in as_completed(futures):
                indices = futures[future]
                try:
                    outcome = future.result()
                except Exception as exc:  # the worker died (a crash without --isolate)
                    outcome = [exc] * len(indices)
                done(indices, outcome)
    return [results[i] for i in range(len(checks))]


def run_unit(task: Callable, oracle_id: str, specs: list[str], options: Options) -> list:
    """One oracle's checks against ``specs``, in order: each (result, seconds), or the
    exception of mathoracle's own failure (recorded; the others go on)."""
    out = []
    for spec in specs:
        try:
            out.append(task(oracle_id, spec, options))
        except Exception as exc:
            out.append(exc)
    return out


def one_thread() -> None:
    """A report worker computes on one thread: torch and the BLAS libraries read these
    variables when they load, after this (a spawned worker starts without them)."""
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[name] = "1"


def _on_dask(scheduler: str, task: Callable, tasks: list, indices: list[int], options: Options,
             results: dict, progress: Progress) -> None:
    """The tasks ``indices`` as dask.distributed tasks on the cluster at ``scheduler``."""
    with dask_client(scheduler, 0, without="leave out --scheduler") as client:
        from distributed import as_completed
        futures = {client.submit(task, *tasks[i], options, pure=False): i for i in indices}
        for future in as_completed(futures):
            i = futures[future]
            try:
                results[i] = future.result()
            except Exception as exc:  # the worker died, or mathoracle failed
                results[i] = (_lost(*tasks[i], options, exc), 0.0)
            progress.step(*tasks[i], results[i][0].status, results[i][1])


def process_group(spec: str) -> str:
    """"" for an implementation that shares processes with the others; its own name for one
    that needs processes of its own (a bundled adapter with ``OWN_PROCESS``: a library that
    fixes a process-wide setting at import, as Keras does its backend). Each group runs in
    its own pool, serial runs included, so no process ever loads two such settings."""
    if spec not in BUNDLED:
        return ""
    import importlib
    try:
        module = importlib.import_module(BUNDLED[spec])
    except ImportError:
        return ""
    return spec if getattr(module, "OWN_PROCESS", False) else ""


def _lost(oracle_id: str, spec: str, options: Options, exc: Exception) -> CheckResult:
    """The record of a check whose worker process died: an error, with the reason."""
    result = CheckResult(oracle_id, spec, options.seed)
    result.results.append(PropertyResult(
        oracle_id, spec, "*", "*", ERROR,
        reason=f"the check did not complete: {type(exc).__name__}: {exc}"
               + ("; a target crashed the worker process: rerun with --isolate"
                  if type(exc).__name__ == "BrokenProcessPool" else "")))
    return result
