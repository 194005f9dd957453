"""Adapter: Keras 3 (activations, losses, normalisation layers in training mode, attention)
under the catalogue's signatures, as ``keras[torch]`` and ``keras[jax]``.

Keras imports its backend once per process (``backend.py``): ``implementation(backend)``
imports keras on that backend when this process has not imported it yet; in a process that
runs keras on the other backend it still builds (for listings), and its functions raise
BackendMismatch when called. The two backends differ in numerics, so each has its own
deviations (section modules: DEVIATIONS for both, DEVIATIONS_TORCH, DEVIATIONS_JAX)."""
from __future__ import annotations

import functools
import inspect
from importlib.util import find_spec

from mathoracle.oracles import section_modules

from ..base import Implementation
from .backend import BACKENDS, current, keras_for

OWN_PROCESS = True  # Keras fixes its backend at import: a report runs each backend apart

def _bound(fn, backend):
    @functools.wraps(fn)
    def call(*args, **kwargs):
        return fn(keras_for(backend), *args, **kwargs)
    sig = inspect.signature(fn)  # the catalogue's signature: fn's without its keras argument
    call.__signature__ = sig.replace(parameters=list(sig.parameters.values())[1:])
    return call


@functools.cache
def implementation(backend: str) -> Implementation:
    """keras[backend]: the section modules' functions, each called with keras on ``backend``."""
    if backend not in BACKENDS:
        raise ValueError(f"keras backend must be one of {', '.join(BACKENDS)}, got {backend!r}")
    if find_spec("keras") is None or find_spec(backend) is None:
        missing = "keras" if find_spec("keras") is None else backend
        raise ImportError(f"No module named {missing!r}", name=missing)
    if current() in (None, backend):
        keras_for(backend)  # import now, not inside the first (timed) call
    functions, deviations, notes = {}, [], {}
    for module in section_modules(__name__):
        functions.update({oid: _bound(fn, backend) for oid, fn in getattr(module, "FUNCTIONS", {}).items()})
        deviations.extend(getattr(module, "DEVIATIONS", ()))
        deviations.extend(getattr(module, f"DEVIATIONS_{backend.upper()}", ()))
        notes.update(getattr(module, "NOT_APPLICABLE", {}))
    return Implementation(f"keras[{backend}]", functions, tuple(deviations),
                          f"Keras 3 on its {backend} backend (CPU"
                          + (", jax_enable_x64 on)" if backend == "jax" else ")"), notes)
