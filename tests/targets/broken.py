"""Deliberately broken targets: each must end as a recorded failure, never a crash."""
import numpy as np


def raises(z):
    raise RuntimeError("boom")


def returns_list(z):
    return [0.5] * np.size(z)


def returns_none(z):
    return None


def wrong_shape(z):
    return np.ones(np.shape(z) + (1,), dtype=np.asarray(z).dtype) / 2


def narrower(z):
    return (1 / (1 + np.exp(-np.asarray(z, np.float64)))).astype(np.float16)


def wider(z):
    return 1 / (1 + np.exp(-np.asarray(z, np.float64)))


def nan_everywhere(z):
    return np.full(np.shape(z), np.nan, dtype=np.asarray(z).dtype)


def int_output(z):
    return np.zeros(np.shape(z), dtype=np.int64)


def float64_only(z):
    if np.asarray(z).dtype != np.float64:
        raise TypeError("only float64 is supported")
    return wider(z)


not_a_function = 42


# Gradient functions grad(cotangent, z) for activation.sigmoid, broken in the same ways.

def grad_raises(w, z):
    raise ValueError("no backward")


def grad_not_a_mapping(w, z):
    return np.asarray(w) * 0.25


def grad_missing_argument(w, z):
    return {"x": np.asarray(w) * 0.25}


def grad_wrong_shape(w, z):
    return {"z": np.zeros(np.shape(z) + (2,), dtype=np.asarray(z).dtype)}


# Targets that do not come back: bounded by the per-call timeout, or recorded by --isolate.

def hangs(z):
    """Never returns (a Python loop: the timeout's alarm interrupts it)."""
    while True:
        pass


def sleeps(z):
    """Blocks in a C call (time.sleep), which the alarm interrupts too."""
    import time
    time.sleep(3600)


def exits(z):
    """Ends the whole process, as a C extension calling exit() would."""
    import os
    os._exit(3)


def segfaults(z):
    """Dereferences a null pointer."""
    import ctypes
    ctypes.string_at(0)


def swallows_interrupts(z):
    """Catches every Exception, as sloppy code does; the timeout still ends it."""
    while True:
        try:
            while True:
                pass
        except Exception:
            pass
