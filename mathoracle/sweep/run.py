"""Running a sweep's chunks: in-process, or as tasks on dask.distributed; resumable.

Each finished chunk's summary is written to ``DIR/chunks/NNNNNN.json`` (atomically, by the
driving process) as it arrives, so a killed run resumes from its completed chunks (``resume``);
``DIR/manifest.json`` pins what the sweep computes and a resume must match it. At most
2 chunks per worker are in flight, so memory stays bounded by the chunk size.
"""
from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from mathoracle.cluster import dask_client, worker_count
from mathoracle.core.errors import UsageError
from mathoracle.sweep.chunk import Spec, run_chunk


def manifest(spec: Spec) -> dict:
    return {"oracle": spec.oracle, "target": spec.target if isinstance(spec.target, str)
            else f"{getattr(spec.target, '__module__', '?')}:{getattr(spec.target, '__qualname__', '?')}",
            "dtype": spec.dtype, "start": spec.start, "stop": spec.stop, "chunk": spec.chunk,
            "width": spec.width, "sample": spec.sample, "seed": spec.seed,
            "conventions": list(spec.conventions)}


class Store:
    """The chunk files of a sweep directory (None: kept in memory only)."""

    def __init__(self, spec: Spec, out: Path | None, resume: bool):
        self.dir = None if out is None else Path(out)
        self.done: dict[int, dict] = {}
        if self.dir is None:
            return
        want = manifest(spec)
        mf = self.dir / "manifest.json"
        if resume:
            if not mf.exists():
                raise UsageError(f"--resume {self.dir}: no manifest.json there; start the sweep with --out")
            have = json.loads(mf.read_text())
            if have != want:
                diff = sorted(k for k in want if have.get(k) != want[k])
                raise UsageError(f"--resume {self.dir}: that sweep differs in {', '.join(diff)}; "
                                 f"resume it with the same arguments, or use a new --out")
            for p in sorted((self.dir / "chunks").glob("*.json")):
                doc = json.loads(p.read_text())
                self.done[doc["index"]] = doc
        else:
            (self.dir / "chunks").mkdir(parents=True, exist_ok=True)
            for p in (self.dir / "chunks").glob("*.json"):
                p.unlink()
            mf.write_text(json.dumps(want, indent=1))

    def add(self, doc: dict) -> None:
        self.done[doc["index"]] = doc
        if self.dir is not None:
            path = self.dir / "chunks" / f"{doc['index']:06d}.json"
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(doc))
            os.replace(tmp, path)


class Progress:
    """A one-line progress bar on stderr: chunks done, inputs per second, time left."""

    def __init__(self, total: int, done: int, inputs_per_chunk: int, enabled: bool):
        self.total, self.done, self.start_done = total, done, done
        self.per, self.enabled, self.t0 = inputs_per_chunk, enabled, time.perf_counter()

    def step(self) -> None:
        self.done += 1
        if not self.enabled:
            return
        dt = time.perf_counter() - self.t0
        new = self.done - self.start_done
        rate = new * self.per / dt if dt > 0 else 0.0
        left = (self.total - self.done) * dt / new if new else 0.0
        bar = "#" * int(30 * self.done / self.total)
        print(f"\r[{bar:<30}] {self.done}/{self.total} chunks, {rate / 1e6:.1f} M inputs/s, "
              f"{dt:.0f} s, {left:.0f} s left", end="", file=sys.stderr, flush=True)
        if self.done == self.total:
            print(file=sys.stderr)


def run_in_process(spec: Spec, todo: list[int], store: Store, progress: Progress) -> None:
    for i in todo:
        store.add(run_chunk(spec, i))
        progress.step()


def run_on_dask(spec: Spec, todo: list[int], store: Store, progress: Progress, *,
                scheduler: str | None, workers: int) -> int:
    """Run the chunks as dask.distributed tasks; returns the number of workers used."""
    with dask_client(scheduler, workers, without="run with --in-process") as client:
        from distributed import as_completed
        n = worker_count(client)
        window = 2 * n
        queue = list(todo)
        running = as_completed([client.submit(run_chunk, spec, i, pure=False)
                                for i in queue[:window]])
        queue = queue[window:]
        for fut in running:
            store.add(fut.result())
            fut.release()
            progress.step()
            if queue:
                running.add(client.submit(run_chunk, spec, queue.pop(0), pure=False))
        return n
