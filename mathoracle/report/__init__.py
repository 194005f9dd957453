"""``mathoracle report``: the whole catalogue against whole implementations, in four formats.

    report.json   the data (versioned schema: docs/report-schema.md, schema.json here)
    report.xml    JUnit XML, for CI systems
    report.md     the conformance matrix and the accuracy table
    report.html   one self-contained page: matrix and legend, accuracy, plots, every finding

``build(...)`` runs the checks (``collect``), ``write(doc, out)`` writes the files.
"""
from __future__ import annotations

import random
import time
from pathlib import Path

from mathoracle import assumable
from mathoracle.registry import get_oracle, load_implementation, oracles
from mathoracle.report import findings
from mathoracle.report.collect import Options, Progress, pinnable, run_all
from mathoracle.report.document import SCHEMA_VERSION, build_document, write_json
from mathoracle.report.html import write_html
from mathoracle.report.junit import write_junit
from mathoracle.report.markdown import write_markdown
from mathoracle.sweep.report import sweep_rows

FILES = ("report.json", "report.xml", "report.md", "report.html")


def build(specs: list[str], *, oracle_ids: list[str] | None = None, max_examples: int = 100,
          seed: int | None = None, jobs: int = 1, timeout: float | None = None,
          isolate: bool = False, dtypes: tuple[str, ...] | None = None,
          progress: bool = True, params: dict | None = None,
          sweeps: bool = False, scheduler: str | None = None, assume: str | None = None) -> dict:
    """Check every oracle (or ``oracle_ids``) against every implementation; the report.json
    document. Specs are checked up front: a bad one raises UsageError before any work.
    ``params`` pins parameters in the oracles that have them; ``scheduler``, the address of a
    dask scheduler, runs the checks on that cluster instead of ``jobs`` local processes;
    ``assume`` restricts the domain of the oracles that have every argument it names."""
    impls = {spec: load_implementation(spec) for spec in specs}
    table = oracles()
    ids = [get_oracle(i).id for i in oracle_ids] if oracle_ids else list(table)
    seed = random.randrange(2 ** 32) if seed is None else seed
    options = Options(max_examples, seed, timeout, isolate, dtypes,
                      pinnable([table[i] for i in ids], params or {}),
                      assumable([table[i] for i in ids], assume))
    started = time.perf_counter()
    bar = Progress(len(ids) * len(specs), enabled=progress)
    checks = run_all(ids, specs, options, jobs=jobs, progress=bar, scheduler=scheduler)
    doc = build_document(checks, specs, {i: table[i] for i in ids}, seed=seed,
                         max_examples=max_examples, jobs=jobs,
                         wall_seconds=time.perf_counter() - started, implementations=impls)
    doc["findings"] = findings.collect(doc, jobs=jobs)
    if sweeps:  # the unary ids swept exhaustively in the 16- and 8-bit formats
        doc["sweeps"] = sweep_rows(specs, ids)
    return doc


def write(doc: dict, out: Path) -> list[Path]:
    """Write the four files into ``out`` (created if missing); their paths."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / f for f in FILES]
    write_json(doc, paths[0])
    write_junit(doc, paths[1])
    write_markdown(doc, paths[2])
    write_html(doc, paths[3])
    return paths


__all__ = ["build", "write", "FILES", "SCHEMA_VERSION"]
