"""A dask.distributed client for the work that scales out (sweeps' chunks, a report's checks):
a LocalCluster of ``workers`` processes, or the existing scheduler at ``scheduler``.

Workers of an existing cluster need mathoracle and the libraries under test installed.
"""
from __future__ import annotations

from contextlib import contextmanager

from mathoracle.core.errors import UsageError


@contextmanager
def dask_client(scheduler: str | None, workers: int, *, without: str):
    """Yield a connected ``distributed.Client``; closed (and a LocalCluster shut down) on exit.
    ``without`` says how to do the same work when dask is not installed."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise UsageError("a dask scheduler needs dask.distributed; install the extra: "
                         f"pip install 'mathoracle[dask]', or {without}") from None
    cluster = None
    if scheduler is None:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=40)
        client = Client(cluster)
    else:
        try:
            client = Client(scheduler, timeout=10)
        except OSError as exc:
            raise UsageError(f"--scheduler {scheduler}: cannot connect ({exc})") from None
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def worker_count(client) -> int:
    return max(1, len(client.scheduler_info()["workers"]))
