"""Bounding what a target call may cost: a per-call timeout, and optional isolation.

``run(fn, args, kwargs)`` calls the target under the limits in force (``limits(...)``):

- **timeout** (default ``DEFAULT_TIMEOUT`` seconds): on the main thread a one-shot
  ``ITIMER_REAL`` alarm is armed around the call (two system calls, well under a
  microsecond each; no thread per call). A hang in Python code, or in C code that
  returns to the interpreter (``time.sleep``, most NumPy loops), is interrupted and
  raises ``TargetTimeout``. A C loop that never returns is only stopped with isolation.
  Off the main thread signals cannot be used; there the call runs unbounded unless
  isolated.
- **isolate**: the call runs in a forked worker process. A crash (segfault, ``os._exit``)
  raises ``TargetCrashed`` and the worker is restarted; a hang past the timeout kills it.
  Functions are never pickled: the worker is forked after the function is registered,
  so it already holds it (lambdas and ``file.py`` targets work too); only arguments and
  results cross the pipe.

A function that timed out once is not called again in the same ``limits`` block: every
later call fails at once with the same reason, so a hanging target costs one timeout,
not one per example (and Hypothesis's shrinking of the failure stays fast).
"""
from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
from dataclasses import dataclass, field
from typing import Any, Callable

from mathoracle.core.buffers import to_numpy

DEFAULT_TIMEOUT = 10.0  # seconds per call; the slowest honest call here takes ~0.1 s


class TargetTimeout(BaseException):
    """The target did not return in time (BaseException: a target's ``except Exception``
    must not swallow it)."""


class TargetCrashed(Exception):
    """The isolated target's process died."""


@dataclass
class _Limits:
    timeout: float | None = DEFAULT_TIMEOUT
    isolate: bool = False
    hung: dict = field(default_factory=dict)  # id(fn) -> (fn, reason): functions that timed out
    worker: "_Worker | None" = None


_state = threading.local()


def current() -> _Limits:
    lim = getattr(_state, "limits", None)
    if lim is None:
        lim = _state.limits = _Limits()
    return lim


@contextlib.contextmanager
def limits(timeout: float | None = DEFAULT_TIMEOUT, isolate: bool = False):
    """Run the block with this per-call timeout (None or 0: none) and isolation."""
    previous = getattr(_state, "limits", None)
    _state.limits = _Limits(timeout or None, isolate)
    try:
        yield _state.limits
    finally:
        if _state.limits.worker is not None:
            _state.limits.worker.stop()
        _state.limits = previous


def run(fn: Callable, args, kwargs, label: str = "") -> Any:
    """fn(*args, **kwargs) under the limits in force; ``label`` names the call in the reason
    later calls of a function that hung fail with."""
    lim = current()
    if id(fn) in lim.hung:
        raise TargetTimeout(lim.hung[id(fn)][1])
    try:
        if lim.isolate:
            if lim.worker is None:
                lim.worker = _Worker()
            return lim.worker.call(fn, args, kwargs, lim.timeout)
        return _with_alarm(fn, args, kwargs, lim.timeout)
    except TargetTimeout as exc:
        lim.hung[id(fn)] = (fn, f"{exc} on an earlier call{f' ({label})' if label else ''}; "
                                f"not called again")
        raise


_previous_handler = None  # the handler ours replaced, called for alarms that are not ours
_armed = False
_MAIN = threading.main_thread().ident


def _on_alarm(signum, frame):
    if _armed:
        raise TargetTimeout(f"timed out after {current().timeout:g} s")
    if callable(_previous_handler):
        _previous_handler(signum, frame)


def _with_alarm(fn, args, kwargs, timeout):
    """fn(*args, **kwargs) under a one-shot interval timer. The handler is installed once
    and stays (it passes foreign alarms on), so a call costs two setitimer calls."""
    global _armed, _previous_handler
    if not timeout or threading.get_ident() != _MAIN:
        return fn(*args, **kwargs)
    if signal.getsignal(signal.SIGALRM) is not _on_alarm:
        _previous_handler = signal.signal(signal.SIGALRM, _on_alarm)
    _armed = True
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        return fn(*args, **kwargs)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        _armed = False


# --- isolation -----------------------------------------------------------------------

_registry: dict[int, Callable] = {}  # what a worker forked now can call, by id


def _serve(conn) -> None:  # pragma: no cover - runs in the child
    import faulthandler
    faulthandler.disable()  # a crash is the finding; no traceback dump from a parent's handler
    while True:
        try:
            key, args, kwargs = conn.recv()
        except EOFError:
            os._exit(0)
        try:
            out = _registry[key](*args, **kwargs)
            try:
                out = to_numpy(out) if hasattr(out, "detach") else out
                conn.send(("ok", out))
            except Exception:  # the result cannot be pickled: say what it was
                conn.send(("ok", _Unsendable(type(out).__name__)))
        except Exception as exc:
            conn.send(("raised", (type(exc).__name__, str(exc), _builtin_base(type(exc)))))


def _builtin_base(cls: type) -> str:
    """The name of the nearest built-in exception class ``cls`` derives from."""
    import builtins
    return next(c.__name__ for c in cls.__mro__ if getattr(builtins, c.__name__, None) is c)


class _Unsendable:
    """Stands for a result that could not be sent back from the worker (vet rejects it)."""

    def __init__(self, kind: str):
        self.kind = kind

    def __repr__(self):
        return f"<unpicklable {self.kind}>"


class TargetRaised(Exception):
    """An exception raised by the isolated target, re-raised under its own type name and as
    an instance of its nearest built-in class (a ValueError stays a ValueError)."""


def _raised(name: str, base: str) -> type:
    import builtins
    builtin = getattr(builtins, base, Exception)
    try:
        return type(name, (TargetRaised, builtin), {})
    except TypeError:  # a built-in whose layout cannot be combined (OSError's)
        return type(name, (TargetRaised,), {})


class _Worker:
    def __init__(self):
        self.proc = None
        self.conn = None
        self.known: set[int] = set()

    def _start(self):
        self.stop()
        ctx = multiprocessing.get_context("fork")
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_serve, args=(child,), daemon=True)
        self.proc.start()
        child.close()
        self.known = set(_registry)

    def stop(self):
        if self.proc is not None:
            if self.proc.is_alive():
                self.proc.kill()
            self.proc.join()
            self.conn.close()
        self.proc = None

    def call(self, fn, args, kwargs, timeout):
        key = id(fn)
        if _registry.get(key) is not fn:
            _registry[key] = fn
        if self.proc is None or key not in self.known or not self.proc.is_alive():
            self._start()
        self.conn.send((key, args, kwargs))
        if not self.conn.poll(timeout):
            self.stop()
            raise TargetTimeout(f"timed out after {timeout:g} s (isolated process killed)")
        try:
            kind, payload = self.conn.recv()
        except (EOFError, ConnectionError):
            self.proc.join()
            code = self.proc.exitcode
            self.stop()
            raise TargetCrashed(_death(code)) from None
        if kind == "raised":
            name, message, base = payload
            raise _raised(name, base)(message)
        return payload


def _death(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            return f"crashed: the isolated process died of {signal.Signals(-code).name}"
        except ValueError:
            return f"crashed: the isolated process died of signal {-code}"
    return f"crashed: the isolated process exited with status {code} during the call"
