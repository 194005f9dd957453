"""Keras 3 fixes its backend when it is first imported, from ``KERAS_BACKEND``: one backend
per process. ``keras_for(backend)`` sets the variable before that import (with JAX's float64
turned on for the jax backend, since JAX computes float64 input in float32 otherwise), and
refuses a second backend in a process that already imported keras with another one."""
from __future__ import annotations

import os
import sys

BACKENDS = ("torch", "jax")


class BackendMismatch(RuntimeError):
    """keras was imported in this process with another backend."""


def keras_for(backend: str):
    """The keras module, running on ``backend``."""
    if backend not in BACKENDS:
        raise ValueError(f"keras backend must be one of {', '.join(BACKENDS)}, got {backend!r}")
    if "keras" not in sys.modules:
        os.environ["KERAS_BACKEND"] = backend
        if backend == "jax":
            import jax
            jax.config.update("jax_enable_x64", True)
            jax.config.update("jax_platforms", "cpu")
    import keras
    if keras.backend.backend() != backend:
        raise BackendMismatch(
            f"keras[{backend}] needs its own process: keras was imported here with the "
            f"{keras.backend.backend()} backend, and Keras fixes its backend at import "
            f"(run `KERAS_BACKEND={backend} mathoracle check ...` in a new process)")
    return keras


def current() -> str | None:
    """The backend keras runs on in this process, or None before keras is imported."""
    if "keras" not in sys.modules:
        return None
    return sys.modules["keras"].backend.backend()
